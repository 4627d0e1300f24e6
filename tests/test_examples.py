"""Run every gallery example as a script and check that it saves its figure."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# the gallery: every example script in a fresh interpreter (minutes)
pytestmark = pytest.mark.slow

pytest.importorskip("matplotlib")

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))
# the file name of each ``fig.savefig(out_dir / "NAME.png", ...)`` call
SAVED_PNG = re.compile(r"""out_dir\s*/\s*["']([^"']+\.png)["']""")


def test_examples_found():
    assert EXAMPLES, f"no plot_*.py scripts in {EXAMPLES_DIR}"


@pytest.mark.timeout(130)
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, tmp_path):
    pngs = SAVED_PNG.findall(script.read_text(encoding="utf-8"))
    assert pngs, f"{script.name} saves no PNG into out_dir"
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "SKSEQUENCE_EXAMPLES_OUT": str(tmp_path),
        # the models are tiny: one thread is as fast, and torch slows down
        # several-fold when its threads compete with other processes
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
    }
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # each runs in under a minute on one thread
    )
    assert result.returncode == 0, (
        f"{script.name} failed with exit code {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
    for png in pngs:
        out = tmp_path / png
        assert out.is_file() and out.stat().st_size > 0, f"{script.name}: {png}"
