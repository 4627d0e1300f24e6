"""Tests for sksequence._base: the fit/predict template the six estimators share.

Variable-length input, composition with scikit-learn, parameters and their
checks, reproducibility, early stopping, per-step outputs, patches. What only
the classifiers or only the regressors do is in ``test_classifiers.py`` and
``test_regressors.py``.
"""

import inspect
import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from shared_settings import CLASSIFIERS, FAST, REGRESSORS
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    PredefinedSplit,
    TimeSeriesSplit,
    cross_val_score,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from sksequence._modules import RECURRENT_LAYERS

# the six public estimators, listed once in shared_settings
RNNRegressor, LSTMRegressor, GRURegressor = REGRESSORS
RNNClassifier, LSTMClassifier, GRUClassifier = CLASSIFIERS


def _ragged(n=24, seed=0):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(rng.integers(2, 15), 2)) for _ in range(n)]
    y = np.array([x[:, 0].sum() for x in X])
    return X, y


# -- module parity -------------------------------------------------------------


@pytest.mark.parametrize("cls", REGRESSORS + CLASSIFIERS)
def test_module_equals_torch_layer_plus_linear(cls, seq_data):
    X, y = seq_data
    if cls in CLASSIFIERS:
        y = y > 0
    # the Elman/LSTM/GRU equations with y = V h_T + c (the classifiers'
    # convolutional front, pooled readout, instance normalization and both
    # directions: tests/test_modules.py)
    est = cls(
        num_layers=2,
        bidirectional=False,
        embedding="patch",
        readout="last",
        instance_norm=False,
        **FAST,
    ).fit(X, y)
    module = est.net_.module_
    kw = {"nonlinearity": "tanh"} if est._cell == "rnn" else {}
    rnn = RECURRENT_LAYERS[est._cell](3, 8, num_layers=2, batch_first=True, **kw)
    rnn.load_state_dict(module.rnn.state_dict())
    head = nn.Linear(8, module.head.out_features)
    head.load_state_dict(module.head.state_dict())
    with torch.no_grad():
        ref = head(rnn(torch.as_tensor(X, dtype=torch.float32))[0][:, -1]).numpy()
    if cls in CLASSIFIERS:
        np.testing.assert_allclose(
            est.decision_function(X), ref[:, 1] - ref[:, 0], atol=1e-5
        )
    else:
        np.testing.assert_allclose(
            est.predict(X),
            ref[:, 0] * est.fitted_state_.y_scale + est.fitted_state_.y_mean,
            atol=1e-4,
        )


# -- variable length -----------------------------------------------------------


@pytest.mark.parametrize("cls", [LSTMRegressor, GRURegressor, RNNRegressor])
def test_ragged_predictions_equal_unpadded_predictions(cls):
    X, y = _ragged()
    reg = cls(**FAST).fit(X, y)
    batch = reg.predict(X)
    alone = np.array([reg.predict(x[None])[0] for x in X])
    np.testing.assert_allclose(batch, alone, rtol=0, atol=1e-9)


def test_ragged_training_ignores_padding_values():
    """Training on a ragged list equals training on the same data padded
    differently: only real time steps reach the loss."""
    X, y = _ragged()
    a = GRURegressor(**FAST).fit(X, y)
    b = GRURegressor(**FAST).fit([x.copy() for x in X], y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.n_features_in_ == 2


def test_ragged_univariate_lists_and_classification():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=n) for n in rng.integers(3, 10, size=30)]
    y = [len(x) % 2 for x in X]
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.predict_proba(X).shape == (30, 2)


# -- composition ----------------------------------------------------------------


def test_pipeline_with_sklearn_preprocessing():
    rng = np.random.default_rng(0)
    X2 = rng.normal(loc=100, scale=20, size=(50, 10))  # univariate sequences
    y = X2[:, -1] / 20
    pipe = make_pipeline(StandardScaler(), GRURegressor(**FAST)).fit(X2, y)
    assert pipe.predict(X2).shape == (50,)


