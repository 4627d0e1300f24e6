"""sksequence.sktime: RecurrentForecaster under sktime's own checks and tools."""

import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from shared_settings import EXACT_EPOCHS

from sksequence import GRUClassifier, GRURegressor, LSTMRegressor

pytest.importorskip("sktime")

from sktime.datatypes import update_data  # noqa: E402
from sktime.forecasting.base import ForecastingHorizon  # noqa: E402
from sktime.forecasting.model_evaluation import evaluate  # noqa: E402
from sktime.forecasting.model_selection import ForecastingGridSearchCV  # noqa: E402
from sktime.split import ExpandingWindowSplitter  # noqa: E402
from sktime.utils.estimator_checks import check_estimator  # noqa: E402

from sksequence.sktime import RecurrentForecaster  # noqa: E402

SMALL = dict(hidden_size=8, max_epochs=3, random_state=0)


def _series(n=60, seed=0, columns=("y",)):
    rng = np.random.default_rng(seed)
    values = np.cumsum(rng.standard_normal((n, len(columns))), axis=0)
    index = pd.period_range("2000-01", periods=n, freq="M")
    return pd.DataFrame(values, index=index, columns=list(columns))


@pytest.mark.slow
def test_passes_sktime_check_estimator():
    results = check_estimator(RecurrentForecaster, raise_exceptions=False, verbose=0)
    failed = {name: str(res)[:200] for name, res in results.items() if res != "PASSED"}
    assert len(results) > 500  # the whole suite ran, not a handful of tests
    assert failed == {}


def test_covariate_known_in_advance_is_used():
    # y is driven by a covariate that is known in advance; without it the
    # series is noise to the net
    rng = np.random.default_rng(0)
    n = 240
    index = pd.RangeIndex(n)
    x = pd.DataFrame({"x": rng.standard_normal(n)}, index=index)
    y = pd.Series(3 * x["x"].to_numpy() + 0.1 * rng.standard_normal(n), index=index)
    fh = [1, 2, 3]
    train, test = slice(0, n - 3), slice(n - 3, n)
    params = dict(hidden_size=16, max_epochs=150, random_state=0)
    kw = dict(window_length=8, window_norm="standard")
    with_x = RecurrentForecaster(GRURegressor(**params), **kw)
    with_x.fit(y[train], X=x[train], fh=fh)
    error_x = np.abs(with_x.predict(fh, X=x[test]) - y[test]).mean()
    without = RecurrentForecaster(GRURegressor(**params), **kw).fit(y[train], fh=fh)
    error = np.abs(without.predict(fh) - y[test]).mean()
    assert error_x < 0.5 * error


def test_last_norm_extrapolates_a_trend():
    # values beyond the training range: relative windows make it no obstacle
    index = pd.RangeIndex(80)
    y = pd.Series(0.5 * np.arange(80.0), index=index)
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=6)
    pred = f.fit(y[:70], fh=[1, 2, 3]).predict()
    assert_allclose(pred, y[70:73], atol=0.1)


@pytest.mark.parametrize(
    "values, chosen",
    [
        (np.arange(60.0) + np.sin(np.arange(60.0)), "last"),  # trend: R² ~ 1
        (np.sin(np.arange(60.0) / 3), "standard"),  # cycle around a level
    ],
)
def test_auto_window_norm_follows_the_trend(values, chosen):
    y = pd.Series(values)
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=5)
    assert f.fit(y, fh=[1]).window_norm_ == chosen


@pytest.mark.parametrize("strategy", ["direct", "recursive"])
def test_sp_forecasts_the_deviation_from_last_season(strategy):
    # a season of 4 that the windows (3 steps) cannot see in full, on a trend:
    # the seasonal naive base carries the season, the net the yearly growth
    t = np.arange(60.0)
    y = pd.Series(np.tile([0.0, 3.0, 1.0, -2.0], 15) + 0.1 * t)
    f = RecurrentForecaster(
        GRURegressor(hidden_size=8, max_epochs=100, random_state=0),
        window_length=3,
        sp=4,
        strategy=strategy,
    )
    fh = [1, 2, 3, 4, 5, 6]
    pred = f.fit(y[:54], fh=fh if strategy == "direct" else None).predict(fh=fh)
    assert_allclose(pred, y[54:], atol=0.1)


