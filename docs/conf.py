"""Sphinx configuration of the sksequence documentation.

Build (warnings are errors)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

Add ``-D plot_gallery=0`` to skip running the gallery examples (the test
suite runs them separately). The build needs no network: MathJax is bundled
in ``_static/mathjax`` and the Python and scikit-learn inventories in
``_intersphinx`` (see its README). Set ``SKSEQUENCE_DOCS_INTERSPHINX=1`` to
download the current inventories of Python, scikit-learn, NumPy, PyTorch and
skorch instead, which also links the last three.
"""

import importlib
import inspect
import os
import re
import sys
import tempfile
from pathlib import Path

import torch
from sklearn.base import TransformerMixin, is_classifier, is_regressor

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))  # document the checkout, not an install
sys.path.insert(0, str(DOCS))  # sksequence_docs_helpers

import sksequence  # noqa: E402

os.environ.setdefault("MPLBACKEND", "Agg")
# The gallery runs in this process. torch would start one thread per core
# and its tiny models then crawl on a shared machine (the examples'
# measured times are for one thread, as ``tests/test_examples.py`` runs them).
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
# the examples also save their figures; keep those out of the source tree
os.environ.setdefault("SKSEQUENCE_EXAMPLES_OUT", tempfile.mkdtemp(prefix="sksequence-"))

project = "sksequence"
author = "sksequence developers"
copyright = "sksequence developers"  # noqa: A001
version = release = sksequence.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
]
# a copy button on every code block; it copies the code without the
# ``>>> `` / ``... `` prompts of doctests and without their output lines
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
# bundled, so that formulas render without network access (MathJax 3.2.2,
# es5/tex-svg.js of the npm package, Apache-2.0: _static/mathjax/LICENSE)
mathjax_path = "mathjax/tex-svg.js"

_INVENTORIES = DOCS / "_intersphinx"
if os.environ.get("SKSEQUENCE_DOCS_INTERSPHINX"):
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "torch": ("https://docs.pytorch.org/docs/stable", None),
        "skorch": ("https://skorch.readthedocs.io/en/stable", None),
    }
else:  # offline: the inventories in _intersphinx (see its README)
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", str(_INVENTORIES / "python-3.11.inv")),
        "sklearn": (
            "https://scikit-learn.org/stable",
            str(_INVENTORIES / "scikit-learn-1.2.inv"),
        ),
    }

templates_path = ["_templates"]
exclude_patterns = ["_build", "_api_list.rst", "_intersphinx", "benchmarks"]
default_role = "literal"  # `x` renders as code, never as a broken reference

# -- API reference -------------------------------------------------------------
# The API page includes ``_api_list.rst``, written below from
# ``sksequence.__all__`` (and the ``__all__`` of public submodules), so that a
# new public name is documented without editing any page.
autosummary_generate = ["_api_list.rst"]
autosummary_imported_members = False
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- Gallery -------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"demo\.py",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("sksequence",),
    "reference_url": {"sksequence": None},
    "backreferences_dir": "generated/backreferences",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "min_reported_time": 1,
    "thumbnail_size": (560, 392),  # shown up to ~300 px wide: custom.css
    "reset_modules": ("matplotlib", "sksequence_docs_helpers.set_example_file"),
    "reset_modules_order": "before",
}

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sksequence {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False


# -- the API list, from __all__ ------------------------------------------------
def _kind(obj):
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        try:
            instance = obj()
        except Exception:  # a class that needs arguments
            instance = None
        if instance is not None and is_regressor(instance):
            return "regressor"
        if instance is not None and is_classifier(instance):
            return "classifier"
        if issubclass(obj, TransformerMixin):
            return "transformer"
        return "class"
    return "function"


# templates are named relative to ``templates_path``: autosummary silently
# falls back to its ``base.rst`` (no methods, no gallery links) for a name it
# cannot find
CLASS_TEMPLATE = "autosummary/class.rst"
FUNCTION_TEMPLATE = "autosummary/function.rst"
_SECTIONS = [
    ("regressor", "Regressors", CLASS_TEMPLATE),
    ("classifier", "Classifiers", CLASS_TEMPLATE),
    ("transformer", "Transformers", CLASS_TEMPLATE),
    ("class", "Other classes", CLASS_TEMPLATE),
    ("function", "Functions", FUNCTION_TEMPLATE),
]


def _autosummary(module, names, template):
    lines = [
        f".. currentmodule:: {module}",
        "",
        ".. autosummary::",
        "   :toctree: generated",
        f"   :template: {template}",
        "",
    ]
    lines += [f"   {name}" for name in sorted(names, key=str.lower)]
    return lines + [""]


def _heading(text, char):
    return [text, char * len(text), ""]


# public submodules that ``import sksequence`` leaves out: they need an extra
OPTIONAL_MODULES = ("dask", "sktime")


def write_api_list():
    """Write ``_api_list.rst`` from ``sksequence.__all__`` and OPTIONAL_MODULES."""
    groups = {kind: [] for kind, _, _ in _SECTIONS}
    modules = []
    for name in sksequence.__all__:
        obj = getattr(sksequence, name)
        kind = _kind(obj)
        (modules if kind == "module" else groups[kind]).append(name)
    lines = []
    for kind, title, template in _SECTIONS:
        if groups[kind]:
            lines += _heading(title, "-")
            lines += _autosummary("sksequence", groups[kind], template)
    for name in sorted(modules) + list(OPTIONAL_MODULES):
        module = importlib.import_module(f"sksequence.{name}")
        lines += _heading(f":mod:`sksequence.{name}`", "-")
        lines += [f".. automodule:: sksequence.{name}", ""]
        public = getattr(module, "__all__", [])
        by_template = {}
        for member in public:
            is_class = inspect.isclass(getattr(module, member))
            template = CLASS_TEMPLATE if is_class else FUNCTION_TEMPLATE
            by_template.setdefault(template, []).append(member)
        for template, members in sorted(by_template.items()):
            lines += _autosummary(f"sksequence.{name}", members, template)
    text = "\n".join(lines)
    target = DOCS / "_api_list.rst"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")  # unchanged: keep the mtime


write_api_list()  # before autosummary reads it (at builder-inited)


# -- autodoc hooks -------------------------------------------------------------
# scikit-learn's metadata-routing methods (set_fit_request, ...) refer to
# labels of scikit-learn's own documentation; they are inherited unchanged.
_SKIPPED_MEMBERS = re.compile(r"^(get_metadata_routing|set_\w+_request)$")


def _skip_member(app, what, name, obj, skip, options):
    if _SKIPPED_MEMBERS.match(name):
        return True
    # sksequence.sktime.RecurrentForecaster inherits sktime's whole forecaster
    # interface, whose docstrings are written for sktime's own documentation
    # (its glossary, its reST conventions): the class page links to it instead
    if (getattr(obj, "__module__", None) or "").startswith(("sktime.", "skbase.")):
        return True
    return None


# Inherited docstrings (set_output, ...) refer to labels of scikit-learn's
# documentation (and dask-ml's, in sksequence.dask). A reference with its own
# title keeps the title as text; a bare one (a gallery example) is resolved
# through the sklearn inventory.
_TITLED_REF = re.compile(r":ref:`([^`<]+?)\s*<[^`>]+>`")


def _unlink_sklearn_labels(app, what, name, obj, options, lines):
    if getattr(obj, "__module__", "").startswith(("sklearn.", "dask_ml.")):
        lines[:] = [_TITLED_REF.sub(r"\1", line) for line in lines]


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-docstring", _unlink_sklearn_labels)
