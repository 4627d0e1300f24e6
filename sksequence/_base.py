"""Shared base of the sksequence estimators: parameters and the fit/predict template."""

import hashlib
import inspect
import json
import math
import os
import warnings
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, is_classifier
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._compat import HasMethods, Interval, StrOptions, fit_context
from ._constants import (
    AUTO_MIN_HOLDOUT,
    AUTO_PATCH_STEPS,
    DIGEST_CHUNK_BYTES,
    INSTANCE_NORM_LEVEL_EPS,
)
from ._fitted import FittedState
from ._modules import EMBEDDINGS, READOUTS, predict_in_batches
from ._net import OPTIMIZERS, build_net
from ._readout import cached_readout
from ._scaling import instance_norm_floor
from ._session import TrainingData, TrainingSpec, train
from ._split import VALIDATION_SPLITS, holdout_split
from ._threads import auto_threads, intra_op_threads, step_work
from ._validation import (
    check_no_bool_ints,
    check_score_target,
    validate_sample_weight,
    validate_sequences,
)

__all__ = [
    "SequenceEstimator",
    "build_fitted_net",
    "is_sequence_classifier",
    "is_sequence_estimator",
    "module_arguments",
    "network_output",
    "network_target",
    "resolve_device",
]

# Parameter text shared by every estimator; substituted into the leaf
# docstrings at ``{shared_parameters}`` so that it is written once.
# parameters whose default differs between regressors and classifiers; the
# shared docs read each leaf's own default from its signature
_FAMILY_DEFAULTS = (
    "bidirectional",
    "early_stopping",
    "embedding",
    "readout",
    "instance_norm",
    "batch_norm",
)

