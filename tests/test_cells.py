"""The recurrent cells against their equations, written again in NumPy.

Every reference below is plain float64 NumPy written straight from the
equations (one sequence at a time, no padding, no fused kernels), so it
shares no code with the torch floor it checks. The torch modules run in
float32; they must agree within 1e-5 on random weights and inputs.
"""

import numpy as np
import pytest
import torch
from torch import nn
from torch.autograd import gradcheck
from torch.func import functional_call
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from sksequence import LSTMRegressor
from sksequence._cells import (
    ClassicGRU,
    ClassicGRUCell,
    ElmanCell,
    GRUCell,
    LSTMCell,
    PeepholeLSTM,
    PeepholeLSTMCell,
    RecurrentStack,
)
from sksequence._modules import SequenceModel

ATOL = 1e-5


# -- NumPy references -------------------------------------------------------


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def relu(a):
    return np.maximum(a, 0.0)


def elman_step(p, x, state, f):
    """h_t = f(W x_t + U h_{t-1} + b)."""
    (h,) = state
    W, U, b = p["weight_ih"], p["weight_hh"], p["bias_ih"] + p["bias_hh"]
    return (f(W @ x + U @ h + b),)


def peephole_lstm_step(p, x, state):
    """Peephole LSTM (Gers & Schmidhuber 2000); torch rows i, f, g (= c~), o."""
    h, c = state
    W_xi, W_xf, W_xc, W_xo = np.split(p["weight_ih"], 4)
    W_hi, W_hf, W_hc, W_ho = np.split(p["weight_hh"], 4)
    b_i, b_f, b_c, b_o = np.split(p["bias_ih"] + p["bias_hh"], 4)
    w_ci, w_cf, w_co = p["weight_peephole"]
    i = sigmoid(W_xi @ x + W_hi @ h + w_ci * c + b_i)
    f = sigmoid(W_xf @ x + W_hf @ h + w_cf * c + b_f)
    o = sigmoid(W_xo @ x + W_ho @ h + w_co * c + b_o)
    c_tilde = np.tanh(W_xc @ x + W_hc @ h + b_c)
    c_t = f * c + i * c_tilde
    h_t = o * np.tanh(c_t)
    return h_t, c_t


def classic_gru_step(p, x, state):
    """Cho et al. (2014): reset before the recurrent product; rows r, z, n."""
    (h,) = state
    W_xr, W_xz, W_xh = np.split(p["weight_ih"], 3)
    W_hr, W_hz, W_hh = np.split(p["weight_hh"], 3)
    b_ir, b_iz, b_in = np.split(p["bias_ih"], 3)
    b_hr, b_hz, b_hn = np.split(p["bias_hh"], 3)
    b_r, b_z, b_h = b_ir + b_hr, b_iz + b_hz, b_in + b_hn
    r = sigmoid(W_xr @ x + W_hr @ h + b_r)
    z = sigmoid(W_xz @ x + W_hz @ h + b_z)
    h_tilde = np.tanh(W_xh @ x + W_hh @ (r * h) + b_h)
    return ((1 - z) * h + z * h_tilde,)


def torch_gru_step(p, x, state):
    """torch.nn.GRU (reset after the recurrent product, as cuDNN).

    Note the convention of the update gate: here ``h_t = (1 - z) n + z h``,
    so torch's ``z`` is ``1 - z`` of the classic GRU above, where ``z``
    weighs the candidate: ``h_t = (1 - z) h + z h~``.
    """
    (h,) = state
    W_ir, W_iz, W_in = np.split(p["weight_ih"], 3)
    W_hr, W_hz, W_hn = np.split(p["weight_hh"], 3)
    b_ir, b_iz, b_in = np.split(p["bias_ih"], 3)
    b_hr, b_hz, b_hn = np.split(p["bias_hh"], 3)
    r = sigmoid(W_ir @ x + b_ir + W_hr @ h + b_hr)
    z = sigmoid(W_iz @ x + b_iz + W_hz @ h + b_hz)
    n = np.tanh(W_in @ x + b_in + r * (W_hn @ h + b_hn))
    return ((1 - z) * n + z * h,)


def n_states(step):
    return 2 if step is peephole_lstm_step else 1


