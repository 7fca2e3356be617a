"""The API reference (``appendices/api/``) documents every public name of optlib.

A public name is one in a module's ``__all__``, or a class or function defined
in the module under a name without a leading underscore. A package gathers
names from its modules: its page documents them under the package's name
(``optlib.optimizers.SGD``) or in the module that defines them, with an
``automodule`` for each module (``optlib.plotting.surfaces.contour_plot``); the
public names of a module documented so are checked too. The tests fail when

* a public name has no docstring (a constant's docstring is a ``#:`` comment
  above it or a string right after it), or a public method of a public class
  has none (autodoc would leave it out without a word);
* a public function, class or loss instance has no **Examples** section with a
  doctest (constants and modules are exempt: autodoc shows a constant's value);
* a constant's or property's docstring begins ``words: text`` (napoleon would
  show the words before the colon as a type);
* an example in a constant's docstring fails (``pytest --doctest-modules``
  only runs the docstrings of modules, classes and functions);
* a name that ``import optlib`` gives is missing from the overview table of
  ``appendices/api/index.md``;
* the API pages, built on their own with the book's configuration, give a
  Sphinx warning under ``-W -n``, or lack a public name in the built
  reference (its ``objects.inv``).

The build runs ``jupyter-book`` on the API pages only (no notebook is executed).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sphinx.ext.napoleon import Config
from sphinx.ext.napoleon.docstring import NumpyDocstring
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.inventory import InventoryFile

import optlib

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "appendices" / "api"
MODULES = (
    "losses",
    "optimizers",
    "keras",
    "schedules",
    "functions",
    "training",
    "experiments",
    "theory",
    "tuning",
    "models",
    "datasets",
    "source",
    "check",
    "plotting",
    "widgets",
)
EXAMPLES = re.compile(r"^\s*Examples\n\s*-{3,}\s*$", re.MULTILINE)


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"optlib.{name}")


def _submodules(name: str) -> list[str]:
    """The modules of a package (``plotting`` -> ``plotting.theme``, ...); none for a module."""
    path = getattr(_module(name), "__path__", None)
    if path is None:
        return []
    return [f"{name}.{info.name}" for info in pkgutil.iter_modules(path) if info.name[0] != "_"]


def _documented_submodules(name: str) -> list[str]:
    """The modules of a package that its page documents one by one (an ``automodule`` each)."""
    page = (API / f"{name}.md").read_text(encoding="utf-8")
    return [sub for sub in _submodules(name) if f".. automodule:: optlib.{sub}\n" in page]


DOCUMENTED = [
    documented for name in MODULES for documented in (name, *_documented_submodules(name))
]


def _public_names(module: ModuleType) -> list[str]:
    names = set(getattr(module, "__all__", ()))
    for name, obj in vars(module).items():
        defined_here = getattr(obj, "__module__", None) == module.__name__
        if not name.startswith("_") and defined_here and callable(obj):
            names.add(name)  # a class or a function: what else has a __module__ here
    return sorted(names)


def _attribute_docs(module: str) -> dict[str, str]:
    """The docstrings of a module's constants: ``#:`` comments and strings after them."""
    found = ModuleAnalyzer.for_module(f"optlib.{module}").find_attr_docs()
    return {name: "\n".join(lines) for (scope, name), lines in found.items() if scope == ""}


def _home(module: str, name: str) -> str:
    """The module that defines ``optlib.<module>.<name>`` (a package gathers from its modules)."""
    obj = getattr(_module(module), name)
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return obj.__module__.removeprefix("optlib.")
    for candidate in (module, *_submodules(module)):
        if name in _attribute_docs(candidate):
            return candidate
    return module


def _exported() -> dict[tuple[str, str], str]:
    """``{(home, name): exporter}``: every public name, with the module that defines it (where
    it is checked) and the one that exports it (a package, or the home itself), under whose
    name it may be documented instead."""
    found: dict[tuple[str, str], str] = {}
    for exporter in DOCUMENTED:
        for name in _public_names(_module(exporter)):
            found.setdefault((_home(exporter, name), name), exporter)
    return found


