"""The torch floor: recurrent cells that PyTorch does not ship.

* :class:`PeepholeLSTM` -- an LSTM with peephole connections
  (:class:`torch.nn.LSTM` has none);
* :class:`ClassicGRU` -- the GRU of Cho et al. (2014) with the reset gate
  applied *before* the recurrent product, ``W_hh (r_t * h_{t-1})``
  (:class:`torch.nn.GRU` applies it after, as cuDNN does).

Both follow PyTorch's structure: a cell (one time step), the time loop over
one direction, and a stack (layers x directions), with the parameter layout
of ``nn.LSTM`` / ``nn.GRU`` so that weights copy between them. The input
projection of all time steps is hoisted into one matrix product.

Peephole LSTM equations (gates in the order of :class:`torch.nn.LSTM`: i, f,
g, o)::

    i_t = sigmoid(W_xi x_t + W_hi h_{t-1} + w_ci * c_{t-1} + b_i)
    f_t = sigmoid(W_xf x_t + W_hf h_{t-1} + w_cf * c_{t-1} + b_f)
    g_t = tanh(W_xc x_t + W_hc h_{t-1} + b_c)              # c~_t
    o_t = sigmoid(W_xo x_t + W_ho h_{t-1} + w_co * c_{t-1} + b_o)
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

The peephole weights ``w_ci, w_cf, w_co`` are diagonal matrices, stored as
vectors of size ``hidden_size``. As in the project's equations, all three
gates look at ``c_{t-1}``; Gers and Schmidhuber (2000) let the output gate
look at the new ``c_t`` instead.

Classic GRU equations (gates in the order of :class:`torch.nn.GRU`: r, z,
n)::

    r_t = sigmoid(W_xr x_t + W_hr h_{t-1} + b_r)
    z_t = sigmoid(W_xz x_t + W_hz h_{t-1} + b_z)
    n_t = tanh(W_xh x_t + W_hh (r_t * h_{t-1}) + b_h)      # h~_t
    h_t = (1 - z_t) * h_{t-1} + z_t * n_t
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "ClassicGRU",
    "ClassicGRUCell",
    "PeepholeLSTM",
    "PeepholeLSTMCell",
    "classic_gru_step",
    "peephole_lstm_step",
]


def peephole_lstm_step(x_gates, h, c, weight_hh, peephole):
    """One time step given the input part of the gates.

    Parameters
    ----------
    x_gates : Tensor of shape (batch, 4 * hidden)
        ``W_x x_t + b_ih + b_hh`` (the input projection, hoisted out of the
        time loop by :class:`PeepholeLSTM`).
    h, c : Tensor of shape (batch, hidden)
        Previous hidden and cell state.
    weight_hh : Tensor of shape (4 * hidden, hidden)
    peephole : Tensor of shape (3, hidden)
        Rows ``w_ci, w_cf, w_co``.

    Returns
    -------
    h_t, c_t : Tensor of shape (batch, hidden)
    """
    gates = torch.addmm(x_gates, h, weight_hh.t())
    i, f, g, o = gates.chunk(4, dim=1)
    # the three peephole terms, each w * c_{t-1}, in one broadcast product
    peep = c.unsqueeze(0) * peephole.unsqueeze(1)
    i = torch.sigmoid(i + peep[0])
    f = torch.sigmoid(f + peep[1])
    o = torch.sigmoid(o + peep[2])
    c_t = torch.addcmul(f * c, i, torch.tanh(g))
    h_t = o * torch.tanh(c_t)
    return h_t, c_t


def classic_gru_step(x_gates, h, weight_hh, bias_hh):
    """One GRU step with the reset gate applied before the recurrent product.

    Parameters
    ----------
    x_gates : Tensor of shape (batch, 3 * hidden)
        ``W_x x_t + b_ih`` for the r, z and n rows.
    h : Tensor of shape (batch, hidden)
    weight_hh : Tensor of shape (3 * hidden, hidden)
    bias_hh : Tensor of shape (3 * hidden,) or None

    Returns
    -------
    h_t : Tensor of shape (batch, hidden)
    """
    hidden = h.shape[1]
    x_rz, x_n = x_gates[:, : 2 * hidden], x_gates[:, 2 * hidden :]
    w_rz, w_n = weight_hh[: 2 * hidden], weight_hh[2 * hidden :]
    b_rz = b_n = None
    if bias_hh is not None:
        b_rz, b_n = bias_hh[: 2 * hidden], bias_hh[2 * hidden :]
    rz = torch.sigmoid(x_rz + F.linear(h, w_rz, b_rz))
    r, z = rz.chunk(2, dim=1)
    n = torch.tanh(x_n + F.linear(r * h, w_n, b_n))
    return torch.lerp(h, n, z)  # (1 - z) * h + z * n


class _Cell(nn.Module):
    """Parameters of one recurrent cell in PyTorch's layout.

    ``weight_ih`` (gates * hidden, input), ``weight_hh`` (gates * hidden,
    hidden), ``bias_ih`` and ``bias_hh`` (gates * hidden), all initialized
    uniform(-1/sqrt(hidden), 1/sqrt(hidden)) as in PyTorch.
    """

    n_gates = None

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        rows = self.n_gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(rows, input_size))
        self.weight_hh = nn.Parameter(torch.empty(rows, hidden_size))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(rows))
            self.bias_hh = nn.Parameter(torch.empty(rows))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)

    def reset_parameters(self):
        """Uniform(-1/sqrt(hidden), 1/sqrt(hidden)) for all weights, as torch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def initial_state(self, batch, like):
        """Zero state for a batch."""
        return like.new_zeros(batch, self.hidden_size)

    def forward(self, x, state=None):
        """Advance one step from ``state`` (None for zeros); return the new state."""
        if state is None:
            state = self.initial_state(x.shape[0], x)
        return self.step(self.input_gates(x), state)


