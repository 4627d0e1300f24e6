"""Input validation: every array that enters sksequence passes through here.

Sequence data comes in three shapes:

* a 2-D array-like ``(n_samples, n_timesteps)``: univariate sequences, one time
  step per column (scikit-learn's usual 2-D input, so ``n_features_in_`` keeps
  its meaning: the number of columns);
* a 3-D array-like ``(n_samples, n_timesteps, n_features)``;
* a list of 2-D (or 1-D) arrays of *different* lengths: variable-length
  sequences, padded here to the longest one and returned with their lengths.

pandas' containers of sequences (a Series of arrays, sktime's multi-index
panel) are first turned into such a list.

Everything is converted once to ``float32``; the caller's arrays are never
modified.
"""

import os
import re
import tempfile
from contextlib import contextmanager
from numbers import Real
from typing import NamedTuple

import numpy as np
from sklearn.utils.validation import check_array

from ._compat import check_feature_names, check_sample_weight, get_output_config

__all__ = [
    "InputSpec",
    "check_checkpoint_directory",
    "check_class_weight",
    "check_no_bool_ints",
    "check_quantiles",
    "check_same_length",
    "check_score_target",
    "check_sequences",
    "dataframe_output",
    "naming",
    "validate_sample_weight",
    "validate_sequence_target",
    "validate_sequences",
    "validate_target",
]


@contextmanager
def naming(input_name):
    """Prefix validation errors that do not say which argument is wrong."""
    try:
        yield
    except (ValueError, TypeError) as exc:
        message = str(exc)
        if re.search(rf"\b{re.escape(input_name)}\b", message):
            raise
        raise type(exc)(f"{input_name}: {message}") from exc