EXPORTED = _exported()
PUBLIC = list(EXPORTED)
IDS = [f"{module}.{name}" for module, name in PUBLIC]


def _docstring(module: str, name: str) -> str | None:
    obj = getattr(_module(module), name)
    if inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismodule(obj):
        return obj.__doc__  # the object's own: inspect.getdoc would inherit a base class's
    return _attribute_docs(module).get(name)


def _is_constant(obj: Any) -> bool:
    return not (inspect.isclass(obj) or inspect.isfunction(obj) or callable(obj))


# --- docstrings ---------------------------------------------------------------------


def test_every_module_of_optlib_has_a_page():
    files = {p.stem for p in (ROOT / "optlib").glob("*.py")}
    packages = {p.parent.name for p in (ROOT / "optlib").glob("*/__init__.py")}
    modules = {name for name in files | packages if not name.startswith("_")}
    assert modules == set(MODULES), "add the new module to MODULES and give it a page"
    for module in MODULES:
        page = (API / f"{module}.md").read_text(encoding="utf-8")
        assert f".. automodule:: optlib.{module}\n" in page, f"{module}.md documents nothing"


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=IDS)
def test_public_name_has_a_docstring(module, name):
    doc = _docstring(module, name)
    assert doc and doc.strip(), f"optlib.{module}.{name} has no docstring" + (
        " (for a constant: a `#:` comment above it or a string right after it)"
        if _is_constant(getattr(_module(module), name))
        else ""
    )


CALLABLE = [(m, n) for m, n in PUBLIC if not _is_constant(getattr(_module(m), n))]


@pytest.mark.parametrize(("module", "name"), CALLABLE, ids=[f"{m}.{n}" for m, n in CALLABLE])
def test_public_name_has_an_example(module, name):
    """Functions, classes and loss instances; constants (their value is shown) and modules not."""
    doc = _docstring(module, name) or ""
    assert EXAMPLES.search(doc) and ">>>" in doc, (
        f"the docstring of optlib.{module}.{name} has no Examples section with a doctest"
    )


def _public_methods() -> list[tuple[str, str, str]]:
    found = []
    for module, name in PUBLIC:
        cls = getattr(_module(module), name)
        if not inspect.isclass(cls):
            continue
        for attribute, member in vars(cls).items():
            if attribute.startswith("_"):
                continue
            if isinstance(member, property) or callable(getattr(member, "__func__", member)):
                found.append((module, name, attribute))
    return found


