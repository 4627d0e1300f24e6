"""The early-stopping holdout: which training samples validate.

A set of windows cut from one series must validate on its *tail*: windows
overlap, and any other split leaks the future into training. A set of
independent sequences, which is what most classification data is, must not:
archives often ship their training sets sorted by class, and the tail then
holds one or two classes that training never sees. :class:`HoldoutSplit`
decides by what the samples are (``validation_split="auto"``: stratified for
classifiers, tail for regressors) or as the user says. It is a small,
picklable plan that the skorch net calls with the targets at the start of
each fit; it holds no data.
"""

import warnings

import numpy as np
from sklearn.model_selection import PredefinedSplit

__all__ = ["VALIDATION_SPLITS", "HoldoutSplit", "holdout_split", "tail_of_each_group"]

VALIDATION_SPLITS = ("auto", "tail", "stratified", "shuffle")

# label of padded steps in per-step classification targets (see _modules)
_PADDING_LABELS = (-100,)


def holdout_split(estimator, *, classifier, per_step, seed):
    """The :class:`HoldoutSplit` of a fit, resolving ``"auto"``.

    Parameters
    ----------
    estimator : SequenceEstimator
        Source of ``validation_split`` and ``validation_fraction``.
    classifier : bool
        Whether the targets are class labels (encoded as ints).
    per_step : bool
        Whether there is one target per time step (``return_sequences``):
        a sequence then has no single label to stratify on.
    seed : int
        Seeds the shuffled and stratified splits.
    """
    method = estimator.validation_split
    if isinstance(method, str):
        if method == "auto":
            if not classifier:
                method = "tail"
            else:
                method = "shuffle" if per_step else "stratified"
        elif method == "stratified" and not classifier:
            raise ValueError(
                "validation_split='stratified' needs class labels, but "
                f"{type(estimator).__name__} is a regressor. Use 'tail' (windows "
                "cut from one series: no look-ahead) or 'shuffle' (independent "
                "sequences)."
            )
        elif method == "stratified" and per_step:
            raise ValueError(
                "validation_split='stratified' needs one label per sequence, but "
                "return_sequences=True gives one per time step. Use 'shuffle' or "
                "'tail'."
            )
    classes = getattr(estimator, "classes_", None) if classifier else None
    return HoldoutSplit(
        method, estimator.validation_fraction, seed=seed, classes=classes
    )


def tail_of_each_group(groups, fraction):
    """The holdout of windows cut from several series: the tail of each.

    The ``"tail"`` split for a panel. Windows of several series laid one
    series after the other (``groups``, as :func:`make_forecasting_data`
    returns it with ``return_groups=True``) must not validate on the last
    series only: each series holds out its own latest windows, in time order,
    ``fraction`` of them (at least one of a series with two or more; a series
    of one window only trains).

    Parameters
    ----------
    groups : array-like of shape (n_samples,)
        The series of each sample, each series' samples contiguous and in
        time order.
    fraction : float in (0, 1)
        Share of each series' samples held out.

    Returns
    -------
    split : sklearn.model_selection.PredefinedSplit
        Held-out samples in fold 0, training ones at -1: a splitter the
        regressors take as ``validation_split``.
    """
    groups = np.asarray(groups)
    test_fold = np.full(len(groups), -1)
    # contiguous runs of one series: their starts and sizes
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    sizes = np.diff(np.r_[starts, len(groups)])
    for start, size in zip(starts, sizes):
        if size > 1:
            n_valid = min(max(1, int(round(fraction * size))), size - 1)
            test_fold[start + size - n_valid : start + size] = 0
    return PredefinedSplit(test_fold)