def numpy_stack(step, params, X, lengths, num_layers, num_directions):
    """Run a layers x directions stack, one unpadded sequence at a time.

    ``params[layer][direction]`` holds one cell's weights. The reverse
    direction reads the sequence backwards from its last valid step; a
    layer's input is the concatenation of both directions' outputs below.

    Returns outputs (batch, time, directions * hidden), zero at padded steps,
    and the final states, a tuple of (layers * directions, batch, hidden)
    arrays (h_n, or h_n and c_n), in torch's order.
    """
    batch, steps, _ = X.shape
    hidden = params[0][0]["weight_hh"].shape[1]
    outputs = np.zeros((batch, steps, num_directions * hidden))
    finals = np.zeros((n_states(step), num_layers * num_directions, batch, hidden))
    for b in range(batch):
        n = steps if lengths is None else int(lengths[b])
        seq = X[b, :n]
        for layer in range(num_layers):
            per_direction = []
            for d in range(num_directions):
                state = tuple(np.zeros(hidden) for _ in range(n_states(step)))
                hs = []
                for x in seq[::-1] if d else seq:
                    state = step(params[layer][d], x, state)
                    hs.append(state[0])
                per_direction.append(np.array(hs[::-1] if d else hs))
                finals[:, layer * num_directions + d, b] = state
            seq = np.concatenate(per_direction, axis=1)
        outputs[b, :n] = seq
    return outputs, tuple(finals)


def _numpy(t):
    return t.detach().to(torch.float64).numpy().copy()


def cell_params(cell):
    """Weights of one sksequence cell as float64 arrays (zero bias if none)."""
    p = {name: _numpy(w) for name, w in cell.named_parameters()}
    rows = p["weight_ih"].shape[0]
    p.setdefault("bias_ih", np.zeros(rows))
    p.setdefault("bias_hh", np.zeros(rows))
    return p


def stack_params(stack):
    """``[layer][direction]`` weights of a PeepholeLSTM / ClassicGRU."""
    D = stack.num_directions
    return [
        [cell_params(stack.cells[layer * D + d]) for d in range(D)]
        for layer in range(stack.num_layers)
    ]


def torch_layer_params(rnn):
    """``[layer][direction]`` weights of an nn.RNN / nn.GRU / nn.LSTM."""
    D = 2 if rnn.bidirectional else 1
    out = []
    for layer in range(rnn.num_layers):
        out.append([])
        for d in range(D):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            out[-1].append(
                {
                    name: _numpy(getattr(rnn, name + suffix))
                    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                }
            )
    return out


def randomize_(module, scale=0.5):
    """Random weights of a usable size (peepholes included)."""
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-scale, scale)
    return module


LENGTHS = [7, 3, 1, 5]
STACKS = [(1, False), (1, True), (2, False), (2, True)]


# -- 1. forward passes against the equations --------------------------------


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("num_layers,bidirectional", STACKS)
@pytest.mark.parametrize("variable", [False, True])
def test_elman_rnn_matches_equations(nonlinearity, num_layers, bidirectional, variable):
    torch.manual_seed(0)
    f = {"tanh": np.tanh, "relu": relu}[nonlinearity]
    kw = dict(
        num_layers=num_layers, bidirectional=bidirectional, nonlinearity=nonlinearity
    )
    seq_model = SequenceModel("rnn", 3, 5, 2, return_sequences=True, **kw).eval()
    last_model = SequenceModel("rnn", 3, 5, 2, **kw).eval()
    last_model.load_state_dict(seq_model.state_dict())
    assert isinstance(seq_model.rnn, nn.RNN)
    assert isinstance(seq_model.head, nn.Linear)
    X = torch.randn(4, 7, 3)
    lengths = torch.tensor(LENGTHS) if variable else None

    params = torch_layer_params(seq_model.rnn)
    D = 2 if bidirectional else 1
    H, (h_n,) = numpy_stack(
        lambda p, x, s: elman_step(p, x, s, f),
        params,
        _numpy(X),
        None if lengths is None else lengths.numpy(),
        num_layers,
        D,
    )
    V, c = _numpy(seq_model.head.weight), _numpy(seq_model.head.bias)
    expected_steps = H @ V.T + c  # y_t = V h_t + c
    expected_last = np.concatenate(list(h_n[-D:]), axis=1) @ V.T + c

    with torch.no_grad():
        y_steps = _numpy(seq_model(X, lengths))
        y_last = _numpy(last_model(X, lengths))
    n = LENGTHS if variable else [7] * 4
    for b in range(4):
        np.testing.assert_allclose(
            y_steps[b, : n[b]], expected_steps[b, : n[b]], atol=ATOL
        )
        if not bidirectional:
            # return_sequences=False: the output at the last valid step
            np.testing.assert_allclose(
                y_last[b], expected_steps[b, n[b] - 1], atol=ATOL
            )
    # in general: V [h_T forward, h_1 backward] + c, from the top layer
    np.testing.assert_allclose(y_last, expected_last, atol=ATOL)


