"""The fitted-state contract: what a trained network's inputs and outputs mean.

An estimator's predictions are its network's outputs mapped back to the
user's terms: regression outputs are un-standardized (``out * y_scale +
y_mean``) and reshaped as ``y`` was, classification outputs are logits over
``classes``. :class:`FittedState` holds everything that mapping needs, in
one object that ``fit`` fills and that persistence (``sksequence.save`` /
``load``), export (ONNX, TorchScript) and inspection read, as the
estimator's ``fitted_state_``. A new fitted quantity is added here once;
the mapping itself is :class:`sksequence._readout.Readout`, built from it.
"""

from dataclasses import dataclass, replace

import numpy as np

from ._constants import (
    INSTANCE_NORM_EPS,
    INSTANCE_NORM_EPS_BEFORE,
    INSTANCE_NORM_LEVEL_EPS,
)
from ._heads import Head, PointHead

__all__ = ["FittedState", "check_stored", "stored_floats", "stored_int"]


@dataclass(frozen=True, eq=False)
class FittedState:
    """How an estimator's network reads its inputs and what its outputs mean.

    Filled during ``fit`` (input validation returns the input fields, the
    target's preparation the output fields) and kept as ``fitted_state_``.

    Attributes
    ----------
    n_channels : int
        Features per time step that the network reads.
    input_2d : bool
        Whether ``fit`` saw 2-D input ``(n_samples, n_timesteps)``
        (univariate sequences, ``n_features_in_`` counting time steps).
    min_timesteps : int or None
        Time steps of the shortest training sequence of the fit that built
        the network: a 2-D one-column ``X`` at predict reads as sequences of
        one step, which a model trained on longer ones never saw (it is
        almost surely one sequence, ``(n_timesteps, 1)``). None: unknown
        (a file saved before it was recorded).
    n_outputs : int or None
        Size of the network's output vector (targets or class logits).
    per_step : bool
        Whether the outputs are per time step (``return_sequences=True``).
    classes : ndarray of shape (n_classes,) or None
        Classifiers: the labels, in the order of the logits.
    y_mean, y_scale : ndarray of shape (n_outputs,) or None
        Regressors: the standardization of the targets, undone at predict.
    y_ndim : int or None
        Regressors: the number of dimensions of ``y`` in ``fit`` (1 or 2
        per sequence; 2 or 3 with ``per_step``).
    head : Head
        What the network predicts per target (a regressor's ``loss``): the
        value, a mean and a standard deviation, or quantiles, as blocks of
        ``n_outputs`` values on the last axis (see :mod:`sksequence._heads`).
        Classifiers: the point head.
    calibration : ndarray or None
        Regressors with a distribution, fitted with ``calibration="holdout"``:
        the factors that widen or narrow the predicted spread, measured on
        the early-stopping holdout. ``"gaussian"``: one factor per target
        on the standard deviation, shape (n_outputs,); ``"quantile"``: one
        factor per level and target on each quantile's distance from the
        median, shape (n_levels, n_outputs), 1 at the median. The mean and
        the median are never moved. None: the spread as the network
        predicts it.
    instance_norm_eps : tuple of 2 floats
        The variance floor of the network's ``instance_norm``, absolute and
        relative to a sequence's squared level
        (:func:`sksequence._modules.standardized`): the first from the
        training sequences (:func:`sksequence._scaling.instance_norm_floor`),
        the second 1e-12;
        ``(1e-5, 0)`` for files saved before it was recorded, so that a
        loaded network normalizes as it was trained.
    """

    n_channels: int
    input_2d: bool
    min_timesteps: int | None = None
    n_outputs: int | None = None
    per_step: bool = False
    classes: np.ndarray | None = None
    y_mean: np.ndarray | None = None
    y_scale: np.ndarray | None = None
    y_ndim: int | None = None
    head: Head = PointHead()
    calibration: np.ndarray | None = None
    instance_norm_eps: tuple[float, float] = (
        INSTANCE_NORM_EPS,
        INSTANCE_NORM_LEVEL_EPS,
    )

    @property
    def is_classifier(self):
        """Whether the outputs are class logits."""
        return self.classes is not None

    @property
    def squeeze(self):
        """Whether predictions drop the output axis (``y`` had no such axis)."""
        if self.is_classifier:
            return False
        return self.y_ndim == (2 if self.per_step else 1)

    @property
    def net_sizes(self):
        """``(input_size, output_size)`` of the network."""
        return self.n_channels, self.n_outputs

    @property
    def distribution(self):
        """The head's name: ``"none"``, ``"gaussian"`` or ``"quantile"``."""
        return self.head.name

    @property
    def levels(self):
        """The head's quantile levels (increasing, holding 0.5), or None.

        With ``"quantile"`` those the network predicts; with ``"gaussian"``
        those ``predict_quantiles`` reports by default."""
        return self.head.levels

    def blocks(self, out):
        """``out`` (..., width * n_outputs) as (..., width, n_outputs)."""
        return out.reshape(*out.shape[:-1], self.head.width, self.n_outputs)

    def with_outputs(self, **fields):
        """A copy with the output fields set (a new fit's target)."""
        return replace(self, **fields)

    def scale(self, values):
        """Targets in the network's units: ``(values - y_mean) / y_scale``."""
        return (values - self.y_mean) / self.y_scale

    def to_dict(self):
        """Plain Python values (JSON-able) under the names files store them.

        The keys are those of the sksequence file format version 1
        (``_n_channels``, ``_fitted_2d``, ``_net_sizes``, and ``classes_``
        or ``_y_ndim``, ``_y_mean``, ``_y_scale``), so files written before
        this object existed load, and files written now load in them; a
        calibrated spread adds ``_calibration``, and ``_min_timesteps`` is
        added when known (older readers ignore both); ``_instance_norm_eps``
        is always added (the files whose networks read it are written as
        format version 2, which older readers refuse).
        """
        stored = {
            "_n_channels": int(self.n_channels),
            "_fitted_2d": bool(self.input_2d),
            "_net_sizes": [int(self.n_channels), int(self.n_outputs)],
        }
        if self.min_timesteps is not None:
            stored["_min_timesteps"] = int(self.min_timesteps)
        stored["_instance_norm_eps"] = [float(e) for e in self.instance_norm_eps]
        if self.is_classifier:
            stored["classes_"] = np.asarray(self.classes)
        else:
            stored["_y_ndim"] = int(self.y_ndim)
            # float64 -> Python float -> JSON repr round-trips exactly
            stored["_y_mean"] = np.asarray(self.y_mean, dtype=np.float64).tolist()
            stored["_y_scale"] = np.asarray(self.y_scale, dtype=np.float64).tolist()
            if self.calibration is not None:
                calibration = np.asarray(self.calibration, dtype=np.float64)
                stored["_calibration"] = calibration.tolist()
        return stored

    @classmethod
    def from_dict(cls, stored, *, n_features_in, per_step, head=None):
        """The state :meth:`to_dict` stored, checked value by value.

        The inverse of :meth:`to_dict`, for values read from a file: every
        value is checked (type, range, size), and a ``TypeError`` or
        ``ValueError`` says which is wrong. The keys older files lack take
        the value that reproduces what they were trained with.

        Parameters
        ----------
        stored : dict
            What :meth:`to_dict` returned; ``classes_``, when present, as an
            array of labels.
        n_features_in : int
            The estimator's ``n_features_in_``: a 2-D fit's sequences had as
            many steps (files from before ``_min_timesteps``).
        per_step : bool
            The estimator's ``return_sequences``.
        head : Head or None
            Regressors: the head of the estimator's ``loss`` and
            ``quantiles`` parameters (the file stores those, not the head).
        """
        n_channels = stored_int(stored["_n_channels"], "_n_channels", 1)
        input_2d = check_stored(stored["_fitted_2d"], bool, "_fitted_2d")
        sizes = check_stored(stored["_net_sizes"], list, "_net_sizes")
        if len(sizes) != 2:
            raise ValueError("_net_sizes must hold 2 sizes")
        sizes = tuple(stored_int(size, "_net_sizes", 1) for size in sizes)
        if sizes[0] != n_channels:
            raise ValueError("_net_sizes does not match _n_channels")
        output_size = sizes[1]
        # files from before it was recorded: a 2-D fit's sequences had as many
        # steps as it had columns; a 3-D fit's are unknown
        min_timesteps = stored.get("_min_timesteps")
        if min_timesteps is not None:
            min_timesteps = stored_int(min_timesteps, "_min_timesteps", 1)
        elif input_2d:
            min_timesteps = n_features_in
        # files from before it was recorded: the floor they were trained with
        norm_eps = stored.get("_instance_norm_eps", list(INSTANCE_NORM_EPS_BEFORE))
        norm_eps = stored_floats(norm_eps, "_instance_norm_eps", 2)
        if not (np.isfinite(norm_eps).all() and (norm_eps >= 0).all()):
            raise ValueError("_instance_norm_eps must be finite and non-negative")
        state = cls(
            n_channels=n_channels,
            input_2d=input_2d,
            min_timesteps=min_timesteps,
            n_outputs=output_size,
            per_step=per_step,
            instance_norm_eps=tuple(float(e) for e in norm_eps),
        )
        if "classes_" in stored:
            classes = stored["classes_"]
            if len(classes) != output_size:
                raise ValueError("classes_ does not match the network's output size")
            return state.with_outputs(classes=classes)
        head = PointHead() if head is None else head
        return state.with_outputs(
            head=head,
            y_ndim=stored_int(stored["_y_ndim"], "_y_ndim", 1),
            y_mean=_finite(stored_floats(stored["_y_mean"], "_y_mean", output_size)),
            y_scale=_finite(
                stored_floats(stored["_y_scale"], "_y_scale", output_size),
                positive=True,
            ),
            calibration=_decode_calibration(
                stored.get("_calibration"), head, output_size
            ),
        )


