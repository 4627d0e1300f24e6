"""Out-of-core training on dask arrays of sequences, through dask-ml.

:class:`Incremental` and :class:`HyperbandSearchCV` are dask-ml's
:class:`dask_ml.wrappers.Incremental` and
:class:`dask_ml.model_selection.HyperbandSearchCV`, with one thing fixed:
they accept the 3-D ``(n_samples, n_timesteps, n_features)`` dask arrays
that sksequence's estimators take (and 2-D arrays of univariate sequences,
which dask-ml already handles), chunked along the samples only. Training is
dask-ml's own: each block goes to the estimator's ``partial_fit``, which
runs one epoch on it, as scikeras does for Keras models; predictions are
computed block by block.

This module needs dask-ml (``pip install "sksequence[dask]"``) and is not
imported by ``import sksequence``.

What dask-ml 2025.1 gets wrong for arrays of more than two dimensions, and
the patch that would let this module go:

* ``dask_ml/_partial.py``, ``fit``: the key of block ``i`` is
  ``(x_name, i) + (0,)`` for any ``x.ndim > 1``, which names no block of a
  3-D array, so ``partial_fit`` receives the key itself (a tuple of
  strings) instead of the block. The same holds for a target of two or more
  dimensions, whose key is ``(y_name, i)``. The fix::

      -    if hasattr(x, "chunks") and x.ndim > 1:
      -        x_extra = (0,)
      +    if hasattr(x, "chunks") and x.ndim > 1:
      +        x_extra = (0,) * (x.ndim - 1)
      ...
      -                (y_name, order[i]),
      +                (y_name, order[i]) + (0,) * (getattr(y, "ndim", 1) - 1),

* ``dask_ml/wrappers.py``, ``ParallelPostFit``: ``predict`` maps the blocks
  with ``drop_axis=1`` (a 3-D input needs ``drop_axis=[1, 2]``),
  ``predict_proba`` declares chunks ``(X.chunks[0], n_classes)`` without
  dropping axis 2, and the output's meta is inferred from a
  ``(1, X.shape[1])`` input, which is not a valid sample of a 3-D array.
  The fix: drop every axis but the first, ``drop_axis=list(range(1,
  X.ndim))``, add the output's (``new_axis``), and infer the meta from
  ``np.zeros((1,) + X.shape[1:])``.

* ``dask_ml/model_selection/_split.py``, ``_blockwise_slice`` (used by
  ``train_test_split``, so by the searches' validation split) declares the
  split blocks of an n-D array 1-D, so the validation set cannot be
  assembled. The fix::

      -    if arr.ndim == 2:
      -        P = arr.shape[1]
      -        shapes = [(x, P) for x in shapes]
      -    else:
      -        shapes = [(x,) for x in shapes]
      +    shapes = [(x,) + arr.shape[1:] for x in shapes]

Here, :meth:`Incremental.fit` hands dask-ml a view of ``X`` (and of a
multi-dimensional ``y``) that has the 2-D (1-D) key layout dask-ml expects
and whose blocks are the original, unchanged n-D blocks; the post-fit
methods map the blocks themselves; the search's split flattens each sample
to a row and back. All stay correct once dask-ml is fixed.

Independently of the number of dimensions, dask-ml 2025.1's searches fail
with dask 2025.3 and later ("RuntimeError: Attempting to use an
asynchronous Client in a synchronous context of `dask.compute`",
dask/dask-ml#1016, open): ``dask_ml.model_selection._incremental._fit``
calls the top-level ``dask.persist`` inside the search's coroutine, where
the client is asynchronous, and dask >= 2025.3 refuses an asynchronous
client there. :meth:`HyperbandSearchCV._fit` runs dask-ml's search with the
client's ``get`` as the configured scheduler, so that ``dask.persist`` hands
the collections to ``Client.persist`` (non-blocking, safe in the event
loop), which is what it did before dask 2025.3. To remove once dask-ml
fixes #1016.
"""

