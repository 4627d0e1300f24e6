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
exclude_patterns = ["_build", "_api_list.rst", "_intersphinx"]
default_role = "literal"  # `x` renders as code, never as a broken reference

# -- API reference -------------------------------------------------------------
# The API page includes ``_api_list.rst``, the toctree of the group pages
# ``api/*.rst``, all written below from ``sksequence.__all__`` (and the
# ``__all__`` of public submodules) and API_GROUPS, so that a new public name
# is documented without editing any page (a name in no group stops the build).
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
# pages outside the user guide and the API have no section to navigate: no
# left sidebar, so that their wide diagrams and tables get the room
html_sidebars = {"index": [], "design": [], "glossary": []}
# the right-hand contents of a class page lists "fit()", not
# "GRURegressor.fit()"
toc_object_entries_show_parents = "hide"


# -- the API reference, from __all__, in groups ----------------------------------
# templates are named relative to ``templates_path``: autosummary silently
# falls back to its ``base.rst`` (no methods, no gallery links) for a name it
# cannot find
CLASS_TEMPLATE = "autosummary/class.rst"
FUNCTION_TEMPLATE = "autosummary/function.rst"

# public submodules that ``import sksequence`` leaves out: they need an extra
OPTIONAL_MODULES = ("dask", "sktime")

# (page, title, what the group is for, its members); a member is a name of
# ``sksequence.__all__`` or of a public submodule's ``__all__`` ("module.name");
# every public name must be in one group (checked when the docs are built)
API_GROUPS = [
    (
        "estimators",
        "Estimators",
        "The six recurrent estimators: regressors and classifiers of the "
        "three cells. They share the parameters listed on each page.",
        [
            "GRURegressor",
            "LSTMRegressor",
            "RNNRegressor",
            "GRUClassifier",
            "LSTMClassifier",
            "RNNClassifier",
        ],
    ),
    (
        "transformers",
        "Transformers and windowing",
        "Scaling sequences, and cutting one series into windows.",
        ["SequenceScaler", "SlidingWindowTransformer", "make_forecasting_data"],
    ),
    (
        "forecasting",
        "Forecasting with sktime",
        "An sktime forecaster around any regressor (``pip install "
        '"sksequence[sktime]"``; ``import sksequence`` does not import it).',
        ["sktime.RecurrentForecaster"],
    ),
    (
        "scale_out",
        "Scale-out",
        "Training on data larger than memory with dask-ml (``pip install "
        '"sksequence[dask]"``; ``import sksequence`` does not import it), and '
        "one model over the processes of a ``torchrun`` launch.",
        [
            "dask.Incremental",
            "dask.HyperbandSearchCV",
            "distributed.data_parallel",
            "distributed.DataParallel",
        ],
    ),
    (
        "inspection",
        "Inspection",
        "Explaining predictions and measuring vanishing gradients.",
        [
            "inspection.attribute",
            "inspection.plot_attributions",
            "inspection.gradient_flow",
            "inspection.plot_gradient_flow",
            "inspection.GradientFlowResult",
        ],
    ),
    (
        "persistence",
        "Persistence",
        "Saving and loading fitted estimators without pickle.",
        ["save", "load"],
    ),
    (
        "export",
        "Export",
        "Serving a fitted estimator without sksequence: ONNX and TorchScript.",
        ["export_onnx", "export_torchscript"],
    ),
    (
        "datasets",
        "Data sets and exceptions",
        "Small classic data sets shipped with the package, and the errors "
        "callers may want to catch.",
        [
            "datasets.load_airline",
            "datasets.load_gunpoint",
            "datasets.load_italy_power_demand",
            "exceptions.DivergenceError",
        ],
    ),
]


def _public_names():
    """Every documented name: ``__all__`` and the public submodules' ones."""
    names = []
    for name in sksequence.__all__:
        if inspect.ismodule(getattr(sksequence, name)):
            module = getattr(sksequence, name)
            names += [f"{name}.{member}" for member in module.__all__]
        else:
            names.append(name)
    for name in OPTIONAL_MODULES:
        module = importlib.import_module(f"sksequence.{name}")
        names += [f"{name}.{member}" for member in module.__all__]
    return names


