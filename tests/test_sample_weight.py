"""Sample weights, class weights and metadata routing.

What a weight means (the training loss is the weighted mean over samples)
is checked where it is exact: full-batch training without an early-stopping
holdout, where an integer weight k is the same as k copies of a sample and a
zero weight the same as leaving it out. With mini-batches the two differ by
which batches the copies land in; scikit-learn's equivalence check is
therefore an expected failure (tests/test_common.py) and this file shows
what holds.
"""

import numpy as np
import pytest
import sklearn
from shared_settings import CLASSIFIERS, EXACT_EPOCHS, REGRESSORS, sequence_sum
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.metrics import r2_score
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    KFold,
    cross_validate,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils.class_weight import compute_sample_weight

from sksequence import GRUClassifier, GRURegressor, LSTMRegressor, load, save

# one batch holds every sample, no holdout: the loss is exactly the weighted
# mean over all samples at every step
FULL_BATCH = dict(hidden_size=4, max_epochs=8, batch_size=512, random_state=0)
FULL_BATCH.update(EXACT_EPOCHS)
ATOL = 1e-5  # the same sums in another order, in float32


def _regression(n=40, seed=0):
    return sequence_sum(n, 6, 2, last=2, seed=seed)


def _classification(n=40, seed=0):
    X, _ = sequence_sum(n, 6, 2, last=2, seed=seed)
    return X, (X[:, -1, 0] > 0.3).astype(int)


def _repeat(weights, *arrays):
    return [np.repeat(a, weights, axis=0) for a in arrays]


# -- validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "weights,message",
    [
        (-np.ones(40), "Negative values in data passed to `sample_weight`"),
        (np.full(40, np.nan), "sample_weight.*NaN"),
        (np.ones(39), r"sample_weight.shape == \(39,\), expected \(40,\)"),
        (np.ones((40, 2)), "Sample weights must be 1D"),
        (np.zeros(40), "sample_weight: .*at least one non-zero"),
    ],
)
@pytest.mark.parametrize("cls", [GRURegressor, GRUClassifier])
def test_bad_sample_weight_is_a_clear_error(cls, weights, message):
    X, y = _regression() if cls is GRURegressor else _classification()
    with pytest.raises(ValueError, match=message):
        cls(**FULL_BATCH).fit(X, y, sample_weight=weights)


def test_sample_weight_is_not_modified():
    X, y = _regression()
    weights = np.arange(40.0) % 3
    before = weights.copy()
    GRURegressor(**FULL_BATCH).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(weights, before)


# -- what a weight means -------------------------------------------------------------


@pytest.mark.parametrize("cls", [*REGRESSORS, *CLASSIFIERS])
def test_weights_of_ones_are_no_weights(cls):
    X, y = _regression() if cls in REGRESSORS else _classification()
    settings = dict(hidden_size=4, max_epochs=4, random_state=0)  # holdout on
    plain = cls(**settings).fit(X, y).predict(X)
    ones = cls(**settings).fit(X, y, sample_weight=np.full(40, 2.5)).predict(X)
    np.testing.assert_array_equal(ones, plain)


@pytest.mark.parametrize("cls", [LSTMRegressor, GRURegressor, GRUClassifier])
def test_integer_weight_is_repetition_in_full_batch_training(cls):
    X, y = _regression() if cls is not GRUClassifier else _classification()
    weights = np.arange(40) % 4  # 0 to 3 copies
    X_rep, y_rep = _repeat(weights, X, y)
    weighted = cls(**FULL_BATCH).fit(X, y, sample_weight=weights)
    repeated = cls(**FULL_BATCH).fit(X_rep, y_rep)
    np.testing.assert_allclose(
        weighted.history_["train_loss"], repeated.history_["train_loss"], rtol=1e-5
    )
    method = "predict_proba" if cls is GRUClassifier else "predict"
    np.testing.assert_allclose(
        getattr(weighted, method)(X), getattr(repeated, method)(X), atol=ATOL
    )


def test_integer_weight_is_repetition_for_per_step_targets():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) for n in rng.integers(3, 9, size=30)]
    Y = [np.cumsum(x[:, 0]) for x in X]
    weights = np.arange(30) % 3
    X_rep = [x for x, k in zip(X, weights) for _ in range(k)]
    Y_rep = [t for t, k in zip(Y, weights) for _ in range(k)]
    settings = dict(FULL_BATCH, return_sequences=True)
    weighted = GRURegressor(**settings).fit(X, Y, sample_weight=weights)
    repeated = GRURegressor(**settings).fit(X_rep, Y_rep)
    # the target scaling is weighted as the loss: per step, by the sequence
    np.testing.assert_allclose(
        weighted.fitted_state_.y_mean, repeated.fitted_state_.y_mean, rtol=1e-12
    )
    for a, b in zip(weighted.predict(X), repeated.predict(X)):
        np.testing.assert_allclose(a, b, atol=ATOL)