def _is_ragged_list(X):
    """True when ``X`` is a list/tuple of array-likes of different lengths."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    lengths = set()
    for item in X:
        if np.isscalar(item) or item is None:
            return False
        lengths.add(len(item))
    return len(lengths) > 1


def _from_containers(X, input_name):
    """A list of per-sequence arrays from pandas' natural sequence containers.

    A :class:`pandas.Series` whose elements are sequences (arrays, lists,
    Series) and sktime's ``pd-multiindex`` panel (a DataFrame indexed by
    ``(instance, time)``, one column per feature) become one array per
    sequence, in the order of the instances; anything else is returned as
    it is.
    """
    module = type(X).__module__
    if not module.startswith("pandas"):
        return X
    index = X.index
    if getattr(index, "nlevels", 1) > 1 and hasattr(X, "columns"):
        if index.nlevels != 2:
            raise ValueError(
                f"{input_name} is a DataFrame with a {index.nlevels}-level index; "
                "a panel of sequences needs a 2-level index (instance, time), one "
                "column per feature (sktime's 'pd-multiindex'), or pass a 3-D "
                "array (n_samples, n_timesteps, n_features) or a list of 2-D "
                "arrays (n_timesteps, n_features)."
            )
        groups = X.groupby(level=0, sort=False)
        return [frame.to_numpy() for _, frame in groups]
    if X.ndim == 1 and X.dtype == object and len(X) > 0:
        first = X.iloc[0]
        if not np.isscalar(first) and first is not None:
            return [np.asarray(seq) for seq in X]
    return X


def _check_one_sequence(seq, index, input_name, allow_nan=False, dtype=np.float32):
    """Validate one member of a ragged list; return it as (T, F) ``dtype``."""
    try:
        arr = check_array(
            seq,
            dtype=dtype,
            ensure_2d=False,
            ensure_min_samples=1,
            ensure_all_finite="allow-nan" if allow_nan else True,
            input_name=f"{input_name}[{index}]",
        )
    except ValueError as exc:
        raise ValueError(f"Sequence {input_name}[{index}] is invalid: {exc}") from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(
            f"Each sequence of a variable-length {input_name} must be 1-D "
            f"(n_timesteps,) or 2-D (n_timesteps, n_features); {input_name}[{index}] "
            f"has shape {arr.shape}."
        )
    return arr


def _pad_ragged(X, input_name, allow_nan=False, dtype=np.float32):
    seqs = [
        _check_one_sequence(seq, i, input_name, allow_nan, dtype)
        for i, seq in enumerate(X)
    ]
    n_features = {s.shape[1] for s in seqs}
    if len(n_features) > 1:
        raise ValueError(
            f"All sequences in {input_name} must have the same number of features "
            f"(last axis); got {sorted(n_features)}. Check the column count of each "
            "sequence."
        )
    lengths = np.array([s.shape[0] for s in seqs], dtype=np.int64)
    out = np.zeros(
        (len(seqs), lengths.max(), seqs[0].shape[1]),
        dtype=np.result_type(*seqs),
    )
    for i, seq in enumerate(seqs):
        out[i, : len(seq)] = seq
    return out, lengths


def _numeric_array(X, dtype, allow_nan):
    """``X`` as ``dtype`` when it is a non-empty 2-D or 3-D numeric ndarray
    with finite values (NaN too with ``allow_nan``), else None.

    What :func:`~sklearn.utils.check_array` returns for such input, without
    its checks for containers X is not: for one sequence they cost a third
    of a prediction. Anything else, and any failure, takes check_array's
    path and its messages.
    """
    if (
        dtype not in (np.float32, np.float64)  # (not a list of dtypes to keep)
        or type(X) is not np.ndarray
        or X.ndim not in (2, 3)
        or X.dtype.kind not in "fiu"
        or 0 in X.shape[:2]
    ):
        return None
    arr = X.astype(dtype, copy=False)
    finite = not np.isinf(arr).any() if allow_nan else np.isfinite(arr).all()
    return arr if finite else None


def _to_sequences(X, input_name, allow_nan, dtype=np.float32):
    """Return ``(X3, lengths, was_2d)``; see :func:`check_sequences`."""
    X = _from_containers(X, input_name)
    if _is_ragged_list(X):
        return (*_pad_ragged(X, input_name, allow_nan, dtype), False)
    arr = _numeric_array(X, dtype, allow_nan)
    if arr is None:
        with naming(input_name):
            arr = check_array(
                X,
                dtype=dtype,
                allow_nd=True,
                ensure_all_finite="allow-nan" if allow_nan else True,
                input_name=input_name,
            )
    if arr.ndim == 2:
        return arr[:, :, None], None, True
    if arr.ndim != 3:
        raise ValueError(
            f"{input_name} must be 2-D (n_samples, n_timesteps) or 3-D "
            f"(n_samples, n_timesteps, n_features); got {arr.ndim}-D with shape "
            f"{arr.shape}."
        )
    if arr.shape[1] == 0 or arr.shape[2] == 0:
        raise ValueError(
            f"{input_name} has shape {arr.shape}; sequences need at least 1 time "
            "step and 1 feature."
        )
    return arr, None, False


def check_sequences(X, *, input_name="X", allow_nan=False):
    """Convert sequence input to a padded float32 array and lengths.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_timesteps[, n_features]) or list
        Sequences. A list of arrays of different lengths is padded with zeros.
    input_name : str, default="X"
        Name used in error messages.
    allow_nan : bool, default=False
        Whether NaN values are accepted (inf never is).

    Returns
    -------
    X3 : ndarray of shape (n_samples, max_timesteps, n_features), float32
        A view of ``X`` when it already was a float32 array, else a copy.
    lengths : ndarray of shape (n_samples,) of int64, or None
        Lengths of the sequences when ``X`` was ragged, else ``None``.
    """
    X3, lengths, _ = _to_sequences(X, input_name, allow_nan)
    return X3, lengths


class InputSpec(NamedTuple):
    """What validated sequences are, as a fitted estimator checks new ones
    against them: the input half of
    :class:`~sksequence._fitted.FittedState` (same field names).

    Attributes
    ----------
    n_channels : int
        Features per time step.
    input_2d : bool
        Whether ``X`` was 2-D ``(n_samples, n_timesteps)``.
    min_timesteps : int
        Time steps of the shortest sequence.
    """

    n_channels: int
    input_2d: bool
    min_timesteps: int


def validate_sequences(
    estimator, X, *, reset, dtype=np.float32, steps_matter=True, expected=None
):
    """Validate ``X`` for an estimator and set or check ``n_features_in_``.

    ``n_features_in_`` follows scikit-learn for 2-D input (number of columns,
    i.e. time steps of univariate sequences, with ``feature_names_in_`` for
    DataFrames). For 3-D and variable-length input it is the number of features
    per time step, because the number of time steps may vary between calls.

    ``dtype`` is what :func:`~sklearn.utils.check_array` converts to (a
    list keeps an input dtype it contains); float32, what torch computes in,
    for the networks.

    With ``reset=False`` and ``steps_matter``, a 2-D ``X`` of one column
    (sequences of one time step, by the 2-D rule) is refused when the
    estimator was fitted on longer sequences: it is almost surely one
    sequence of shape ``(n_timesteps, 1)``, whose answer would silently
    be one per time step. ``steps_matter=False`` for a transformer whose
    output does not depend on how the values group into sequences
    (:class:`~sksequence.SequenceScaler`).

    With ``reset=True`` the only attributes set on ``estimator`` are
    scikit-learn's ``n_features_in_`` (and ``feature_names_in_``); what else
    ``X`` is comes back as ``spec``, for the estimator's ``fit`` to keep
    (an estimator's ``fitted_state_``).

    Parameters
    ----------
    expected : InputSpec, FittedState or None
        With ``reset=False``, what ``X`` is checked against: the ``spec`` the
        fit kept. None: the estimator's ``fitted_state_``.

    Returns
    -------
    X3 : ndarray of shape (n_samples, n_timesteps, n_features)
    lengths : ndarray of shape (n_samples,) or None
    spec : InputSpec
        What ``X`` is (features per step, 2-D or not, shortest sequence).
    """
    X3, lengths, was_2d = _to_sequences(X, "X", allow_nan=False, dtype=dtype)
    if reset or hasattr(estimator, "feature_names_in_") or type(X) is not np.ndarray:
        # (past the first fit, an ndarray without names has nothing to check)
        check_feature_names(estimator, X if was_2d else X3, reset=reset)
    n_channels = X3.shape[2]
    spec = InputSpec(
        n_channels=n_channels,
        input_2d=was_2d,
        min_timesteps=X3.shape[1] if lengths is None else int(lengths.min()),
    )
    if reset:
        estimator.n_features_in_ = X3.shape[1] if was_2d else n_channels
        return X3, lengths, spec
    state = estimator.fitted_state_ if expected is None else expected
    one_column = steps_matter and was_2d and X3.shape[1] == 1
    if one_column and not state.input_2d:
        _check_not_one_sequence(estimator, X3, state)
    if was_2d and state.input_2d:
        n_found, n_expected, unit = X3.shape[1], estimator.n_features_in_, ""
    else:
        n_found, n_expected, unit = n_channels, state.n_channels, " per time step"
    if n_found != n_expected:
        hint = ""
        if one_column:  # scikit-learn's message first: its checks read it
            hint = (
                " If X is one sequence x of shape (n_timesteps, 1), pass x[None] "
                "or [x]."
            )
        raise ValueError(
            f"X has {n_found} features{unit}, but {type(estimator).__name__} is "
            f"expecting {n_expected} features as input.{hint}"
        )
    return X3, lengths, spec


def _check_not_one_sequence(estimator, X3, state):
    """Refuse a 2-D one-column ``X`` (``n`` sequences of one step) given to a
    model that never saw a sequence that short: it is almost surely one
    sequence of shape ``(n_timesteps, 1)``.

    A single row, shape ``(1, 1)``, reads the same either way (one sequence
    of one step), and is what tools such as MAPIE predict to see whether a
    model is fitted: it is allowed.
    """
    trained = state.min_timesteps
    n = len(X3)
    if trained is None or trained <= 1 or n == 1:
        return
    raise ValueError(
        f"X has shape ({n}, 1). A 2-D X holds univariate sequences, one per row, "
        f"so it reads as {n} sequences of 1 time step each, but "
        f"{type(estimator).__name__} was fitted on sequences of at least "
        f"{trained} time steps. To pass one sequence x of shape ({n}, 1), pass "
        "x[None] (shape (1, n_timesteps, 1)) or [x]. To pass sequences of one "
        "time step, pass a 3-D array of shape (n_samples, 1, n_features)."
    )


def validate_target(y, X3):
    """Validate a numeric 1-D or 2-D target against validated sequences ``X3``."""
    if y is None:
        raise ValueError(
            "This estimator requires y to be passed, but the target y is None."
        )
    with naming("y"):
        y = check_array(
            y,
            ensure_2d=False,
            dtype=np.float64,
            input_name="y",
        )
    if y.ndim > 2:
        raise ValueError(f"y must be 1-D or 2-D; got shape {y.shape}.")
    check_same_length(X3, y)
    return y


def check_same_length(X3, y):
    """X and y must hold the same number of samples."""
    if len(X3) != len(y):
        raise ValueError(
            "X and y have inconsistent numbers of samples: "
            f"[{len(X3)}, {len(y)}] (X has {len(X3)}, y has {len(y)})."
        )


def check_score_target(pred, y):
    """Per-step targets at ``score`` must match the per-step predictions."""
    if len(y) != len(pred) or any(
        np.shape(t)[:1] != np.shape(p)[:1] for p, t in zip(pred, y)
    ):
        raise ValueError(
            "y does not match X: with return_sequences=True, y needs one target "
            "per time step of each sequence of X, in the form used in fit."
        )


def check_no_bool_ints(estimator, names):
    """scikit-learn's ``Interval(Integral)`` lets ``True`` pass as 1: refuse it."""
    for name in names:
        value = getattr(estimator, name)
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(
                f"The '{name}' parameter of {type(estimator).__name__} must be an "
                f"int, not a bool; got {value!r}."
            )


def validate_sequence_target(y, X3, lengths, *, numeric):
    """Validate per-time-step targets aligned with validated sequences ``X3``.

    Parameters
    ----------
    y : array-like of shape (n_samples, n_timesteps[, n_outputs]) or list
        One target per time step. When ``X`` was a list of variable-length
        sequences (``lengths`` given), ``y`` is a list of arrays of the same
        lengths.
    X3 : ndarray of shape (n_samples, n_timesteps, n_features)
    lengths : ndarray of shape (n_samples,) or None
    numeric : bool
        True for regression targets (float64, padded with NaN), False for
        labels (padded with the first label; use ``mask``).

    Returns
    -------
    Y : ndarray of shape (n_samples, n_timesteps, n_outputs) (numeric) or
        (n_samples, n_timesteps) (labels)
    mask : ndarray of bool of shape (n_samples, n_timesteps)
        True at real (not padded) steps.
    y_ndim : int
        2 for one target per step, 3 for several (numeric only).
    """
    if y is None:
        raise ValueError(
            "This estimator requires y to be passed, but the target y is None."
        )
    n, steps = X3.shape[:2]
    if lengths is None:
        seqs = _target_array(y, numeric)
        if seqs.shape[:2] != (n, steps) or seqs.ndim > (3 if numeric else 2):
            raise ValueError(
                "With return_sequences=True, y must have shape (n_samples, "
                f"n_timesteps{', n_outputs' if numeric else ''}) = ({n}, {steps}"
                f"{', k' if numeric else ''}) to match X; got {seqs.shape}."
            )
        mask = np.ones((n, steps), dtype=bool)
        y_ndim = seqs.ndim
        if numeric and seqs.ndim == 2:
            seqs = seqs[:, :, None]
        return seqs, mask, y_ndim
    if not isinstance(y, (list, tuple)) or len(y) != n:
        raise ValueError(
            "With return_sequences=True and variable-length X, y must be a list of "
            f"{n} arrays, one per sequence, with the lengths of X's sequences."
        )
    parts = [_target_array(part, numeric) for part in y]
    for i, (part, length) in enumerate(zip(parts, lengths)):
        if len(part) != length or part.ndim > (2 if numeric else 1):
            raise ValueError(
                f"y[{i}] must have {length} steps (the length of X[{i}])"
                f"{' and at most 2 dimensions' if numeric else ' and be 1-D'}; got "
                f"shape {part.shape}."
            )
    mask = np.arange(steps) < lengths[:, None]
    if numeric:
        y_ndim = 1 + max(part.ndim for part in parts)
        parts = [part.reshape(len(part), -1) for part in parts]
        widths = {part.shape[1] for part in parts}
        if len(widths) > 1:
            raise ValueError(
                f"All y[i] must have the same number of outputs; got {widths}."
            )
        Y = np.full((n, steps, widths.pop()), np.nan)
    else:
        y_ndim = 2
        Y = np.empty((n, steps), dtype=np.result_type(*parts))
        Y[...] = parts[0][0]
    for i, part in enumerate(parts):
        Y[i, : len(part)] = part
    return Y, mask, y_ndim


def _target_array(y, numeric):
    if numeric:
        return check_array(
            y, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="y"
        )
    arr = np.asarray(y)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError("Input y contains NaN or infinity.")
    return arr


def validate_sample_weight(sample_weight, X3):
    """``sample_weight`` as a float64 array of shape (n_samples,), or None.

    As scikit-learn: a scalar weighs every sample alike; weights must be
    finite, non-negative and not all zero (the weighted mean loss would be
    undefined).
    """
    if sample_weight is None:
        return None
    with naming("sample_weight"):
        return check_sample_weight(
            sample_weight, X3, dtype=np.float64, ensure_non_negative=True
        )


def check_class_weight(class_weight, classes):
    """The weight of each class of ``classes`` from a dict ``class_weight``.

    Keys are labels as they appear in ``y`` (strings stay strings: ``"1"``
    is not ``1``); classes absent from the dict weigh 1. A key that is no
    class is an error (a typo would otherwise be ignored), and so is a
    weight that is not a finite, non-negative number.

    Parameters
    ----------
    class_weight : dict
    classes : ndarray of shape (n_classes,)

    Returns
    -------
    weights : ndarray of shape (n_classes,), float64
    """
    labels = classes.tolist()
    known = set(labels)
    unknown = [key for key in class_weight if key not in known]
    if unknown:
        raise ValueError(
            f"class_weight has keys that are not classes of y: {unknown!r}; the "
            f"classes are {labels!r}. Use the labels as they appear in y (strings "
            "stay strings: '1' is not 1)."
        )
    weights = np.ones(len(labels))
    for i, label in enumerate(labels):
        if label not in class_weight:
            continue
        value = class_weight[label]
        if not (isinstance(value, Real) and np.isfinite(value) and value >= 0):
            raise ValueError(
                f"class_weight must hold finite, non-negative numbers; class "
                f"{label!r} has weight {value!r}."
            )
        weights[i] = value
    return weights


def check_checkpoint_directory(directory):
    """Make sure checkpoints can be written in ``directory`` (created if absent).

    Checked when ``fit`` starts, so that a directory that cannot be created
    or written to is an error naming the parameter, not a failure of the
    first save after an epoch of training.
    """
    path = os.fspath(directory)
    try:
        os.makedirs(path, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".sksequence-write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ValueError(
            f"checkpoint={str(directory)!r}: checkpoints cannot be written there "
            f"({exc}). Pass a directory that can be created and written to, or "
            "checkpoint=None."
        ) from exc


def check_quantiles(quantiles, *, add_median=True, sort=True):
    """Quantile levels as a tuple of floats, each strictly between 0 and 1.

    With ``sort`` (the levels a network learns) increasing and distinct,
    and with ``add_median`` holding 0.5; else in the order given.
    """
    what = "quantiles"
    try:
        levels = np.asarray(quantiles, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{what} must be a sequence of numbers in (0, 1), e.g. (0.1, 0.5, "
            f"0.9); got {quantiles!r}."
        ) from exc
    if levels.ndim != 1 or len(levels) == 0:
        raise ValueError(
            f"{what} must be a non-empty 1-D sequence of levels, e.g. (0.1, 0.5, "
            f"0.9); got {quantiles!r}."
        )
    outside = levels[~((levels > 0) & (levels < 1))]
    if len(outside):
        raise ValueError(
            f"{what} must lie strictly between 0 and 1 (a quantile at level 0 "
            f"or 1 is unbounded); got {outside.tolist()}."
        )
    if sort:
        if len(np.unique(levels)) != len(levels):
            raise ValueError(f"{what} must be distinct; got {levels.tolist()}.")
        if add_median:
            levels = np.union1d(levels, [0.5])
        levels = np.sort(levels)
    return tuple(float(q) for q in levels)


def dataframe_output(transformer, ndim):
    """Whether ``transformer`` must return a DataFrame (``set_output``).

    True when pandas or polars output is configured (on the transformer or
    globally) and the output is 2-D; a clear error when it is configured
    for output that is 3-D or a list of sequences, which no DataFrame holds.
    """
    container = get_output_config("transform", transformer)["dense"]
    if container == "default":
        return False
    if ndim != 2:
        name = type(transformer).__name__
        raise ValueError(
            f"{name} is set to return {container} output (set_output("
            f"transform={container!r}) or scikit-learn's transform_output), but "
            "its output here is 3-D (n_samples, n_timesteps, n_features) or a "
            "list of sequences, which a DataFrame cannot hold. Use "
            f"{name}().set_output(transform='default') (in a Pipeline, set it "
            "after the pipeline's set_output), or pass univariate sequences, "
            "whose output is 2-D."
        )
    return True