SHARED_PARAMETERS_DOC = """\
hidden_size : int, default=64
        Size of the hidden state ``h_t`` of each recurrent layer.

    num_layers : int, default=1
        Number of stacked recurrent layers.

    dropout : float in [0, 1), default=0.0
        Dropout probability between stacked layers and on the last hidden
        state before the output layer.

    bidirectional : bool or "auto", default={bidirectional}
        If True, each layer also reads the sequences backwards and the output
        layer sees both final states. ``"auto"``: True when the output is
        one per sequence, False with ``return_sequences=True``, where a
        step's output then reads no later step. See :ref:`defaults`.

    max_epochs : int, default=200
        Maximum number of passes over the training data.

    batch_size : int, default=16
        Number of sequences per gradient step. The default suits the small
        data sets sequence models often meet (tens to thousands of
        sequences); raise it (e.g. 128-512) for large data sets, where
        bigger batches train much faster per epoch.

    lr : float, default=1e-2
        Learning rate of the optimizer. A recurrent net's loss often stays
        flat for a few hundred steps (a classifier's at chance level; a
        regressor's while it learns to carry an early step to the end)
        before it falls: this rate leaves that plateau within the patience
        of early stopping, where ``3e-3`` often did not.

    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
default="adam"
        Optimization algorithm.

    weight_decay : float, default=0.0
        L2 penalty (the optimizer's ``weight_decay``; decoupled for
        ``"adamw"``).

    gradient_clip : float or None, default=1.0
        Maximum norm of the gradient vector; larger gradients are rescaled
        (guards against exploding gradients). None disables clipping.

    early_stopping : bool or "auto", default={early_stopping}
        Whether to hold out ``validation_fraction`` of the training samples
        (chosen by ``validation_split``), stop when the validation loss has
        not improved by ``tol`` for ``n_iter_no_change`` epochs, and restore
        the weights of the best epoch. If False, training stops when the
        training loss stops improving in the same sense, as in
        scikit-learn's MLP. ``"auto"``: a regressor holds out only when the
        holdout would have at least 100 samples (500 training samples at
        ``validation_fraction=0.2``), since a smaller holdout judges the
        epochs by the noise of a few cases; a classifier never holds out
        (unless ``validation_split`` is a splitter), since its held-out
        cross-entropy is lowest many epochs before its held-out accuracy
        is highest, and restoring that epoch stopped classifiers of 36 to
        567 sequences before they fit their training set. Without the
        holdout, ``"auto"`` also stops once the training loss is at most
        1e-3 for a classifier's cross-entropy, 3e-4 for a regressor's mean
        squared error or pinball loss, never for its Gaussian
        log-likelihood (the training set is fitted; going on only sharpened
        the logits), and
        halves the learning rate each time the training loss has not
        improved for 5 epochs, or 50 optimizer steps where they are more
        epochs (torch's ``ReduceLROnPlateau``), so that a noisy loss gets
        smaller steps before the patience runs out. The
        choice is in ``early_stopping_``. See :ref:`defaults`.

    validation_fraction : float in (0, 1), default=0.2
        Share of the training samples held out when ``early_stopping=True``
        (at least one sample).

    validation_split : {"auto", "tail", "stratified", "shuffle"} or CV \
splitter, default="auto"
        Which samples the early-stopping holdout takes.

        - ``"tail"``: the last ones, in the order given. Right for windows
          cut from one series (``SlidingWindowTransformer``,
          ``make_forecasting_data``): they overlap, and any other split
          would leak the future into training.
        - ``"stratified"``: a random share of each class, seeded by
          ``random_state`` (classifiers only), as scikit-learn's
          ``MLPClassifier`` does. Right for a set of independent sequences,
          which archives often ship sorted by class: their tail would hold
          one or two classes that training never sees.
        - ``"shuffle"``: a random share, seeded by ``random_state``.
        - ``"auto"``: ``"stratified"`` for classifiers (``"shuffle"`` with
          ``return_sequences=True``, where a sequence has no single label),
          ``"tail"`` for regressors.
        - A scikit-learn splitter (``split(X, y)`` and ``get_n_splits``, e.g.
          ``PredefinedSplit`` or ``StratifiedShuffleSplit(n_splits=1)``):
          its first split, and ``validation_fraction`` is ignored.

        A split that leaves a class out of training, or (by accident of
        order) holds out a single class, is warned about.

    n_iter_no_change : int or "auto", default="auto"
        Number of epochs without improvement before training stops.
        ``"auto"`` waits 20 epochs, or as many epochs as make 150 optimizer
        steps when that is more (small data sets: 50 epochs of 3 batches),
        since a recurrent net may sit at chance level for a few hundred
        steps before its loss starts to fall. The learning rate's halving
        of ``early_stopping="auto"`` likewise waits 5 epochs or 50 steps
        with ``"auto"``, 5 epochs with a number.

    tol : float, default=1e-4
        Minimum decrease of the monitored loss that counts as improvement.

    device : str or torch.device, default="cpu"
        Where to train and predict, e.g. ``"cpu"``, ``"cuda"``, ``"cuda:1"``.
        On a GPU the training set is moved to the device once when it takes
        at most a quarter of the GPU's free memory; larger sets stay on the
        CPU and batches are streamed through pinned memory.

    n_threads : int or "auto", default="auto"
        Intra-op threads torch computes with while this estimator trains
        and predicts; the caller's ``torch.get_num_threads()`` is restored
        afterwards. ``"auto"`` gives one thread per 1.5 million
        multiply-adds of one recurrent step (batch size times the number
        of weights), at least one and at most ``torch.get_num_threads()``,
        the cores this process may run on and the cores no other process
        is running on: at the default batch size a GRU of up to 128 units
        trains on one thread, which is as fast on a quiet machine and stays
        fast beside other work (torch's threads wait for each other at
        every small operator: several times slower beside one busy
        process). ``torch.set_num_threads``, ``OMP_NUM_THREADS`` and the
        limit joblib's worker processes start with cap ``"auto"``; an int
        sets the count exactly. See :ref:`threads`.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, shuffling and dropout. An int makes
        training on the CPU exactly reproducible when fits run one at a time
        in a process or in processes of their own (joblib's default
        ``loky`` backend); fits running at once in threads of one process
        share torch's generator and are not, which a seeded fit warns
        about. The caller's global torch and NumPy random states are left
        unchanged either way.

    verbose : int, default=0
        0 is silent; 1 prints skorch's per-epoch table; 2 adds a progress bar
        over the batches of each epoch (tqdm), for long fits.

    warm_start : bool, default=False
        If True and the estimator is fitted, :meth:`fit` continues training
        the current network (and optimizer state) for ``max_epochs`` more
        epochs instead of starting anew, as in scikit-learn's MLP. The
        feature count, outputs and (for classifiers) classes must not change.

    checkpoint : str, path or None, default=None
        Directory where the training state (weights, optimizer, history,
        early stopping's and the learning rate's counters, random generator
        state) is saved after each epoch (at most one save a second and a
        tenth of the training time; the last epoch always), in a file of its
        own per configuration and training data. If the directory holds the state
        of the same run, :meth:`fit` continues it up to ``max_epochs``
        epochs in all (to the same model an uninterrupted fit gives); a run
        that early stopping ended, or one that reached ``max_epochs``, is
        restored without training. The fits of a search may share one
        directory: survivors of ``HalvingGridSearchCV(resource="max_epochs")``
        then continue instead of restarting.

    patch_size : int or "auto", default="auto"
        Number of consecutive time steps read as one recurrent step: the
        recurrence runs over ``ceil(n_timesteps / patch_size)`` steps whose
        inputs ``x_t`` hold one patch of ``patch_size * n_features`` values
        (zeros past the end). Long sequences are where gradients vanish
        and training is slow; patches shorten both the gradient path and
        the time loop. ``"auto"`` makes patches of
        ``ceil(n_timesteps / 32)`` steps, so the recurrence has 32 steps
        (sequences of up to 32 steps are read one step at a time), for the
        median length of the training sequences of the first fit (kept in
        ``patch_size_``; a ragged set is not read by its longest member);
        it is 1 with ``return_sequences=True``, which needs one output per
        time step. See :ref:`defaults`.

    embedding : {"patch", "conv", "dilated"}, default={embedding}
        How a patch of ``patch_size_`` steps becomes the cells' input
        ``x_t``. ``"patch"``: its ``patch_size_ * n_features`` values side by
        side, a feature per position in the patch. ``"conv"``: a learned
        causal convolution over the time steps (each step and the 6 before
        it) gives ``hidden_size`` features per step, and ``x_t`` is their
        maximum over the patch, so a pattern reads the same wherever it
        falls (the convolutional front of LSTM-FCN and of the
        convolutional-recurrent classifiers). ``"dilated"``: the
        ``hidden_size`` features come from causal convolutions at dilations
        1, 2, 4 and 8 (7 taps reaching 7, 13, 25 and 49 steps back, so one
        layer sees patterns at several time scales, as MiniRocket's dilated
        kernels do), and ``x_t`` is their maximum beside their mean over the
        patch (``2 * hidden_size`` inputs: where a pattern is strongest, and
        how much of the patch matches it). See :ref:`defaults`.

    readout : {"last", "pool", "mean_max"}, default={readout}
        What the output layer reads per sequence. ``"last"``: the top
        layer's hidden state at the last valid step, ``y = V h_T + c``.
        ``"pool"``: that state beside the mean and the maximum of the top
        layer's states over all valid steps, so that an early event is not
        lost by the end of a long sequence. ``"mean_max"``: the mean and
        the maximum alone, ``y = V [mean_t h_t, max_t h_t] + c``, which
        read every step alike, as the global pooling of the fully
        convolutional classifiers does. Ignored with
        ``return_sequences=True``, where each step has its own output.

    instance_norm : bool, default={instance_norm}
        If True, each sequence is z-normalized on its own inside the
        network, feature by feature over its valid steps, and the output
        layer reads its level and log standard deviation beside the hidden
        states: the cells see a sequence's shape whatever its amplitude,
        and the amplitude still counts. On archives of raw amplitudes,
        where most sequences are nearly flat after a global scaler, this is
        the difference between reading the shapes and not (see
        :ref:`defaults`); on z-normalized data it changes little. The
        variance is floored (a constant sequence becomes zeros) at a
        thousandth of the smallest variance of a training sequence, at most
        1e-5, so that every training sequence is read at its own scale; the
        floor is kept in ``fitted_state_``. Ignored with
        ``return_sequences=True`` (a step's output would depend on later
        steps).

    batch_norm : bool, default={batch_norm}
        If True, the convolutions of ``embedding="conv"`` or ``"dilated"``
        are batch-normalized before their relu, ``relu(BN(conv(x)))`` as in
        the fully convolutional and ResNet classifiers of Wang et al. (2017):
        in training over the sequences of the batch and their valid steps
        (padding counts in no statistic; a sequence weighs its
        ``sample_weight``, as in the loss; in data-parallel training the
        whole batch over all processes), in prediction by the running
        averages kept in training, so a prediction does not depend on its
        batch. The classifiers' fits reach their training sets in fewer
        epochs and generalize better (see :ref:`defaults`). Ignored with
        ``embedding="patch"``, which has no convolution.

    time_warp : float >= 0, default=0.0
        Training-time augmentation against overfitting: in every epoch each
        sequence is read at a random, smoothly varying speed (after
        ``instance_norm``'s scaling), drawn afresh each time, so that the
        network learns patterns that arrive a few steps early or late
        rather than the training sequences' exact timings. The speed is
        ``1 + time_warp * z`` with ``z`` standard normal at 6 points spread
        over each sequence's own valid steps and linear in between; a
        sequence still starts at its first step and ends at its last, and
        the values between two steps are interpolated. Prediction never
        warps. Off by default: it helps where a class is a shape that
        recurs at varying speed (``time_warp=0.2``, three seeds: ArrowHead
        +3.3 and +2.6 points, OSULeaf +1.5 and +4.5 for the GRU and the
        LSTM) and destroys information at the scale of a single step
        (ACSF1, whose 4-step cycles a warp reads in 3 or 5 steps: 0.827 ->
        0.587 and 0.807 -> 0.560). See :ref:`overfitting`. Ignored with
        ``return_sequences=True``, whose steps have their own targets.

    time_shift : float in [0, 1], default=0.0
        Training-time augmentation for sequences whose starting point is
        arbitrary: in every epoch each sequence is rotated by a random
        number of steps, up to ``time_shift`` of its length, drawn afresh
        each time, so that it is read from a random step and wraps around
        to its first step after its last (``1.0``: any start). The values
        are moved, never changed, and a ragged sequence is rotated within
        its own steps. Prediction never shifts. Off by default: it is a
        claim that where a pattern falls does not carry the class, true of
        closed outlines such as leaf contours traced from an arbitrary
        point (OSULeaf, ``time_shift=1.0``, three seeds: 0.835 -> 0.877 for
        the GRU, 0.822 -> 0.883 for the LSTM) and false where the position
        is the information (ItalyPowerDemand's hours of the day: 0.960 ->
        0.956; ACSF1: 0.827 -> 0.810, its training set no longer fitted;
        GRU, ``readout="pool"``). See :ref:`overfitting`. Ignored with
        ``return_sequences=True``, whose steps have their own targets.

    return_sequences : bool, default=False
        If True, predict one target (or label) per time step,
        ``y_t = V h_t + b_y``, instead of one per sequence: ``y`` then has
        shape ``(n_samples, n_timesteps[, n_outputs])``, or is a list of
        per-sequence arrays when ``X`` is a list of variable-length
        sequences (sequence-to-sequence regression, sequence labelling).
        Padded steps never enter the loss.

    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra :mod:`skorch.callbacks` run during training. They are copied,
        so the instances passed are never modified. The names of the
        callbacks the estimator adds (``"gradient_clip"``,
        ``"early_stopping"``, ``"lr_plateau"``, ``"progress_bar"``,
        ``"checkpoint"``, where their parameters add them) are taken."""