class PeepholeLSTMCell(_Cell):
    """One step of a peephole LSTM, with the parameters of ``nn.LSTMCell``.

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool, default=True

    Attributes
    ----------
    weight_ih : Parameter of shape (4 * hidden_size, input_size)
    weight_hh : Parameter of shape (4 * hidden_size, hidden_size)
    bias_ih, bias_hh : Parameter of shape (4 * hidden_size,)
    weight_peephole : Parameter of shape (3, hidden_size)
        The diagonals of ``W_ci``, ``W_cf`` and ``W_co``.
    """

    n_gates = 4

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__(input_size, hidden_size, bias)
        self.weight_peephole = nn.Parameter(torch.empty(3, hidden_size))
        self.reset_parameters()

    def input_gates(self, X):
        """``W_x x + b_ih + b_hh`` for inputs of any leading shape."""
        bias = None if self.bias_ih is None else self.bias_ih + self.bias_hh
        return F.linear(X, self.weight_ih, bias)

    def initial_state(self, batch, like):
        zeros = super().initial_state(batch, like)
        return zeros, zeros

    def step(self, x_gates, state):
        """``(h, c)`` -> ``(h_t, c_t)`` given the input part of the gates."""
        h, c = state
        return peephole_lstm_step(x_gates, h, c, self.weight_hh, self.weight_peephole)


class ClassicGRUCell(_Cell):
    """One step of the classic GRU, with the parameters of ``nn.GRUCell``.

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool, default=True
    """

    n_gates = 3

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__(input_size, hidden_size, bias)
        self.reset_parameters()

    def input_gates(self, X):
        """``W_x x + b_ih`` for inputs of any leading shape."""
        return F.linear(X, self.weight_ih, self.bias_ih)

    def step(self, x_gates, h):
        """``h`` -> ``h_t`` given the input part of the gates."""
        return classic_gru_step(x_gates, h, self.weight_hh, self.bias_hh)


def _run_direction(cell, X, lengths, reverse, probe=None):
    """Time loop of one layer and direction.

    With ``lengths``, steps past a sequence's end leave its state unchanged
    and output zeros, so the forward direction ends at the last valid step
    and the backward direction starts there, exactly as with packing.

    ``probe`` (batch, time, hidden), used by
    :func:`sksequence.inspection.gradient_flow`, is added to ``h_t`` at every
    step before the masking, so its gradient is dL/dh_t (zero at padding).

    Returns the outputs (batch, time, hidden) and the final state.
    """
    batch, steps, _ = X.shape
    x_gates = cell.input_gates(X).unbind(1)  # one GEMM for all steps
    state = cell.initial_state(batch, X)
    outputs = [None] * steps
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    for t in order:
        new = cell.step(x_gates[t], state)
        if probe is not None:
            if isinstance(new, tuple):
                new = (new[0] + probe[:, t], *new[1:])
            else:
                new = new + probe[:, t]
        h_new = new[0] if isinstance(new, tuple) else new
        if lengths is None:
            state = new
            outputs[t] = h_new
            continue
        valid = (lengths > t).unsqueeze(1)
        if isinstance(new, tuple):
            state = tuple(torch.where(valid, a, b) for a, b in zip(new, state))
        else:
            state = torch.where(valid, new, state)
        outputs[t] = torch.where(valid, h_new, 0.0)  # NaN-safe, unlike * valid
    return torch.stack(outputs, dim=1), state


