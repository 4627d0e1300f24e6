"""Loaders for the data sets shipped in ``sksequence/datasets/data``.

The files and their origins are listed in ``data/SOURCES.md``. Every loader
reads its file afresh, so the arrays it returns belong to the caller.
"""

from importlib import resources

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from .._compat import StrOptions, validate_params

__all__ = ["load_airline", "load_gunpoint", "load_italy_power_demand"]

_UCR_REFERENCE = """
Source: the UCR Time Series Classification Archive (Dau, H. A. et al., 2018),
read value for value from the files bundled with the sktime 1.2.0 wheel.
"""

_GUNPOINT_DESCR = (
    """GunPoint
--------

UCR univariate time series classification. Each sequence traces an actor's
hand (x coordinate of the hand's centroid, 150 time steps) while either
drawing a replica gun from a holster and pointing it at a target, or pointing
with the finger, without a gun. Two classes, labelled "1" and "2".

Official split: 50 training and 150 test sequences of length 150.
X has shape (n_samples, 150, 1), float32; y holds the labels as str.

Reference test accuracies: 1-NN Euclidean 0.913, 1-NN DTW 0.907, FCN 1.000,
ResNet 0.991 (UCR baselines; Fawaz et al. 2019, "Deep learning for time
series classification: a review").

Origin: Ratanamahatana, C. A. and Keogh, E. (2005).
"""
    + _UCR_REFERENCE
)

_ITALY_DESCR = (
    """ItalyPowerDemand
----------------

UCR univariate time series classification. Each sequence is one day of
electrical power demand in Italy, 24 hourly values; the two classes, labelled
"1" and "2", are days of the winter and of the summer half of the year.

Official split: 67 training and 1029 test sequences of length 24.
X has shape (n_samples, 24, 1), float32; y holds the labels as str.

Reference test accuracies: 1-NN Euclidean 0.955, 1-NN DTW 0.950, FCN 0.961,
ResNet 0.963 (UCR baselines; Fawaz et al. 2019, "Deep learning for time
series classification: a review").

Origin: Keogh et al.
"""
    + _UCR_REFERENCE
)


def _data_file(name):
    """The shipped data file ``name`` as an importlib Traversable."""
    return resources.files(__package__).joinpath("data", name)


@validate_params({"as_frame": ["boolean"]}, prefer_skip_nested_validation=True)
def load_airline(*, as_frame=False):
    """Load the monthly airline passengers series (Box and Jenkins).

    Monthly totals of international airline passengers, in thousands, from
    January 1949 to December 1960: 144 values with a trend and a yearly
    season whose size grows with the level. The classic forecasting
    benchmark (Box, Jenkins and Reinsel, *Time Series Analysis: Forecasting
    and Control*, series G).

    Parameters
    ----------
    as_frame : bool, default=False
        If True, return a pandas Series indexed by month.

    Returns
    -------
    y : ndarray of shape (144,) of float64, or pandas Series
        The passenger counts. As a Series it is named ``"Passengers"`` and
        has a monthly :class:`~pandas.PeriodIndex` named ``"Date"``.

    See Also
    --------
    sksequence._windowing.make_forecasting_data : Turn the series into
        windows and targets.

    Notes
    -----
    Holding out the last 36 months, the one-step-ahead mean absolute errors
    (thousands of passengers) of classic models are: seasonal naive
    (``y[t - 12]``) 35.9, Holt-Winters 20.6, SARIMA(0,1,1)(0,1,1)12 on the log
    series 12.2.

    Examples
    --------
    >>> from sksequence.datasets import load_airline
    >>> y = load_airline()
    >>> y.shape, y.dtype
    ((144,), dtype('float64'))
    >>> y[:3]
    array([112., 118., 132.])
    >>> series = load_airline(as_frame=True)
    >>> series.index[0], series.name
    (Period('1949-01', 'M'), 'Passengers')
    """
    with _data_file("airline.csv").open("r", encoding="utf-8") as f:
        frame = pd.read_csv(f)
    values = frame["Passengers"].to_numpy(dtype=np.float64)
    if not as_frame:
        return values
    index = pd.PeriodIndex(frame["Date"], freq="M", name="Date")
    return pd.Series(values, index=index, name="Passengers")


