"""Cross-references for the API reference (``appendices/api/``), a local Sphinx extension.

Sphinx's Python domain finds an object under the name it is documented with.
Three kinds of reference in optlib's docstrings (and in the chapters) need a
little more, and this extension resolves them when Sphinx alone has not:

* **The names a package gives.** ``optlib.minimize`` and ``optlib.Adam`` are
  documented where they are defined (``optlib.training.minimize``,
  ``optlib.optimizers.Adam``), and so are the names the packages
  ``optlib.plotting`` and ``optlib.widgets`` gather from their modules
  (``optlib.plotting.contour_plot`` is ``optlib.plotting.surfaces.contour_plot``);
  a reference to the short name, or to a member of it (``optlib.Adam.step``),
  goes to that entry, and so does a bare name in a package's docstring.
* **Inherited members.** In the docstring of ``SGD``, ``:meth:`step``` means
  the ``step`` it inherits from ``Optimizer``, which is documented once, on
  the base class; the class's method resolution order finds it.
* **Types described in words.** A NumPy-style docstring gives each argument's
  type in words (``float or ndarray``, ``Line2D``, ``ndarray, shape (n, d)``).
  Sphinx turns every word into a link; the optlib ones resolve, the others
  (NumPy, Matplotlib, shapes) have no target on an offline site. Those are
  shown as plain text instead of failing the ``-n`` build, as is a dotted name
  from another package (``numpy.ndarray``). A reference to an optlib name
  written with a role (``:class:`Trajectroy```) still warns when it is broken.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

PACKAGE = "optlib"


def _defining_names(obj: Any, attribute: str) -> list[str]:
    """Where the object that ``optlib.<attribute>`` names may be documented."""
    if inspect.ismodule(obj):
        return [obj.__name__]
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if (inspect.isclass(obj) or inspect.isfunction(obj)) and module and qualname:
        # A package (optlib.training) documents what its modules define under its own name.
        package = ".".join(module.split(".")[:2])
        return list(dict.fromkeys([f"{package}.{qualname}", f"{module}.{qualname}"]))
    # An instance (optlib.mse) or a container (optlib.SURFACES): every submodule
    # that holds the same object under the same name (one of them defines it).
    return [
        f"{name}.{attribute}"
        for name, module_object in sorted(sys.modules.items())
        if name.startswith(PACKAGE + ".") and getattr(module_object, attribute, None) is obj
    ]


def _package_aliases(target: str) -> list[str]:
    """``optlib.Adam.step`` -> ``[optlib.optimizers.Adam.step]``.

    The name is looked up through packages (``optlib.plotting.contour_plot``)
    down to the first object that is not a module.
    """
    parts = target.split(".")
    if len(parts) < 2 or parts[0] != PACKAGE:
        return []
    obj: Any = importlib.import_module(PACKAGE)
    for depth in range(1, len(parts)):
        try:  # optlib.check, .plotting and .widgets load on first access
            obj = getattr(obj, parts[depth])
        except AttributeError:
            return []
        if not inspect.ismodule(obj):
            named = ".".join(parts[: depth + 1])
            return [
                ".".join([defining, *parts[depth + 1 :]])
                for defining in _defining_names(obj, parts[depth])
                if defining != named
            ]
    return []


def _inherited(node: pending_xref, target: str) -> list[str]:
    """``step`` in class ``SGD`` -> ``optlib.optimizers.Optimizer.step`` (and so on up the MRO)."""
    module_name, class_name = node.get("py:module"), node.get("py:class")
    if not (module_name and class_name) or not module_name.startswith(PACKAGE):
        return []
    try:
        cls: Any = importlib.import_module(module_name)
        for part in class_name.split("."):
            cls = getattr(cls, part)
    except (ImportError, AttributeError):
        return []
    if not inspect.isclass(cls):
        return []
    return [
        f"{base.__module__}.{base.__qualname__}.{target}"
        for base in cls.__mro__[1:]
        if base.__module__.startswith(PACKAGE)
    ]


def _missing_reference(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    candidates = _package_aliases(target)
    module_name = node.get("py:module")
    if module_name and not target.startswith(PACKAGE + "."):
        candidates += _package_aliases(f"{module_name}.{target}")
    candidates += _inherited(node, target)
    domain = env.get_domain("py")
    for candidate in candidates:
        resolved = domain.resolve_xref(
            env, node["refdoc"], app.builder, node["reftype"], candidate, node, contnode
        )
        if resolved is not None:
            return resolved
    if node["reftype"] not in ("class", "obj", "exc"):
        return None
    # A type word from a docstring field or an annotation (no role wrote it, so
    # it carries no "refwarn") that names nothing documented here, or a dotted
    # name from another package (numpy.ndarray in a type alias): plain text.
    external = "." in target and target.split(".")[0] != PACKAGE
    if "refwarn" not in node or external:
        return contnode
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx.ext.intersphinx or any other resolver would give up on it.
    app.connect("missing-reference", _missing_reference, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
