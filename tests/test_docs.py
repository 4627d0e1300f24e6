"""Build the Sphinx documentation with warnings as errors; run its recipes.

The build is skipped when Sphinx (or one of the documentation extensions) is
not installed: ``pip install -e ".[docs]"``. The gallery examples are not run
here (``-D plot_gallery=0``): ``tests/test_examples.py`` runs every one of
them already. The build works on a copy of ``docs/`` and ``examples/`` so
that it never touches a developer's own build.

The recipes: every ``.. code-block:: python`` of a page is a recipe a user
copies, so each page's blocks run, in order, as one script in a fresh
interpreter (as a user would run them), like the README's Python blocks in
``tests/test_readme.py``. A block with ``:class: script`` is a whole script
of its own (one that starts worker processes, say) and runs on its own. A
block that cannot run here (it needs a GPU, a cluster or Keras, or is the
wrong way shown on purpose) carries ``:class: fragment``. Blocks with
``>>>`` prompts are doctests instead (``--doctest-glob``).
"""

import importlib.util
import os
import re
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
    "sphinx_copybutton",
    "sphinx_gallery",
    "pydata_sphinx_theme",
    "matplotlib",
)
MISSING = [name for name in REQUIRED if importlib.util.find_spec(name) is None]

needs_docs_dependencies = pytest.mark.skipif(
    bool(MISSING), reason=f"documentation dependencies missing: {MISSING}"
)

# written by a build inside docs/; never copied from a developer's checkout
BUILD_OUTPUTS = shutil.ignore_patterns(
    "_build",
    "auto_examples",
    "generated",
    "_api_list.rst",
    "api",
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
@needs_docs_dependencies
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
    quality = (html / "benchmarks" / "quality.html").read_text(encoding="utf-8")
    assert "<p>+ grid search</p></th>" in quality  # a header, not a bullet


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


# -- recipes ---------------------------------------------------------------

CODE_BLOCK = re.compile(
    r"^( *)\.\. code-block:: python\n((?:\1 +:.*\n)*)\n((?:\1 +.*\n|\n)+)",
    flags=re.M,
)


def recipes(page, *, scripts=False):
    """The runnable ``.. code-block:: python`` blocks of ``page``, dedented:
    those that continue one another, or (``scripts=True``) the whole
    scripts of their own."""
    blocks = []
    for match in CODE_BLOCK.finditer(page.read_text(encoding="utf-8")):
        options = match.group(2)
        if "fragment" in options or ("script" in options) != scripts:
            continue
        lines = match.group(3).rstrip().splitlines()
        indent = min(len(x) - len(x.lstrip()) for x in lines if x.strip())
        blocks.append("\n".join(line[indent:] for line in lines) + "\n")
    return blocks


RECIPE_PAGES = sorted(
    str(page.relative_to(ROOT))
    for page in [*(ROOT / "docs").glob("*.rst"), *(ROOT / "docs").glob("*/*.rst")]
    if recipes(page) or recipes(page, scripts=True)
)


# what a page tells its reader to install: ``pip install "sksequence[a,b]"``
# (or ``-e ".[a,b]"``) names extras; any other name but torch is a package
PIP_INSTALL = re.compile(r"pip install ([^`\n]*)")


def named_requirements(page):
    """The extras and the other packages that ``page`` tells its reader to
    ``pip install`` (torch, installed first by every install line, aside)."""
    extras, packages = set(), set()
    for command in PIP_INSTALL.findall(page.read_text(encoding="utf-8")):
        words = [word.strip("\"'") for word in command.split()]
        for before, word in zip(["", *words], words):
            if word.startswith("-") or before.startswith("--") or "://" in word:
                continue
            extra = re.fullmatch(r"(?:sksequence|\.)\[([\w,-]+)\]", word)
            if extra:
                extras.update(extra.group(1).split(","))
            elif not re.match(r"(torch|sksequence|\.)\b", word):
                packages.add(word)
    return frozenset(extras), frozenset(packages)


def test_named_requirements():
    """The extras a page names are read from its install commands."""
    docs = ROOT / "docs"
    assert named_requirements(docs / "user_guide" / "forecasting.rst") == (
        {"sktime"},
        set(),
    )
    assert named_requirements(docs / "user_guide" / "serving.rst")[0] == {"export"}
    assert named_requirements(docs / "index.rst")[0] == {
        "sktime",
        "export",
        "dask",
        "explain",
    }
    assert named_requirements(docs / "user_guide" / "tuning.rst") == (
        set(),
        {"matplotlib"},
    )


def test_every_guide_page_has_a_figure():
    """Each page of the user guide teaches with at least one figure, whose
    image is committed (``docs/guide_figures.py`` draws them)."""
    for page in sorted((ROOT / "docs" / "user_guide").glob("*.rst")):
        if page.name == "index.rst":
            continue
        images = re.findall(r"^\.\. figure:: (\S+)", page.read_text("utf-8"), re.M)
        assert images, f"{page.name} has no figure"
        for image in images:
            assert (page.parent / image).is_file(), f"{page.name}: {image} missing"


def test_recipe_extraction():
    """Options are skipped, fragments left out, the body dedented."""
    page = ROOT / "docs" / "user_guide" / "windowing.rst"
    first = recipes(page)[0]
    assert first.startswith("import numpy as np\n")
    assert "docs/user_guide/windowing.rst" in RECIPE_PAGES
    (dask_script,) = [
        script
        for script in recipes(ROOT / "docs" / "scaling.rst", scripts=True)
        if "LocalCluster" in script
    ]
    assert 'if __name__ == "__main__":' in dask_script


def _run_script(code, tmp_path):
    """Run ``code`` as ``__main__`` in a fresh interpreter in ``tmp_path``."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    script = tmp_path / "recipe.py"
    script.write_text(code, encoding="utf-8")
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=850,
    )


@pytest.mark.slow  # each page in a fresh interpreter; some start clusters
@pytest.mark.timeout(900)
@pytest.mark.parametrize("page", RECIPE_PAGES)
def test_recipes_run_as_written(page, tmp_path):
    """A page's recipes run, in order, as one script (``__main__``) in a
    fresh interpreter, in an empty directory, with no warning turned off;
    its whole scripts run each on its own."""
    session = "\n".join(recipes(ROOT / page))
    scripts = recipes(ROOT / page, scripts=True)
    for k, code in enumerate([session, *scripts] if session else scripts):
        result = _run_script(code, tmp_path / str(k))
        assert result.returncode == 0, (
            f"{page}: a recipe failed (exit code {result.returncode})\n"
            f"--- script ---\n{code}\n"
            f"--- stderr ---\n{result.stderr[-5000:]}"
        )
        # what a user would see: no pile of warnings (sktime announces a change
        # of default at every forecaster it builds; the recipes deal with it)
        assert "FutureWarning" not in result.stderr, result.stderr[-5000:]