def test_grid_search_over_hidden_size_and_cell_family(seq_data):
    X, y = seq_data
    pipe = Pipeline([("model", GRURegressor(**FAST))])
    grid = {
        "model": [GRURegressor(**FAST), LSTMRegressor(**FAST)],
        "model__hidden_size": [4, 8],
    }
    search = GridSearchCV(pipe, grid, cv=TimeSeriesSplit(n_splits=2)).fit(X, y)
    assert search.best_params_["model__hidden_size"] in (4, 8)
    assert len(search.cv_results_["params"]) == 4
    search = GridSearchCV(GRURegressor(**FAST), {"hidden_size": [2, 6]}, cv=2)
    assert search.fit(X, y).best_estimator_.hidden_size in (2, 6)


def test_cross_val_score(seq_data):
    X, y = seq_data
    scores = cross_val_score(RNNClassifier(**FAST), X, y > 0, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))


@pytest.mark.parametrize("cls", [LSTMRegressor, GRUClassifier])
def test_pickle_and_joblib_round_trips(cls, seq_data, tmp_path):
    X, y = seq_data
    y = y > 0 if cls is GRUClassifier else y
    est = cls(**FAST).fit(X, y)
    method = est.predict_proba if cls is GRUClassifier else est.predict
    expected = method(X)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(getattr(restored, method.__name__)(X), expected)
    joblib.dump(est, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(getattr(restored, method.__name__)(X), expected)


def test_clone_of_fitted_estimator_is_unfitted(seq_data, fitted_regressor):
    X, y = seq_data
    est = fitted_regressor
    fresh = clone(est)
    assert fresh.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        fresh.predict(X)


def test_dataframe_input_records_feature_names():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(30, 4)), columns=["t0", "t1", "t2", "t3"])
    reg = RNNRegressor(**FAST).fit(df, df["t3"])
    assert list(reg.feature_names_in_) == ["t0", "t1", "t2", "t3"]
    assert reg.n_features_in_ == 4


def test_n_features_in_meaning_for_3d_input(seq_data, fitted_regressor):
    X, y = seq_data
    reg = fitted_regressor
    assert reg.n_features_in_ == 3
    # other sequence lengths are fine at predict for 3-D input
    assert reg.predict(X[:, :5]).shape == (60,)


# -- parameters, reproducibility, side effects -------------------------------


def test_cell_specific_parameters_are_real_parameters():
    reg = RNNRegressor(nonlinearity="relu", hidden_size=3)
    assert reg.get_params()["nonlinearity"] == "relu"
    assert "nonlinearity" not in GRURegressor().get_params()
    assert clone(reg).nonlinearity == "relu"
    with pytest.raises(TypeError):
        GRURegressor(nonlinearity="relu")


CELL_PARAMETERS = {
    RNNRegressor: ("nonlinearity", "tanh"),
    RNNClassifier: ("nonlinearity", "tanh"),
    LSTMRegressor: ("peephole", False),
    LSTMClassifier: ("peephole", False),
    GRURegressor: ("reset_after", True),
    GRUClassifier: ("reset_after", True),
}


@pytest.mark.parametrize("cls", REGRESSORS + CLASSIFIERS, ids=lambda c: c.__name__)
def test_leaf_signature_is_the_base_one_plus_its_cell_parameter(cls):
    """Each leaf spells out its ``__init__``; nothing may drift from the base.

    Classifiers add ``class_weight`` before the cell parameter, regressors
    ``loss``, ``quantiles`` and ``calibration``; classifiers have defaults of
    their own for ``bidirectional``, ``early_stopping``, ``embedding``,
    ``readout``, ``instance_norm`` and ``batch_norm``.
    """
    from sksequence._base import SequenceEstimator

    def spelled(signature):
        return [
            (p.name, p.kind, repr(p.default)) for p in signature.parameters.values()
        ]

    base = spelled(inspect.signature(SequenceEstimator))
    if cls in CLASSIFIERS:  # the defaults that differ between the families
        own = {
            "bidirectional": "'auto'",
            "early_stopping": "'auto'",
            "embedding": "'dilated'",
            "readout": "'mean_max'",
            "instance_norm": "True",
            "batch_norm": "True",
        }
        base = [(n, kind, own.get(n, default)) for n, kind, default in base]
    name, default = CELL_PARAMETERS[cls]
    cell = (name, inspect.Parameter.KEYWORD_ONLY, repr(default))
    keyword = inspect.Parameter.KEYWORD_ONLY
    if cls in CLASSIFIERS:
        family = [("class_weight", keyword, "None")]
    else:
        family = [
            ("loss", keyword, "'squared_error'"),
            ("quantiles", keyword, "(0.1, 0.5, 0.9)"),
            ("calibration", keyword, "None"),
        ]
    assert spelled(inspect.signature(cls)) == [*base, *family, cell]
    assert cls._cell_params == (name,)
    # what the leaf's __init__ stores is what it was given, under its name
    values = {key: object() for key, *_ in [*base, *family, cell]}
    assert cls(**values).get_params(deep=False) == values
    assert name in cls._parameter_constraints