class _RecurrentStack(nn.Module):
    """Layers x directions of ``cell_class`` cells, batch first.

    Parameters
    ----------
    input_size, hidden_size : int
    num_layers : int, default=1
    dropout : float, default=0.0
        Dropout on the outputs of every layer but the last, in training.
    bidirectional : bool, default=False
    """

    cell_class = None
    #: replay training steps on a GPU as CUDA graphs (see ``_graphed``)
    use_cuda_graphs = True

    def __init__(
        self, input_size, hidden_size, num_layers=1, dropout=0.0, bidirectional=False
    ):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        self.cells = nn.ModuleList()
        for layer in range(num_layers):
            layer_input = (
                input_size if layer == 0 else hidden_size * self.num_directions
            )
            for _ in range(self.num_directions):
                self.cells.append(self.cell_class(layer_input, hidden_size))
        self._graphs = {}

    def __getstate__(self):
        # CUDA graphs are process-local: never pickled or deep-copied
        state = self.__dict__.copy()
        state["_graphs"] = {}
        return state

    def _cell(self, layer, direction):
        return self.cells[layer * self.num_directions + direction]

    def load_torch_state_dict(self, state_dict):
        """Copy the weights of an ``nn.LSTM`` / ``nn.GRU`` state dict.

        Parameters the torch layer lacks (peephole weights) are zeroed.
        """
        with torch.no_grad():
            for layer in range(self.num_layers):
                for direction in range(self.num_directions):
                    cell = self._cell(layer, direction)
                    suffix = f"_l{layer}" + ("_reverse" if direction else "")
                    for name, param in cell.named_parameters():
                        if name + suffix in state_dict:
                            param.copy_(state_dict[name + suffix])
                        else:
                            param.zero_()

    def forward(self, X, lengths=None):
        """Run the stack.

        Parameters
        ----------
        X : Tensor of shape (batch, time, input_size)
        lengths : Tensor of shape (batch,) or None
            Valid steps of each sequence; padded steps output zeros.

        Returns
        -------
        output : Tensor of shape (batch, time, num_directions * hidden_size)
        h_n : Tensor of shape (num_layers * num_directions, batch, hidden)
            As torch: the states at each sequence's last valid step (forward)
            and at its first step (backward). For the LSTM, ``(h_n, c_n)``.
        """
        if lengths is not None:
            lengths = lengths.to(X.device)
        if self.use_cuda_graphs and X.is_cuda and self.training:
            if torch.is_grad_enabled():
                return self._graphed(X, lengths)
        return self._eager(X, lengths)

    def _graphed(self, X, lengths):
        """Replay the step loop's forward and backward as CUDA graphs.

        The Python time loop launches a few dozen small kernels per step;
        on a GPU their launch cost, not the arithmetic, sets the speed. One
        graph per input shape (captured on first use by
        :func:`torch.cuda.make_graphed_callables`) replays them all at
        once. Used in training only; evaluation runs eagerly.
        """
        key = (tuple(X.shape), X.dtype, X.device, lengths is None)
        graphed = self._graphs.get(key)
        if graphed is None:
            args = (X,) if lengths is None else (X, lengths)
            graphed = torch.cuda.make_graphed_callables(_Eager(self), args)
            self._graphs[key] = graphed
        flat = graphed(X) if lengths is None else graphed(X, lengths)
        return flat[0], (flat[1] if len(flat) == 2 else tuple(flat[1:]))

    def _eager(self, X, lengths=None):
        finals = []
        output = X
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0:
                output = F.dropout(output, self.dropout, self.training)
            results = [
                _run_direction(self._cell(layer, d), output, lengths, reverse=d == 1)
                for d in range(self.num_directions)
            ]
            output = torch.cat([r[0] for r in results], dim=2)
            finals += [r[1] for r in results]
        if isinstance(finals[0], tuple):
            return output, tuple(torch.stack(parts) for parts in zip(*finals))
        return output, torch.stack(finals)


class _Eager(nn.Module):
    """The stack's eager forward with flat outputs, for graph capture."""

    def __init__(self, stack):
        super().__init__()
        self.stack = stack

    def forward(self, X, lengths=None):
        output, final = self.stack._eager(X, lengths)
        return (output, *final) if isinstance(final, tuple) else (output, final)


class PeepholeLSTM(_RecurrentStack):
    """Multi-layer, optionally bidirectional peephole LSTM (batch first).

    The parameter layout follows :class:`torch.nn.LSTM`, plus a
    ``weight_peephole`` (3, hidden) per cell; :meth:`load_torch_state_dict`
    copies an ``nn.LSTM``'s weights (peepholes zeroed, outputs then equal).
    Returns ``output, (h_n, c_n)`` like ``nn.LSTM(batch_first=True)``.
    """

    cell_class = PeepholeLSTMCell


class ClassicGRU(_RecurrentStack):
    """Multi-layer, optionally bidirectional classic GRU (batch first).

    Same parameter layout as :class:`torch.nn.GRU`, but the reset gate acts
    before the recurrent product and ``h_t = (1 - z_t) h_{t-1} + z_t n_t``.
    Returns ``output, h_n`` like ``nn.GRU(batch_first=True)``.
    """

    cell_class = ClassicGRUCell
