"""RNN, LSTM and GRU classifiers."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._base import SequenceEstimator
from ._compat import StrOptions
from ._constants import AUTO_FITTED_CROSS_ENTROPY, IGNORE_INDEX
from ._modules import SequenceCrossEntropyLoss
from ._validation import (
    check_class_weight,
    check_same_length,
    naming,
    validate_sequence_target,
)

__all__ = ["RNNClassifier", "LSTMClassifier", "GRUClassifier"]

CLASS_WEIGHT_DOC = """\
class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn's linear
        models: a dict ``{label: weight}`` (absent labels weigh 1), or
        ``"balanced"``, ``n_samples / (n_classes * np.bincount(y))``
        from the training labels (per step with ``return_sequences``).
        Multiplied with ``sample_weight``. For imbalanced classes. A dict's
        keys are the labels as they appear in ``y`` (strings stay strings);
        a key that is not a class, a weight that is not a finite,
        non-negative number, or weights that are zero for every training
        sample raise a ``ValueError``."""


class SequenceClassifier(ClassifierMixin, SequenceEstimator):
    """Classification template: label encoding, cross-entropy, probabilities.

    The network outputs one logit per class (two for binary problems);
    ``predict_proba`` is their softmax and ``decision_function`` the logits
    (for binary problems the difference of the two, positive for
    ``classes_[1]``).
    """

    _parameter_constraints = {
        **SequenceEstimator._parameter_constraints,
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def __init_subclass__(cls, **kwargs):
        if cls.__doc__:
            cls.__doc__ = cls.__doc__.replace("{class_weight}", CLASS_WEIGHT_DOC)
        super().__init_subclass__(**kwargs)

    # early_stopping="auto" never holds out: the held-out cross-entropy is
    # lowest epochs before the held-out accuracy is highest (it also counts
    # how sure the net is), so restoring its best epoch stops a classifier
    # under-fitted at any size (docs/benchmarks/classification.rst: 537 and
    # 567 sequences)
    _auto_min_holdout = None
    # the cross-entropy at which a training set counts as fitted, reached
    # 24-44 % of the epochs sooner than AUTO_FITTED_LOSS, at its accuracy
    # within the seeds' spread, since the mean/max readout (_constants)
    _auto_fitted_loss = AUTO_FITTED_CROSS_ENTROPY

    def _criterion(self):
        return SequenceCrossEntropyLoss

    def _prepare_target(self, y, X3, lengths, reset=True, sample_weight=None):
        if self.return_sequences:
            Y, mask, _ = validate_sequence_target(y, X3, lengths, numeric=False)
            encoded = np.full(Y.shape, IGNORE_INDEX, dtype=np.int64)
            encoded[mask] = self._encode_labels(Y[mask], reset)
            return encoded, len(self.classes_)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        with naming("y"):
            y = column_or_1d(y, warn=True)
        check_same_length(X3, y)
        return self._encode_labels(y, reset), len(self.classes_)

    def _set_classes(self, classes):
        classes = np.asarray(classes)
        with naming("y"):
            check_classification_targets(classes)
        try:
            classes = np.unique(classes)
        except TypeError as exc:
            raise ValueError(
                f"y mixes labels of different types ({exc}); use labels of one "
                "type (all strings or all numbers)."
            ) from exc
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in y; "
                f"got only one class: {classes[0]!r}."
            )
        self.classes_ = classes
        self.fitted_state_ = self.fitted_state_.with_outputs(
            n_outputs=len(classes),
            per_step=bool(self.return_sequences),
            classes=classes,
        )

    def _encode_labels(self, y, reset=True):
        """Int64 codes of 1-D labels ``y``; with ``reset``, set ``classes_``."""
        with naming("y"):
            check_classification_targets(y)
        if reset:
            self._set_classes(y)
        unseen = np.setdiff1d(y, self.classes_)
        if len(unseen):
            raise ValueError(
                f"y contains labels not in classes_ {list(self.classes_)!r}: "
                f"{list(unseen)!r}. Pass all classes to the first partial_fit "
                "call (classes=...) or refit without warm_start."
            )
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def decision_function(self, X):
        """Class scores (logits) for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or list
            Sequences, in the same form as in :meth:`fit`.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For binary problems, the score of ``classes_[1]`` minus that of
            ``classes_[0]``; else one logit per class. With
            ``return_sequences=True`` one such score per time step (a list
            of arrays when ``X`` had variable lengths).
        """
        logits, lengths = self._forward(X, "decision")
        if len(self.classes_) == 2:
            logits = logits[..., 1] - logits[..., 0]
        return self._per_sequence(logits, lengths)

    def predict_proba(self, X):
        """Class probabilities for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or list
            Sequences, in the same form as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to 1. With
            ``return_sequences=True``, shape (n_samples, n_timesteps,
            n_classes) (a list of arrays when ``X`` had variable lengths).
        """
        proba, lengths = self._forward(X, "predict")
        return self._per_sequence(proba, lengths)

    def predict(self, X):
        """Predict class labels for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or list
            Sequences, in the same form as in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``. With ``return_sequences=True``, shape
            (n_samples, n_timesteps), or a list of per-sequence arrays when
            ``X`` had variable lengths.
        """
        logits, lengths = self._forward(X, "decision")
        return self._per_sequence(self.classes_[np.argmax(logits, axis=-1)], lengths)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy; per-step labels are pooled over all time steps.

        Parameters
        ----------
        X : array-like or list
            Sequences.
        y : array-like or list
            True labels, in the form used in :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence (with ``return_sequences=True``, of each
            of its steps).

        Returns
        -------
        score : float
        """
        if not self.return_sequences:
            return super().score(X, y, sample_weight=sample_weight)
        return self._sequence_score(X, y, _pooled_accuracy, sample_weight)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on ``(X, y)``, continuing from the current state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or list
            Sequences.
        y : array-like of shape (n_samples,)
            Labels.
        classes : array-like of shape (n_classes,), default=None
            All the classes that will ever appear. Required in the first call
            (as in scikit-learn), ignored afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in this epoch's loss (see :meth:`fit`),
            multiplied by ``class_weight`` (a dict; ``"balanced"`` needs all
            the data, as in scikit-learn's ``SGDClassifier``).

        Returns
        -------
        self : object
        """
        if not hasattr(self, "net_") and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit, e.g. "
                "partial_fit(X, y, classes=np.unique(y_all))."
            )
        if isinstance(self.class_weight, str):
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: one "
                "call sees one chunk of the data, not its class frequencies. "
                "Compute the weights on all labels, e.g. dict(zip(classes, "
                "sklearn.utils.class_weight.compute_class_weight('balanced', "
                "classes=classes, y=y_all))), and pass that dict."
            )
        return self._partial_fit(X, y, classes=classes, sample_weight=sample_weight)

    def _training_weights(self, sample_weight, y_net):
        """Sample weights times class weights, per sequence or per step."""
        if self.class_weight is None:
            return super()._training_weights(sample_weight, y_net)
        labelled = y_net != IGNORE_INDEX
        if isinstance(self.class_weight, dict):
            per_class = check_class_weight(self.class_weight, self.classes_)
        else:  # "balanced": from the label counts, finite and positive
            per_class = compute_class_weight(
                self.class_weight,
                classes=self.classes_,
                y=self.classes_[y_net[labelled]],
            )
        weights = np.zeros(y_net.shape)
        weights[labelled] = per_class[y_net[labelled]]
        if sample_weight is not None:
            weights *= sample_weight.reshape(-1, *[1] * (y_net.ndim - 1))
        # before the shortcut below: weights that are all zero are all equal
        if not weights.any():
            raise ValueError(
                "class_weight (times sample_weight) is zero for every training "
                f"sample, so the weighted loss is undefined: class weights "
                f"{dict(zip(self.classes_.tolist(), per_class.tolist()))!r}. Give "
                "at least one class present in y a positive weight."
            )
        if np.all(weights[labelled] == weights[labelled][0]):
            return None  # e.g. balanced classes: the unweighted mean
        return weights.astype(np.float32)


class RNNClassifier(SequenceClassifier):
    """Elman recurrent network classifier.

    Reads each sequence with ``h_t = f(W x_t + U h_{t-1} + b)`` (``f`` is
    ``nonlinearity``) and computes class logits ``V h_T + b_y`` from the last
    hidden state.

    Parameters
    ----------
    {shared_parameters}

    nonlinearity : {"tanh", "relu"}, default="tanh"
        The activation ``f``.

    {class_weight}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in :meth:`fit`.

    {shared_attributes}

    See Also
    --------
    LSTMClassifier : Long short-term memory, for long-range dependencies.
    GRUClassifier : Gated recurrent unit.
    RNNRegressor : The regressor counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import RNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 10, 2))
    >>> y = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
    >>> clf = RNNClassifier(hidden_size=16, max_epochs=5, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['down', 'up'], dtype='<U4')
    >>> clf.predict_proba(X[:2]).sum(axis=1)
    array([1., 1.])
    """

    _cell = "rnn"
    _cell_params = ("nonlinearity",)

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional="auto",
        max_epochs=200,
        batch_size=16,
        lr=1e-2,
        optimizer="adam",
        weight_decay=0.0,
        gradient_clip=1.0,
        early_stopping="auto",
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
        embedding="dilated",
        readout="mean_max",
        instance_norm=True,
        batch_norm=True,
        time_warp=0.0,
        time_shift=0.0,
        return_sequences=False,
        callbacks=None,
        class_weight=None,
        nonlinearity="tanh",
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            gradient_clip=gradient_clip,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            validation_split=validation_split,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            n_threads=n_threads,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint=checkpoint,
            patch_size=patch_size,
            embedding=embedding,
            readout=readout,
            instance_norm=instance_norm,
            batch_norm=batch_norm,
            time_warp=time_warp,
            time_shift=time_shift,
            return_sequences=return_sequences,
            callbacks=callbacks,
        )
        self.class_weight = class_weight
        self.nonlinearity = nonlinearity


class LSTMClassifier(SequenceClassifier):
    """Long short-term memory (LSTM) classifier.

    Parameters
    ----------
    {shared_parameters}

    peephole : bool, default=False
        Peephole connections: the input, forget and output gates also see
        the previous cell state through diagonal weights, ``i_t =
        sigmoid(W_xi x_t + W_hi h_{t-1} + w_ci * c_{t-1} + b_i)`` and so on
        (after Gers and Schmidhuber, 2000), which helps tasks that depend on
        precise timing. Runs a PyTorch loop instead of the fused ``nn.LSTM``
        kernel: about 1.2x its training time on a CPU.

    {class_weight}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in :meth:`fit`.

    {shared_attributes}

    See Also
    --------
    GRUClassifier : Gated recurrent unit.
    RNNClassifier : Elman network.
    LSTMRegressor : The regressor counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import LSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.normal(size=(n, 1)) for n in (5, 8, 12, 7) * 8]  # ragged
    >>> y = [len(x) > 7 for x in X]
    >>> clf = LSTMClassifier(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)
    >>> clf.predict(X[:4]).shape
    (4,)
    """

    _cell = "lstm"
    _cell_params = ("peephole",)

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional="auto",
        max_epochs=200,
        batch_size=16,
        lr=1e-2,
        optimizer="adam",
        weight_decay=0.0,
        gradient_clip=1.0,
        early_stopping="auto",
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
        embedding="dilated",
        readout="mean_max",
        instance_norm=True,
        batch_norm=True,
        time_warp=0.0,
        time_shift=0.0,
        return_sequences=False,
        callbacks=None,
        class_weight=None,
        peephole=False,
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            gradient_clip=gradient_clip,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            validation_split=validation_split,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            n_threads=n_threads,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint=checkpoint,
            patch_size=patch_size,
            embedding=embedding,
            readout=readout,
            instance_norm=instance_norm,
            batch_norm=batch_norm,
            time_warp=time_warp,
            time_shift=time_shift,
            return_sequences=return_sequences,
            callbacks=callbacks,
        )
        self.class_weight = class_weight
        self.peephole = peephole


class GRUClassifier(SequenceClassifier):
    """Gated recurrent unit (GRU) classifier.

    Parameters
    ----------
    {shared_parameters}

    reset_after : bool, default=True
        Where the reset gate acts. True: after the recurrent product,
        ``n_t = tanh(W_xh x_t + r_t * (W_hh h_{t-1} + b_hh) + b_xh)``, as
        :class:`torch.nn.GRU`, cuDNN and Keras' default (fast fused kernels).
        False: before it, ``n_t = tanh(W_xh x_t + W_hh (r_t * h_{t-1}) +
        b_h)``, the classic GRU of Cho et al. (2014), run as a PyTorch loop.

    {class_weight}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in :meth:`fit`.

    {shared_attributes}

    See Also
    --------
    LSTMClassifier : Long short-term memory.
    RNNClassifier : Elman network.
    GRURegressor : The regressor counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import GRUClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(90, 12, 1))
    >>> y = np.argmax(X[:, :3, 0], axis=1)  # 3 classes
    >>> clf = GRUClassifier(hidden_size=16, max_epochs=5, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 3)
    """

    _cell = "gru"
    _cell_params = ("reset_after",)

    def __init__(
        self,
        *,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional="auto",
        max_epochs=200,
        batch_size=16,
        lr=1e-2,
        optimizer="adam",
        weight_decay=0.0,
        gradient_clip=1.0,
        early_stopping="auto",
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
        embedding="dilated",
        readout="mean_max",
        instance_norm=True,
        batch_norm=True,
        time_warp=0.0,
        time_shift=0.0,
        return_sequences=False,
        callbacks=None,
        class_weight=None,
        reset_after=True,
    ):
        super().__init__(
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            gradient_clip=gradient_clip,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            validation_split=validation_split,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            n_threads=n_threads,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
            checkpoint=checkpoint,
            patch_size=patch_size,
            embedding=embedding,
            readout=readout,
            instance_norm=instance_norm,
            batch_norm=batch_norm,
            time_warp=time_warp,
            time_shift=time_shift,
            return_sequences=return_sequences,
            callbacks=callbacks,
        )
        self.class_weight = class_weight
        self.reset_after = reset_after


def _pooled_accuracy(y_true, y_pred, sample_weight=None):
    # an elementwise comparison, not accuracy_score: labels of another type
    # than classes_ (never predicted) score 0 instead of raising
    return np.average(y_true.ravel() == y_pred.ravel(), weights=sample_weight)