def test_relu_nonlinearity_reaches_the_module(seq_data):
    X, y = seq_data
    reg = RNNRegressor(nonlinearity="relu", **FAST).fit(X, y)
    assert reg.net_.module_.rnn.nonlinearity == "relu"


@pytest.mark.parametrize(
    "optimizer", ["adam", "adamw", "sgd", "rmsprop", torch.optim.Adagrad]
)
def test_optimizers_and_weight_decay(optimizer, seq_data):
    X, y = seq_data
    reg = GRURegressor(optimizer=optimizer, weight_decay=1e-3, **FAST).fit(X, y)
    opt = reg.net_.optimizer_
    assert opt.param_groups[0]["weight_decay"] == 1e-3
    if isinstance(optimizer, str):
        assert type(opt).__name__.lower() == optimizer
    else:
        assert isinstance(opt, optimizer)


def test_same_random_state_gives_identical_models(seq_data):
    X, y = seq_data
    a = LSTMRegressor(dropout=0.3, num_layers=2, **FAST).fit(X, y).predict(X)
    b = LSTMRegressor(dropout=0.3, num_layers=2, **FAST).fit(X, y).predict(X)
    c = LSTMRegressor(dropout=0.3, num_layers=2, **{**FAST, "random_state": 1})
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c.fit(X, y).predict(X))


@pytest.mark.parametrize("random_state", [None, 0])
def test_global_rng_state_is_left_unchanged(random_state, seq_data):
    X, y = seq_data
    torch_state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    GRURegressor(hidden_size=4, max_epochs=2, random_state=random_state).fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)


def test_user_inputs_are_not_modified(seq_data):
    X, y = seq_data
    X_before, y_before = X.copy(), y.copy()
    callback_list = []
    reg = GRURegressor(callbacks=callback_list, **FAST).fit(X, y)
    reg.predict(X)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    assert reg.get_params()["max_epochs"] == 3


def test_user_callbacks_run_on_a_copy(seq_data):
    from skorch.callbacks import Callback

    class CountEpochs(Callback):
        def __init__(self):
            self.epochs = 0

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1

    X, y = seq_data
    cb = CountEpochs()
    reg = GRURegressor(callbacks=[("count", cb)], **FAST).fit(X, y)
    assert cb.epochs == 0  # the user's instance is untouched
    assert dict(reg.net_.callbacks_)["count"].epochs == 3


def test_early_stopping_holds_out_the_tail_and_restores_best(seq_data):
    X, y = seq_data
    reg = GRURegressor(
        hidden_size=8,
        max_epochs=60,
        lr=5e-2,
        n_iter_no_change=3,
        batch_size=32,
        validation_fraction=0.25,
        random_state=0,
    ).fit(X, y)
    assert reg.n_iter_ < 60
    assert reg.net_.history[-1, "train_batch_count"] == 2  # 45 samples, batch 32
    best = reg.history_["valid_loss"].idxmin()
    # restored weights reproduce the best epoch's validation loss on the tail
    X_tail, y_tail = X[45:], y[45:]
    mse = np.mean(((reg.predict(X_tail) - y_tail) / reg.fitted_state_.y_scale) ** 2)
    assert mse == pytest.approx(reg.history_.loc[best, "valid_loss"], rel=1e-4)


def test_verbose_prints_the_epoch_table(seq_data, capsys):
    X, y = seq_data
    GRURegressor(verbose=1, **FAST).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out and "valid_loss" in out
    GRURegressor(**FAST).fit(X, y)
    assert capsys.readouterr().out == ""


