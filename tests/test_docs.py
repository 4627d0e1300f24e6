"""Build the Sphinx documentation with warnings as errors.

Skipped when Sphinx (or one of the documentation extensions) is not
installed: ``pip install -e ".[docs]"``. The gallery examples are not run
here (``-D plot_gallery=0``): ``tests/test_examples.py`` runs every one of
them already. The build works on a copy of ``docs/`` and ``examples/`` so
that it never touches a developer's own build.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sksequence

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = (
    "sphinx",
    "numpydoc",
    "sphinx_design",
    "sphinx_gallery",
    "pydata_sphinx_theme",
    "matplotlib",
)
MISSING = [name for name in REQUIRED if importlib.util.find_spec(name) is None]

pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"documentation dependencies missing: {MISSING}"
)

# written by a build inside docs/; never copied from a developer's checkout
BUILD_OUTPUTS = shutil.ignore_patterns(
    "_build",
    "auto_examples",
    "generated",
    "_api_list.rst",
    "sg_execution_times.rst",
    "__pycache__",
)


def _public_pages():
    """The API pages that must exist: one per name in ``__all__``."""
    pages = []
    for name in sksequence.__all__:
        obj = getattr(sksequence, name)
        if hasattr(obj, "__path__") or type(obj).__name__ == "module":
            pages += [f"sksequence.{name}.{member}" for member in obj.__all__]
        else:
            pages.append(f"sksequence.{name}")
    return pages


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_docs_build_without_warnings(tmp_path):
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=BUILD_OUTPUTS)
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=BUILD_OUTPUTS)
    html = tmp_path / "docs" / "_build" / "html"
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        # the copy's conf.py must import this checkout's sksequence
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    env.pop("SKSEQUENCE_DOCS_INTERSPHINX", None)  # no network in tests
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        "-D",
        "plot_gallery=0",
        str(tmp_path / "docs"),
        str(html),
    ]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=850
    )
    assert result.returncode == 0, (
        f"sphinx-build failed (exit code {result.returncode})\n"
        f"--- stdout ---\n{result.stdout[-5000:]}\n"
        f"--- stderr ---\n{result.stderr[-10000:]}"
    )
    assert (html / "index.html").is_file()
    missing = [
        page
        for page in _public_pages()
        if not (html / "generated" / f"{page}.html").is_file()
    ]
    assert not missing, f"public names without an API page: {missing}"
    for example in sorted((ROOT / "examples").glob("plot_*.py")):
        page = html / "auto_examples" / f"{example.stem}.html"
        assert page.is_file(), f"gallery page missing for {example.name}"
    _check_class_page(html / "generated" / "sksequence.GRURegressor.html")
    _check_offline(html)
    defaults = (html / "user_guide" / "defaults.html").read_text(encoding="utf-8")
    assert "<p>+ grid search</p></th>" in defaults  # a header, not a bullet


def _check_class_page(page):
    """A class page lists the methods and the examples that use the class."""
    text = page.read_text(encoding="utf-8")
    for method in ("fit", "partial_fit", "predict", "score", "get_params"):
        assert f'id="sksequence.GRURegressor.{method}"' in text, method
    assert "Examples using" in text
    assert "plot_airline_forecasting" in text


def _check_offline(html):
    """Formulas and cross-references need no network access."""
    models = (html / "user_guide" / "models.html").read_text(encoding="utf-8")
    assert "_static/mathjax/tex-svg.js" in models
    assert "cdn.jsdelivr" not in models
    windowing = (html / "user_guide" / "windowing.html").read_text(encoding="utf-8")
    assert "https://scikit-learn.org/stable/modules/generated/" in windowing
