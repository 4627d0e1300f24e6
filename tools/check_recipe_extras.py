"""Run each docs page's recipes in a fresh venv holding only what it names.

``tests/test_docs.py::test_recipes_run_as_written`` runs every page's recipes
in the development environment, where every extra is installed; a recipe
that needs a package its page does not name passes there and fails for the
reader. This check builds one fresh virtual environment per distinct set of
requirements (no ``--system-site-packages``: nothing leaks in), installs
torch, then this checkout with the extras the page names
(``pip install -e ".[a,b]"``) and the other packages it tells the reader
to ``pip install``, and runs the page's recipes there exactly as the test
does (its blocks as one script, its whole scripts each on its own, in an
empty directory, no FutureWarning allowed)::

    OMP_NUM_THREADS=1 python tools/check_recipe_extras.py            # all pages
    OMP_NUM_THREADS=1 python tools/check_recipe_extras.py docs/user_guide/serving.rst

It needs the package index (or the machine's wheel cache). Measured on
2026-12-06 on the shared 2-core machine (load average 6 to 8): seven
environments for ten pages, 52 minutes in all, about 2.5 minutes of
installing per environment, every page passing::

    page                                 extras                        packages
    docs/user_guide/{classification,keras,weights,windowing}.rst  -   -
    docs/user_guide/tuning.rst           -                             matplotlib
    docs/user_guide/forecasting.rst      sktime                        -
    docs/user_guide/inspection.rst       explain                       -
    docs/index.rst                       dask,explain,export,sktime    -
    docs/scaling.rst                     dask,distributed              zarr
    docs/user_guide/serving.rst          export                        -

That is more than ``.ci/run``'s whole suite (about 20 minutes), whose
recipes test already runs every page, so this check is run by hand, before
a release or after a docs change that adds an import or an install line.
Exit status 1 if any page fails; the last lines are a table of pages,
requirements, install and run seconds, and results.
"""

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TORCH = os.environ.get("SKSEQUENCE_TORCH", "torch==2.13.0")


def _test_docs():
    """``tests/test_docs.py``, which owns the recipe extraction."""
    spec = importlib.util.spec_from_file_location(
        "_test_docs", ROOT / "tests" / "test_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _environment(venv):
    """The child's environment: the venv first on PATH, nothing of the
    caller's interpreter (no PYTHONPATH, no other VIRTUAL_ENV)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    env["MPLBACKEND"] = "Agg"
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def _run(command, env, log, **kwargs):
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(map(str, command))}\n")
        out.flush()
        return subprocess.run(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, **kwargs
        )


def make_venv(venv, extras, packages, log):
    """A fresh venv with torch, then this checkout with ``extras``, then
    ``packages``; returns False (and the log says why) if an install fails."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = _environment(venv)
    python = str(venv / "bin" / "python")
    target = f"{ROOT}[{','.join(sorted(extras))}]" if extras else str(ROOT)
    steps = [[python, "-m", "pip", "install", "-q", TORCH]]
    steps.append([python, "-m", "pip", "install", "-q", "-e", target])
    if packages:
        steps.append([python, "-m", "pip", "install", "-q", *sorted(packages)])
    return all(_run(step, env, log).returncode == 0 for step in steps)


def run_page(test_docs, page, venv, workdir, log):
    """The page's recipes in ``venv``, as the recipes test runs them."""
    session = "\n".join(test_docs.recipes(ROOT / page))
    scripts = test_docs.recipes(ROOT / page, scripts=True)
    env = _environment(venv)
    for k, code in enumerate([session, *scripts] if session else scripts):
        cwd = workdir / f"{Path(page).stem}_{k}"
        cwd.mkdir(parents=True)
        (cwd / "recipe.py").write_text(code, encoding="utf-8")
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"--- {page}, script {k} ---\n")
        result = subprocess.run(
            [str(venv / "bin" / "python"), "recipe.py"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        with open(log, "a", encoding="utf-8") as out:
            out.write(result.stdout + result.stderr)
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            return f"FAIL script {k}: {lines[-1] if lines else result.returncode}"
        if "FutureWarning" in result.stderr:
            return f"FAIL script {k}: FutureWarning"
    return "pass"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="default: every recipe page")
    parser.add_argument(
        "--log", default="recipe_extras.log", help="full output (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    test_docs = _test_docs()
    pages = args.pages or test_docs.RECIPE_PAGES
    log = Path(args.log).resolve()
    log.write_text("", encoding="utf-8")
    groups = {}
    for page in pages:
        groups.setdefault(test_docs.named_requirements(ROOT / page), []).append(page)
    rows = []
    with tempfile.TemporaryDirectory(prefix="recipe_extras_") as tmp:
        for k, ((extras, packages), group) in enumerate(sorted(groups.items())):
            venv = Path(tmp) / f"venv{k}"
            start = time.perf_counter()
            installed = make_venv(venv, extras, packages, log)
            setup = time.perf_counter() - start
            for page in group:
                start = time.perf_counter()
                result = (
                    run_page(test_docs, page, venv, Path(tmp) / f"run{k}", log)
                    if installed
                    else "FAIL install (see the log)"
                )
                rows.append(
                    (page, extras, packages, result, setup, time.perf_counter() - start)
                )
                print(rows[-1][0], rows[-1][3], flush=True)
            # a venv with torch is over a GB: keep one at a time on disk
            shutil.rmtree(venv, ignore_errors=True)
    print(f"\n{'page':40} {'extras':28} {'other packages':16} install  run  result")
    for page, extras, packages, result, setup, run in rows:
        print(
            f"{page:40} {','.join(sorted(extras)) or '-':28} "
            f"{','.join(sorted(packages)) or '-':16} "
            f"{setup:6.0f}s {run:4.0f}s  {result}"
        )
    print(f"(full output: {log})")
    return 0 if all(row[3] == "pass" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