def _seasonal_random_walk(n=160, seed=0):
    """Each season is the last one plus noise: what departs from the seasonal
    naive forecast (the value a season before) is pure noise."""
    rng = np.random.default_rng(seed)
    values = np.tile([0.0, 3.0, 1.0, -2.0], n // 4)
    for t in range(4, n):
        values[t] = values[t - 4] + rng.standard_normal()
    return pd.Series(values)


def test_auto_correction_weight_drops_a_correction_that_is_noise():
    from sktime.forecasting.naive import NaiveForecaster

    # 400 steps: about 80 held-out windows (on 160 steps, about 30, a noise
    # correction kept weights up to 0.9 on some draws: see correction_weight)
    y, fh = _seasonal_random_walk(n=400), [1, 2, 3, 4]
    params = dict(hidden_size=8, max_epochs=40, random_state=0)
    kw = dict(window_length=8, sp=4, transform=None)
    f = RecurrentForecaster(GRURegressor(**params), **kw).fit(y, fh=fh)
    # nothing the net learned beat the base on the holdout: the forecast is
    # the seasonal naive one
    assert f.correction_weight_ == 0.0
    naive = NaiveForecaster("last", sp=4).fit(y).predict(fh)
    assert_allclose(f.predict(), naive, atol=1e-9)


def test_auto_correction_weight_keeps_a_learned_correction():
    # a season on a trend: the departure from last season is the year's
    # growth, which the net learns
    t = np.arange(160.0)
    y = pd.Series(np.tile([0.0, 3.0, 1.0, -2.0], 40) + 0.1 * t)
    params = dict(hidden_size=8, max_epochs=40, random_state=0)
    f = RecurrentForecaster(GRURegressor(**params), window_length=8, sp=4)
    assert f.fit(y, fh=[1, 2, 3, 4]).correction_weight_ > 0.95


def test_correction_weight_blends_the_net_and_its_base():
    # base + w * correction, from the same net whatever the weight
    y = _series(n=80)
    kw = dict(window_length=5, window_norm="last", sp=None, transform=None)
    pred = {
        w: RecurrentForecaster(GRURegressor(**SMALL), correction_weight=w, **kw)
        .fit(y, fh=[1, 2])
        .predict()
        for w in (0.0, 0.5, 1.0)
    }
    assert_allclose(pred[0.0], np.repeat(y.to_numpy()[-1], 2)[:, None])  # last value
    assert_allclose(pred[0.5], (pred[0.0] + pred[1.0]) / 2)


@pytest.mark.parametrize(
    "params",
    [
        {"early_stopping": False},  # no holdout
        {"validation_split": "shuffle"},  # a holdout out of time order
        {"loss": "gaussian"},  # a distribution, not a point to weigh
    ],
)
def test_auto_correction_weight_is_one_without_a_holdout_to_fit_it_on(params):
    y = _seasonal_random_walk()
    estimator = GRURegressor(hidden_size=4, max_epochs=5, random_state=0, **params)
    f = RecurrentForecaster(estimator, window_length=8, sp=4, transform=None)
    assert f.fit(y, fh=[1, 2]).correction_weight_ == 1.0


def test_auto_correction_weight_is_one_where_the_base_is_the_mean():
    # a standardized series without a season: the base is the training mean,
    # no forecast to fall back on, and the net's whole correction is kept
    y = pd.Series(np.sin(np.arange(120.0) / 3))
    kw = dict(window_length=8, window_norm="standard", sp=None, transform=None)
    params = dict(hidden_size=4, max_epochs=5, random_state=0)
    f = RecurrentForecaster(GRURegressor(**params), **kw)
    assert f.fit(y, fh=[1, 2]).correction_weight_ == 1.0


def test_correction_weight_is_pickled_and_old_pickles_keep_the_whole_correction():
    import pickle

    y = _series(n=80)
    kw = dict(window_length=5, transform=None)
    f = RecurrentForecaster(GRURegressor(**SMALL), correction_weight=0.5, **kw)
    f.fit(y, fh=[1, 2])
    g = pickle.loads(pickle.dumps(f))
    assert g.correction_weight_ == 0.5
    assert_allclose(g.predict(), f.predict())
    # a forecaster pickled before the weight existed forecasts as it did
    full = RecurrentForecaster(GRURegressor(**SMALL), correction_weight=1, **kw)
    del g.correction_weight_
    assert_allclose(g.predict(), full.fit(y, fh=[1, 2]).predict())


def test_refit_trains_on_all_windows_for_the_best_epochs():
    y = _series(n=80)
    params = dict(hidden_size=4, max_epochs=12, n_iter_no_change=100, random_state=0)
    f = RecurrentForecaster(GRURegressor(**params), window_length=5)
    f.fit(y, fh=[1, 2])
    final = f.estimator_
    assert final.early_stopping is False
    # the holdout run, repeated: its best epoch is the epoch count of the final
    held = RecurrentForecaster(GRURegressor(**params), window_length=5, refit=False)
    valid = held.fit(y, fh=[1, 2]).estimator_.history_["valid_loss"]
    assert final.max_epochs == int(np.argmin(valid.to_numpy())) + 1
    assert final.n_iter_ == final.max_epochs
    # no window held out this time
    assert (
        "valid_loss" not in final.history_ or final.history_["valid_loss"].isna().all()
    )


def test_direct_picks_steps_of_the_fitted_horizon():
    y = _series()
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=6)
    full = f.fit(y, fh=[1, 2, 3, 4, 5]).predict()
    assert f.horizon_ == 5
    # fitting for steps 2 and 5 trains the same 5-step net and keeps two steps
    sparse = RecurrentForecaster(GRURegressor(**SMALL), window_length=6)
    assert_allclose(sparse.fit(y, fh=[2, 5]).predict(), full.iloc[[1, 4]])


def test_recursive_feeds_predictions_back():
    y = _series()
    f = RecurrentForecaster(
        LSTMRegressor(**SMALL), window_length=6, strategy="recursive"
    )
    three = f.fit(y).predict(fh=[1, 2, 3])
    assert f.horizon_ == 1
    # the same as forecasting one step, appending it to the history, and again
    for k in range(3):
        one = f.predict(fh=[1])
        assert_allclose(one.to_numpy(), three.iloc[[k]].to_numpy(), rtol=1e-6)
        f.update(one, update_params=False)


def test_recursive_reads_future_covariates_at_each_step():
    y = _series(columns=("y",))
    X = _series(seed=1, columns=("x",))
    f = RecurrentForecaster(
        GRURegressor(**SMALL), window_length=4, strategy="recursive"
    )
    f.fit(y[:-3], X=X[:-3])
    base = f.predict(fh=[1, 2, 3], X=X[-3:])
    changed = X[-3:].copy()
    changed.iloc[2] += 10  # only the third step's covariate changes
    moved = f.predict(fh=[1, 2, 3], X=changed)
    assert_allclose(moved.iloc[:2], base.iloc[:2])
    assert not np.allclose(moved.iloc[2], base.iloc[2])


def test_past_covariates_are_read_over_the_window_only():
    y = _series(columns=("y",))
    X = _series(seed=1, columns=("income", "calendar"))
    f = RecurrentForecaster(
        GRURegressor(**SMALL), window_length=5, past_covariates=["income"]
    )
    f.fit(y[:-2], X=X[:-2], fh=[1, 2])
    # the windows: y and income over the past, calendar over past and future,
    # the horizon flag: 5 + 2 steps of 4 features
    assert f.estimator_.n_features_in_ == 4
    future = X[-2:].copy()
    base = f.predict(X=future)
    future["income"] += 100  # future income is never read
    assert_allclose(f.predict(X=future), base)


def test_multivariate_y_is_forecast_jointly():
    y = _series(columns=("a", "b"))
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=5)
    pred = f.fit(y, fh=[1, 2]).predict()
    assert list(pred.columns) == ["a", "b"] and pred.shape == (2, 2)
    assert f.estimator_.fitted_state_.n_outputs == 4  # 2 steps x 2 variables


def test_missing_future_steps_are_carried_forward_with_a_warning():
    y = _series()[:-5]
    X = _series(seed=1, columns=("x",))
    # the net's whole output (correction_weight="auto" may drop it on noise,
    # and the covariates with it)
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=4, correction_weight=1)
    f.fit(y, X=X[:-5], fh=[2, 5])
    full = f.predict(X=X[-5:])
    sparse = X[-5:].iloc[[1, 4]]
    with pytest.warns(UserWarning, match="carried forward") as record:
        filled = f.predict(X=sparse)
    # the steps named are those X leaves out, 1, 3 and 4: not those of fh
    steps = [str(p) for p in X.index[-5:][[0, 2, 3]]]
    assert f"at {[pd.Period(p, 'M') for p in steps]!r}, steps before" in str(
        record[0].message
    )
    carried = X[-5:].copy()
    carried.iloc[0] = X.iloc[-6]  # the last value seen in fit
    carried.iloc[2:4] = carried.iloc[1].to_numpy()
    assert_allclose(filled, f.predict(X=carried))
    assert not np.allclose(filled, full)


def test_predict_x_must_cover_the_forecast_steps():
    y = _series()[:-5]
    X = _series(seed=1, columns=("x",))
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=4)
    f.fit(y, X=X[:-5], fh=[2, 5])
    fh_steps = list(X.index[-5:][[1, 4]])
    # an X covering none of the forecast steps (here: the training rows) was
    # ignored, with a warning only
    with pytest.raises(ValueError) as excinfo:
        f.predict(X=X[:-5])
    message = str(excinfo.value)
    assert f"at the forecast steps {fh_steps!r}" in message
    assert f"X must cover every step of fh, {fh_steps!r}" in message
    assert "X has 55 rows, from Period('2000-01', 'M') to Period('2004-07', 'M')" in (
        message
    )
    # an X that misses one step of fh
    with pytest.raises(ValueError, match=re.escape(f"forecast steps {fh_steps[1:]!r}")):
        f.predict(X=X[-5:].iloc[[0, 1, 2]])
    # an X with another kind of index
    with pytest.raises(ValueError, match="forecast steps.*RangeIndex"):
        f.predict(X=X[-5:].reset_index(drop=True))