try:
    import dask
    import dask.array as da
    from dask_ml import wrappers as _wrappers
    from dask_ml.model_selection import HyperbandSearchCV as _HyperbandSearchCV
    from dask_ml.model_selection import (
        SuccessiveHalvingSearchCV as _SuccessiveHalvingBase,
    )
    from distributed import default_client
except ImportError as exc:  # pragma: no cover - the optional extra is missing
    raise ImportError(
        "sksequence.dask needs dask-ml, an optional dependency. Install it "
        'with: pip install "sksequence[dask]" (or: pip install dask-ml).'
    ) from exc

import numpy as np

__all__ = ["HyperbandSearchCV", "Incremental"]


def _check_sample_chunks(a, name):
    """Raise unless the dask array ``a`` is chunked along axis 0 only."""
    if isinstance(a, da.Array) and any(n > 1 for n in a.numblocks[1:]):
        axes = ", ".join(f"{axis}: -1" for axis in range(1, a.ndim))
        raise ValueError(
            f"{name} must be chunked along the samples (axis 0) only: each "
            f"block holds whole sequences. Got {a.numblocks} blocks of shape "
            f"{a.chunksize}. Rechunk it first: {name}.rechunk({{{axes}}})."
        )


def _check_blocks(X, y):
    """Whole sequences per block, and the same samples in the blocks of y."""
    _check_sample_chunks(X, "X")
    _check_sample_chunks(y, "y")
    if isinstance(X, da.Array) and isinstance(y, da.Array):
        if X.chunks[0] != y.chunks[0]:
            raise ValueError(
                "X and y must be chunked alike along the samples (axis 0); "
                f"got X.chunks[0] = {X.chunks[0]} and y.chunks[0] = "
                f"{y.chunks[0]}. Rechunk y: y.rechunk({{0: X.chunks[0]}})."
            )


def _same_block(block):
    return block


def _as_dask_ml_blocks(a, ndim):
    """``a`` declared with ``ndim`` dimensions; its blocks stay as they are.

    dask-ml's ``_partial.fit`` names the blocks of ``X`` ``(name, i, 0)`` and
    those of ``y`` ``(name, i)``: right for 2-D and 1-D arrays only. This view
    has that layout; each of its blocks is the whole n-D block of ``a`` (the
    identity task passes the same object on, no copy).
    """
    if not isinstance(a, da.Array) or a.ndim <= ndim:
        return a
    return a.map_blocks(
        _same_block,
        drop_axis=list(range(ndim, a.ndim)),
        chunks=a.chunks[:ndim],
        meta=np.empty((0,) * ndim, dtype=a.dtype),
    )


def _apply(block, estimator, method):
    return getattr(estimator, method)(block)