# -- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, match",
    [
        (np.full((10, 5, 1), np.nan), "NaN"),
        (np.full((10, 5, 1), np.inf), "infinity"),
        (np.zeros(10), "2D array"),
        (np.zeros((10, 5, 1, 1)), "2-D .* or 3-D"),
        (np.zeros((0, 5, 1)), "0 sample"),
        (np.zeros((10, 0, 1)), "at least 1 time step"),
        (np.array([["a", "b"]] * 10), "float"),
        ([np.zeros((3, 2)), np.zeros((4, 3))] * 5, "same number of features"),
        ([np.zeros((3, 2)), np.zeros((0, 2))] * 5, r"X\[1\]"),
    ],
)
def test_bad_X_raises_clear_error(X, match):
    with pytest.raises(ValueError, match=match):
        GRURegressor(**FAST).fit(X, np.zeros(len(X)))


def test_length_mismatch_and_missing_y():
    X = np.zeros((10, 4, 1))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        GRURegressor(**FAST).fit(X, np.zeros(9))
    with pytest.raises(ValueError, match="requires y"):
        GRURegressor(**FAST).fit(X, None)
    with pytest.raises(ValueError, match="NaN"):
        GRURegressor(**FAST).fit(X, np.full(10, np.nan))


def test_different_n_features_at_predict(seq_data, fitted_regressor):
    X, y = seq_data
    reg = fitted_regressor
    with pytest.raises(ValueError, match="X has 2 features per time step.*expecting 3"):
        reg.predict(X[:, :, :2])
    reg2d = GRURegressor(**FAST).fit(X[:, :, 0], y)
    with pytest.raises(
        ValueError, match="X has 5 features, but GRURegressor is expecting 12"
    ):
        reg2d.predict(X[:, :5, 0])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"hidden_size": 0}, "hidden_size"),
        ({"dropout": 1.0}, "dropout"),
        ({"optimizer": "adagrad"}, "optimizer"),
        ({"lr": -1.0}, "lr"),
        ({"validation_fraction": 1.5}, "validation_fraction"),
        ({"device": "gpu0"}, "not a valid torch device"),
        ({"callbacks": "print"}, "callbacks"),
        ({"time_warp": -0.2}, "time_warp"),
        ({"time_shift": 1.5}, "time_shift"),
    ],
)
def test_bad_parameters_raise_on_fit(params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        GRURegressor(**params).fit(np.zeros((10, 4)), np.zeros(10))


def test_bad_nonlinearity():
    with pytest.raises(ValueError, match="nonlinearity"):
        RNNClassifier(nonlinearity="sigmoid").fit(np.zeros((10, 4)), [0, 1] * 5)


def test_cuda_without_gpu_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ValueError, match="cuda.is_available"):
        GRURegressor(device="cuda").fit(np.zeros((10, 4)), np.zeros(10))


def test_early_stopping_needs_two_samples():
    with pytest.raises(ValueError, match="n_samples = 1"):
        GRURegressor().fit(np.zeros((1, 4)), np.zeros(1))


# -- per-time-step outputs (return_sequences) -------------------------------


@pytest.mark.parametrize("cls", REGRESSORS)
def test_return_sequences_with_ragged_input_predicts_per_sequence(cls):
    X, _ = _ragged()
    y = [np.cumsum(x[:, 0]) for x in X]
    reg = cls(return_sequences=True, **FAST).fit(X, y)
    pred = reg.predict(X)
    assert [len(p) for p in pred] == [len(x) for x in X]
    alone = reg.predict([X[3]])[0]
    np.testing.assert_allclose(pred[3], alone, atol=1e-9)
    assert isinstance(reg.score(X, y), float)


def test_padding_never_enters_the_sequence_loss():
    """Padded steps carry NaN targets internally: any leak would make the
    loss NaN. The per-step loss equals the MSE over the real steps only."""
    X, _ = _ragged()
    y = [np.cumsum(x[:, 0]) for x in X]
    reg = GRURegressor(return_sequences=True, **FAST).fit(X, y)
    assert np.isfinite(reg.history_["train_loss"]).all()
    pred = np.concatenate(reg.predict(X))
    mse = np.mean(((pred - np.concatenate(y)) / reg.fitted_state_.y_scale) ** 2)
    # the last epoch's train loss is the batch-weighted mean over steps of
    # batches during training; the recomputed MSE is of the same order
    assert mse < 10 * reg.history_["train_loss"].iloc[-1]