def test_inputs_are_not_mutated():
    y, X = _series(), _series(seed=1, columns=("x",))
    y_before, X_before = y.copy(), X.copy()
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=5)
    f.fit(y[:-2], X=X[:-2], fh=[1, 2]).predict(X=X[-2:])
    pd.testing.assert_frame_equal(y, y_before)
    pd.testing.assert_frame_equal(X, X_before)


@pytest.mark.slow
def test_tuning_hidden_size_with_forecasting_grid_search():
    y = _series(n=50)
    search = ForecastingGridSearchCV(
        RecurrentForecaster(GRURegressor(**SMALL, **EXACT_EPOCHS), window_length=4),
        cv=ExpandingWindowSplitter(initial_window=40, step_length=4, fh=[1, 2]),
        param_grid={"estimator__hidden_size": [2, 6]},
    )
    search.fit(y, fh=[1, 2])
    assert search.best_params_["estimator__hidden_size"] in (2, 6)
    assert search.best_forecaster_.estimator_.hidden_size in (2, 6)
    assert search.predict().shape == (2, 1)


@pytest.mark.parametrize(
    "params, fit_kwargs, error, match",
    [
        ({"strategy": "both"}, {}, ValueError, "strategy must be one of"),
        ({"window_norm": "minmax"}, {}, ValueError, "window_norm must be one of"),
        ({"window_length": 0}, {}, ValueError, "window_length must be 'auto' or an"),
        ({"window_length": 2.5}, {}, TypeError, "window_length must be 'auto' or an"),
        ({"window_length": "long"}, {}, TypeError, "window_length must be 'auto'"),
        ({"sp": 0}, {}, ValueError, "sp must be 'auto', None or an int >= 1"),
        ({"sp": "yearly"}, {}, ValueError, "sp must be 'auto', None or an int"),
        ({"transform": "boxcox"}, {}, ValueError, "transform must be one of"),
        ({"correction_weight": 1.5}, {}, ValueError, "correction_weight must be"),
        ({"correction_weight": True}, {}, ValueError, "correction_weight must be"),
        ({"correction_weight": "half"}, {}, ValueError, "correction_weight must be"),
        (
            {"estimator": GRURegressor(loss="gaussian"), "correction_weight": 0.5},
            {},
            ValueError,
            "forecasts a distribution",
        ),
        ({"transform": "log"}, {}, ValueError, "needs values > 0, but y has"),
        ({"random_state": "seed"}, {}, ValueError, "random_state must be None"),
        ({"random_state": -1}, {}, ValueError, "random_state must be None"),
        ({"sp": 59}, {}, ValueError, "too few for sp=59"),
        ({"window_length": 58}, {}, ValueError, "too few for window_length=58"),
        ({"estimator": "gru"}, {}, TypeError, "must be an sksequence regressor"),
        (
            {"estimator": GRUClassifier()},
            {},
            TypeError,
            "must be an sksequence regressor",
        ),
        (
            {"estimator": GRURegressor(return_sequences=True)},
            {},
            ValueError,
            "return_sequences=False",
        ),
        ({"past_covariates": ["x"]}, {}, ValueError, "no X was passed"),
        ({"past_covariates": ["z"]}, {"X": True}, ValueError, "not columns of X"),
        (
            {"strategy": "recursive", "past_covariates": ["x"]},
            {"X": True},
            ValueError,
            "past-only covariates",
        ),
    ],
)
def test_bad_parameters_and_data_are_refused_clearly(params, fit_kwargs, error, match):
    y = _series()
    kwargs = {"estimator": GRURegressor(**SMALL), "window_length": 4, **params}
    if fit_kwargs.get("X"):
        fit_kwargs = {"X": _series(seed=1, columns=("x",))}
    with pytest.raises(error, match=match):
        RecurrentForecaster(**kwargs).fit(y, fh=[1, 2, 3], **fit_kwargs)


def test_predict_needs_future_covariates_it_was_fitted_with():
    y, X = _series(), _series(seed=1, columns=("x",))
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=4)
    f.fit(y[:-2], X=X[:-2], fh=[1, 2])
    with pytest.raises(ValueError, match="pass X covering the forecast steps"):
        f.predict()
    bad = X[-2:].copy()
    bad.iloc[1, 0] = np.nan
    with pytest.raises(ValueError, match="missing data"):  # sktime's own check
        f.predict(X=bad)


def test_in_sample_steps_are_refused():
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=4)
    with pytest.raises(NotImplementedError, match="in-sample prediction"):
        f.fit(_series(), fh=[0, 1])  # refused by sktime from the capability tag


# -- probabilistic forecasts ------------------------------------------------------

LEVELS = (0.025, 0.1, 0.5, 0.9, 0.975)