def test_zero_weight_removes_a_sample():
    X, y = _regression()
    y = y.copy()
    y[::5] = 1e6  # garbage that a zero weight must keep out (of the scaling too)
    weights = np.where(np.arange(40) % 5 == 0, 0.0, 1.0)
    weighted = GRURegressor(**FULL_BATCH).fit(X, y, sample_weight=weights)
    kept = weights > 0
    dropped = GRURegressor(**FULL_BATCH).fit(X[kept], y[kept])
    np.testing.assert_allclose(weighted.predict(X), dropped.predict(X), atol=ATOL)


@pytest.mark.parametrize("garbage", [1e25, 1e300])
@pytest.mark.parametrize("loss", ["squared_error", "gaussian", "quantile"])
def test_zero_weight_target_never_reaches_the_loss(loss, garbage):
    # the docs say a zero-weight sequence may stay in X whatever its target;
    # 1e25 squares to inf in float32 (0 * inf = NaN), 1e300 in float64 too.
    # With the default holdout (the tail), garbage lands on both sides.
    X, y = _regression()
    weights = np.where(np.arange(40) % 5 == 4, 0.0, 1.0)
    corrupt = np.where(weights == 0, garbage, y)
    settings = dict(hidden_size=4, max_epochs=3, random_state=0, loss=loss)
    weighted = GRURegressor(**settings).fit(X, corrupt, sample_weight=weights)
    clean = GRURegressor(**settings).fit(X, y, sample_weight=weights)
    assert np.isfinite(weighted.history_[["train_loss", "valid_loss"]].to_numpy()).all()
    np.testing.assert_array_equal(weighted.predict(X), clean.predict(X))
    assert_scaling = np.testing.assert_array_equal
    assert_scaling(weighted.fitted_state_.y_mean, clean.fitted_state_.y_mean)
    assert_scaling(weighted.fitted_state_.y_scale, clean.fitted_state_.y_scale)
    assert corrupt[4] == garbage  # the caller's y is not modified


def test_weights_change_the_model():
    X, y = _regression()
    plain = GRURegressor(**FULL_BATCH).fit(X, y).predict(X)
    weights = np.linspace(0.1, 3, 40)
    weighted = GRURegressor(**FULL_BATCH).fit(X, y, sample_weight=weights)
    assert np.abs(weighted.predict(X) - plain).max() > 1e-3


def test_validation_loss_uses_the_holdout_weights():
    X, y = _regression(n=50)
    weights = 1.0 + (np.arange(50) % 4)
    reg = GRURegressor(
        hidden_size=4, max_epochs=1, random_state=0, validation_split="tail"
    ).fit(X, y, sample_weight=weights)
    hold = slice(40, 50)  # the tail 20 %
    state = reg.fitted_state_
    error = ((reg.predict(X[hold]) - y[hold]) / state.y_scale) ** 2
    expected = np.average(error, weights=weights[hold])
    assert reg.history_["valid_loss"].iloc[-1] == pytest.approx(expected, rel=1e-5)
    unweighted = np.mean(error)
    assert abs(unweighted - expected) > 1e-4 * expected  # the check can fail


def test_holdout_without_weight_is_a_clear_error():
    X, y = _regression(n=50)
    weights = np.r_[np.ones(40), np.zeros(10)]
    reg = GRURegressor(hidden_size=4, max_epochs=1, validation_split="tail")
    with pytest.raises(ValueError, match="early-stopping validation samples are"):
        reg.fit(X, y, sample_weight=weights)


def test_score_weights_each_step_by_its_sequence():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 5, 1))
    Y = np.cumsum(X[:, :, 0], axis=1)
    reg = GRURegressor(
        hidden_size=4, max_epochs=2, random_state=0, return_sequences=True
    ).fit(X, Y)
    weights = np.arange(20) % 3 + 1.0
    expected = r2_score(
        Y.ravel(), reg.predict(X).ravel(), sample_weight=np.repeat(weights, 5)
    )
    assert reg.score(X, Y, sample_weight=weights) == pytest.approx(expected)
    assert reg.score(X, Y, sample_weight=weights) != pytest.approx(reg.score(X, Y))


