"""Tests for sksequence.datasets."""

from importlib import resources

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import Bunch

from sksequence.datasets import load_airline, load_gunpoint, load_italy_power_demand

UCR = [
    # loader, n_train, n_test, length
    (load_gunpoint, 50, 150, 150),
    (load_italy_power_demand, 67, 1029, 24),
]


def test_data_files_ship_inside_the_package():
    data = resources.files("sksequence.datasets").joinpath("data")
    names = {entry.name for entry in data.iterdir()}
    assert {
        "airline.csv",
        "GunPoint.npz",
        "ItalyPowerDemand.npz",
        "SOURCES.md",
    } <= names


def test_load_airline_array():
    y = load_airline()
    assert y.shape == (144,)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y[:4], [112, 118, 132, 129])
    np.testing.assert_array_equal(y[-3:], [461, 390, 432])
    assert y.sum() == 40363  # total of the Box-Jenkins series G


def test_load_airline_series():
    series = load_airline(as_frame=True)
    assert isinstance(series, pd.Series)
    assert series.name == "Passengers"
    assert isinstance(series.index, pd.PeriodIndex)
    assert series.index.name == "Date"
    assert series.index.freqstr == "M"
    assert str(series.index[0]) == "1949-01" and str(series.index[-1]) == "1960-12"
    assert series.index.is_monotonic_increasing and series.index.is_unique
    np.testing.assert_array_equal(series.to_numpy(), load_airline())


def test_loaders_return_fresh_arrays():
    y = load_airline()
    y[:] = 0
    assert load_airline()[0] == 112
    X, _ = load_gunpoint(split="train", return_X_y=True)
    X[:] = 0
    assert np.any(load_gunpoint(split="train", return_X_y=True)[0] != 0)


@pytest.mark.parametrize("loader, n_train, n_test, length", UCR)
def test_ucr_bunch(loader, n_train, n_test, length):
    data = loader()
    assert isinstance(data, Bunch)
    assert data.X_train.shape == (n_train, length, 1)
    assert data.X_test.shape == (n_test, length, 1)
    assert data.X_train.dtype == np.float32 and data.X_test.dtype == np.float32
    assert data.y_train.shape == (n_train,) and data.y_test.shape == (n_test,)
    assert data.y_train.dtype.kind == "U"
    assert set(data.y_train) == set(data.y_test) == {"1", "2"}
    np.testing.assert_array_equal(data.target_names, ["1", "2"])
    assert np.all(np.isfinite(data.X_train)) and np.all(np.isfinite(data.X_test))
    assert "UCR" in data.DESCR
    assert f"{n_train} training and {n_test} test" in data.DESCR


@pytest.mark.parametrize("loader, n_train, n_test, length", UCR)
def test_ucr_splits(loader, n_train, n_test, length):
    full = loader()
    for split, n, X_full, y_full in [
        ("train", n_train, full.X_train, full.y_train),
        ("test", n_test, full.X_test, full.y_test),
    ]:
        X, y = loader(split=split, return_X_y=True)
        assert X.shape == (n, length, 1) and y.shape == (n,)
        np.testing.assert_array_equal(X, X_full)
        np.testing.assert_array_equal(y, y_full)
        bunch = loader(split=split)
        np.testing.assert_array_equal(bunch.data, X_full)
        np.testing.assert_array_equal(bunch.target, y_full)
        assert bunch.DESCR == full.DESCR
    X_train, X_test, y_train, y_test = loader(return_X_y=True)
    assert X_train.shape == (n_train, length, 1) and X_test.shape == (n_test, length, 1)
    assert y_train.shape == (n_train,) and y_test.shape == (n_test,)


def test_gunpoint_and_italy_classes_are_both_present_in_each_split():
    for loader in (load_gunpoint, load_italy_power_demand):
        data = loader()
        for y in (data.y_train, data.y_test):
            _, counts = np.unique(y, return_counts=True)
            assert len(counts) == 2 and counts.min() > 0


@pytest.mark.parametrize("loader", [load_gunpoint, load_italy_power_demand])
def test_ucr_bad_parameters(loader):
    with pytest.raises(ValueError, match="'split' parameter"):
        loader(split="validation")
    with pytest.raises(ValueError, match="'return_X_y' parameter"):
        loader(return_X_y="yes")


def test_load_airline_bad_parameter():
    with pytest.raises(ValueError, match="'as_frame' parameter"):
        load_airline(as_frame="yes")