def test_sequence_target_shape_errors():
    X = np.zeros((10, 5, 1))
    with pytest.raises(ValueError, match=r"\(n_samples, n_timesteps.*\(10, 5"):
        GRURegressor(return_sequences=True).fit(X, np.zeros(10))
    X_ragged, _ = _ragged(n=6)
    with pytest.raises(ValueError, match="list of 6 arrays"):
        GRURegressor(return_sequences=True).fit(X_ragged, np.zeros(6))
    with pytest.raises(ValueError, match=r"y\[0\] must have"):
        GRURegressor(return_sequences=True).fit(X_ragged, [np.zeros(1)] * 6)
    with pytest.raises(ValueError, match="at least 2 classes"):
        GRUClassifier(return_sequences=True).fit(X, np.zeros((10, 5)))


# -- classic cells in the estimators ------------------------------------------


def test_peephole_and_classic_gru_reach_their_modules(seq_data, fitted_regressor):
    from sksequence._cells import ClassicGRU, PeepholeLSTM

    X, y = seq_data
    lstm = LSTMRegressor(peephole=True, **FAST).fit(X, y)
    assert isinstance(lstm.net_.module_.rnn, PeepholeLSTM)
    gru = GRUClassifier(reset_after=False, **FAST).fit(X, y > 0)
    assert isinstance(gru.net_.module_.rnn, ClassicGRU)
    assert isinstance(fitted_regressor.net_.module_.rnn, nn.GRU)
    assert "peephole" in LSTMClassifier().get_params()
    assert "peephole" not in GRUClassifier().get_params()


# -- defaults -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["time_warp", "time_shift"])
def test_augmentations_reach_the_module_and_never_a_sequence_of_targets(name):
    """Nothing is augmented by default; the module gets the estimator's
    strength, and with ``return_sequences`` none (a step's target would no
    longer match its step)."""
    X = np.random.default_rng(0).normal(size=(12, 9, 1))
    y = np.arange(12) % 2
    small = {"max_epochs": 1, "hidden_size": 4, "n_threads": 1, "random_state": 0}
    assert getattr(GRUClassifier(), name) == 0.0 == getattr(GRURegressor(), name)
    assert getattr(GRUClassifier(**small).fit(X, y).net_.module_, name) == 0.0
    clf = GRUClassifier(**{name: 0.35}, **small).fit(X, y)
    assert getattr(clf.net_.module_, name) == 0.35
    reg = GRURegressor(**small).fit(X, y.astype(float))
    assert getattr(reg.net_.module_, name) == 0.0
    seq = GRUClassifier(return_sequences=True, **{name: 0.35}, **small)
    seq.fit(X, np.tile(y[:, None], (1, 9)))
    assert getattr(seq.net_.module_, name) == 0.0


@pytest.mark.parametrize("cls", CLASSIFIERS + REGRESSORS)
def test_defaults_lr_patience_and_holdout(cls):
    # one learning rate for all: 3e-3 left regressors on their plateau
    # (sklearn's regression check data, see docs/user_guide/defaults.rst)
    assert cls().lr == 1e-2
    assert inspect.signature(cls).parameters["lr"].default == 1e-2
    assert clone(cls(lr=0.5)).lr == 0.5
    assert cls().get_params()["n_iter_no_change"] == "auto"
    assert cls().get_params()["validation_split"] == "auto"


@pytest.mark.parametrize(
    ("n_samples", "n_iter_no_change", "patience"),
    [
        (40, "auto", 75),  # 32 training samples: 2 steps per epoch, 150 steps
        (400, "auto", 20),  # 20 steps per epoch: 20 epochs are more steps
        (40, 5, 5),  # an integer is a number of epochs, whatever the steps
    ],
)
def test_auto_patience_is_20_epochs_or_150_steps(n_samples, n_iter_no_change, patience):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, 3, 1))
    # a learning rate too small to move the validation loss by tol: every
    # epoch after the first is a miss
    reg = GRURegressor(
        hidden_size=2,
        batch_size=16,
        lr=1e-9,
        max_epochs=500,
        n_iter_no_change=n_iter_no_change,
        random_state=0,
    ).fit(X, X[:, -1, 0])
    assert reg.n_iter_ == 1 + patience