# -- class weights ---------------------------------------------------------------------


def test_balanced_class_weight_equals_balanced_sample_weight():
    X, y = _classification()
    assert 0.15 < y.mean() < 0.45  # imbalanced
    by_class = GRUClassifier(class_weight="balanced", **FULL_BATCH).fit(X, y)
    by_sample = GRUClassifier(**FULL_BATCH).fit(
        X, y, sample_weight=compute_sample_weight("balanced", y)
    )
    np.testing.assert_array_equal(by_class.predict_proba(X), by_sample.predict_proba(X))


def test_class_weight_multiplies_sample_weight():
    X, y = _classification()
    labels = np.where(y == 1, "yes", "no")
    weights = np.arange(40) % 3 + 1.0
    both = GRUClassifier(class_weight={"yes": 3.0}, **FULL_BATCH).fit(
        X, labels, sample_weight=weights
    )
    product = GRUClassifier(**FULL_BATCH).fit(
        X, labels, sample_weight=weights * np.where(y == 1, 3.0, 1.0)
    )
    np.testing.assert_array_equal(both.predict_proba(X), product.predict_proba(X))


def test_class_weight_per_step_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 6, 1))
    Y = (X[:, :, 0] > 0.8).astype(int)  # a rare per-step label
    settings = dict(FULL_BATCH, return_sequences=True)
    plain = GRUClassifier(**settings).fit(X, Y)
    balanced = GRUClassifier(class_weight="balanced", **settings).fit(X, Y)
    # the rare class gains probability where it is weighted up
    rare = Y == 1
    gain = balanced.predict_proba(X)[..., 1] - plain.predict_proba(X)[..., 1]
    assert gain[rare].mean() > 0


def test_bad_class_weight_is_a_clear_error():
    X, y = _classification()
    with pytest.raises(ValueError, match="class_weight"):
        GRUClassifier(class_weight="heavy", **FULL_BATCH).fit(X, y)
    with pytest.raises(ValueError, match=r"not classes of y: \[7\]"):
        GRUClassifier(class_weight={7: 2.0}, **FULL_BATCH).fit(X, y)
    clf = GRUClassifier(class_weight="balanced", **FULL_BATCH)
    with pytest.raises(ValueError, match="not supported by partial_fit"):
        clf.partial_fit(X, y, classes=[0, 1])


@pytest.mark.parametrize("bad", [-0.2, -5.0, np.nan, np.inf, "2", None])
def test_class_weight_must_be_finite_and_non_negative(bad):
    X, y = _classification()
    clf = GRUClassifier(class_weight={0: bad, 1: 1.0}, **FULL_BATCH)
    with pytest.raises(ValueError, match="class_weight.*class 0 has weight"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="class_weight.*class 0 has weight"):
        clf.partial_fit(X, y, classes=[0, 1])


@pytest.mark.parametrize(
    "class_weight, sample_weight",
    [
        ({0: 0.0, 1: 0.0}, None),  # all-equal weights: once trained unweighted
        ({0: 0}, "class 0 only"),  # zero on class 0, sample weights on it only
    ],
)
def test_class_weight_zero_for_every_sample_is_an_error(class_weight, sample_weight):
    X, y = _classification()
    if sample_weight is not None:
        sample_weight = (y == 0).astype(float)
    clf = GRUClassifier(class_weight=class_weight, **FULL_BATCH)
    with pytest.raises(ValueError, match="class_weight .*zero for every training"):
        clf.fit(X, y, sample_weight=sample_weight)


def test_class_weight_key_that_is_no_class_is_an_error():
    X, y = _classification()
    labels = np.where(y == 1, "a", "b")
    clf = GRUClassifier(class_weight={"a": 1, "b": 2, "typo": 10}, **FULL_BATCH)
    with pytest.raises(ValueError, match=r"not classes of y: \['typo'\].*\['a', 'b'\]"):
        clf.fit(X, labels)


def test_class_weight_keys_are_the_labels_as_written():
    # string labels that look like numbers stay strings, and so do the keys
    X, y = _classification()
    labels = np.where(y == 1, "2", "1")
    by_class = GRUClassifier(class_weight={"1": 2.0, "2": 1.0}, **FULL_BATCH)
    by_class.fit(X, labels)
    by_sample = GRUClassifier(**FULL_BATCH).fit(
        X, labels, sample_weight=np.where(y == 1, 1.0, 2.0)
    )
    np.testing.assert_array_equal(by_class.predict_proba(X), by_sample.predict_proba(X))
    with pytest.raises(ValueError, match=r"not classes of y: \[1\]"):
        GRUClassifier(class_weight={1: 2.0}, **FULL_BATCH).fit(X, labels)