SHARED_ATTRIBUTES_DOC = """\
n_features_in_ : int
        For 2-D input ``(n_samples, n_timesteps)``: the number of columns, as
        everywhere in scikit-learn. For 3-D and variable-length input: the
        number of features per time step (the number of time steps may
        differ between fit and predict).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, defined only when ``X`` was a DataFrame.

    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch module.

    history_ : pandas.DataFrame
        One row per epoch with ``train_loss``, ``valid_loss`` (when early
        stopping) and the duration ``dur`` in seconds.

    n_iter_ : int
        Number of epochs run.

    patch_size_ : int
        Time steps per recurrent step (``patch_size`` resolved on the first
        fit).

    early_stopping_ : bool
        Whether training held out samples (``early_stopping`` resolved on
        the first fit).

    fitted_state_ : FittedState
        What the network's inputs and outputs mean: features per time step,
        the target's standardization (regressors) or the classes in logit
        order (classifiers), the shape predictions take. Read by
        :func:`~sksequence.save`, the exporters and :mod:`sksequence.inspection`."""

INPUT_DOC = """\
X : array-like of shape (n_samples, n_timesteps, n_features) or list
            Sequences. A 2-D array or DataFrame ``(n_samples, n_timesteps)``
            holds univariate sequences. A list of arrays of shape
            ``(n_timesteps_i, n_features)`` (or 1-D) may mix lengths: they
            are padded and packed, so padding never changes a prediction.
            One sequence ``x`` of shape ``(n_timesteps, n_features)`` is
            passed as ``x[None]`` or ``[x]``: a 2-D ``x`` with one column
            would read as sequences of one step, and is refused by a model
            fitted on longer ones."""


