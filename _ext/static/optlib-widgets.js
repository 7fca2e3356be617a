/* optlib book: load the widget manager when a widget is about to be seen.
 *
 * _ext/optlib_lean.py replaces the page's widget-manager <script> (embed.js,
 * 1.9 MB) by this one, and moves the widget state to a JSON file. The state
 * and embed.js are fetched when a widget comes within a screen of the
 * viewport, or when the reader moves the keyboard focus or the pointer onto
 * one; window.optlibLoadWidgets() does it at once and resolves when they are
 * loaded. Then every control gets an accessible name (the widget's label). */
(function () {
  "use strict";
  var script = document.currentScript;
  var embedUrl = script.getAttribute("data-embed");
  var stateUrl = script.getAttribute("data-state");
  var VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';
  var loading = null;

  // embed.js renders on the window's load event, long past when it arrives
  // here: keep the listener it adds and call it once the script has run.
  function runEmbed() {
    return new Promise(function (resolve, reject) {
      var add = window.addEventListener;
      var onLoad = [];
      window.addEventListener = function (type, listener, options) {
        if (type === "load") onLoad.push(listener);
        else add.call(window, type, listener, options);
      };
      var tag = document.createElement("script");
      tag.src = embedUrl;
      tag.onload = function () {
        window.addEventListener = add;
        onLoad.forEach(function (listener) {
          listener.call(window, new Event("load"));
        });
        resolve();
      };
      tag.onerror = function () {
        window.addEventListener = add;
        reject(new Error("optlib: could not load the widget manager " + embedUrl));
      };
      document.head.appendChild(tag);
    });
  }

  function load() {
    if (loading) return loading;
    stop();
    loading = fetch(stateUrl)
      .then(function (response) {
        if (!response.ok) throw new Error("optlib: no widget state at " + stateUrl);
        return response.text();
      })
      .then(function (text) {
        var state = document.createElement("script");
        state.type = "application/vnd.jupyter.widget-state+json";
        state.textContent = text;
        document.head.appendChild(state);
        new MutationObserver(schedule).observe(document.body, {
          childList: true,
          subtree: true,
          characterData: true,
        });
        return runEmbed();
      });
    return loading;
  }
  window.optlibLoadWidgets = load;

  // --- accessible names --------------------------------------------------------
  var PLAY_NAMES = { "fa-play": "play", "fa-pause": "pause", "fa-stop": "stop",
                     "fa-repeat": "repeat", "fa-retweet": "repeat" };
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      name();
    });
  }
  function labelOf(el) {
    var box = el.closest(".widget-inline-hbox, .jupyter-widgets");
    var label = box && box.querySelector(".widget-label");
    return label ? label.textContent.trim() : "";
  }
  function name() {
    document.querySelectorAll(".widget-subarea [role=slider]").forEach(function (handle) {
      var label = labelOf(handle);
      if (label && handle.getAttribute("aria-label") !== label) {
        handle.setAttribute("aria-label", label);
      }
      var box = handle.closest(".widget-inline-hbox");
      var readout = box && box.querySelector(".widget-readout");
      var text = readout ? readout.textContent.trim() : "";
      if (text && handle.getAttribute("aria-valuetext") !== text) {
        handle.setAttribute("aria-valuetext", text);
      }
    });
    document.querySelectorAll(".widget-subarea button").forEach(function (button) {
      if (button.getAttribute("aria-label") || button.textContent.trim()) return;
      var icon = button.querySelector("i");
      var found = icon && Object.keys(PLAY_NAMES).find(function (c) {
        return icon.classList.contains(c);
      });
      if (found) button.setAttribute("aria-label", PLAY_NAMES[found]);
    });
  }

  // --- when to load ------------------------------------------------------------
  var observer = null;
  var areas = [];
  function stop() {
    if (observer) observer.disconnect();
    areas.forEach(function (area) {
      area.removeEventListener("focusin", load);
      area.removeEventListener("pointerenter", load);
    });
  }
  function watch() {
    // The cell, not the output inside it: optlib-lean.css skips the rendering
    // of an off-screen cell's contents, which then never intersect anything.
    areas = Array.prototype.map.call(document.querySelectorAll(VIEW), function (view) {
      return view.closest(".cell") || view.parentElement;
    });
    if (!areas.length || loading) return;
    if (!("IntersectionObserver" in window)) {
      load();
      return;
    }
    observer = new IntersectionObserver(
      function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) load();
      },
      { rootMargin: "100% 0px" }
    );
    areas.forEach(function (area) {
      observer.observe(area);
      area.addEventListener("focusin", load);
      area.addEventListener("pointerenter", load);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
