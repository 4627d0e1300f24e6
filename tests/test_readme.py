"""The README's code and set-up commands stay true."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)
# the quick start is the first code block; the text block after it, its output
QUICK_START = PYTHON_BLOCKS[0]
QUICK_START_OUTPUT = re.search(
    r"```python\n.*?```.*?```text\n(.*?)```", README, flags=re.S
).group(1)
MAE_LINE = re.compile(r"GRU (\d+\.\d), seasonal naive (\d+\.\d)")


@pytest.fixture(scope="module")
def readme_run():
    """Run every Python block of the README in one namespace, once."""
    namespace = {}
    outputs = []
    for block in PYTHON_BLOCKS:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
        outputs.append(out.getvalue())
    return namespace, outputs


def test_readme_python_blocks_run(readme_run):
    namespace, _ = readme_run
    assert len(PYTHON_BLOCKS) >= 2
    assert set(namespace["search"].best_params_.values()) <= {16, 32}
    assert namespace["search"].best_estimator_[-1].n_iter_ >= 1


def test_quick_start_beats_seasonal_naive(readme_run):
    namespace, _ = readme_run
    truth = namespace["truth"]
    mae = np.mean(np.abs(namespace["forecast"] - truth))
    seasonal_naive = np.mean(np.abs(namespace["last_year"] - truth))
    assert len(truth) == 36
    assert seasonal_naive == pytest.approx(35.9, abs=0.05)  # the known baseline
    assert mae < seasonal_naive


def test_quick_start_output_is_shown(readme_run):
    """The output printed under the quick start is what it prints."""
    _, outputs = readme_run
    printed = outputs[0].splitlines()
    shown = QUICK_START_OUTPUT.splitlines()
    assert printed[0] == shown[0]  # the chosen hidden size
    gru, naive = map(float, MAE_LINE.search(printed[1]).groups())
    shown_gru, shown_naive = map(float, MAE_LINE.search(shown[1]).groups())
    assert naive == shown_naive
    # seeded, so equal on one machine; other CPUs may round a little apart
    assert gru == pytest.approx(shown_gru, abs=0.5)


def test_landing_page_quick_start_is_the_readme_one():
    index = (ROOT / "docs" / "index.rst").read_text()
    block = re.search(
        r"\.\. code-block:: python\n\n(.*?)\n\S", index, flags=re.S
    ).group(1)
    code = "\n".join(line[3:] for line in block.splitlines())
    assert code.strip() == QUICK_START.strip()


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    test_command = next(c for c in commands if "pytest" in c)
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci.splitlines()
    assert "torch==2.13.0" in test_command