class SequenceEstimator(BaseEstimator):
    """Base of all sequence estimators. Not meant to be used directly.

    Subclasses set ``_cell`` (``"rnn"``, ``"lstm"`` or ``"gru"``), the
    ``_criterion`` class and ``_prepare_target``. A leaf with a cell-specific
    parameter names it in ``_cell_params``, spells out an ``__init__`` that
    takes every shared parameter plus its own and passes the shared ones to
    this ``__init__``; ``__init_subclass__`` adds the parameter's rules from
    ``_cell_param_constraints`` to ``_parameter_constraints``.
    """

    _cell = None
    _cell_params = ()
    _cell_param_constraints = {
        "nonlinearity": [StrOptions({"tanh", "relu"})],
        "peephole": ["boolean"],
        "reset_after": ["boolean"],
    }

    _parameter_constraints = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "bidirectional": ["boolean", StrOptions({"auto"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "validation_split": [
            StrOptions(set(VALIDATION_SPLITS)),
            HasMethods(["split", "get_n_splits"]),
        ],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [str, torch.device],
        "n_threads": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "checkpoint": [str, os.PathLike, None],
        "patch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "embedding": [StrOptions(set(EMBEDDINGS))],
        "readout": [StrOptions(set(READOUTS))],
        "instance_norm": ["boolean"],
        "batch_norm": ["boolean"],
        "time_warp": [Interval(Real, 0, None, closed="left")],
        "time_shift": [Interval(Real, 0, 1, closed="both")],
        "return_sequences": ["boolean"],
        "callbacks": [list, None],
    }

    # The leaves spell out this signature plus their cell parameter, each in
    # its own __init__, as scikit-learn's MLPRegressor/MLPClassifier do over
    # BaseMultilayerPerceptron: a signature written in code is what help(),
    # IDEs and static type checkers read (a generated one is seen at run time
    # only). The price is repetition; tests/test_base.py checks that
    # every leaf's signature is this one plus exactly its cell parameter.
    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        max_epochs=200,
        batch_size=16,
        lr=1e-2,
        optimizer="adam",
        weight_decay=0.0,
        gradient_clip=1.0,
        early_stopping=True,
        validation_fraction=0.2,
        validation_split="auto",
        n_iter_no_change="auto",
        tol=1e-4,
        device="cpu",
        n_threads="auto",
        random_state=None,
        verbose=0,
        warm_start=False,
        checkpoint=None,
        patch_size="auto",
        embedding="patch",
        readout="last",
        instance_norm=False,
        batch_norm=False,
        time_warp=0.0,
        time_shift=0.0,
        return_sequences=False,
        callbacks=None,
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.gradient_clip = gradient_clip
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.validation_split = validation_split
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.checkpoint = checkpoint
        self.patch_size = patch_size
        self.embedding = embedding
        self.readout = readout
        self.instance_norm = instance_norm
        self.batch_norm = batch_norm
        self.time_warp = time_warp
        self.time_shift = time_shift
        self.return_sequences = return_sequences
        self.callbacks = callbacks

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_cell_params" in cls.__dict__ and cls._cell_params:
            cls._parameter_constraints = {
                **cls._parameter_constraints,
                **{k: cls._cell_param_constraints[k] for k in cls._cell_params},
            }
        if cls.__doc__:
            shared = SHARED_PARAMETERS_DOC
            # the defaults that differ between the families, as this class's
            # signature spells them
            signature = inspect.signature(cls.__init__).parameters
            for name in _FAMILY_DEFAULTS:
                shared = shared.replace(
                    f"{{{name}}}", repr(signature[name].default).replace("'", '"')
                )
            cls.__doc__ = (
                cls.__doc__.replace("{shared_parameters}", shared)
                .replace("{shared_attributes}", SHARED_ATTRIBUTES_DOC)
                .replace("{input}", INPUT_DOC)
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.required = True
        return tags

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    # -- fit / predict template ------------------------------------------

    def _new_fitted_state(self, spec, X3, lengths):
        """The fitted state of a new network for training sequences ``X3``:
        their input ``spec``, and with ``instance_norm`` its variance floor."""
        state = FittedState(**spec._asdict())
        if self._instance_norm:
            floor = instance_norm_floor(X3, lengths)
            state = replace(state, instance_norm_eps=(floor, INSTANCE_NORM_LEVEL_EPS))
        return state

    @property
    def _instance_norm(self):
        """Whether the network normalizes each sequence: a sequence's mean
        would carry its later steps to the earlier steps' own outputs."""
        return bool(self.instance_norm) and not self.return_sequences

    def _module_params(self):
        """Parameters of :class:`~sksequence._modules.SequenceModel`."""
        # plain Python types: torch rejects NumPy scalars (np.int64, np.bool_)
        params = {
            "cell": self._cell,
            "hidden_size": int(self.hidden_size),
            "num_layers": int(self.num_layers),
            "dropout": float(self.dropout),
            # "auto": both directions unless each step has its own output
            "bidirectional": (
                not self.return_sequences
                if isinstance(self.bidirectional, str)
                else bool(self.bidirectional)
            ),
            "return_sequences": bool(self.return_sequences),
            "patch_size": int(self.patch_size_),
            "embedding": self.embedding,
            # each step has its own output: there is no sequence to read out
            "readout": "last" if self.return_sequences else self.readout,
            "instance_norm": self._instance_norm,
            # only convolutions are normalized
            "batch_norm": bool(self.batch_norm) and self.embedding != "patch",
            # each step has its own target: its steps must stay where they are
            "time_warp": 0.0 if self.return_sequences else float(self.time_warp),
            "time_shift": 0.0 if self.return_sequences else float(self.time_shift),
        }
        for name in self._cell_params:
            value = getattr(self, name)
            params[name] = value.item() if isinstance(value, np.generic) else value
        return params

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or list
            Training sequences (see the class docstring for accepted forms).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the loss: the training loss is the
            weighted mean over the samples (with ``return_sequences``, over
            every valid step, each weighted by its sequence's weight), so an
            integer weight ``k`` counts a sample ``k`` times and a zero
            weight removes its influence on the gradient. The early-stopping
            holdout keeps its samples' weights for the validation loss. See
            :ref:`sample-weights` for what is exactly equivalent to
            repeating samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        check_no_bool_ints(self, _INT_PARAMS)
        warm = self.warm_start and hasattr(self, "net_")
        X3, lengths, spec = validate_sequences(self, X, reset=not warm)
        if not warm:
            # a new fit: the input half of the contract (the target fills the rest)
            self.fitted_state_ = self._new_fitted_state(spec, X3, lengths)
        sample_weight = _uniform_as_none(validate_sample_weight(sample_weight, X3))
        if not warm:
            self.early_stopping_ = self._resolve_early_stopping(len(X3))
        y_net, output_size = self._prepare_target(
            y, X3, lengths, reset=not warm, sample_weight=sample_weight
        )
        weights = self._training_weights(sample_weight, y_net)
        session = self._train(X3, lengths, y_net, output_size, weights, warm=warm)
        self._finish_fit(X3, lengths, y_net, weights, session)
        return self

    def _partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch on ``(X, y)``, continuing the current network."""
        check_no_bool_ints(self, _INT_PARAMS)
        first = not hasattr(self, "net_")
        X3, lengths, spec = validate_sequences(self, X, reset=first)
        if first:
            self.fitted_state_ = self._new_fitted_state(spec, X3, lengths)
        sample_weight = _uniform_as_none(validate_sample_weight(sample_weight, X3))
        if first:
            self.early_stopping_ = self._resolve_early_stopping(len(X3))
        if first and classes is not None:
            self._set_classes(classes)
        y_net, output_size = self._prepare_target(
            y,
            X3,
            lengths,
            reset=first and classes is None,
            sample_weight=sample_weight,
        )
        weights = self._training_weights(sample_weight, y_net)
        session = self._train(
            X3, lengths, y_net, output_size, weights, warm=not first, epochs=1
        )
        self._finish_fit(X3, lengths, y_net, weights, session)
        return self

    def _finish_fit(self, X3, lengths, y_net, weights, session):
        """After training on the validated data: what a leaf derives from the
        trained network (regressors: the calibration of their spread, on the
        session's holdout)."""

    def _training_weights(self, sample_weight, y_net):
        """The weights the loss reads (float32), or None when all are equal.

        Classifiers multiply in their class weights.
        """
        if sample_weight is None:
            return None
        return sample_weight.astype(np.float32)

    def _train(self, X3, lengths, y_net, output_size, weights, *, warm, epochs=None):
        """Check the sizes, describe the training session, run it and record
        what it hands back; returns the :class:`~sksequence._session.TrainingResult`.

        The session (:func:`sksequence._session.train`) picks the device,
        seeds, builds or continues the net, resumes a checkpoint and trains,
        on one process or inside a
        :func:`~sksequence.distributed.data_parallel` block of several.
        """
        device = resolve_device(self.device)
        sizes = self.fitted_state_.net_sizes
        if warm and sizes != (X3.shape[2], output_size):
            raise ValueError(
                f"Cannot continue training: the network was built for "
                f"{sizes[0]} input features and {sizes[1]} outputs, got "
                f"{X3.shape[2]} and {output_size}."
            )
        if not warm:
            typical = X3.shape[1] if lengths is None else int(np.median(lengths))
            self.patch_size_ = self._resolve_patch_size(typical)
        if self.checkpoint is not None:
            # a checkpoint belongs to one data set too (e.g. one CV fold)
            self._data_key = _digest(X3, lengths, y_net, weights)
        spec = TrainingSpec(
            build=lambda device, seed, main: build_fitted_net(
                self, device, seed, main=main
            ),
            threads=lambda module: self._threads(module, self.batch_size),
            device=device,
            seed=_torch_seed(self.random_state),
            epochs=self.max_epochs if epochs is None else epochs,
            random_state=self.random_state,
            net=self.net_ if warm else None,
            checkpoint=self.checkpoint,
            fingerprint=None if self.checkpoint is None else self._fingerprint(),
        )
        data = TrainingData(X3, y_net, lengths=lengths, sample_weight=weights)
        session = train(spec, data)
        self.net_ = session.net
        self.history_ = session.history
        self.n_iter_ = session.n_iter
        if session.interrupted:
            warnings.warn(
                f"Training was interrupted; the model keeps the weights of the "
                f"last completed epoch ({self.n_iter_}).",
                UserWarning,
                stacklevel=3,
            )
        return session

    #: ``early_stopping="auto"`` holds out only when the holdout would have
    #: at least this many samples; None: never (classifiers)
    _auto_min_holdout = AUTO_MIN_HOLDOUT
    #: ``early_stopping="auto"`` without a holdout also stops once the
    #: training loss is at most this (the training set is fitted); its
    #: loss's own value, so each family sets it (classifiers: the
    #: cross-entropy's; regressors: their head's). None: no floor
    _auto_fitted_loss = None

    def _resolve_early_stopping(self, n_samples):
        """``early_stopping`` as a bool for a training set of ``n_samples``."""
        if self.early_stopping == "auto":
            if not isinstance(self.validation_split, str):
                return True  # the user's splitter chose a holdout
            minimum = self._auto_min_holdout
            return (
                minimum is not None and self.validation_fraction * n_samples >= minimum
            )
        if self.early_stopping and n_samples < 2:
            raise ValueError(
                "early_stopping=True holds out samples for validation and "
                f"needs at least 2 samples; got n_samples = {n_samples}. Pass "
                "more samples or set early_stopping=False."
            )
        return bool(self.early_stopping)

    def _resolve_patch_size(self, n_timesteps):
        if self.patch_size == "auto":
            if self.return_sequences:
                return 1
            return max(1, math.ceil(n_timesteps / AUTO_PATCH_STEPS))
        if self.return_sequences and self.patch_size != 1:
            raise ValueError(
                f"return_sequences=True needs one output per time step, so it "
                f"reads every step: patch_size must be 1 or 'auto', got "
                f"{self.patch_size}."
            )
        return int(self.patch_size)

    def _fingerprint(self):
        """What a checkpoint must match: configuration and training data."""
        ignored = {
            "max_epochs",
            "verbose",
            "callbacks",
            "checkpoint",
            "warm_start",
            "n_threads",
        }
        params = {
            key: repr(value)
            for key, value in sorted(self.get_params().items())
            if key not in ignored
        }
        return json.dumps(
            {
                "class": type(self).__name__,
                "params": params,
                "sizes": self.fitted_state_.net_sizes,
                "data": getattr(self, "_data_key", None),
            }
        )

    def _forward(self, X, *outputs, levels=None):
        """The network's outputs for ``X`` in the user's terms, as float64
        NumPy arrays: one per name in ``outputs``, read out of one forward
        pass (see :mod:`sksequence._readout`).

        Returns ``(*values, lengths)``: each value has shape
        (n_samples[, n_timesteps][, n_outputs][, n_levels]); ``lengths`` is
        None unless ``X`` had variable lengths.
        """
        if not self.__sklearn_is_fitted__():
            # scikit-learn's NotFittedError; asked only when unfitted, since
            # check_is_fitted builds the tags on every call of predict
            check_is_fitted(self)
        X3, lengths, _ = validate_sequences(self, X, reset=False)
        out = network_output(self, X3, lengths)
        # out holds no graph, the readout no trainable parameter: no grad mode
        state = self.fitted_state_
        values = [cached_readout(state, o, levels)(out).numpy() for o in outputs]
        return (*values, lengths)

    def _threads(self, module, batch_size):
        """Intra-op threads for running ``module`` on batches of ``batch_size``
        (``n_threads`` resolved; see :mod:`sksequence._threads`)."""
        if self.n_threads == "auto":
            return auto_threads(step_work(module, batch_size))
        return int(self.n_threads)

    def _sequence_score(self, X, y, metric, sample_weight=None):
        """``metric(y_true, y_pred)`` over all time steps of all sequences.

        With ``sample_weight``, every step weighs as its sequence.
        """
        pred = self.predict(X)
        check_score_target(pred, y)
        if sample_weight is not None:
            weights = validate_sample_weight(sample_weight, pred)
            sample_weight = np.repeat(weights, [len(s) for s in pred])

        def pooled(seqs):
            return np.concatenate([np.reshape(s, (len(s), -1)) for s in seqs])

        return float(metric(pooled(y), pooled(pred), sample_weight=sample_weight))

    def _per_sequence(self, out, lengths):
        """Per-step outputs as returned to the user: an array, or a list of
        arrays trimmed to each sequence's length when lengths varied."""
        if lengths is None or not self.return_sequences:
            return out
        return [row[:n] for row, n in zip(out, lengths)]


_INT_PARAMS = (
    "hidden_size",
    "num_layers",
    "max_epochs",
    "batch_size",
    "n_iter_no_change",
    "patch_size",
)


def _digest(X3, lengths, y, weights=None):
    """A digest of the training data, read in chunks (X may be a large view).

    Sample weights are part of the data: other weights, another run.
    """
    h = hashlib.sha256(repr((X3.shape, str(X3.dtype), y.shape)).encode())
    chunk = max(1, DIGEST_CHUNK_BYTES // max(1, X3[0].nbytes))
    for start in range(0, len(X3), chunk):
        h.update(np.ascontiguousarray(X3[start : start + chunk]).tobytes())
    for array in (lengths, y, weights):
        if array is not None:
            h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def _torch_seed(random_state):
    """A torch seed from ``random_state`` that never touches global RNG state."""
    if random_state is None:
        # fresh OS entropy: drawing from np.random's global state would change it
        return int(np.random.SeedSequence().generate_state(1)[0])
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


# -- the surface other modules use -------------------------------------------
# What persistence, the exporters, inspection and forecasting need of a fitted
# estimator beyond its public attributes and ``fitted_state_``: these
# functions, rather than the estimator's private methods.


def is_sequence_estimator(estimator):
    """Whether ``estimator`` is one of sksequence's recurrent estimators."""
    return isinstance(estimator, SequenceEstimator)


def is_sequence_classifier(estimator):
    """Whether ``estimator`` is one of sksequence's recurrent classifiers."""
    return is_sequence_estimator(estimator) and is_classifier(estimator)


def resolve_device(device):
    """``device`` (a string or a torch device) as a ``torch.device`` that
    exists here; a ``ValueError`` naming the fix otherwise."""
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a valid torch device; use e.g. 'cpu', "
            "'cuda' or 'cuda:0'."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but torch.cuda.is_available() is "
            "False; install a CUDA build of torch or use device='cpu'."
        )
    return resolved


def module_arguments(estimator):
    """The keyword arguments of :class:`~sksequence._modules.SequenceModel`
    for a fitted ``estimator``: the sizes recorded in ``fitted_state_`` and
    the network's parameters.

    What :func:`build_fitted_net` builds its module from, and what
    :func:`sksequence.load` builds a shape-only (``"meta"``) copy from, to
    check a file's tensors before anything is allocated.
    """
    state = estimator.fitted_state_
    input_size, output_size = state.net_sizes
    return {
        "input_size": input_size,
        "output_size": output_size,
        **estimator._module_params(),
        "instance_norm_eps": state.instance_norm_eps,
    }


def build_fitted_net(estimator, device, seed=0, main=True):
    """The uninitialized skorch net of ``estimator`` for the sizes recorded
    in fit (``fit`` trains it; :func:`sksequence.load` fills it).

    ``seed`` draws the early-stopping holdout; ``main=False``: a
    data-parallel process other than process 0, which prints nothing and
    writes no checkpoint.
    """
    holdout = None
    if estimator.early_stopping_:
        holdout = holdout_split(
            estimator,
            classifier=is_classifier(estimator),
            per_step=estimator.return_sequences,
            seed=seed,
        )
    return build_net(
        estimator,
        module=module_arguments(estimator),
        criterion=estimator._criterion(),
        device=device,
        holdout=holdout,
        fingerprint=estimator._fingerprint(),
        main=main,
    )


def network_output(estimator, X3, lengths):
    """The network's float64 output for validated sequences, as a tensor
    (in batches, on the estimator's device, with its threads)."""
    net = estimator.net_
    module, batch_size = net.module_, net.iterator_valid__batch_size
    with intra_op_threads(estimator._threads(module, min(len(X3), batch_size))):
        return predict_in_batches(
            module, X3, lengths, batch_size=batch_size, device=net.device
        )


def network_target(estimator, y, X3, lengths):
    """``y`` as the network is trained on it (standardized or label-encoded),
    validated against the fitted state; nothing is written."""
    target, _ = estimator._prepare_target(y, X3, lengths, reset=False)
    return target


def _uniform_as_none(weights):
    """None for weights that are all equal: their weighted mean is the mean.

    Training then runs the unweighted code path, so that weights of ones
    give bit-identical models (scikit-learn's ``check_sample_weights_invariance``).
    """
    if weights is None or np.all(weights == weights[0]):
        return None
    return weights
