"""What the benchmark scripts need, checked without running a benchmark."""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _benchmark(name):
    """``benchmarks/<name>.py`` as a module (it finds its siblings itself)."""
    spec = importlib.util.spec_from_file_location(
        f"_bench_{name}", ROOT / "benchmarks" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bench_extra(extra="bench"):
    # the list in pyproject.toml (tomllib is Python 3.11+, the floor is 3.10)
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    block = re.search(rf"^{extra} = \[(.*?)^\]", text, flags=re.M | re.S).group(1)
    return {
        re.match(r"[\w-]+", r).group().lower() for r in re.findall(r'"(.+?)"', block)
    }


def test_uncertainty_needs_pmdarima_for_forecasting_sets():
    uncertainty = _benchmark("uncertainty")
    assert {"sktime", "statsmodels", "pmdarima"} <= set(
        uncertainty.needs(["airline"], ["gaussian"])
    )
    assert uncertainty.needs(["tecator"], ["gaussian"]) == {}
    assert set(uncertainty.needs(["tecator"], ["conformal"])) == {"mapie"}


def test_bench_extra_brings_what_the_benchmarks_import():
    uncertainty = _benchmark("uncertainty")
    forecasting = _benchmark("forecasting")
    imported = {
        *uncertainty.needs(
            [*uncertainty.FORECASTING, *uncertainty.REGRESSION], uncertainty.METHODS
        ),
        *forecasting.needs(forecasting.SERIES),
    }
    assert imported <= _bench_extra(), imported - _bench_extra()


def test_missing_package_stops_with_the_install_command():
    require = _benchmark("forecasting").require
    require("benchmarks/x.py", {"numpy": "arrays"})  # installed: no error
    with pytest.raises(SystemExit, match=r"no_such_module \(AutoARIMA\)") as info:
        require("benchmarks/x.py", {"no_such_module": "AutoARIMA"})
    assert 'pip install -e ".[bench]"' in str(info.value)


def test_redesign_speed_table_and_parameter_differences():
    redesign = _benchmark("redesign_speed")
    runs = {task: [1.0, 3.0, 2.0] for task in redesign.TASKS}
    faster = {task: [0.5, 1.0, 2.0] for task in redesign.TASKS}
    table = redesign.summary({"before": runs, "after": faster}, ["before", "after"])
    first = table.splitlines()[1]
    assert first.startswith(redesign.TASKS[0])
    assert "2.000 (1.000-3.000)" in first and "ratio 0.50" in first
    before = {"GRUClassifier": {"lr": "0.01", "tol": "0.0001"}}
    after = {"GRUClassifier": {"lr": "0.01", "tol": "0.001", "readout": "'last'"}}
    assert redesign.differing(before, after) == [
        "GRUClassifier.readout: (absent) -> 'last'",
        "GRUClassifier.tol: 0.0001 -> 0.001",
    ]


def test_stopping_floor_is_judged_at_the_epoch_it_stops():
    import numpy as np

    stop_at = _benchmark("classification_stopping").stop_at
    # epoch 3 is the first at or below 1e-3; test_acc lacks the last epoch
    run = dict(
        loss=np.array([0.5, 0.01, 0.0008, 0.0002, 0.0001]),
        acc=np.array([0.5, 0.7, 0.8, 0.9]),
        final=0.95,
    )
    assert stop_at(run, 1e-3) == (3, 0.8)
    assert stop_at(run, 0.1) == (2, 0.7)
    # never reached, or reached only at the last epoch: the run's own score
    assert stop_at(run, 1e-5) == (5, 0.95)
    assert stop_at(run, 1.5e-4) == (5, 0.95)


def test_forecasting_peers_extra_brings_what_the_peers_import():
    forecasting = _benchmark("forecasting")
    imported = set(forecasting.peer_needs(forecasting.PEERS))
    assert imported == {"darts", "neuralforecast", "statsforecast"}
    assert imported <= _bench_extra("peers"), imported - _bench_extra("peers")
    # a run without --peers needs none of them
    assert not imported & set(forecasting.needs(forecasting.ISSUE31))


def test_forecasting_missing_peer_stops_naming_it_and_the_extra():
    forecasting = _benchmark("forecasting")
    with pytest.raises(SystemExit, match=r"no_such_peer \(its rows\)") as info:
        forecasting.require("f.py", {"no_such_peer": "its rows"}, extra="peers")
    assert 'pip install -e ".[peers]"' in str(info.value)
    with pytest.raises(SystemExit, match=r"--peers: unknown \['prophet'\]"):
        forecasting.peer_needs(["darts", "prophet"])


def test_forecasting_peer_scores_are_those_of_the_sktime_backtest():
    # the peers are scored outside sktime's evaluate: the same folds, MAE and
    # MASE, checked on the seasonal naive forecast written out by hand
    pytest.importorskip("sktime")
    from sktime.forecasting.naive import NaiveForecaster

    forecasting = _benchmark("forecasting")
    y, _, season, horizon = forecasting.load("airline")
    values = y.to_numpy(dtype=float)
    steps = np.arange(1, horizon + 1)
    lag = season * np.ceil(steps / season).astype(int)
    cutoffs = forecasting._folds(y, horizon)
    by_hand = values[cutoffs[:, None] + steps - lag]
    mae, mase, folds = forecasting._score(y, horizon, by_hand)
    expected = forecasting.backtest(
        NaiveForecaster("last", sp=season), y, None, horizon, "no-update_params"
    )
    np.testing.assert_allclose([mae, mase, folds], expected[:3], rtol=1e-10)
    with pytest.raises(ValueError, match=r"expected \(18, 12\) forecasts"):
        forecasting._score(y, horizon, by_hand[1:])


def test_tuning_mix_is_the_tuning_half_turned_around():
    """classification.py's TuningMix trains on the tuning sets' test parts and
    tests on their training parts, in archive order, and touches no
    report-only set."""
    bench = _benchmark("classification")
    seen = []

    def npz(name):
        seen.append(name)
        rng = np.random.default_rng(len(seen))
        n_train, n_test, length = {"GunPoint": (2, 3, 5), "ArrowHead": (1, 2, 6)}.get(
            name, (3, 1, 7)
        )
        return (
            rng.normal(size=(n_train, length, 1)),
            np.arange(n_train).astype(str),
            rng.normal(size=(n_test, length, 1)),
            np.arange(n_test).astype(str),
        )

    X_train, y_train, X_test, y_test = bench.tuning_mix(npz)
    assert seen == list(bench.TUNING) == ["GunPoint", "ArrowHead", "OSULeaf"]
    assert [len(x) for x in X_train] == [5] * 3 + [6] * 2 + [7] * 1
    assert list(y_train) == ["GunPoint:0", "GunPoint:1", "GunPoint:2"] + [
        "ArrowHead:0",
        "ArrowHead:1",
        "OSULeaf:0",
    ]
    assert list(y_test) == ["GunPoint:0", "GunPoint:1", "ArrowHead:0"] + [
        f"OSULeaf:{i}" for i in range(3)
    ]
    assert len(X_test) == 6
    assert bench.half(bench.MIX) == "tuning"
    assert bench.MIX not in bench.SETS  # not in the six sets' table


def test_classification_header_names_the_arithmetic(monkeypatch):
    """classification.py's header says which CPU kernels torch dispatched
    to and MKL's reproducibility mode: a seed's figure depends on both, so a
    table that does not name them cannot be checked on another machine."""
    import torch

    bench = _benchmark("classification")
    monkeypatch.setenv("MKL_CBWR", "COMPATIBLE")
    line = bench.machine()
    assert f"torch kernels {torch.backends.cpu.get_cpu_capability()}" in line
    assert line.endswith("MKL_CBWR COMPATIBLE")
    monkeypatch.delenv("MKL_CBWR")
    assert bench.machine().endswith("MKL_CBWR unset")