@pytest.mark.parametrize("bias", [True, False])
def test_peephole_lstm_cell_matches_equations(bias):
    torch.manual_seed(0)
    cell = randomize_(PeepholeLSTMCell(3, 5, bias=bias))
    x, h, c = torch.randn(4, 3), torch.randn(4, 5), torch.randn(4, 5)
    with torch.no_grad():
        h_t, c_t = cell(x, (h, c))
        h0, c0 = cell(x)  # zero initial state
    p = cell_params(cell)
    for b in range(4):
        eh, ec = peephole_lstm_step(p, _numpy(x[b]), (_numpy(h[b]), _numpy(c[b])))
        np.testing.assert_allclose(_numpy(h_t[b]), eh, atol=ATOL)
        np.testing.assert_allclose(_numpy(c_t[b]), ec, atol=ATOL)
        zero = np.zeros(5)
        eh, ec = peephole_lstm_step(p, _numpy(x[b]), (zero, zero))
        np.testing.assert_allclose(_numpy(h0[b]), eh, atol=ATOL)
        np.testing.assert_allclose(_numpy(c0[b]), ec, atol=ATOL)


def test_peephole_terms_matter():
    # guard against a reference that ignores c_{t-1}: peepholes change h_t
    torch.manual_seed(0)
    cell = randomize_(PeepholeLSTMCell(3, 5))
    x, h, c = torch.randn(4, 3), torch.randn(4, 5), torch.randn(4, 5)
    with torch.no_grad():
        h_t, _ = cell(x, (h, c))
        cell.weight_peephole.zero_()
        h_zero, _ = cell(x, (h, c))
    assert (h_t - h_zero).abs().max() > 1e-2


@pytest.mark.parametrize("bias", [True, False])
def test_classic_gru_cell_matches_equations(bias):
    torch.manual_seed(0)
    cell = randomize_(ClassicGRUCell(3, 5, bias=bias))
    x, h = torch.randn(4, 3), torch.randn(4, 5)
    with torch.no_grad():
        h_t = cell(x, h)
    p = cell_params(cell)
    for b in range(4):
        (expected,) = classic_gru_step(p, _numpy(x[b]), (_numpy(h[b]),))
        np.testing.assert_allclose(_numpy(h_t[b]), expected, atol=ATOL)


@pytest.mark.parametrize("num_layers,bidirectional", STACKS)
@pytest.mark.parametrize("variable", [False, True])
def test_peephole_lstm_stack_matches_equations(num_layers, bidirectional, variable):
    torch.manual_seed(0)
    lstm = randomize_(
        PeepholeLSTM(3, 5, num_layers=num_layers, bidirectional=bidirectional)
    )
    X = torch.randn(4, 7, 3)
    lengths = torch.tensor(LENGTHS) if variable else None
    with torch.no_grad():
        out, (h_n, c_n) = lstm(X, lengths)
    D = 2 if bidirectional else 1
    e_out, (e_h, e_c) = numpy_stack(
        peephole_lstm_step,
        stack_params(lstm),
        _numpy(X),
        None if lengths is None else lengths.numpy(),
        num_layers,
        D,
    )
    assert out.shape == (4, 7, D * 5)
    assert h_n.shape == c_n.shape == (num_layers * D, 4, 5)
    np.testing.assert_allclose(_numpy(out), e_out, atol=ATOL)
    np.testing.assert_allclose(_numpy(h_n), e_h, atol=ATOL)
    np.testing.assert_allclose(_numpy(c_n), e_c, atol=ATOL)