# -- patches ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_timesteps", "return_sequences", "expected"),
    [(10, False, 1), (32, False, 1), (33, False, 2), (150, False, 5), (150, True, 1)],
)
def test_auto_patches_keep_the_recurrence_within_32_steps(
    n_timesteps, return_sequences, expected
):
    X = np.random.default_rng(0).normal(size=(12, n_timesteps, 1)).astype(np.float32)
    y = X[:, :, 0] if return_sequences else X[:, 0, 0]
    reg = GRURegressor(
        hidden_size=4, max_epochs=1, return_sequences=return_sequences
    ).fit(X, y)
    assert reg.patch_size_ == expected
    assert reg.net_.module_.patch_size == expected
    assert reg.get_params()["patch_size"] == "auto"  # never rewritten


def test_auto_patches_are_sized_for_the_median_length():
    # nine sequences of 40 steps and one of 400: read by the longest, the
    # typical sequence would be 4 patches; by the median (40), 32 steps
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 1)) for n in [40] * 9 + [400]]
    reg = GRURegressor(hidden_size=4, max_epochs=1).fit(X, rng.normal(size=10))
    assert reg.patch_size_ == 2


@pytest.mark.parametrize(
    ("n_samples", "fraction", "holds_out"),
    [(499, 0.2, False), (500, 0.2, True), (200, 0.5, True)],
)
def test_auto_early_stopping_of_a_regressor_holds_out_from_100_samples(
    n_samples, fraction, holds_out
):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, 3, 1)).astype(np.float32)
    reg = GRURegressor(
        hidden_size=2,
        max_epochs=1,
        batch_size=256,
        validation_fraction=fraction,
        early_stopping="auto",
    ).fit(X, X[:, 0, 0])
    assert reg.early_stopping == "auto"  # never rewritten
    assert reg.early_stopping_ is holds_out
    assert ("valid_loss" in reg.history_) is holds_out


@pytest.mark.parametrize("n_samples", [40, 600])
def test_auto_early_stopping_of_a_classifier_never_holds_out(n_samples):
    # its held-out cross-entropy stops it before its accuracy peaks, at any
    # size; a splitter of the user's is still a holdout asked for
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, 3, 1)).astype(np.float32)
    y = X[:, 0, 0] > 0
    params = dict(hidden_size=2, max_epochs=1, batch_size=256)
    clf = GRUClassifier(**params).fit(X, y)
    assert clf.early_stopping == "auto"  # never rewritten
    assert clf.early_stopping_ is False
    assert "valid_loss" not in clf.history_
    assert "lr_plateau" in dict(clf.net_.callbacks_)  # the training-loss policy
    fold = np.where(np.arange(n_samples) < n_samples // 5, 0, -1)
    split = GRUClassifier(validation_split=PredefinedSplit(fold), **params).fit(X, y)
    assert split.early_stopping_ is True
    assert "valid_loss" in split.history_


def test_patches_and_their_errors():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 10, 2)).astype(np.float32)
    clf = GRUClassifier(patch_size=4, hidden_size=4, max_epochs=2, random_state=0)
    clf.fit(X, X[:, 0, 0] > 0)
    # any length at predict, multiple of the patch or not
    for steps in (1, 4, 13):
        assert clf.predict(X[:3, :steps]).shape == (3,)
    # a warm start keeps the patches of the first fit
    clf.set_params(warm_start=True).fit(X[:, :7], X[:, 0, 0] > 0)
    assert clf.patch_size_ == 4
    with pytest.raises(ValueError, match="patch_size must be 1 or 'auto'"):
        GRUClassifier(patch_size=2, return_sequences=True).fit(X, X[:, :, 0] > 0)
    with pytest.raises(TypeError, match="'patch_size'.*not a bool"):
        GRUClassifier(patch_size=True).fit(X, X[:, 0, 0] > 0)


def test_patches_learn_an_early_step_of_a_long_sequence():
    # the class is a bump at step 100 of 200: read one step at a time the
    # gradient must cross 100 steps, and this net stays at chance (0.49 on
    # this data); read in patches of 7 it crosses 15 and learns
    rng = np.random.default_rng(0)

    def data(n):
        X = 0.5 * rng.normal(size=(n, 200, 1)).astype(np.float32)
        y = rng.integers(0, 2, size=n)
        X[y == 1, 98:103, 0] += 2.0
        return X, y

    X, y = data(120)
    X_test, y_test = data(200)
    clf = GRUClassifier(hidden_size=16, max_epochs=60, random_state=0).fit(X, y)
    assert clf.patch_size_ == 7
    assert clf.score(X_test, y_test) >= 0.9