def _load_ucr(name, descr, split, return_X_y):
    """Load a UCR ``.npz`` file holding the official train/test split."""
    with _data_file(f"{name}.npz").open("rb") as f:
        with np.load(f, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    parts = ("train", "test")
    X = {part: arrays[f"X_{part}"].astype(np.float32, copy=False) for part in parts}
    y = {part: arrays[f"y_{part}"].astype(str, copy=False) for part in parts}
    target_names = np.unique(np.concatenate([y["train"], y["test"]]))
    if split is not None:
        if return_X_y:
            return X[split], y[split]
        return Bunch(
            data=X[split], target=y[split], target_names=target_names, DESCR=descr
        )
    if return_X_y:
        return X["train"], X["test"], y["train"], y["test"]
    return Bunch(
        X_train=X["train"],
        y_train=y["train"],
        X_test=X["test"],
        y_test=y["test"],
        target_names=target_names,
        DESCR=descr,
    )


_UCR_PARAMS = {
    "split": [StrOptions({"train", "test"}), None],
    "return_X_y": ["boolean"],
}

_UCR_DOC = """
    Parameters
    ----------
    split : {{"train", "test"}} or None, default=None
        Which part of the official split to return; None returns both.
    return_X_y : bool, default=False
        If True, return arrays instead of a :class:`~sklearn.utils.Bunch`:
        ``(X, y)`` for one split, or ``(X_train, X_test, y_train, y_test)``
        (the order of :func:`~sklearn.model_selection.train_test_split`) when
        ``split=None``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch` or tuple of ndarray
        With ``split=None``, a Bunch with ``X_train``, ``y_train``, ``X_test``,
        ``y_test``, ``target_names`` (the sorted labels) and ``DESCR``; with a
        split, a Bunch with ``data``, ``target``, ``target_names`` and
        ``DESCR``. ``X`` arrays are float32 of shape
        ``(n_samples, {length}, 1)``; ``y`` arrays hold the labels as str.
"""


@validate_params(_UCR_PARAMS, prefer_skip_nested_validation=True)
def load_gunpoint(*, split=None, return_X_y=False):
    return _load_ucr("GunPoint", _GUNPOINT_DESCR, split, return_X_y)


load_gunpoint.__doc__ = (
    """Load the GunPoint classification data set (UCR archive).

    Hand-motion traces of length 150 in two classes (drawing a gun or
    pointing a finger), labelled ``"1"`` and ``"2"``; official split of 50
    training and 150 test sequences.
"""
    + _UCR_DOC.format(length=150)
    + """
    Examples
    --------
    >>> from sksequence.datasets import load_gunpoint
    >>> data = load_gunpoint()
    >>> data.X_train.shape, data.X_test.shape, data.X_train.dtype
    ((50, 150, 1), (150, 150, 1), dtype('float32'))
    >>> data.target_names
    array(['1', '2'], dtype='<U1')
    >>> X, y = load_gunpoint(split="test", return_X_y=True)
    >>> X.shape, y.shape
    ((150, 150, 1), (150,))
"""
)


@validate_params(_UCR_PARAMS, prefer_skip_nested_validation=True)
def load_italy_power_demand(*, split=None, return_X_y=False):
    return _load_ucr("ItalyPowerDemand", _ITALY_DESCR, split, return_X_y)


load_italy_power_demand.__doc__ = (
    """Load the ItalyPowerDemand classification data set (UCR archive).

    Daily profiles of Italian electricity demand, 24 hourly values, in two
    classes (winter or summer half of the year), labelled ``"1"`` and ``"2"``;
    official split of 67 training and 1029 test sequences.
"""
    + _UCR_DOC.format(length=24)
    + """
    Examples
    --------
    >>> import numpy as np
    >>> from sksequence.datasets import load_italy_power_demand
    >>> X_train, X_test, y_train, y_test = load_italy_power_demand(
    ...     return_X_y=True
    ... )
    >>> X_train.shape, X_test.shape
    ((67, 24, 1), (1029, 24, 1))
    >>> np.unique(y_train)
    array(['1', '2'], dtype='<U1')
"""
)