@pytest.mark.parametrize("num_layers,bidirectional", STACKS)
@pytest.mark.parametrize("variable", [False, True])
def test_classic_gru_stack_matches_equations(num_layers, bidirectional, variable):
    torch.manual_seed(0)
    gru = randomize_(
        ClassicGRU(3, 5, num_layers=num_layers, bidirectional=bidirectional)
    )
    X = torch.randn(4, 7, 3)
    lengths = torch.tensor(LENGTHS) if variable else None
    with torch.no_grad():
        out, h_n = gru(X, lengths)
    D = 2 if bidirectional else 1
    e_out, (e_h,) = numpy_stack(
        classic_gru_step,
        stack_params(gru),
        _numpy(X),
        None if lengths is None else lengths.numpy(),
        num_layers,
        D,
    )
    np.testing.assert_allclose(_numpy(out), e_out, atol=ATOL)
    np.testing.assert_allclose(_numpy(h_n), e_h, atol=ATOL)


@pytest.mark.parametrize("num_layers,bidirectional", STACKS)
def test_torch_gru_matches_reset_after_equations(num_layers, bidirectional):
    torch.manual_seed(0)
    model = SequenceModel(
        "gru", 3, 5, 2, num_layers=num_layers, bidirectional=bidirectional
    ).eval()
    assert type(model.rnn) is nn.GRU  # reset_after=True is torch's own GRU
    randomize_(model)
    X = torch.randn(4, 7, 3)
    with torch.no_grad():
        out, h_n = model.rnn(X)
        y = model(X)
    D = 2 if bidirectional else 1
    e_out, (e_h,) = numpy_stack(
        torch_gru_step, torch_layer_params(model.rnn), _numpy(X), None, num_layers, D
    )
    np.testing.assert_allclose(_numpy(out), e_out, atol=ATOL)
    np.testing.assert_allclose(_numpy(h_n), e_h, atol=ATOL)
    V, c = _numpy(model.head.weight), _numpy(model.head.bias)
    last = np.concatenate(list(e_h[-D:]), axis=1)
    np.testing.assert_allclose(_numpy(y), last @ V.T + c, atol=ATOL)


def test_the_two_gru_conventions_differ():
    # same weights, different equations: the references are not vacuous
    torch.manual_seed(0)
    classic = randomize_(ClassicGRU(3, 5))
    torch_gru = nn.GRU(3, 5, batch_first=True)
    torch_gru.load_state_dict(
        {f"{k}_l0": v for k, v in classic.cells[0].state_dict().items()}
    )
    X = torch.randn(4, 7, 3)
    with torch.no_grad():
        assert (classic(X)[0] - torch_gru(X)[0]).abs().max() > 1e-2


@pytest.mark.parametrize(
    "cell,kw,step",
    [
        ("lstm", {"peephole": True}, peephole_lstm_step),
        ("gru", {"reset_after": False}, classic_gru_step),
    ],
)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_sequence_model_with_custom_cells(cell, kw, step, return_sequences):
    torch.manual_seed(0)
    model = SequenceModel(
        cell,
        3,
        5,
        2,
        num_layers=2,
        bidirectional=True,
        return_sequences=return_sequences,
        **kw,
    ).eval()
    assert type(model.rnn) is (PeepholeLSTM if cell == "lstm" else ClassicGRU)
    randomize_(model)
    X, lengths = torch.randn(4, 7, 3), torch.tensor(LENGTHS)
    with torch.no_grad():
        y = _numpy(model(X, lengths))
    e_out, finals = numpy_stack(
        step, stack_params(model.rnn), _numpy(X), lengths.numpy(), 2, 2
    )
    V, c = _numpy(model.head.weight), _numpy(model.head.bias)
    if return_sequences:
        expected = e_out @ V.T + c
        for b, n in enumerate(LENGTHS):
            np.testing.assert_allclose(y[b, :n], expected[b, :n], atol=ATOL)
    else:
        last = np.concatenate(list(finals[0][-2:]), axis=1)
        np.testing.assert_allclose(y, last @ V.T + c, atol=ATOL)