def _seasonal_noise(n=300, seed=0):
    """A sine of period 12 plus unit Gaussian noise: the 80 % interval of a
    one-step forecast is about +-1.28 around the sine."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 5 * np.sin(2 * np.pi * t / 12) + rng.standard_normal(n)
    return pd.Series(values, index=pd.RangeIndex(n))


def test_pred_int_tag_follows_the_estimators_loss():
    assert not RecurrentForecaster().get_tag("capability:pred_int")
    assert not RecurrentForecaster(GRURegressor()).get_tag("capability:pred_int")
    for loss in ("gaussian", "quantile"):
        f = RecurrentForecaster(GRURegressor(loss=loss))
        assert f.get_tag("capability:pred_int")


def test_direct_gaussian_forecasts_are_the_nets_gaussians_in_y_units():
    y = _series()
    f = RecurrentForecaster(
        GRURegressor(loss="gaussian", **SMALL), window_length=6, sp=3
    )
    fh = [1, 2, 3, 4]
    f.fit(y, fh=fh)
    mean = f.predict(fh).to_numpy()[:, 0]
    var = f.predict_var(fh).to_numpy()[:, 0]
    windows, _ = f._windows(f._series(y, None)[None], None, f.horizon_)
    _, std = f.estimator_.predict(windows, return_std=True)
    assert_allclose(np.sqrt(var), std[0] * f._y_scale)
    q = f.predict_quantiles(fh, alpha=[0.1, 0.5, 0.9]).to_numpy()
    assert_allclose(q[:, 1], mean)
    assert_allclose(q[:, 2], mean + 1.2815515655446004 * np.sqrt(var))
    interval = f.predict_interval(fh, coverage=0.8).to_numpy()
    assert_allclose(interval, q[:, [0, 2]])
    assert list(f.predict_interval(fh, coverage=[0.8, 0.95]).columns) == [
        ("y", 0.8, "lower"),
        ("y", 0.8, "upper"),
        ("y", 0.95, "lower"),
        ("y", 0.95, "upper"),
    ]


def test_direct_quantile_forecasts_read_the_learned_levels():
    y = _series(columns=("a", "b"))
    est = GRURegressor(loss="quantile", quantiles=LEVELS, **SMALL)
    f = RecurrentForecaster(est, window_length=6).fit(y, fh=[1, 2, 3])
    q = f.predict_quantiles(alpha=list(LEVELS))
    assert q.shape == (3, 2 * len(LEVELS))
    for var in ("a", "b"):
        values = q[var].to_numpy()
        assert np.all(np.diff(values, axis=1) >= 0)  # never crossing
        assert_allclose(values[:, 2], f.predict()[var])  # predict is the median
    # the variance: the Gaussian's with the same 95 % interval
    var = f.predict_var()
    width = q["a"][0.975] - q["a"][0.025]
    assert_allclose(np.sqrt(var["a"]), width / (2 * 1.959963984540054))
    with pytest.raises(ValueError, match="not at"):
        f.predict_interval(coverage=0.5)  # levels 0.25, 0.75 were not learned


def test_recursive_samples_paths_whose_spread_grows():
    y = _seasonal_noise()
    est = GRURegressor(loss="gaussian", hidden_size=16, max_epochs=60, random_state=0)
    f = RecurrentForecaster(est, window_length=12, strategy="recursive", sp=12)
    f.fit(y)
    fh = np.arange(1, 13)
    q = f.predict_quantiles(fh, alpha=[0.1, 0.5, 0.9]).to_numpy()
    again = f.predict_quantiles(fh, alpha=[0.1, 0.5, 0.9]).to_numpy()
    assert_allclose(q, again)  # seeded paths: the same call, the same forecast
    # step 1: the paths' quantiles are the net's Gaussian's (1000 draws)
    windows, base = f._windows(f._series(y.to_frame(), None)[None], None, 1)
    mean, std = f.estimator_.predict(windows, return_std=True)
    center = (base[0, 0, 0] + mean[0]) * f._y_scale[0] + f._y_loc[0]
    spread = std[0] * f._y_scale[0]
    assert abs(q[0, 1] - center) < 0.15 * spread
    assert abs((q[0, 2] - q[0, 0]) / (2 * 1.2816 * spread) - 1) < 0.15
    # the uncertainty of earlier steps carries into later ones
    width = q[:, 2] - q[:, 0]
    assert width[-1] > width[0]
    var = f.predict_var(fh).to_numpy()[:, 0]
    assert var[-1] > var[0]


def test_recursive_refuses_a_quantile_estimator():
    f = RecurrentForecaster(
        GRURegressor(loss="quantile", **SMALL), window_length=6, strategy="recursive"
    )
    with pytest.raises(ValueError, match="recursive.*loss='gaussian'"):
        f.fit(_series())


@pytest.mark.parametrize("loss", ["nope", ["quantile"]])
def test_recursive_leaves_an_unknown_loss_to_the_regressors_validation(loss):
    f = RecurrentForecaster(
        GRURegressor(loss=loss, **SMALL), window_length=6, strategy="recursive"
    )
    with pytest.raises(ValueError, match="'loss' parameter of GRURegressor"):
        f.fit(_series())


def test_one_step_intervals_hold_their_coverage_in_a_backtest():
    y = _seasonal_noise(n=400)
    est = GRURegressor(loss="gaussian", hidden_size=16, max_epochs=80, random_state=0)
    f = RecurrentForecaster(est, window_length=12, sp=12)
    # fitted on the first 300 steps, forecasting each next one with the history
    f.fit(y[:300], fh=[1])
    lower, upper = [], []
    for t in range(300, 400):
        interval = f.predict_interval(coverage=0.8).to_numpy()[0]
        lower.append(interval[0])
        upper.append(interval[1])
        f.update(y[t : t + 1], update_params=False)
    truth = y[300:].to_numpy()
    covered = (truth >= lower) & (truth <= upper)
    assert 0.68 <= covered.mean() <= 0.92


def test_refit_keeps_the_calibration_measured_on_the_holdout():
    y = _seasonal_noise()
    est = GRURegressor(loss="gaussian", calibration="holdout", **SMALL)
    fh = [1, 2, 3]
    refit = RecurrentForecaster(est, window_length=12, sp=12).fit(y, fh=fh)
    kept = RecurrentForecaster(est, window_length=12, sp=12, refit=False)
    kept.fit(y, fh=fh)
    # the same early-stopped net measured the factors (one per step); the
    # net refitted on every window, which has no holdout, carries them
    measured = kept.estimator_.fitted_state_.calibration
    assert measured.shape == (3,) and kept.estimator_.calibration == "holdout"
    assert_allclose(refit.estimator_.fitted_state_.calibration, measured)
    assert refit.estimator_.calibration is None
    assert not refit.estimator_.early_stopping
    # and the forecast's spread is the refitted net's times the factors
    windows, _ = refit._windows(refit._series(y.to_frame(), None)[None], None, 3)
    refit.estimator_.fitted_state_ = refit.estimator_.fitted_state_.with_outputs(
        calibration=None
    )
    _, raw = refit.estimator_.predict(windows, return_std=True)
    refit.estimator_.fitted_state_ = refit.estimator_.fitted_state_.with_outputs(
        calibration=measured
    )
    std = np.sqrt(refit.predict_var(fh).to_numpy()[:, 0])
    assert_allclose(std, raw[0] * measured * refit._y_scale)


# -- random_state ------------------------------------------------------------------

UNSEEDED = dict(hidden_size=8, max_epochs=3)


def test_random_state_makes_fits_repeatable():
    y = _series()

    def forecast(seed):
        f = RecurrentForecaster(
            GRURegressor(**UNSEEDED), window_length=5, random_state=seed
        )
        return f.fit(y, fh=[1, 2, 3]).predict().to_numpy()

    assert_allclose(forecast(0), forecast(0), rtol=0, atol=0)
    assert not np.allclose(forecast(0), forecast(1))


def test_random_state_seeds_the_estimator_unless_it_has_its_own():
    y = _series()
    kw = dict(window_length=5, random_state=7)
    f = RecurrentForecaster(GRURegressor(**UNSEEDED), **kw).fit(y, fh=[1])
    assert f.estimator_.random_state == 7
    # the estimator's own seed wins: the same net as without the forecaster's
    own = RecurrentForecaster(GRURegressor(**SMALL), **kw).fit(y, fh=[1])
    alone = RecurrentForecaster(GRURegressor(**SMALL), window_length=5)
    assert own.estimator_.random_state == 0
    assert_allclose(own.predict(), alone.fit(y, fh=[1]).predict(), rtol=0, atol=0)
    # nothing the user passed is changed
    assert own.estimator.random_state == 0 and own.random_state == 7


@pytest.mark.slow
def test_random_state_seeds_the_default_estimator():
    y = pd.Series(np.sin(np.arange(40) / 3))
    f = RecurrentForecaster(window_length=4, random_state=3).fit(y, fh=[1])
    assert f.estimator is None and f.estimator_.random_state == 3


def test_randomness_tag_says_whether_a_seed_is_set():
    tag = "property:randomness"
    assert RecurrentForecaster(GRURegressor()).get_tag(tag) == "stochastic"
    assert RecurrentForecaster(random_state=0).get_tag(tag) == "deterministic"
    seeded = RecurrentForecaster(GRURegressor(random_state=0))
    assert seeded.get_tag(tag) == "deterministic"


def test_random_state_seeds_the_recursive_sample_paths():
    y = _series()
    est = GRURegressor(loss="gaussian", **SMALL)  # the same net for every seed

    def quantiles(seed):
        f = RecurrentForecaster(
            est, window_length=5, strategy="recursive", random_state=seed
        )
        f.fit(y)
        fh = [1, 2, 3]
        return f.predict(fh).to_numpy(), f.predict_quantiles(fh, alpha=[0.1, 0.9])

    mean, q = quantiles(1)
    mean_again, q_again = quantiles(1)
    mean_other, q_other = quantiles(2)
    assert_allclose(q, q_again, rtol=0, atol=0)
    assert_allclose(mean, mean_other)  # the net is the estimator's own
    assert not np.allclose(q.iloc[1:], q_other.iloc[1:])  # the paths are not


# -- backtests in one batch -----------------------------------------------------------


def _backtest_case(strategy, with_X):
    """A fitted forecaster, the series, X and the cutoffs of a backtest."""
    y = _series(n=80)
    X = _series(n=80, seed=1, columns=("income", "calendar")) if with_X else None
    kw = {}
    if with_X and strategy == "direct":
        kw["past_covariates"] = ["income"]
    if with_X and strategy == "recursive":
        X = X[["calendar"]]  # recursion refuses past-only covariates
    f = RecurrentForecaster(
        GRURegressor(**SMALL), window_length=6, strategy=strategy, sp=4, **kw
    )
    f.fit(y[:60], X=None if X is None else X[:60], fh=[1, 2, 3])
    return f, y, X, y.index[59:77]


def _loop_backtest(forecaster, y, X, cutoffs, fh):
    """update(update_params=False) + predict at every cutoff: the reference."""
    f = forecaster.clone().fit(
        y[: len(forecaster._history_y)],
        X=None if X is None else X[: len(forecaster._history_y)],
        fh=fh,
    )
    rows = []
    for cutoff in cutoffs:
        end = y.index.get_loc(cutoff) + 1
        if end > len(f._history_y):
            f.update(y[:end], X=None if X is None else X[:end], update_params=False)
        future = None if X is None else X[end : end + max(fh)]
        rows.append(f.predict(fh, X=future).to_numpy())
    return np.concatenate(rows)


@pytest.mark.parametrize("with_X", [False, True])
@pytest.mark.parametrize("strategy", ["direct", "recursive"])
def test_backtest_in_one_batch_equals_update_and_predict(strategy, with_X):
    f, y, X, cutoffs = _backtest_case(strategy, with_X)
    calls = []
    predict = f.estimator_.predict

    def counted(windows, **kwargs):
        calls.append(len(windows))
        return predict(windows, **kwargs)

    f.estimator_.predict = counted
    fh = [1, 2, 3]
    batch = f.predict_backtest(y, cutoffs=cutoffs, fh=fh, X=X)
    # one prediction over the windows of all cutoffs (recursive: one a step)
    assert calls == [len(cutoffs)] * (1 if strategy == "direct" else 3)
    del f.estimator_.predict
    assert_allclose(batch.to_numpy(), _loop_backtest(f, y, X, cutoffs, fh))
    assert list(batch.index.get_level_values("cutoff").unique()) == list(cutoffs)
    assert list(batch.loc[cutoffs[0]].index) == list(y.index[60:63])
    assert len(f._history_y) == 60  # the forecaster is not changed


def test_backtest_defaults_and_a_series_in_a_series_out():
    f, y, _, _ = _backtest_case("recursive", with_X=False)
    series = y["y"]
    batch = f.predict_backtest(series, fh=[2, 4])
    assert isinstance(batch, pd.Series) and batch.name == "y"
    # the forecaster's cutoff and every later step of y
    assert list(batch.index.get_level_values(0).unique()) == list(y.index[59:])
    expected = _loop_backtest(f, y, None, y.index[59:], [2, 4])
    assert_allclose(batch.to_numpy(), expected.ravel())
    # fh defaults to the one of fit
    g, _, _, cutoffs = _backtest_case("direct", with_X=False)
    assert len(g.predict_backtest(y, cutoffs=cutoffs)) == 3 * len(cutoffs)


def test_evaluate_without_updating_params_gives_the_batched_forecasts():
    f, y, _, _ = _backtest_case("direct", with_X=False)
    fh = [1, 2, 3]
    cv = ExpandingWindowSplitter(initial_window=60, step_length=1, fh=fh)
    result = evaluate(f.clone(), cv, y, strategy="no-update_params", return_data=True)
    evaluated = np.concatenate([p.to_numpy() for p in result["y_pred"]])
    cutoffs = y.index[59 : 59 + len(result)]
    batch = f.predict_backtest(y, cutoffs=cutoffs, fh=fh)
    assert_allclose(batch.to_numpy(), evaluated.ravel()[:, None])


def test_update_without_params_only_stores_the_data():
    y = _series(n=80)
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=5)
    f.fit(y[:60], fh=[1, 2])
    net = f.estimator_
    changed = y[:70].copy()
    changed.iloc[55] += 100  # a value seen in fit, corrected
    cases = [y[60:65], y[:70], changed, y[75:80]]  # new rows, a prefix, a gap
    history = f._history_y
    for new in cases:
        f.update(new, update_params=False)
        history = update_data(history, new)
        pd.testing.assert_frame_equal(f._history_y, history)
        assert f.estimator_ is net  # no refit
    assert f.cutoff[0] == y.index[-1]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cutoffs": ["1999-01"]}, "cutoffs must be values of the index"),
        ({"cutoffs": [pd.Period("2030-01", "M")]}, r"\[Period\('2030-01'"),
        ({"cutoffs": []}, "got none"),
        ({"cutoffs": [pd.Period("2000-03", "M")]}, "fewer than 6 steps of history"),
        ({"fh": [0, 1]}, "must be >= 1"),
        ({"fh": [1, 4]}, r"beyond the horizon .*horizon_=3"),
        ({"y": "other columns"}, "y must hold the variables of fit"),
        ({"X": "short"}, r"future-known covariates \['calendar'\] at"),
    ],
)
def test_bad_backtests_are_refused_clearly(kwargs, match):
    f, y, X, cutoffs = _backtest_case("direct", with_X=True)
    kwargs = {"y": y, "cutoffs": cutoffs, "fh": [1, 2], "X": X, **kwargs}
    if isinstance(kwargs["y"], str):
        kwargs["y"] = y.rename(columns={"y": "z"})
    if isinstance(kwargs["X"], str):  # no calendar after the last step of y
        kwargs.update(y=y[:75], X=X[:75], cutoffs=y.index[70:75])
    with pytest.raises(ValueError, match=match):
        f.predict_backtest(**kwargs)


def test_backtest_fh_must_be_relative_and_given():
    y = _series(n=80)
    f = RecurrentForecaster(LSTMRegressor(**SMALL), window_length=5)
    f.set_params(strategy="recursive")
    f.fit(y[:60])
    with pytest.raises(ValueError, match="needs fh"):
        f.predict_backtest(y)
    absolute = ForecastingHorizon(y.index[61:63], is_relative=False)
    with pytest.raises(ValueError, match="fh must be relative"):
        f.predict_backtest(y, fh=absolute)


def test_backtest_on_a_datetime_index():
    # half-hourly steps: the forecast steps after the last cutoff extend the
    # index by its frequency
    y = _series(n=80)
    y.index = pd.date_range("2000-01-01", periods=80, freq="30min")
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=6, sp=4)
    f.fit(y[:60], fh=[1, 2])
    batch = f.predict_backtest(y)  # from the fitted cutoff to the last step
    assert batch.index[-1] == (y.index[-1], y.index[-1] + pd.Timedelta("1h"))
    assert_allclose(batch.to_numpy(), _loop_backtest(f, y, None, y.index[59:], [1, 2]))


def test_built_and_cloned_without_sktimes_remember_data_warning():
    """The forecaster keeps its own history (update refits from it), so it
    sets sktime's remember_data explicitly: a search's clones do not repeat
    sktime 1.2's announcement of that default's change."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecaster = RecurrentForecaster(GRURegressor(hidden_size=2))
        forecaster.clone()
    assert not [w for w in caught if "remember_data" in str(w.message)]
    assert forecaster.get_config()["remember_data"] is False