def test_partial_fit_takes_sample_weight_and_a_class_weight_dict():
    X, y = _classification()
    weights = np.arange(40) % 3 + 1.0
    clf = GRUClassifier(class_weight={1: 2.0}, **FULL_BATCH)
    clf.partial_fit(X, y, classes=[0, 1], sample_weight=weights)
    clf.partial_fit(X, y, sample_weight=weights)
    assert clf.n_iter_ == 2
    reg = GRURegressor(**FULL_BATCH)
    X, t = _regression()
    reg.partial_fit(X, t, sample_weight=weights)
    assert reg.fitted_state_.y_mean[0] == pytest.approx(np.average(t, weights=weights))


# -- composition: routing, searches, checkpoints, files --------------------------------


def _weighted_fit(X, y, weights, **params):
    return GRURegressor(**{**FULL_BATCH, **params}).fit(X, y, sample_weight=weights)


def test_pipeline_routes_weights_without_metadata_routing():
    X, y = _regression()
    weights = np.arange(40) % 3 + 0.5
    pipe = make_pipeline(GRURegressor(**FULL_BATCH))
    pipe.fit(X, y, gruregressor__sample_weight=weights)
    expected = _weighted_fit(X, y, weights).predict(X)
    np.testing.assert_array_equal(pipe.predict(X), expected)


def test_metadata_routing_pipeline_search_and_cross_validate():
    X, y = _regression()
    weights = np.arange(40) % 3 + 0.5
    with sklearn.config_context(enable_metadata_routing=True):
        reg = GRURegressor(**FULL_BATCH).set_fit_request(sample_weight=True)
        reg.set_score_request(sample_weight=True)
        pipe = Pipeline([("reg", reg)]).fit(X, y, sample_weight=weights)
        np.testing.assert_array_equal(
            pipe.predict(X), _weighted_fit(X, y, weights).predict(X)
        )

        search = GridSearchCV(reg, {"hidden_size": [3, 4]}, cv=KFold(2)).fit(
            X, y, sample_weight=weights
        )
        best = search.best_params_["hidden_size"]
        np.testing.assert_array_equal(
            search.predict(X), _weighted_fit(X, y, weights, hidden_size=best).predict(X)
        )

        cv = KFold(2)
        result = cross_validate(
            reg, X, y, cv=cv, params={"sample_weight": weights}, return_estimator=True
        )
        train, test = next(cv.split(X))
        fold = _weighted_fit(X[train], y[train], weights[train])
        np.testing.assert_array_equal(
            result["estimator"][0].predict(X), fold.predict(X)
        )
        # the score of each fold is weighted too
        assert result["test_score"][0] == pytest.approx(
            fold.score(X[test], y[test], sample_weight=weights[test])
        )

        halving = HalvingGridSearchCV(
            reg,
            {"hidden_size": [3, 4]},
            cv=KFold(2),
            factor=2,
            min_resources=20,
            random_state=0,
        ).fit(X, y, sample_weight=weights)
        best = halving.best_params_["hidden_size"]
        np.testing.assert_array_equal(
            halving.predict(X),
            _weighted_fit(X, y, weights, hidden_size=best).predict(X),
        )


def test_weights_are_part_of_a_checkpointed_run(tmp_path):
    X, y = _regression()
    settings = dict(FULL_BATCH, checkpoint=tmp_path)
    first = GRURegressor(**settings).fit(X, y, sample_weight=np.arange(40) % 3)
    assert len(list(tmp_path.iterdir())) == 1
    # other weights: another run, with a file of its own
    GRURegressor(**settings).fit(X, y, sample_weight=np.arange(40) % 2 + 1)
    assert len(list(tmp_path.iterdir())) == 2
    # the same weights: the finished run is restored, not trained again
    again = GRURegressor(**settings).fit(X, y, sample_weight=np.arange(40) % 3)
    np.testing.assert_array_equal(again.predict(X), first.predict(X))


def test_class_weight_survives_save_and_load(tmp_path):
    X, y = _classification()
    labels = np.where(y == 1, "yes", "no")
    clf = GRUClassifier(class_weight={"yes": 3.0}, **FULL_BATCH).fit(X, labels)
    save(clf, tmp_path / "clf.skseq")
    loaded = load(tmp_path / "clf.skseq")
    assert loaded.class_weight == {"yes": 3.0}
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