# -- 2. gradients --------------------------------------------------------------


def _functional(module):
    names = [name for name, _ in module.named_parameters()]
    params = tuple(
        p.detach().clone().requires_grad_() for _, p in module.named_parameters()
    )
    return names, params


def _rand64(*shape):
    return torch.randn(*shape, dtype=torch.float64, requires_grad=True)


def test_gradcheck_peephole_lstm_cell():
    torch.manual_seed(0)
    cell = randomize_(PeepholeLSTMCell(3, 4)).double()
    names, params = _functional(cell)
    assert "weight_peephole" in names

    def fn(x, h, c, *params):
        return functional_call(cell, dict(zip(names, params)), (x, (h, c)))

    assert gradcheck(fn, (_rand64(2, 3), _rand64(2, 4), _rand64(2, 4), *params))


def test_gradcheck_classic_gru_cell():
    torch.manual_seed(0)
    cell = randomize_(ClassicGRUCell(3, 4)).double()
    names, params = _functional(cell)

    def fn(x, h, *params):
        return functional_call(cell, dict(zip(names, params)), (x, h))

    assert gradcheck(fn, (_rand64(2, 3), _rand64(2, 4), *params))


@pytest.mark.parametrize("stack_class", [PeepholeLSTM, ClassicGRU])
def test_gradcheck_stack_with_variable_lengths(stack_class):
    torch.manual_seed(0)
    stack = randomize_(stack_class(2, 2, num_layers=2, bidirectional=True)).double()
    names, params = _functional(stack)
    lengths = torch.tensor([4, 2, 1])

    def fn(X, *params):
        out, finals = functional_call(stack, dict(zip(names, params)), (X, lengths))
        return (out, *finals) if isinstance(finals, tuple) else (out, finals)

    assert gradcheck(fn, (_rand64(3, 4, 2), *params))


# -- 3. parity with nn.LSTM ----------------------------------------------------


@pytest.mark.parametrize("num_layers,bidirectional", STACKS)
@pytest.mark.parametrize("variable", [False, True])
def test_zero_peephole_lstm_equals_nn_lstm(num_layers, bidirectional, variable):
    torch.manual_seed(0)
    reference = nn.LSTM(
        3, 5, num_layers=num_layers, bidirectional=bidirectional, batch_first=True
    )
    lstm = PeepholeLSTM(3, 5, num_layers=num_layers, bidirectional=bidirectional)
    lstm.load_torch_state_dict(reference.state_dict())
    for cell in lstm.cells:
        assert torch.equal(cell.weight_peephole, torch.zeros(3, 5))
    X = torch.randn(4, 7, 3)
    with torch.no_grad():
        if variable:
            lengths = torch.tensor(LENGTHS)
            packed = pack_padded_sequence(
                X, lengths, batch_first=True, enforce_sorted=False
            )
            out, (h_n, c_n) = reference(packed)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=7)
        else:
            lengths = None
            out, (h_n, c_n) = reference(X)
        got, (got_h, got_c) = lstm(X, lengths)
    assert torch.allclose(got, out, atol=ATOL)
    assert torch.allclose(got_h, h_n, atol=ATOL)
    assert torch.allclose(got_c, c_n, atol=ATOL)


# -- 4. variable lengths -------------------------------------------------------


@pytest.mark.parametrize("stack_class", [PeepholeLSTM, ClassicGRU])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padded_batch_equals_sequences_run_alone(stack_class, bidirectional):
    torch.manual_seed(0)
    stack = randomize_(stack_class(3, 5, num_layers=2, bidirectional=bidirectional))
    lengths = torch.tensor(LENGTHS)
    X = torch.randn(4, 7, 3)
    garbage = X.clone()
    for b, n in enumerate(LENGTHS):
        garbage[b, n:] = 1e3 * torch.randn(7 - n, 3)
    with torch.no_grad():
        out, finals = stack(X, lengths)
        out_g, finals_g = stack(garbage, lengths)
        finals = finals if isinstance(finals, tuple) else (finals,)
        finals_g = finals_g if isinstance(finals_g, tuple) else (finals_g,)
        for b, n in enumerate(LENGTHS):
            alone, alone_finals = stack(X[b : b + 1, :n])
            if not isinstance(alone_finals, tuple):
                alone_finals = (alone_finals,)
            assert torch.allclose(out[b, :n], alone[0], atol=1e-6)
            assert torch.all(out[b, n:] == 0)
            for state, state_alone in zip(finals, alone_finals):
                assert torch.allclose(state[:, b], state_alone[:, 0], atol=1e-6)
    # garbage in the padding changes nothing
    assert torch.equal(out, out_g)
    for state, state_g in zip(finals, finals_g):
        assert torch.equal(state, state_g)