# -- panels: one net over many series -------------------------------------------


def _panel(lengths=(40, 55, 30), seed=0, scale=None, hier=False):
    """A pd-multiindex panel of random walks of ``lengths`` (RangeIndex time,
    so series of different lengths end at different steps)."""
    rng = np.random.default_rng(seed)
    frames = {}
    for k, n in enumerate(lengths):
        values = np.cumsum(rng.standard_normal(n)) * (1 if scale is None else scale[k])
        key = ("g", f"s{k}") if hier else f"s{k}"
        frames[key] = pd.DataFrame({"y": values}, index=pd.RangeIndex(n, name="t"))
    names = ["group", "series", "t"] if hier else ["series", "t"]
    return pd.concat(frames, names=names)


def test_panel_fit_trains_one_net_and_forecasts_every_series():
    y = _panel()
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=6)
    pred = f.fit(y, fh=[1, 2, 3]).predict()
    assert isinstance(f.estimator_, GRURegressor)  # one net, not one per series
    assert not hasattr(f, "forecasters_")  # sktime did not vectorise
    expected = pd.MultiIndex.from_tuples(
        [(f"s{k}", n + h) for k, n in enumerate((39, 54, 29)) for h in (1, 2, 3)],
        names=["series", "t"],
    )
    assert pred.index.equals(expected)  # each series from its own end
    assert list(pred.columns) == ["y"] and np.isfinite(pred.to_numpy()).all()
    assert f.estimator_.n_features_in_ == 1