def _autosummary(module, names, template):
    return [
        f".. currentmodule:: {module}",
        "",
        ".. autosummary::",
        "   :toctree: ../generated",
        f"   :template: {template}",
        "",
        *[f"   {name}" for name in names],
        "",
    ]


def _write_if_changed(target, text):
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")  # unchanged: keep the mtime


def write_api_list():
    """Write one page per group of API_GROUPS into ``api/`` and their index."""
    grouped = [member for *_, members in API_GROUPS for member in members]
    missing = sorted(set(_public_names()) - set(grouped))
    if missing:
        raise RuntimeError(f"public names in no group of API_GROUPS: {missing}")
    (DOCS / "api").mkdir(exist_ok=True)
    index = []
    for page, title, blurb, members in API_GROUPS:
        lines = [title, "=" * len(title), "", blurb, ""]
        by_module = {}
        for member in members:
            module, _, name = member.rpartition(".")
            by_module.setdefault(module, []).append(name)
        for module, names in by_module.items():
            full = f"sksequence.{module}" if module else "sksequence"
            if module:
                lines += [f".. automodule:: {full}", ""]
            for is_class in (True, False):
                chosen = [
                    n
                    for n in names
                    if inspect.isclass(getattr(importlib.import_module(full), n))
                    == is_class
                ]
                template = CLASS_TEMPLATE if is_class else FUNCTION_TEMPLATE
                if chosen:
                    lines += _autosummary(full, chosen, template)
        _write_if_changed(DOCS / "api" / f"{page}.rst", "\n".join(lines))
        index.append(f"   api/{page}")
    toctree = [".. toctree::", "   :maxdepth: 2", "", *index, ""]
    _write_if_changed(DOCS / "_api_list.rst", "\n".join(toctree))


write_api_list()  # before autosummary reads it (at builder-inited)
# the pages whose autosummary tables get their stubs generated
autosummary_generate = [f"api/{page}.rst" for page, *_ in API_GROUPS]


# -- autodoc hooks -------------------------------------------------------------
# scikit-learn's metadata-routing methods (set_fit_request, ...) refer to
# labels of scikit-learn's own documentation; they are inherited unchanged.
# (and get_test_params, the hook of sktime's own estimator checks)
_SKIPPED_MEMBERS = re.compile(
    r"^(get_metadata_routing|set_\w+_request|get_test_params)$"
)
# what a user of sksequence.sktime.RecurrentForecaster calls, from sktime's
# BaseForecaster (the page shows these and none of sktime's other members)
FORECASTER_METHODS = (
    "fit",
    "predict",
    "predict_interval",
    "predict_quantiles",
    "predict_var",
    "update",
)


def _skip_member(app, what, name, obj, skip, options):
    if _SKIPPED_MEMBERS.match(name):
        return True
    # sksequence.sktime.RecurrentForecaster inherits sktime's whole forecaster
    # interface, whose docstrings are written for sktime's own documentation
    # (its glossary, its reST conventions): the class page shows the methods a
    # user calls and links to sktime for the rest
    owner = getattr(obj, "fget", obj)  # a property: its getter's module
    if (getattr(owner, "__module__", None) or "").startswith(("sktime.", "skbase.")):
        return name not in FORECASTER_METHODS
    return None


# Inherited docstrings (set_output, ...) refer to labels of scikit-learn's
# documentation (and dask-ml's, in sksequence.dask). A reference with its own
# title keeps the title as text; a bare one (a gallery example) is resolved
# through the sklearn inventory.
_TITLED_REF = re.compile(r":ref:`([^`<]+?)\s*<[^`>]+>`")


# sktime's docstrings (the methods RecurrentForecaster inherits) use terms of
# sktime's glossary: kept as text.
_TERM = re.compile(r":term:`([^`<]+?)(?:\s*<[^`>]+>)?`")


def _unlink_sklearn_labels(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if module.startswith(("sklearn.", "dask_ml.")):
        lines[:] = [_TITLED_REF.sub(r"\1", line) for line in lines]
    if module.startswith(("sktime.", "skbase.")):
        lines[:] = [_TERM.sub(r"\1", _TITLED_REF.sub(r"\1", x)) for x in lines]


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-docstring", _unlink_sklearn_labels)