# -- 5. dropout between layers ---------------------------------------------------


@pytest.mark.parametrize("stack_class", [PeepholeLSTM, ClassicGRU])
def test_inter_layer_dropout_only_in_training(stack_class):
    torch.manual_seed(0)
    stack = stack_class(3, 5, num_layers=2, dropout=0.5)
    X = torch.randn(4, 7, 3)
    with torch.no_grad():
        stack.train()
        a, b = stack(X)[0], stack(X)[0]
        assert not torch.allclose(a, b)
        stack.eval()
        assert torch.equal(stack(X)[0], stack(X)[0])
        # no dropout at all: training and evaluation agree
        stack.dropout = 0.0
        eval_out = stack(X)[0]
        stack.train()
        assert torch.equal(stack(X)[0], eval_out)


# -- 6. peepholes learn timing ---------------------------------------------------


def spike_trains(n, rng, steps=40, spacing=(3, 10)):
    """Spikes (1.0) every ``s`` steps from a random phase; the target is ``s``."""
    s = rng.integers(spacing[0], spacing[1] + 1, size=n)
    X = np.zeros((n, steps, 1))
    for k in range(n):
        X[k, rng.integers(0, s[k]) :: s[k], 0] = 1.0
    return X, s.astype(float)


def test_peephole_lstm_learns_spike_spacing():
    # Timing task: read the period of a spike train. Early stopping restores
    # the best epoch, which keeps the score robust (R^2 0.97-1.0 over
    # random_state 0-4 in 3-8 s). A plain LSTM does about as well here (it can
    # count spikes), so peephole=True is not asserted to beat it.
    rng = np.random.default_rng(0)
    X, y = spike_trains(320, rng)
    X_test, y_test = spike_trains(200, rng)
    reg = LSTMRegressor(
        peephole=True,
        hidden_size=16,
        max_epochs=60,
        lr=0.01,
        batch_size=32,
        early_stopping=True,
        n_iter_no_change=15,
        random_state=0,
    ).fit(X, y)
    assert type(reg.net_.module_.rnn) is PeepholeLSTM
    assert reg.score(X_test, y_test) > 0.9


@pytest.mark.parametrize("stack", [PeepholeLSTM, ClassicGRU])
def test_nan_in_padding_never_reaches_outputs_or_gradients(stack):
    torch.manual_seed(0)
    X = torch.randn(2, 5, 3)
    X[1, 3:] = float("nan")
    model = stack(3, 4)
    out, _ = model(X, torch.tensor([5, 3]))
    assert torch.isfinite(out[0]).all() and torch.isfinite(out[1, :3]).all()
    assert torch.all(out[1, 3:] == 0)


# -- 7. one engine: native equations, weight copies, TorchScript ----------------

NATIVE_CELLS = [
    (nn.RNNCell, ElmanCell, {"nonlinearity": "tanh"}),
    (nn.RNNCell, ElmanCell, {"nonlinearity": "relu"}),
    (nn.LSTMCell, LSTMCell, {}),
    (nn.GRUCell, GRUCell, {}),
]


@pytest.mark.parametrize("torch_class,cell_class,kw", NATIVE_CELLS)
def test_engine_cells_equal_torch_cells(torch_class, cell_class, kw):
    torch.manual_seed(0)
    reference = randomize_(torch_class(3, 5, **kw))
    cell = cell_class(3, 5, **kw)
    cell.load_state_dict(reference.state_dict())
    x, h, c = torch.randn(4, 3), torch.randn(4, 5), torch.randn(4, 5)
    with torch.no_grad():
        if cell_class is LSTMCell:
            for got, expected in zip(cell(x, (h, c)), reference(x, (h, c))):
                torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)
        else:
            torch.testing.assert_close(cell(x, h), reference(x, h), atol=ATOL, rtol=0)