@pytest.mark.parametrize("window_norm", ["last", "standard"])
def test_panel_scales_each_series_by_its_own_statistics(window_norm):
    # the second series is the first in other units (x 1000): on its own
    # scale it is the same series, so it gets the same forecast, x 1000,
    # and does not dominate the net's loss
    small = _panel(lengths=(50,))
    y = pd.concat(
        {"small": small.loc["s0"], "large": small.loc["s0"] * 1000},
        names=["series", "t"],
    )
    f = RecurrentForecaster(
        GRURegressor(**SMALL), window_length=5, window_norm=window_norm
    )
    pred = f.fit(y, fh=[1, 2]).predict()
    assert not hasattr(f, "forecasters_")  # one net for both series
    assert_allclose(pred.loc["large"], 1000 * pred.loc["small"], rtol=1e-4)


def test_panel_holdout_is_the_latest_windows_of_every_series():
    y = _panel(lengths=(40, 60))
    regressor = GRURegressor(**SMALL, validation_fraction=0.25)
    f = RecurrentForecaster(regressor, window_length=5, refit=False)
    f.fit(y, fh=[1, 2])
    fold = f.estimator_.validation_split.test_fold
    n_windows = [40 - 6, 60 - 6]  # n - (window_length + horizon) + 1
    assert len(fold) == sum(n_windows)
    first, second = fold[: n_windows[0]], fold[n_windows[0] :]
    assert_allclose(first, [-1] * 26 + [0] * 8)  # round(0.25 * 34)
    assert_allclose(second, [-1] * 40 + [0] * 14)  # round(0.25 * 54)
    assert regressor.validation_split == "auto"  # the user's is untouched


def test_hierarchical_panel_with_covariates_known_in_advance():
    y = _panel(lengths=(40, 45), hier=True)
    rng = np.random.default_rng(1)
    x_full = pd.DataFrame(
        {"x": rng.standard_normal(len(y) + 6)},
        index=pd.concat(
            {
                ("g", f"s{k}"): pd.DataFrame(index=pd.RangeIndex(n + 3, name="t"))
                for k, n in enumerate((40, 45))
            },
            names=y.index.names,
        ).index,
    )
    past = x_full.index.isin(y.index)
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=4)
    f.fit(y, X=x_full[past], fh=[1, 2, 3])
    pred = f.predict(X=x_full[~past])
    assert pred.index.names == ["group", "series", "t"]
    assert pred.index.tolist() == [
        ("g", "s0", 40),
        ("g", "s0", 41),
        ("g", "s0", 42),
        ("g", "s1", 45),
        ("g", "s1", 46),
        ("g", "s1", 47),
    ]


def test_panel_update_without_params_forecasts_from_the_new_ends():
    y = _panel(lengths=(30, 30))
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=4)
    f.fit(y, fh=[1])
    new = pd.concat(
        {
            s: pd.DataFrame({"y": [0.0, 1.0]}, index=pd.RangeIndex(30, 32, name="t"))
            for s in ("s0", "s1")
        },
        names=["series", "t"],
    )
    net = f.estimator_
    pred = f.update(new, update_params=False).predict()
    assert f.estimator_ is net
    assert pred.index.tolist() == [("s0", 32), ("s1", 32)]


def test_panel_probabilistic_forecasts_cover_every_series():
    y = _panel(lengths=(30, 35))
    f = RecurrentForecaster(GRURegressor(loss="gaussian", **SMALL), window_length=4)
    interval = f.fit(y, fh=[1, 2]).predict_interval(coverage=0.9)
    assert interval.index.tolist() == [("s0", 30), ("s0", 31), ("s1", 35), ("s1", 36)]
    lower, upper = interval.iloc[:, 0], interval.iloc[:, 1]
    assert (lower < upper).all()