class HoldoutSplit:
    """Indices of the training and validation samples for early stopping.

    Parameters
    ----------
    method : {"tail", "stratified", "shuffle"} or CV splitter
        ``"tail"``: the last ``fraction`` of the samples, in their order.
        ``"shuffle"``: a random ``fraction``. ``"stratified"``: a random
        ``fraction`` of each class (a class keeps at least one training
        sample). A splitter (anything with ``split(X, y)``, such as
        :class:`~sklearn.model_selection.StratifiedShuffleSplit` or
        :class:`~sklearn.model_selection.PredefinedSplit`): its first split.
    fraction : float in (0, 1)
        Share of the samples held out (at least one sample).
    seed : int
        Seeds ``"shuffle"`` and ``"stratified"``.
    classes : ndarray or None
        The class labels when the targets are their int codes (then a split
        that leaves a class out of training is warned about).
    """

    def __init__(self, method, fraction, *, seed, classes=None):
        self.method = method
        self.fraction = fraction
        self.seed = seed
        self.classes = classes

    def __call__(self, y):
        """``(train, valid)`` for targets ``y``: slices, or sorted int arrays."""
        n = len(y)
        if not isinstance(self.method, str):
            train, valid = self._from_splitter(y)
        elif self.method == "tail":
            n_train = n - self._n_valid(n)
            train, valid = slice(0, n_train), slice(n_train, n)
        elif self.method == "shuffle":
            order = np.random.default_rng(self.seed).permutation(n)
            n_valid = self._n_valid(n)
            train, valid = np.sort(order[n_valid:]), np.sort(order[:n_valid])
        else:  # stratified
            train, valid = self._stratified(y)
        if self.classes is not None:
            self._check_classes(y, train, valid)
        return train, valid

    def _n_valid(self, n):
        return min(max(1, int(round(self.fraction * n))), n - 1)

    def _stratified(self, y):
        """A proportional share of each class, never a class's last sample."""
        n = len(y)
        n_valid = self._n_valid(n)
        _, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
        share = counts * n_valid / n
        take = np.minimum(np.floor(share).astype(np.int64), counts - 1)
        # hand the rest out by largest remainder, within each class's room
        for k in np.argsort(-(share - take), kind="stable"):
            if take.sum() >= n_valid:
                break
            take[k] += take[k] < counts[k] - 1
        if take.sum() == 0:
            # only singletons (e.g. 2 samples of 2 classes): validation needs
            # one sample all the same; the class check below says so
            take[np.argmax(counts)] = 1
        rng = np.random.default_rng(self.seed)
        valid = [
            rng.permutation(np.flatnonzero(codes == k))[: take[k]]
            for k in range(len(counts))
        ]
        valid = np.sort(np.concatenate(valid))
        train = np.setdiff1d(np.arange(n), valid, assume_unique=True)
        return train, valid

    def _from_splitter(self, y):
        name = type(self.method).__name__
        try:
            train, valid = next(iter(self.method.split(np.zeros((len(y), 1)), y)))
        except StopIteration:
            raise ValueError(
                f"validation_split={name} yielded no split; pass a splitter that "
                "yields at least one (train, validation) pair."
            ) from None
        train, valid = (np.sort(np.asarray(idx)) for idx in (train, valid))
        for part, idx in (("training", train), ("validation", valid)):
            if len(idx) == 0 or not np.issubdtype(idx.dtype, np.integer):
                raise ValueError(
                    f"validation_split={name} gave an empty or non-integer "
                    f"{part} index array for {len(y)} samples; early stopping "
                    "needs samples on both sides."
                )
        if train[0] < 0 or valid[0] < 0 or max(train[-1], valid[-1]) >= len(y):
            raise ValueError(
                f"validation_split={name} gave indices outside 0..{len(y) - 1}."
            )
        return train, valid

    def _check_classes(self, y, train, valid):
        """Warn when training lacks a class, or the holdout has only one."""
        seen = np.setdiff1d(np.unique(y), _PADDING_LABELS)
        trained = np.setdiff1d(np.unique(y[train]), _PADDING_LABELS)
        held = np.setdiff1d(np.unique(y[valid]), _PADDING_LABELS)
        method = self.method if isinstance(self.method, str) else "splitter"
        fix = (
            "Use validation_split='stratified' (the classifiers' default, "
            "'auto'), or shuffle the training set."
        )
        missing = np.setdiff1d(seen, trained)
        if len(missing):
            warnings.warn(
                f"The early-stopping holdout (validation_split={method!r}) takes "
                f"every sample of class(es) {self.classes[missing].tolist()!r}, so "
                f"the network never trains on them. {fix}",
                UserWarning,
                stacklevel=2,
            )
        elif len(held) == 1 and len(seen) > 1 and method != "stratified":
            warnings.warn(
                f"The early-stopping holdout (validation_split={method!r}) holds "
                f"only class {self.classes[held].tolist()[0]!r}: early stopping would "
                f"watch one class. Is the training set sorted by class? {fix}",
                UserWarning,
                stacklevel=2,
            )