NATIVE_LAYERS = [
    (nn.RNN, {"nonlinearity": "relu"}),
    (nn.RNN, {}),
    (nn.LSTM, {}),
    (nn.GRU, {}),
]


@pytest.mark.parametrize("torch_class,kw", NATIVE_LAYERS)
@pytest.mark.parametrize("num_layers,bidirectional", STACKS)
def test_from_native_runs_the_fused_layer_step_by_step(
    torch_class, kw, num_layers, bidirectional
):
    torch.manual_seed(0)
    rnn = randomize_(
        torch_class(
            3,
            5,
            num_layers=num_layers,
            bidirectional=bidirectional,
            batch_first=True,
            **kw,
        )
    ).eval()
    rng_state = torch.get_rng_state()
    stack = RecurrentStack.from_native(rnn)
    assert torch.equal(torch.get_rng_state(), rng_state)  # draws nothing
    X, lengths = torch.randn(4, 7, 3), torch.tensor(LENGTHS)
    with torch.no_grad():
        packed = pack_padded_sequence(
            X, lengths, batch_first=True, enforce_sorted=False
        )
        expected, expected_final = rnn(packed)
        expected, _ = pad_packed_sequence(expected, batch_first=True, total_length=7)
        got, got_final = stack(X, lengths)
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)
    if isinstance(expected_final, tuple):
        for a, b in zip(got_final, expected_final):
            torch.testing.assert_close(a, b, atol=ATOL, rtol=0)
    else:
        torch.testing.assert_close(got_final, expected_final, atol=ATOL, rtol=0)
    # and back: the same weights in a fused layer
    back = stack.to_native()
    assert type(back) is torch_class
    for key, value in rnn.state_dict().items():
        assert torch.equal(back.state_dict()[key], value)


@pytest.mark.parametrize("stack_class", [PeepholeLSTM, ClassicGRU])
def test_to_native_refuses_cells_torch_does_not_have(stack_class):
    with pytest.raises(ValueError, match="no fused layer"):
        stack_class(3, 5).to_native()


CELL_CONFIGS = [
    ("rnn", {"nonlinearity": "relu"}),
    ("lstm", {}),
    ("lstm", {"peephole": True}),
    ("gru", {}),
    ("gru", {"reset_after": False}),
]


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
@pytest.mark.parametrize("cell,kw", CELL_CONFIGS)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_sequence_model_compiles_with_torchscript(cell, kw, return_sequences):
    torch.manual_seed(0)
    model = SequenceModel(
        cell,
        3,
        5,
        2,
        num_layers=2,
        bidirectional=True,
        return_sequences=return_sequences,
        **kw,
    ).eval()
    scripted = torch.jit.script(model)
    X, lengths = torch.randn(4, 7, 3), torch.tensor(LENGTHS)
    with torch.no_grad():
        for args in ((X,), (X, lengths)):
            torch.testing.assert_close(scripted(*args), model(*args), atol=0, rtol=0)


@pytest.mark.parametrize("cell,kw", CELL_CONFIGS)
def test_probed_model_equals_the_model_and_probe_gradient_is_dl_dh(cell, kw):
    torch.manual_seed(0)
    model = SequenceModel(cell, 3, 5, 2, num_layers=2, **kw).double().eval()
    X, lengths = torch.randn(4, 7, 3, dtype=torch.float64), torch.tensor(LENGTHS)
    with torch.no_grad():
        torch.testing.assert_close(
            model.probed(X, lengths), model(X, lengths), atol=1e-12, rtol=0
        )
    # a probe on the top layer at the last valid step moves the output by V
    probe = torch.zeros(4, 7, 5, dtype=torch.float64, requires_grad=True)
    out = model.probed(X, lengths, probe=probe, probe_layer=1)
    (grad,) = torch.autograd.grad(out[:, 0].sum(), probe)
    for b, n in enumerate(LENGTHS):
        torch.testing.assert_close(grad[b, n - 1], model.head.weight[0])
        assert torch.all(grad[b, n:] == 0)  # padding is out of reach
