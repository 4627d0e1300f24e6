"""Errors raised by sksequence, for callers that want to catch them."""

__all__ = ["DivergenceError"]


class DivergenceError(FloatingPointError):
    """Training produced a non-finite loss (NaN or infinity).

    Raised by ``fit`` and ``partial_fit`` when the training loss of an epoch
    becomes NaN or infinite. The network is put back to the weights of the
    last completed epoch, whose loss was finite; ``fit`` leaves no fitted
    model behind. The message says in which epoch training diverged and
    what to try: a lower ``lr``, gradient clipping (``gradient_clip``), or
    inputs of a smaller scale (see :class:`~sksequence.SequenceScaler`).

    A subclass of :class:`FloatingPointError`, so that code catching that
    catches this too.

    Examples
    --------
    >>> import numpy as np
    >>> from sksequence import RNNRegressor
    >>> from sksequence.exceptions import DivergenceError
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(32, 5, 1))
    >>> y = X[:, -1, 0]
    >>> reg = RNNRegressor(nonlinearity="relu", optimizer="sgd", lr=1e12,
    ...                    gradient_clip=None, early_stopping=False,
    ...                    max_epochs=5, random_state=0)
    >>> try:
    ...     reg.fit(X, y)
    ... except DivergenceError as exc:
    ...     print(str(exc)[:37])
    Training diverged in epoch 1: the tra
    """
