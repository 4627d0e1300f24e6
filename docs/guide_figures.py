"""Draw the figures of the user guide.

Each figure runs the code of its page (or a smaller version of it, said in
its caption) on data that ships with sksequence or that the function
generates. The PNGs are committed (the docs build does not train a model);
redraw them all, or some by name::

    OMP_NUM_THREADS=1 python docs/guide_figures.py
    OMP_NUM_THREADS=1 python docs/guide_figures.py windowing tuning

One function per figure, named as in ``FIGURES``; each saves one PNG under
``docs/_static/images/``, shown by a ``.. figure::`` of its page, whose
caption says what it shows. Two of them (``serving``, ``gpu``) plot timings
recorded under ``docs/benchmarks/`` instead of timing anything themselves:
a timing depends on the machine, and those records name theirs.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from sksequence import GRUClassifier, SequenceScaler  # noqa: E402
from sksequence.datasets import load_gunpoint  # noqa: E402

OUT = Path(__file__).resolve().parent / "_static" / "images"


def classification():
    data = load_gunpoint()
    names = {"1": "gun", "2": "point"}
    y_train = np.array([names[c] for c in data.y_train])
    y_test = np.array([names[c] for c in data.y_test])
    clf = make_pipeline(SequenceScaler(), GRUClassifier(random_state=0))
    clf.fit(data.X_train, y_train)
    gun = list(clf[-1].classes_).index("gun")
    proba = clf.predict_proba(data.X_test)[:, gun]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    for ax, label in zip(axes[:2], ("gun", "point")):
        for seq in data.X_train[y_train == label, :, 0]:
            ax.plot(seq, color="C0" if label == "gun" else "C1", alpha=0.4, lw=1)
        ax.set_title(f'training sequences of class "{label}"')
        ax.set_xlabel("time step")
    axes[0].set_ylabel("hand position")
    bins = np.linspace(0, 1, 21)
    for label, color in (("gun", "C0"), ("point", "C1")):
        axes[2].hist(
            proba[y_test == label], bins=bins, color=color, alpha=0.7, label=label
        )
    axes[2].set_title(f"test: P(gun), accuracy {clf.score(data.X_test, y_test):.3f}")
    axes[2].set_xlabel('predict_proba, column "gun"')
    axes[2].legend(title="true class")
    fig.tight_layout()
    fig.savefig(OUT / "classification_gunpoint.png", dpi=100)


def attribution():
    from sksequence.inspection import attribute, plot_attributions

    rng = np.random.default_rng(0)
    n, n_steps = 400, 30
    X = rng.normal(scale=0.5, size=(n, n_steps, 3))
    has_bump = rng.random(n) < 0.5
    where = rng.integers(8, 22, size=n)
    t = np.arange(n_steps)
    X[has_bump, :, 1] += 2.5 * np.exp(-0.5 * ((t - where[has_bump, None]) / 1.2) ** 2)
    y = np.where(has_bump, "bump", "flat")
    clf = GRUClassifier(hidden_size=16, random_state=0).fit(X[:300], y[:300])
    i = 300 + int(np.flatnonzero(has_bump[300:])[0])
    values = attribute(clf, X[i : i + 1], "integrated_gradients", n_steps=64)
    fig, axes = plt.subplots(2, 1, sharex=True, figsize=(8, 4.5), layout="constrained")
    plot_attributions(X[i], values[0], ax=axes)
    axes[0].set_title(f"one test sequence (predicted: {clf.predict(X[i : i + 1])[0]})")
    fig.savefig(OUT / "attribution_bump.png", dpi=100)


def _airline_months(n):
    return np.datetime64("1949-01") + np.arange(n)


def windowing():
    from sklearn.model_selection import TimeSeriesSplit
    from sklearn.preprocessing import StandardScaler

    from sksequence import GRURegressor, SlidingWindowTransformer
    from sksequence.datasets import load_airline

    # the page's first recipe, as written
    passengers = load_airline()
    change = np.diff(np.log(passengers)).reshape(-1, 1)
    X, target = change[:-1], change[1:, 0]
    model = make_pipeline(
        StandardScaler(),
        SlidingWindowTransformer(window_size=12),
        GRURegressor(random_state=0),
    )
    n_test = 36
    model.fit(X[:-n_test], target[:-n_test])
    last_month = passengers[-n_test - 1 : -1]
    forecast = last_month * np.exp(model.predict(X)[-n_test:])
    truth = passengers[-n_test:]

    fig, axes = plt.subplots(3, 1, figsize=(8, 7.5), layout="constrained")
    rows = np.arange(len(X))
    t = 60  # one row: its window and its target
    axes[0].plot(rows, X[:, 0], color="0.6", lw=1)
    axes[0].plot(rows[t - 11 : t + 1], X[t - 11 : t + 1, 0], "C0o-", ms=3)
    axes[0].plot(t + 1, target[t], "C3o", ms=6)
    axes[0].set_title(
        f"row {t}: its window (rows {t - 11}-{t}, blue) and its target "
        f"(the change that follows, red)"
    )
    axes[0].set_ylabel("change of log(passengers)")
    axes[0].set_xlabel("row")

    n_train = len(X) - n_test
    cv = TimeSeriesSplit(n_splits=3)
    for k, (train, valid) in enumerate(cv.split(X[:n_train])):
        axes[1].barh(k, len(train), left=train[0], color="C0", height=0.6)
        axes[1].barh(k, len(valid), left=valid[0], color="C1", height=0.6)
    axes[1].barh(3, n_test, left=n_train, color="0.5", height=0.6)
    axes[1].set_yticks(range(4), ["fold 1", "fold 2", "fold 3", "test"])
    axes[1].invert_yaxis()
    axes[1].set_xlim(0, len(X))
    axes[1].set_xlabel("row")
    axes[1].set_title(
        "TimeSeriesSplit(n_splits=3): fit on a prefix (blue), "
        "validate on what follows (orange)"
    )

    def mae(pred):
        return np.mean(np.abs(pred - truth))

    months = _airline_months(len(passengers))[-n_test:]
    axes[2].plot(months, truth, "k", lw=2, label="truth")
    axes[2].plot(months, forecast, "C0", label=f"GRU, MAE {mae(forecast):.1f}")
    axes[2].plot(
        months, last_month, "C1--", label=f"last month, MAE {mae(last_month):.1f}"
    )
    axes[2].set_ylabel("passengers (thousands)")
    axes[2].set_title("one month ahead on the three held-out years")
    axes[2].legend(loc="upper left")
    fig.savefig(OUT / "windowing_airline.png", dpi=80)


def _quiet_sktime():
    import warnings

    # sktime 1.2 announces a change of one of its defaults at every forecaster
    warnings.filterwarnings("ignore", "The default of config", FutureWarning)


def forecasting():

    from sksequence import GRURegressor
    from sksequence.datasets import load_airline
    from sksequence.sktime import RecurrentForecaster

    _quiet_sktime()
    y = load_airline(as_frame=True)
    n_test = 24
    fh = np.arange(1, n_test + 1)
    truth = y.to_numpy()[-n_test:]
    forecasts = {}
    for strategy in ("direct", "recursive"):
        # the log and the seasonal base: the forecaster's "auto" defaults
        forecaster = RecurrentForecaster(
            GRURegressor(random_state=0), window_length=24, strategy=strategy
        )
        forecaster.fit(y.iloc[:-n_test], fh=fh)
        forecasts[strategy] = forecaster.predict().to_numpy()
    naive = y.to_numpy()[-n_test - 12 : -12]

    def mae(pred):
        return np.mean(np.abs(pred - truth))

    months = _airline_months(len(y))
    fig, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
    ax.plot(months[-72:], y.to_numpy()[-72:], "k", lw=2, label="truth")
    for (name, pred), style in zip(forecasts.items(), ("C0", "C2")):
        ax.plot(months[-n_test:], pred, style, label=f"{name}, MAE {mae(pred):.1f}")
    ax.plot(
        months[-n_test:],
        naive,
        "C1--",
        label=f"same month last year, MAE {mae(naive):.1f}",
    )
    ax.axvline(months[-n_test], color="0.6", lw=1)
    ax.set_ylabel("passengers (thousands)")
    ax.set_title("airline: the last two years forecast from the years before them")
    ax.legend(loc="upper left")
    fig.savefig(OUT / "forecasting_strategies.png", dpi=80)


def uncertainty():
    from sksequence import GRURegressor

    # the page's example (noise ten times larger when the first step is
    # positive), with more data and the default number of epochs
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1200, 8, 1))
    noise = np.where(X[:, 0, 0] < 0, 0.1, 1.0)
    y = X[:, -1, 0] + noise * rng.normal(size=len(X))
    train, test = slice(0, 1000), slice(1000, None)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True, layout="constrained")
    order = np.argsort(X[test, 0, 0])
    first = X[test, 0, 0][order]
    for ax, loss in zip(axes, ("gaussian", "quantile")):
        extra = {"quantiles": (0.1, 0.9)} if loss == "quantile" else {}
        reg = GRURegressor(loss=loss, hidden_size=16, random_state=0, **extra)
        reg.fit(X[train], y[train])
        center = reg.predict(X[test])
        lower, upper = reg.predict_interval(X[test], coverage=0.8)
        inside = np.mean((lower <= y[test]) & (y[test] <= upper))
        ax.scatter(first, (y[test] - center)[order], s=6, color="0.4")
        ax.fill_between(
            first,
            (lower - center)[order],
            (upper - center)[order],
            color="C0",
            alpha=0.3,
            step="mid",
            label="80 % interval",
        )
        ax.axvline(0, color="0.6", lw=1)
        ax.set_title(f'loss="{loss}": {inside:.0%} of test targets inside')
        ax.set_xlabel("first input step (noise x10 where it is positive)")
    axes[0].set_ylabel("test target minus prediction")
    axes[0].legend(loc="upper left")
    fig.savefig(OUT / "uncertainty_intervals.png", dpi=80)


def tuning():
    from sklearn.model_selection import TimeSeriesSplit, validation_curve

    from sksequence import LSTMRegressor, make_forecasting_data

    # the page's data: windows of a noisy sine, in time order
    steps = np.arange(400)
    noise = np.random.default_rng(0).normal(scale=0.2, size=steps.size)
    X, y = make_forecasting_data(np.sin(steps / 4) + noise, window_size=16)
    sizes = [1, 2, 4, 8, 16, 32, 64]
    train, valid = validation_curve(
        LSTMRegressor(random_state=0),
        X,
        y,
        param_name="hidden_size",
        param_range=sizes,
        cv=TimeSeriesSplit(n_splits=3),
    )
    best = sizes[int(np.argmax(valid.mean(axis=1)))]
    model = LSTMRegressor(hidden_size=best, random_state=0).fit(X, y)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
    for scores, label in ((train, "training"), (valid, "validation")):
        axes[0].errorbar(
            sizes, scores.mean(axis=1), scores.std(axis=1), marker="o", label=label
        )
    axes[0].set_xscale("log", base=2)
    axes[0].set_xlabel("hidden_size")
    axes[0].set_ylabel("R²")
    axes[0].set_title("validation_curve, TimeSeriesSplit(n_splits=3)")
    axes[0].legend()
    history = model.history_
    axes[1].plot(history.index, history["train_loss"], label="train_loss")
    axes[1].plot(history.index, history["valid_loss"], label="valid_loss")
    axes[1].axvline(
        history["valid_loss"].idxmin(),
        color="0.6",
        lw=1,
        label="best epoch (weights kept)",
    )
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("MSE of the standardized target")
    axes[1].set_title(f"history_ of hidden_size={best}")
    axes[1].legend()
    fig.savefig(OUT / "tuning_hidden_size.png", dpi=80)


def vanishing_gradients():
    from sklearn.base import clone

    from sksequence import GRURegressor, LSTMRegressor, RNNRegressor
    from sksequence.inspection import gradient_flow, plot_gradient_flow

    # the adding problem of the gallery's gradient-flow example, smaller
    n_steps = 50
    rng = np.random.default_rng(0)

    def adding_problem(n):
        X = np.zeros((n, n_steps, 2), dtype=np.float32)
        X[:, :, 0] = rng.uniform(size=(n, n_steps))
        rows = np.arange(n)
        first = rng.integers(0, 10, size=n)
        second = rng.integers(n_steps - 10, n_steps, size=n)
        X[rows, first, 1] = X[rows, second, 1] = 1.0
        return X, X[rows, first, 0] + X[rows, second, 0]

    X_train, y_train = adding_problem(600)
    X_test, y_test = adding_problem(200)
    # as long a patience as the training: the gated cells sit on a plateau
    # for a while before they find the first marker
    params = dict(
        hidden_size=32,
        max_epochs=50,
        n_iter_no_change=50,
        lr=1e-2,
        patch_size=1,
        random_state=0,
    )
    models = {
        "RNN (tanh)": RNNRegressor(**params),
        "LSTM": LSTMRegressor(**params),
        "GRU": GRURegressor(**params),
    }
    start, trained, mse = {}, {}, {}
    for name, model in models.items():
        early = clone(model).set_params(max_epochs=1).fit(X_train, y_train)
        start[name] = gradient_flow(early, X_test, y_test)
        model.fit(X_train, y_train)
        trained[name] = gradient_flow(model, X_test, y_test)
        mse[name] = np.mean((model.predict(X_test) - y_test) ** 2)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    plot_gradient_flow(start, ax=axes[0])
    axes[0].set_title("after one epoch")
    plot_gradient_flow(
        {f"{name}, test MSE {mse[name]:.3f}": r for name, r in trained.items()},
        ax=axes[1],
    )
    axes[1].set_title(f"after training (predicting the mean: MSE {np.var(y_test):.3f})")
    fig.savefig(OUT / "vanishing_gradients_flow.png", dpi=80)


def weights():
    from sklearn.metrics import ConfusionMatrixDisplay, recall_score

    from sksequence import GRUClassifier

    # the gallery's imbalanced example, one seed: 5 % of the sequences carry
    # a bump of twice the noise's spread
    n_steps = 12
    rng = np.random.default_rng(0)

    def make_sequences(n_samples, rare_share=0.05):
        rare = rng.permutation(np.arange(n_samples) < round(rare_share * n_samples))
        X = rng.normal(size=(n_samples, n_steps, 1))
        where = rng.integers(3, n_steps - 3, size=n_samples)
        bump = np.exp(-0.5 * (np.arange(n_steps) - where[:, None]) ** 2)
        X[:, :, 0] += 2.2 * rare[:, None] * bump
        return X.astype(np.float32), np.where(rare, "rare", "common")

    X_train, y_train = make_sequences(600)
    X_test, y_test = make_sequences(4000)
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), layout="constrained")
    for ax, class_weight in zip(axes, (None, "balanced")):
        clf = GRUClassifier(
            hidden_size=16, batch_size=64, class_weight=class_weight, random_state=0
        ).fit(X_train, y_train)
        pred = clf.predict(X_test)
        ConfusionMatrixDisplay.from_predictions(
            y_test, pred, ax=ax, colorbar=False, cmap="Blues"
        )
        recall = recall_score(y_test, pred, pos_label="rare")
        ax.set_title(f"class_weight={class_weight!r}\nrecall of rare: {recall:.2f}")
    fig.savefig(OUT / "weights_imbalanced.png", dpi=80)


def defaults():
    from sksequence import GRURegressor, SequenceScaler, make_forecasting_data
    from sksequence.datasets import load_airline

    # windows of the airline series in its own units (hundreds of thousands
    # of passengers), read as given or standardized by SequenceScaler
    X, y = make_forecasting_data(load_airline(), window_size=12)
    models = {
        "inputs as given": GRURegressor(random_state=0),
        "SequenceScaler() first": make_pipeline(
            SequenceScaler(), GRURegressor(random_state=0)
        ),
    }
    fig, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
    for (name, model), color in zip(models.items(), ("C3", "C0")):
        model.fit(X, y)
        history = (model[-1] if hasattr(model, "steps") else model).history_
        ax.plot(
            history.index,
            history["valid_loss"],
            color=color,
            label=f"{name}: best {history['valid_loss'].min():.3f}",
        )
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("valid_loss (standardized target)")
    ax.set_title("airline windows: the same GRURegressor, inputs raw or scaled")
    ax.legend()
    fig.savefig(OUT / "defaults_input_scale.png", dpi=80)


def models():
    from sksequence import GRURegressor

    # the gallery's variable-length example: the target is the sum of each
    # sequence's last three values
    rng = np.random.default_rng(0)
    lengths = rng.integers(5, 41, size=600)
    sequences = [rng.normal(size=(n, 1)).astype(np.float32) for n in lengths]
    y = np.array([s[-3:, 0].sum() for s in sequences])
    padded = np.zeros((len(sequences), lengths.max(), 1), dtype=np.float32)
    for i, s in enumerate(sequences):
        padded[i, : len(s)] = s
    train, test = slice(0, 450), slice(450, None)
    params = dict(hidden_size=16, max_epochs=30, lr=5e-3, random_state=0)
    inputs = {
        "a list of arrays (packed)": sequences,
        "zero-padded 3-D array": padded,
    }
    fig, axes = plt.subplots(
        1, 2, figsize=(8, 3.6), sharex=True, sharey=True, layout="constrained"
    )
    for ax, (name, X) in zip(axes, inputs.items()):
        model = GRURegressor(**params).fit(X[train], y[train])
        pred = model.predict(X[test])
        ax.scatter(y[test], pred, s=8, c=lengths[test], cmap="viridis")
        ax.plot([-5, 5], [-5, 5], color="0.6", lw=1)
        ax.set_title(f"{name}: test R² {model.score(X[test], y[test]):.3f}")
        ax.set_xlabel("true sum of the last three values")
    axes[0].set_ylabel("prediction")
    fig.colorbar(axes[1].collections[0], ax=axes, label="sequence length")
    fig.savefig(OUT / "models_variable_length.png", dpi=80)


def keras():
    from sklearn.model_selection import PredefinedSplit

    from sksequence import GRURegressor, make_forecasting_data

    # the page's recipe: validation on the samples you chose
    steps = np.arange(600)
    noise = np.random.default_rng(0).normal(scale=0.1, size=steps.size)
    X, y = make_forecasting_data(np.sin(2 * np.pi * steps / 25) + noise, window_size=20)
    X_all, y_all = X[:465], y[:465]
    fold = np.r_[np.full(350, -1), np.zeros(115)]
    model = GRURegressor(
        hidden_size=128,
        max_epochs=100,
        batch_size=32,
        validation_split=PredefinedSplit(fold),
        random_state=0,
    ).fit(X_all, y_all)
    history = model.history_
    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    ax.plot(history.index, history["train_loss"], label="train_loss")
    ax.plot(history.index, history["valid_loss"], label="valid_loss")
    best = history["valid_loss"].idxmin()
    ax.axvline(best, color="0.6", lw=1, label=f"best epoch ({best}): weights kept")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE, standardized target")
    ax.set_title(f"history_, Keras' History: {model.n_iter_} epochs, on your holdout")
    ax.legend()
    fig.savefig(OUT / "keras_history.png", dpi=80)


def persistence():
    import tempfile

    import sksequence
    from sksequence import GRURegressor, make_forecasting_data

    # 40 epochs in one go, or 20, save, load, and 20 more with warm_start
    steps = np.arange(400)
    noise = np.random.default_rng(0).normal(scale=0.2, size=steps.size)
    X, y = make_forecasting_data(np.sin(steps / 4) + noise, window_size=16)
    params = dict(hidden_size=16, early_stopping=False, random_state=0)
    once = GRURegressor(max_epochs=40, **params).fit(X, y)
    first = GRURegressor(max_epochs=20, **params).fit(X, y)
    with tempfile.TemporaryDirectory() as tmp:
        sksequence.save(first, f"{tmp}/model.skseq")
        loaded = sksequence.load(f"{tmp}/model.skseq")
    loaded.set_params(warm_start=True).fit(X, y)
    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    ax.plot(
        np.arange(1, 41),
        once.history_["train_loss"],
        "k",
        lw=3,
        alpha=0.3,
        label="fit(max_epochs=40)",
    )
    ax.plot(
        np.arange(1, 21),
        first.history_["train_loss"],
        "C0",
        label="fit(max_epochs=20), then save",
    )
    ax.plot(
        np.arange(21, 41),
        loaded.history_["train_loss"][-20:],
        "C1",
        label="load, warm_start=True, fit: 20 more",
    )
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("train_loss")
    ax.set_title("a loaded model keeps its weights and its optimizer state")
    ax.legend()
    fig.savefig(OUT / "persistence_continue.png", dpi=80)


# The two figures below are drawn from benchmark runs recorded under
# docs/benchmarks/ (timings depend on the machine; the files name the
# command, the machine and the date), not from a run of their own.
BENCHMARKS = Path(__file__).resolve().parent / "benchmarks"


def serving():
    text = (BENCHMARKS / "inference_speed_cpu_1thread.txt").read_text()
    paths = ("predict", "onnxruntime", "torchscript")
    batches, speed = [], {path: [] for path in paths}
    for line in text.splitlines():
        if line.startswith("batch "):
            batches.append(int(line.split()[1].rstrip(":")))
        elif line.split()[:1] and line.split()[0] in paths and "/" not in line:
            speed[line.split()[0]].append(float(line.split()[1]))
    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    x = np.arange(len(batches))
    for k, path in enumerate(paths):
        ax.bar(x + (k - 1) * 0.27, speed[path], width=0.27, label=path)
    ax.set_xticks(x, [f"batch of {b}" for b in batches])
    ax.set_yscale("log")
    ax.set_ylabel("sequences per second")
    ax.set_title("GRURegressor(hidden_size=128), 30 steps, one CPU thread")
    ax.legend()
    fig.savefig(OUT / "serving_runtimes.png", dpi=80)


def gpu():
    text = (BENCHMARKS / "threads_grid.txt").read_text()
    rows = [
        line.split()
        for line in text.splitlines()
        if line.split()[:1] and line.split()[0] in ("quiet", "busy")
    ]
    fig, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
    for condition, color in (("quiet", "C0"), ("busy", "C3")):
        work = [int(r[3].replace(",", "")) for r in rows if r[0] == condition]
        ratio = [float(r[6].rstrip("x")) for r in rows if r[0] == condition]
        label = "quiet machine" if condition == "quiet" else "beside one busy process"
        ax.scatter(work, ratio, color=color, label=label)
    ax.axhline(1, color="0.6", lw=1)
    ax.axvline(1.5e6, color="k", ls="--", lw=1, label='"auto": 2nd thread from here')
    ax.set_xscale("log")
    ax.set_xlabel("work of one recurrent step (batch size x number of weights)")
    ax.set_ylabel("speed of 2 threads / 1 thread")
    ax.set_title("one GRU training step on a 2-core machine")
    ax.legend()
    fig.savefig(OUT / "gpu_threads.png", dpi=80)


FIGURES = [
    "classification",
    "attribution",
    "windowing",
    "forecasting",
    "uncertainty",
    "tuning",
    "vanishing_gradients",
    "weights",
    "defaults",
    "models",
    "keras",
    "persistence",
    "serving",
    "gpu",
]

if __name__ == "__main__":
    import sys

    for name in sys.argv[1:] or FIGURES:
        globals()[name]()