def test_panel_refusals_name_the_series_and_the_fix():
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=10)
    with pytest.raises(ValueError, match=r"1 series of the panel y .*'s1' \(8\)"):
        f.fit(_panel(lengths=(30, 8)), fh=[1, 2])
    f = RecurrentForecaster(GRURegressor(**SMALL), window_length=4).fit(
        _panel(lengths=(30, 30)), fh=[1]
    )
    new = pd.concat(
        {"s9": pd.DataFrame({"y": np.arange(30.0)}, index=pd.RangeIndex(30, name="t"))},
        names=["series", "t"],
    )
    with pytest.raises(ValueError, match=r"\['s9'\] were not in the panel"):
        f.update(new, update_params=False).predict()


def _until(frame, last):
    """The rows of a panel up to time ``last`` of every series."""
    return frame[frame.index.get_level_values("t") <= last]


def _panel_backtest_case(strategy, series_features):
    """A forecaster fitted on the first 35 steps of a panel of three series of
    different lengths, the whole panel, its covariate (direct) and cutoffs."""
    y = _panel(lengths=(50, 60, 55))
    X = None
    if strategy == "direct":  # a covariate known in advance, 3 steps past y
        X = pd.concat(
            {
                key: pd.DataFrame(
                    {"calendar": np.sin(np.arange(len(part) + 3))},
                    index=pd.RangeIndex(len(part) + 3, name="t"),
                )
                for key, part in y.groupby(level="series")
            },
            names=["series", "t"],
        )
    f = RecurrentForecaster(
        GRURegressor(**SMALL),
        window_length=5,
        strategy=strategy,
        sp=3,
        series_features=series_features,
    )
    f.fit(_until(y, 34), X=None if X is None else _until(X, 34), fh=[1, 2, 3])
    return f, y, X, list(range(34, 45))


def _panel_loop_backtest(forecaster, y, X, cutoffs, fh):
    """update(update_params=False) + predict of the panel at every cutoff, the
    reference, indexed as predict_backtest's result."""
    f = forecaster.clone().fit(
        _until(y, cutoffs[0]), X=None if X is None else _until(X, cutoffs[0]), fh=fh
    )
    preds = {}
    for cutoff in cutoffs:
        if cutoff > cutoffs[0]:
            new_X = None if X is None else _until(X, cutoff)
            f.update(_until(y, cutoff), X=new_X, update_params=False)
        future = None
        if X is not None:
            t = X.index.get_level_values("t")
            future = X[(t > cutoff) & (t <= cutoff + max(fh))]
        preds[cutoff] = f.predict(fh, X=future)
    frame = pd.concat(preds, names=["cutoff"])
    return frame.reorder_levels(["series", "cutoff", "t"]).sort_index()


@pytest.mark.parametrize(
    "strategy, series_features", [("direct", "id"), ("recursive", None)]
)
def test_panel_backtest_in_one_batch_equals_update_and_predict(
    strategy, series_features
):
    f, y, X, cutoffs = _panel_backtest_case(strategy, series_features)
    calls = []
    predict = f.estimator_.predict

    def counted(windows, **kwargs):
        calls.append(len(windows))
        return predict(windows, **kwargs)

    f.estimator_.predict = counted
    fh = [1, 2, 3]
    batch = f.predict_backtest(y, cutoffs=cutoffs, fh=fh, X=X)
    # one prediction over the windows of every series and cutoff (recursive:
    # one a step)
    assert calls == [3 * len(cutoffs)] * (1 if strategy == "direct" else 3)
    del f.estimator_.predict
    assert batch.index.names == ["series", "cutoff", "t"]
    expected = _panel_loop_backtest(f, y, X, cutoffs, fh)
    assert batch.index.equals(expected.index)
    assert_allclose(batch.to_numpy(), expected.to_numpy())
    assert list(batch.loc[("s1", 40)].index) == [41, 42, 43]
    assert len(f._history_y) == 3 * 35  # the forecaster is not changed


def test_panel_evaluate_without_updating_params_gives_the_batched_forecasts():
    y = _panel(lengths=(45, 45))
    f = RecurrentForecaster(
        GRURegressor(**SMALL), window_length=5, sp=3, series_features="id"
    )
    fh = [1, 2, 3]
    cv = ExpandingWindowSplitter(initial_window=35, step_length=1, fh=fh)
    result = evaluate(f.clone(), cv, y, strategy="no-update_params", return_data=True)
    cutoffs = list(result["cutoff"])
    evaluated = pd.concat(dict(zip(cutoffs, result["y_pred"])), names=["cutoff"])
    evaluated = evaluated.reorder_levels(["series", "cutoff", "t"]).sort_index()
    batch = f.fit(_until(y, 34), fh=fh).predict_backtest(y, cutoffs=cutoffs)
    assert batch.index.equals(evaluated.index)
    assert_allclose(batch.to_numpy(), evaluated.to_numpy())


def test_panel_backtest_defaults_and_a_subset_of_the_series():
    f, y, _, _ = _panel_backtest_case("recursive", None)
    batch = f.predict_backtest(y, fh=[2])
    assert isinstance(batch, pd.DataFrame) and list(batch.columns) == ["y"]
    # each series from the forecaster's cutoff to its own last step
    for key, n in (("s0", 50), ("s1", 60), ("s2", 55)):
        cutoffs = batch.loc[key].index.get_level_values("cutoff")
        assert list(cutoffs) == list(range(34, n))
    # a subset of the fitted series: only those are forecast
    part = f.predict_backtest(y.loc[["s2"]], cutoffs=[40, 41], fh=[2])
    assert part.index.tolist() == [("s2", 40, 42), ("s2", 41, 43)]
    assert_allclose(part.to_numpy(), batch.loc["s2"].loc[[40, 41]].to_numpy())


def test_panel_backtest_refusals_name_the_series():
    f, y, X, cutoffs = _panel_backtest_case("direct", "id")
    kwargs = dict(fh=[1], X=X)
    other = pd.concat({"s9": y.loc["s0"]}, names=["series", "t"])
    with pytest.raises(ValueError, match=r"\['s9'\] were not in the panel y .* Leave"):
        f.predict_backtest(pd.concat([y, other]), cutoffs=cutoffs, fh=[1])
    # s0 has 50 steps: no cutoff 55
    with pytest.raises(ValueError, match=r"series 's0' of the panel y: cutoffs must"):
        f.predict_backtest(y, cutoffs=[40, 55], **kwargs)
    with pytest.raises(ValueError, match=r"series 's0' .* the cutoffs \[2\] have"):
        f.predict_backtest(y, cutoffs=[2], **kwargs)
    with pytest.raises(ValueError, match=r"series 's0' .* future-known covariates"):
        f.predict_backtest(y, cutoffs=[40], fh=[1], X=_until(X, 40))
    with pytest.raises(ValueError, match="fitted on a panel, but y is one series"):
        f.predict_backtest(y.loc["s0"], cutoffs=[40], fh=[1])
    single = RecurrentForecaster(GRURegressor(**SMALL), window_length=5)
    single.fit(y.loc["s0"], fh=[1])
    with pytest.raises(ValueError, match="fitted on one series, but y is a panel"):
        single.predict_backtest(y, cutoffs=[40])


