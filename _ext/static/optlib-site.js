/* optlib book: make the theme, MathJax 3 and the ipywidgets manager work together.
 * Loaded on every page, before the theme's own (deferred) scripts. */
(function () {
  "use strict";

  // 1. (Inert since _ext/optlib_lean.py stops loading that script: the icons
  //    are a web font. Kept for a build without optlib_lean.)
  //    The theme's Font Awesome 6 script turns <i class="fa ..."> icons into
  //    <svg>. ipywidgets' Play view keeps its <i> and switches its class
  //    (play/pause): once replaced, that throws; once nested, the <svg> no
  //    longer follows the class. So Font Awesome 6 converts the icons present
  //    when the page loads (the theme's) and does not watch later changes; the
  //    widgets, drawn after the load event, keep their <i> and the Font Awesome 5
  //    font of the widget manager (vendored with it). "nest" keeps any <i>
  //    that it does convert in place, so a script holding it never breaks.
  window.FontAwesomeConfig = Object.assign({}, window.FontAwesomeConfig, {
    autoReplaceSvg: "nest",
    observeMutations: false,
  });

  // 2. (Only with html_math_renderer: mathjax; with MathML there is no MathJax.)
  //    The widget manager typesets LaTeX in widget labels with the MathJax 2 API,
  //    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); MathJax 3 has no Hub
  //    (a TypeError on every widget with a description). Give the MathJax 3
  //    object a Hub whose Queue typesets with the v3 API, after startup.
  function typeset(element) {
    var mathjax = window.MathJax;
    if (!mathjax || !mathjax.startup || !mathjax.startup.promise) {
      return; // MathJax has not loaded: its startup typesets the page anyway.
    }
    mathjax.startup.promise = mathjax.startup.promise.then(function () {
      return mathjax.typesetPromise(element ? [element] : undefined);
    });
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset") {
          typeset(job[2]);
        }
      }
    },
  };
  // MathJax 3 replaces window.MathJax (the configuration) with its own object
  // when it loads; attach the Hub to that object, whenever it arrives.
  var current = window.MathJax;
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = value;
      if (value && typeof value === "object" && value.version && !value.Hub) {
        value.Hub = hub;
      }
    },
  });
})();