class _SampleBlockwisePostFit:
    """``predict``, ``predict_proba`` and ``score`` on blocks of whole sequences.

    For a dask array, each block of samples goes to the fitted estimator's
    method and the results are assembled into a dask array of shape
    ``(n_samples,) + output shape``, whatever the number of input dimensions.
    Anything else goes to dask-ml's methods unchanged.
    """

    def _map_samples(self, method, X, meta):
        self._check_method(method)
        _check_sample_chunks(X, "X")
        estimator = self._postfit_estimator
        if meta is None:  # one all-zero sequence, as dask-ml does for tables
            sample = np.zeros((1,) + X.shape[1:], dtype=X.dtype)
            meta = _apply(sample, estimator, method)
        tail = meta.shape[1:]
        return X.map_blocks(
            _apply,
            estimator=estimator,
            method=method,
            drop_axis=list(range(1, X.ndim)),
            new_axis=list(range(1, 1 + len(tail))) or None,
            chunks=(X.chunks[0],) + tuple((size,) for size in tail),
            meta=meta[:0],
        )

    def predict(self, X):
        """Predict with the fitted estimator, block by block for dask arrays.

        Parameters
        ----------
        X : dask.array.Array or array-like
            Sequences, ``(n_samples, n_timesteps, n_features)`` or
            ``(n_samples, n_timesteps)``; a dask array must be chunked along
            the samples only.

        Returns
        -------
        y : dask.array.Array or numpy.ndarray
            A dask array, chunked as ``X`` along the samples, for a dask
            ``X``; the estimator's own output otherwise.
        """
        if isinstance(X, da.Array) and X.ndim > 1:
            return self._map_samples("predict", X, self.predict_meta)
        return super().predict(X)

    def predict_proba(self, X):
        """Class probabilities, block by block for dask arrays.

        Parameters
        ----------
        X : dask.array.Array or array-like
            Sequences, as for :meth:`predict`.

        Returns
        -------
        proba : dask.array.Array or numpy.ndarray
            ``(n_samples, n_classes)``: a dask array for a dask ``X``.
        """
        if isinstance(X, da.Array) and X.ndim > 1:
            return self._map_samples("predict_proba", X, self.predict_proba_meta)
        return super().predict_proba(X)

    def score(self, X, y, compute=True):
        """The score of the fitted estimator, computed from block-wise predictions.

        The estimator's default metric (:math:`R^2` for regressors, accuracy
        for classifiers) or ``scoring``; for dask arrays, dask-ml's metrics
        on the dask array of :meth:`predict`.

        Parameters
        ----------
        X : dask.array.Array or array-like
            Sequences, as for :meth:`predict`.
        y : dask.array.Array or array-like
            True targets, chunked as ``X`` along the samples.
        compute : bool, default=True
            Whether to compute the score (``False``: a dask scalar).

        Returns
        -------
        score : float
        """
        if isinstance(X, da.Array):
            _check_blocks(X, y)
            return _wrappers.ParallelPostFit.score(self, X, y, compute=compute)
        return super().score(X, y)


class Incremental(_SampleBlockwisePostFit, _wrappers.Incremental):
    """dask-ml's ``Incremental`` for dask arrays of sequences.

    Trains a sksequence estimator on a dask array too large for memory:
    :meth:`fit` passes the blocks of ``X`` and ``y`` to the estimator's
    ``partial_fit``, one after another (one epoch per block), in the order
    set by ``shuffle_blocks`` and ``random_state``; :meth:`predict`,
    :meth:`predict_proba` and :meth:`score` work block by block. This is
    :class:`dask_ml.wrappers.Incremental` (same parameters, same training)
    with the handling of 3-D blocks fixed: see :mod:`sksequence.dask`.

    Parameters
    ----------
    estimator : estimator
        A sksequence estimator (any estimator with ``partial_fit``). Give
        classifiers ``classes=`` in ``fit``: the first block may not hold
        every class.
    scoring : str or callable, default=None
        Metric of :meth:`score`; the estimator's own by default.
    shuffle_blocks : bool, default=True
        Visit the blocks in a random order (drawn from ``random_state``)
        instead of in their order along the samples.
    random_state : int, RandomState instance or None, default=None
        Order of the blocks when ``shuffle_blocks`` is true. The network's
        own randomness is the estimator's ``random_state``.
    assume_equal_chunks : bool, default=True
        Passed on to dask-ml.
    predict_meta, predict_proba_meta, transform_meta : numpy.ndarray, default=None
        Empty arrays of the type that ``predict`` (``predict_proba``,
        ``transform``) return; inferred from one all-zero sequence when
        ``None``.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator``. Its fitted attributes
        (``classes_``, ``n_features_in_``, ...) are copied onto the wrapper.

    See Also
    --------
    HyperbandSearchCV : Hyperparameter search through ``partial_fit``.
    sksequence.GRURegressor.partial_fit : One epoch on the data it is given.

    Notes
    -----
    A dask array must be chunked along the samples only, each block holding
    whole sequences; ``y`` chunked as ``X`` along the samples. Every block
    must fit in the memory of a worker, with the network's activations
    for one batch. Blocks are trained on one at a time, wherever the
    scheduler puts each task: the cluster spreads the data and its loading,
    not the training.

    Examples
    --------
    >>> import dask
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sksequence import GRURegressor
    >>> from sksequence.dask import Incremental
    >>> rng = np.random.default_rng(0)
    >>> X = da.from_array(rng.normal(size=(300, 10, 2)), chunks=(100, 10, 2))
    >>> y = X[:, -3:, 0].sum(axis=1)
    >>> model = Incremental(
    ...     GRURegressor(hidden_size=4, early_stopping=False, random_state=0),
    ...     shuffle_blocks=False,
    ... )
    >>> with dask.config.set(scheduler="synchronous"):  # or a distributed Client
    ...     model = model.fit(X, y)  # three blocks: three partial_fit calls
    ...     predictions = model.predict(X)
    ...     score = model.score(X, y)
    >>> model.estimator_.n_iter_
    3
    >>> predictions.shape, predictions.numblocks
    ((300,), (3,))
    >>> bool(score < 1.0)
    True
    """

    def fit(self, X, y=None, **fit_params):
        """Train a clone of ``estimator``: one ``partial_fit`` call per block.

        Parameters
        ----------
        X : dask.array.Array or array-like
            Sequences, ``(n_samples, n_timesteps, n_features)`` or
            ``(n_samples, n_timesteps)``, chunked along the samples only.
            A NumPy array is one block.
        y : dask.array.Array or array-like
            Targets, chunked as ``X`` along the samples.
        **fit_params
            Passed to every ``partial_fit`` call (e.g. ``classes=``).

        Returns
        -------
        self : Incremental
        """
        _check_blocks(X, y)
        X, y = _as_dask_ml_blocks(X, 2), _as_dask_ml_blocks(y, 1)
        return super().fit(X, y, **fit_params)

    def partial_fit(self, X, y=None, **fit_params):
        """Continue training ``estimator_`` (or a clone of ``estimator``).

        Parameters
        ----------
        X : dask.array.Array or array-like
            Sequences, as for :meth:`fit`.
        y : dask.array.Array or array-like
            Targets, chunked as ``X`` along the samples.
        **fit_params
            Passed to every ``partial_fit`` call.

        Returns
        -------
        self : Incremental
        """
        _check_blocks(X, y)
        X, y = _as_dask_ml_blocks(X, 2), _as_dask_ml_blocks(y, 1)
        return super().partial_fit(X, y, **fit_params)