def test_series_id_tells_the_net_which_series_it_reads():
    y = _panel(lengths=(40, 40))
    params = dict(window_length=4, window_norm="standard")
    f = RecurrentForecaster(GRURegressor(**SMALL), series_features="id", **params)
    pred = f.fit(y, fh=[1, 2]).predict()
    assert f.estimator_.n_features_in_ == 3  # the target and a 2-series code
    assert pred.index.tolist() == [("s0", 40), ("s0", 41), ("s1", 40), ("s1", 41)]
    with pytest.raises(ValueError, match="strategy='direct', or series_features"):
        RecurrentForecaster(
            GRURegressor(**SMALL), strategy="recursive", series_features="id"
        ).fit(y)
    with pytest.raises(ValueError, match="series_features must be None or 'id'"):
        RecurrentForecaster(GRURegressor(**SMALL), series_features="ids").fit(y, fh=[1])


def _monthly_positive(n=96, seed=0):
    """A positive monthly series with a yearly season and a trend."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 100 + 0.2 * t + 20 * np.sin(2 * np.pi * t / 12) + rng.standard_normal(n)
    return pd.Series(values, index=pd.period_range("2000-01", periods=n, freq="M"))


def test_auto_defaults_follow_the_series():
    y = _monthly_positive()
    f = RecurrentForecaster(GRURegressor(**SMALL)).fit(y, fh=[1, 2, 3])
    # the calendar season, kept since its seasonal naive beats the naive one;
    # two seasons of window; log since every value is > 0
    assert (f.sp_, f.window_length_, f.transform_) == (12, 24, "log")
    short = RecurrentForecaster(GRURegressor(**SMALL)).fit(y[:45], fh=[1, 2, 3])
    assert short.window_length_ == 15  # a third of the series
    # a value <= 0: no log; no calendar (integer index): no season, and the
    # window without one
    shifted = pd.Series(y.to_numpy() - 110.0)
    g = RecurrentForecaster(GRURegressor(**SMALL)).fit(shifted, fh=[1, 2, 3])
    assert (g.sp_, g.window_length_, g.transform_) == (None, 24, None)


def test_auto_sp_drops_a_season_the_naive_forecast_beats():
    # a monthly random walk: last month's value is a better guess than last
    # year's, so no seasonal base; the window still spans two seasons
    rng = np.random.default_rng(0)
    y = pd.Series(
        np.cumsum(rng.standard_normal(96)),
        index=pd.period_range("2000-01", periods=96, freq="M"),
    )
    f = RecurrentForecaster(GRURegressor(**SMALL)).fit(y, fh=[1])
    assert (f.sp_, f.window_length_) == (None, 24)


def test_explicit_values_override_the_auto_rules():
    y = _monthly_positive()
    f = RecurrentForecaster(
        GRURegressor(**SMALL), window_length=5, sp=None, transform=None
    ).fit(y, fh=[1, 2])
    assert (f.sp_, f.window_length_, f.transform_) == (None, 5, None)
    assert f.get_params()["window_length"] == 5  # parameters are not rewritten
    g = RecurrentForecaster(GRURegressor(**SMALL), sp=4, transform="log")
    g.fit(y, fh=[1, 2])
    # an explicit sp is kept, and sets the auto window (2 * 4)
    assert (g.sp_, g.window_length_, g.transform_) == (4, 8, "log")
    assert g.get_params()["sp"] == 4 and g.get_params()["window_length"] == "auto"


def test_log_transform_is_the_same_as_logging_outside():
    # transform="log" inside equals sktime's LogTransformer in front
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.transformations.series.boxcox import LogTransformer

    y = _monthly_positive()
    fh = [1, 2, 3]
    kw = dict(window_length=12, sp=12)
    inside = RecurrentForecaster(GRURegressor(**SMALL), transform="log", **kw)
    outside = TransformedTargetForecaster(
        [
            ("log", LogTransformer()),
            ("rnn", RecurrentForecaster(GRURegressor(**SMALL), transform=None, **kw)),
        ]
    )
    assert_allclose(
        inside.fit(y, fh=fh).predict(), outside.fit(y, fh=fh).predict(), rtol=1e-5
    )


@pytest.mark.parametrize(
    "loss, strategy",
    [("gaussian", "direct"), ("quantile", "direct"), ("gaussian", "recursive")],
)
def test_log_forecasts_are_positive_with_ordered_intervals(loss, strategy):
    # a series near 0 on a log scale: a forecast without log could cross 0
    y = np.exp(-_monthly_positive() / 20)
    levels = {"quantiles": (0.1, 0.25, 0.5, 0.75, 0.9)} if loss == "quantile" else {}
    est = GRURegressor(loss=loss, **levels, **SMALL)
    f = RecurrentForecaster(est, strategy=strategy, random_state=0)
    f.fit(y, fh=[1, 2, 3])
    assert f.transform_ == "log"
    pred = f.predict()
    assert (pred > 0).all()
    intervals = f.predict_interval(coverage=[0.5, 0.8]).to_numpy()
    low80, low50, up50, up80 = intervals[:, [2, 0, 1, 3]].T
    assert (0 < low80).all() and (low80 <= low50).all() and (low50 < up50).all()
    assert (up50 <= up80).all()
    var = f.predict_var().to_numpy().ravel()
    assert (var > 0).all()
    # the distribution is a lognormal's moments: its mean is above the median
    # that predict gives
    proba = f.predict_proba()
    assert_allclose(proba.var().to_numpy().ravel(), var, rtol=1e-6)
    if strategy == "direct" and loss == "gaussian":
        median = f.predict_quantiles(alpha=[0.5]).to_numpy().ravel()
        assert_allclose(median, pred.to_numpy(), rtol=1e-5)
        assert (proba.mean().to_numpy().ravel() > pred.to_numpy()).all()


def test_log_refuses_non_positive_new_values_clearly():
    y = _monthly_positive()
    f = RecurrentForecaster(GRURegressor(**SMALL)).fit(y[:80], fh=[1])
    bad = y[80:].copy()
    bad.iloc[3] = 0.0
    with pytest.raises(ValueError, match="chose it because the training series"):
        f.predict_backtest(bad, fh=[1])


def test_a_panel_gets_one_auto_choice_for_all_its_series():
    """Monthly positive series: the season and the log, chosen once; the
    window from the shortest series; a series twice another is forecast
    exactly twice as high (its own scale)."""
    from sksequence.datasets import load_airline

    y = load_airline(as_frame=True)
    panel = pd.concat({"a": y, "b": 2.0 * y, "c": y.iloc[:96]}, names=["id", "t"])
    forecaster = RecurrentForecaster(
        GRURegressor(hidden_size=4, max_epochs=2, random_state=0)
    ).fit(panel.to_frame(), fh=[1, 2, 3])
    assert (forecaster.sp_, forecaster.transform_) == (12, "log")
    assert forecaster.window_length_ == 24  # min(2 * 12, 96 // 3 = 32)
    pred = forecaster.predict()
    assert_allclose(pred.xs("b").to_numpy(), 2.0 * pred.xs("a").to_numpy())