def _listed_attributes(cls: type) -> set[str]:
    """The names in the "Attributes" section of a class's docstring."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    section = re.search(r"^Attributes\n-+\n(.*?)(?:\n\S[^\n]*\n-{3,}\n|\Z)", doc, re.M | re.S)
    names: set[str] = set()
    for line in section.group(1).splitlines() if section else []:
        if line and not line[0].isspace():
            names.update(name.strip() for name in line.split(" : ")[0].split(","))
    return names


@pytest.mark.parametrize(
    ("module", "cls", "method"), _public_methods(), ids=lambda value: str(value)
)
def test_public_method_has_a_docstring(module, cls, method):
    """A method or property needs a docstring, unless the class's Attributes section lists it.

    (A property listed there and given a docstring as well is documented twice:
    the build then warns of a duplicate.)
    """
    owner = getattr(_module(module), cls)
    member = vars(owner)[method]
    function = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
    documented = (function.__doc__ or "").strip() or (
        isinstance(member, property) and method in _listed_attributes(owner)
    )
    assert documented, f"optlib.{module}.{cls}.{method} has no docstring"


def _attribute_like() -> list[tuple[str, str, str]]:
    """(where, name, docstring) of every documented constant and public property."""
    found = []
    for module in DOCUMENTED:
        for name, doc in _attribute_docs(module).items():
            if not name.startswith("_"):
                found.append((f"optlib.{module}", name, doc))
    for module, cls, method in _public_methods():
        member = vars(getattr(_module(module), cls))[method]
        if isinstance(member, property) and member.fget.__doc__:
            found.append((f"optlib.{module}.{cls}", method, inspect.cleandoc(member.fget.__doc__)))
    return found


ATTRIBUTE_LIKE = _attribute_like()


@pytest.mark.parametrize(
    ("where", "name", "doc"), ATTRIBUTE_LIKE, ids=[f"{w}.{n}" for w, n, _ in ATTRIBUTE_LIKE]
)
def test_attribute_docstring_reads_as_prose(where, name, doc):
    """Napoleon reads a constant's or a property's ``words: text`` as a type and a text."""
    parsed = str(NumpyDocstring(doc, Config(), what="attribute", name=name))
    assert ":type:" not in parsed, (
        f"{where}.{name}: napoleon shows the words before the first colon of its docstring"
        f" as a type ({parsed!r}); reword the first line"
    )


WITH_EXAMPLES = [  # module-level constants whose docstring has a doctest
    (f"optlib.{module}", name, doc)
    for module in DOCUMENTED
    for name, doc in _attribute_docs(module).items()
    if ">>>" in doc
]


@pytest.mark.parametrize(
    ("where", "name", "doc"), WITH_EXAMPLES, ids=[f"{w}.{n}" for w, n, _ in WITH_EXAMPLES]
)
def test_constant_docstring_examples_run(where, name, doc):
    module = importlib.import_module(where)
    test = doctest.DocTestParser().get_doctest(
        doc, dict(vars(module)), f"{where}.{name}", module.__file__, 0
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    output: list[str] = []
    runner.run(test, out=output.append)
    assert runner.failures == 0, "".join(output)


def test_overview_lists_every_name_of_import_optlib():
    overview = (API / "index.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s+~(optlib(?:\.\w+)+)\s*$", overview, flags=re.MULTILINE))
    missing = []
    for name in optlib.__all__:
        obj = getattr(optlib, name)
        if inspect.ismodule(obj):
            expected = obj.__name__
        elif inspect.isclass(obj) or inspect.isfunction(obj):
            # A package (optlib.optimizers) documents what its modules define under its name.
            documented_in = ".".join(obj.__module__.split(".")[:2])
            expected = f"{documented_in}.{obj.__qualname__}"
        else:
            module = next(m for m in MODULES if getattr(_module(m), name, None) is obj)
            expected = f"optlib.{module}.{name}"
        if expected not in listed:
            missing.append(expected)
    for lazy in ("check", "plotting", "widgets"):
        if f"optlib.{lazy}" not in listed:
            missing.append(f"optlib.{lazy}")
    assert not missing, f"add to the tables of appendices/api/index.md: {missing}"


# --- the pages, built -------------------------------------------------------------

TOC = """\
format: jb-book
root: appendices/api/index
parts:
  - caption: API
    chapters:
      - file: notation
{sections}
"""


@pytest.fixture(scope="module")
def built_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """Build the API pages alone with the book's configuration: (output, html folder)."""
    out = tmp_path_factory.mktemp("api-reference")
    sections = "".join(f"      - file: appendices/api/{module}\n" for module in MODULES)
    toc = out / "_toc.yml"
    toc.write_text(TOC.format(sections=sections), encoding="utf-8")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "--toc", str(toc)]
    command += ["--path-output", str(out), "-W", "-n", "--keep-going"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    return done.stdout + done.stderr, out / "_build" / "html"


def test_api_pages_build_without_warnings(built_reference):
    output, html = built_reference
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    problems = [line for line in plain.splitlines() if re.search(r"WARNING|ERROR", line)]
    assert not problems, "\n".join(problems)
    assert (html / "objects.inv").is_file(), plain[-3000:]


def test_every_public_name_is_in_the_built_reference(built_reference):
    _, html = built_reference
    with open(html / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    documented = {
        name for kind, entries in inventory.items() if kind.startswith("py:") for name in entries
    }
    missing = [
        f"optlib.{module}.{name}"
        for (module, name), exporter in EXPORTED.items()
        if not {f"optlib.{module}.{name}", f"optlib.{exporter}.{name}"} & documented
    ]
    assert not missing, f"public but not in the API reference: {missing}"
