"""Sphinx configuration of the sksequence documentation.

Build (warnings are errors)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

Add ``-D plot_gallery=0`` to skip running the gallery examples (the test
suite runs them separately). Set ``SKSEQUENCE_DOCS_INTERSPHINX=1`` to link
to the scikit-learn, PyTorch, skorch, NumPy and Python documentation; it is
off by default because it downloads their inventories, and a build without
network access would fail on the warning.
"""

import inspect
import os
import re
import sys
import tempfile
from pathlib import Path

from sklearn.base import TransformerMixin, is_classifier, is_regressor

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))  # document the checkout, not an install
sys.path.insert(0, str(DOCS))  # sksequence_docs_helpers

import sksequence  # noqa: E402

os.environ.setdefault("MPLBACKEND", "Agg")
# the examples also save their figures; keep those out of the source tree
os.environ.setdefault("SKSEQUENCE_EXAMPLES_OUT", tempfile.mkdtemp(prefix="sksequence-"))

project = "sksequence"
author = "sksequence developers"
copyright = "sksequence developers"  # noqa: A001
version = release = sksequence.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
if os.environ.get("SKSEQUENCE_DOCS_INTERSPHINX"):
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "torch": ("https://docs.pytorch.org/docs/stable", None),
        "skorch": ("https://skorch.readthedocs.io/en/stable", None),
    }

templates_path = ["_templates"]
exclude_patterns = ["_build", "_api_list.rst", "benchmarks"]
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


_SECTIONS = [
    ("regressor", "Regressors", "class.rst"),
    ("classifier", "Classifiers", "class.rst"),
    ("transformer", "Transformers", "class.rst"),
    ("class", "Other classes", "class.rst"),
    ("function", "Functions", "function.rst"),
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


def write_api_list():
    """Write ``_api_list.rst`` from ``sksequence.__all__``."""
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
    for name in sorted(modules):
        module = getattr(sksequence, name)
        lines += _heading(f":mod:`sksequence.{name}`", "-")
        lines += [f".. automodule:: sksequence.{name}", ""]
        public = getattr(module, "__all__", [])
        by_template = {}
        for member in public:
            is_class = inspect.isclass(getattr(module, member))
            template = "class.rst" if is_class else "function.rst"
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
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