class HyperbandSearchCV(_SampleBlockwisePostFit, _HyperbandSearchCV):
    """dask-ml's ``HyperbandSearchCV`` for dask arrays of sequences.

    Searches hyperparameters (``hidden_size``, ``lr``, ...) of a sksequence
    estimator with Hyperband, training every candidate through
    ``partial_fit`` (one epoch per block of the training data). This is
    :class:`dask_ml.model_selection.HyperbandSearchCV` (same parameters,
    same search); it adds a check that the blocks hold whole sequences, and
    :meth:`predict`, :meth:`predict_proba` and :meth:`score` of the best
    estimator work block by block on 3-D dask arrays. It needs a
    ``distributed`` client.

    Parameters
    ----------
    estimator : estimator
        A sksequence estimator. Classifiers need ``classes=`` in ``fit``.
    parameters : dict
        Parameter names (of ``estimator``) mapped to lists or distributions.
    max_iter : int, default=81
        The most ``partial_fit`` calls (blocks) any candidate gets.
    aggressiveness : int, default=3
        How quickly candidates are dropped.
    patience, tol, test_size, random_state, scoring, verbose, prefix : \
optional
        As in :class:`dask_ml.model_selection.HyperbandSearchCV`.
    predict_meta, predict_proba_meta, transform_meta : numpy.ndarray, \
default=None
        As in :class:`Incremental`.

    Attributes
    ----------
    best_estimator_ : estimator
        The candidate with the best validation score.
    best_params_ : dict
        Its parameters.
    best_score_ : float
        Its score on the validation split.
    cv_results_ : dict of numpy.ndarray
        One entry per candidate.

    See Also
    --------
    Incremental : Train one estimator on a dask array of sequences.

    Notes
    -----
    dask-ml 2025.1's searches fail with dask 2025.3 and later, for any
    estimator (dask/dask-ml#1016); this class works around it by running
    the search with the client as the configured scheduler (see
    :mod:`sksequence.dask`). The validation split (``test_size``, by
    default a fifth, at most one block's share) is drawn from every block
    and sent to each worker whole: it must fit in a worker's memory.
    Within a block the split is random: for overlapping forecasting windows
    it lets the validation windows share steps with training windows.

    Examples
    --------
    A search needs a ``distributed`` client (here on a local cluster)::

        import dask.array as da
        from distributed import Client, LocalCluster
        from sksequence import GRURegressor
        from sksequence.dask import HyperbandSearchCV

        client = Client(LocalCluster(n_workers=2, threads_per_worker=1))
        X = da.from_array(X_numpy, chunks=(10_000, n_timesteps, n_features))
        y = da.from_array(y_numpy, chunks=10_000)
        search = HyperbandSearchCV(
            GRURegressor(early_stopping=False, random_state=0),
            {"hidden_size": [16, 32, 64], "lr": [1e-3, 3e-3, 1e-2]},
            max_iter=9,
            random_state=0,
        )
        search.fit(X, y)
        search.best_params_
        search.predict(X)   # a dask array, computed block by block
    """

    def fit(self, X, y=None, **fit_params):
        """Run the search; every candidate trains through ``partial_fit``.

        Parameters
        ----------
        X : dask.array.Array or array-like
            Sequences, chunked along the samples only.
        y : dask.array.Array or array-like
            Targets, chunked as ``X`` along the samples.
        **fit_params
            Passed to every ``partial_fit`` call (e.g. ``classes=``).

        Returns
        -------
        self : HyperbandSearchCV
        """
        _check_blocks(X, y)
        return super().fit(X, y, **fit_params)

    async def _fit(self, X, y, **fit_params):
        # Workaround for dask/dask-ml#1016; remove once dask-ml fixes it.
        # dask-ml's search loop (dask_ml.model_selection._incremental._fit,
        # run as a coroutine on the client's event loop) calls the top-level
        # dask.persist on the data and on its delayed partial_fit/score
        # tasks. There the client is asynchronous, and dask >= 2025.3's
        # get_scheduler refuses it ("Attempting to use an asynchronous Client
        # in a synchronous context of `dask.compute`"). A callable configured
        # as the scheduler skips that check, and dask.persist hands the
        # collections to its client's persist method: Client.persist, which
        # only submits the graph and returns future-backed collections
        # (nothing blocks the loop), as dask.persist did before 2025.3.
        # The setting is dask's global configuration, for the search only.
        with dask.config.set(scheduler=default_client().get):
            return await super()._fit(X, y, **fit_params)

    def _get_SHAs(self, brackets):
        # each bracket is a SuccessiveHalvingSearchCV, which splits the data
        return {
            bracket: _SuccessiveHalvingSearchCV(**search.get_params(deep=False))
            for bracket, search in super()._get_SHAs(brackets).items()
        }


class _SuccessiveHalvingSearchCV(_SuccessiveHalvingBase):
    """dask-ml's successive halving, with its train/validation split fixed."""

    def _get_train_test_split(self, X, y, **kwargs):
        """dask-ml's split, of n-D sequences flattened to a table and back.

        dask-ml's ``train_test_split`` declares the split blocks of an n-D
        array as 1-D, so that the validation set cannot be assembled; each
        sample's ``(n_timesteps, n_features)`` is flattened to one row for
        the split (a block-wise reshape, no copy across blocks) and restored
        after it.
        """
        if not (isinstance(X, da.Array) and X.ndim > 2):
            return super()._get_train_test_split(X, y, **kwargs)
        flat = X.reshape((-1, int(np.prod(X.shape[1:]))))
        X_train, X_test, y_train, y_test = super()._get_train_test_split(
            flat, y, **kwargs
        )
        shape = (-1,) + X.shape[1:]
        return X_train.reshape(shape), X_test.reshape(shape), y_train, y_test