def check_stored(value, types, what):
    """``value`` read from a file, if it is of ``types`` (a ``TypeError`` if
    not). A bool is never accepted where a number is expected."""
    types = types if isinstance(types, tuple) else (types,)
    # bool is an int in Python; never accept it where a number is expected
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        names = " or ".join(t.__name__ for t in types)
        raise TypeError(f"{what} must be {names}, not {type(value).__name__}")
    return value


def stored_int(value, what, minimum):
    """An int read from a file, at least ``minimum``."""
    check_stored(value, int, what)
    if value < minimum:
        raise ValueError(f"{what} must be >= {minimum}, got {value}")
    return value


def stored_floats(values, what, length):
    """A list of ``length`` numbers read from a file, as float64."""
    check_stored(values, list, what)
    for v in values:
        check_stored(v, (int, float), f"an item of {what}")
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (length,):
        raise ValueError(f"{what} must have {length} values, got {arr.shape}")
    return arr


def _finite(values, positive=False):
    """``values`` of the target scaling if all are finite (and with
    ``positive``, > 0): predictions are computed with them, and NaN, inf or
    a scale of 0 or below would make them NaN, constant or of negative
    spread."""
    if not (np.isfinite(values).all() and (not positive or (values > 0).all())):
        raise ValueError(
            "the target scaling (_y_mean, _y_scale) must be finite"
            f"{', and _y_scale positive' if positive else ''}; got "
            f"{values.tolist()}"
        )
    return values


def _decode_calibration(stored, head, output_size):
    """The spread's calibration factors (absent: none, as before they existed),
    of the head's :meth:`~sksequence._heads.Head.calibration_shape`."""
    if stored is None:
        return None
    shape = head.calibration_shape(output_size)
    if shape is None:
        raise ValueError("_calibration is stored for a model without a distribution")
    check_stored(stored, list, "_calibration")
    if len(shape) == 1:
        factors = stored_floats(stored, "_calibration", output_size)
    else:
        if len(stored) != shape[0]:
            raise ValueError(f"_calibration must hold {shape[0]} rows of factors")
        factors = np.stack(
            [stored_floats(row, "_calibration", output_size) for row in stored]
        )
    if not (np.isfinite(factors).all() and (factors > 0).all()):
        raise ValueError("_calibration factors must be finite and positive")
    return factors
