"""The torch floor's recurrent engine: cell -> layer -> stack, written once.

Every recurrence sksequence runs step by step goes through this module, in
the shape of PyTorch's own ``custom_lstms.py``:

* **cell** -- one time step with a typed state ``(h, c)`` and PyTorch's
  parameter layout (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``):
  :class:`ElmanCell` (tanh or relu), :class:`LSTMCell` (optionally with
  peephole connections) and :class:`GRUCell` (reset gate after the recurrent
  product as :class:`torch.nn.GRU`, or before it as Cho et al. 2014);
* **layer** -- :meth:`RecurrentCell.scan`, the time loop of one cell over one
  direction, with an optional mask of each sequence's length and an
  optional per-step *probe* added to ``h_t`` (its gradient is ``dL/dh_t``,
  read by :func:`sksequence.inspection.gradient_flow`);
* **stack** -- :class:`RecurrentStack`, layers x directions with dropout
  between layers, returning what ``nn.LSTM`` / ``nn.GRU`` /
  ``nn.RNN`` (``batch_first=True``) return, and copying weights from and to
  them (:meth:`RecurrentStack.from_native`, :meth:`RecurrentStack.to_native`).

Who runs it: the cells torch has no fused kernel for (peephole LSTM, classic
GRU) train and predict with it; the export of those cells scripts it
(TorchScript compiles the whole engine); gradient flow runs it, with its
probe, for every cell, the native ones through :meth:`RecurrentStack.from_native`.
The native cells train with the fused ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``.

The layer is a method every cell inherits rather than a module wrapping the
cell, so that the parameters keep the names they had in files saved before
(``cells.{k}.weight_ih``, ``k = layer * num_directions + direction``).

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
from typing import Final

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from ._generator import global_generator_user

__all__ = [
    "ClassicGRU",
    "ClassicGRUCell",
    "ElmanCell",
    "GRUCell",
    "LSTMCell",
    "PeepholeLSTM",
    "PeepholeLSTMCell",
    "RecurrentCell",
    "RecurrentStack",
]

# torch's ``mode`` of a fused layer -> (cell family, cell options)
_NATIVE_MODES = {
    "RNN_TANH": ("rnn", {"nonlinearity": "tanh"}),
    "RNN_RELU": ("rnn", {"nonlinearity": "relu"}),
    "LSTM": ("lstm", {}),
    "GRU": ("gru", {}),
}


class RecurrentCell(nn.Module):
    """One recurrent step in PyTorch's parameter layout, and its time loop.

    ``weight_ih`` (gates * hidden, input), ``weight_hh`` (gates * hidden,
    hidden), ``bias_ih`` and ``bias_hh`` (gates * hidden), initialized
    uniform(-1/sqrt(hidden), 1/sqrt(hidden)) as in PyTorch. Subclasses set
    ``n_gates`` and define :meth:`input_gates` (the input's part of the
    gates, for all steps at once) and :meth:`step`.

    The state is always the pair ``(h, c)``; cells without a cell state
    (Elman, GRU) pass ``c`` through unchanged and set
    ``has_cell_state = False``.
    """

    n_gates = 1
    cell_state = False  # whether the state's ``c`` is the cell's own
    # whether b_hh joins the input's part of the gates, out of the time loop
    # (not for the GRU: its b_hn sits inside r_t * (W_hn h + b_hn))
    bias_hh_in_input = True
    has_cell_state: Final[bool]
    hoist_bias_hh: Final[bool]

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__()
        self.has_cell_state = self.cell_state
        self.hoist_bias_hh = self.bias_hh_in_input
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

    def input_gates(self, X: Tensor) -> Tensor:
        """``W_x x + b_ih`` (``+ b_hh`` when hoisted) for inputs of any shape."""
        bias = self.bias_ih
        if self.hoist_bias_hh and bias is not None and self.bias_hh is not None:
            bias = bias + self.bias_hh
        return F.linear(X, self.weight_ih, bias)

    def step(self, x_gates: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
        """``(h, c)`` -> ``(h_t, c_t)`` given the input part of the gates."""
        raise NotImplementedError

    @torch.jit.ignore
    def forward(self, x, state=None):
        """Advance one step from ``state`` (None for zeros); return the new state.

        ``state`` and the result are ``(h, c)`` for an LSTM cell, ``h``
        otherwise, as for :class:`torch.nn.LSTMCell` / ``GRUCell``.
        """
        zeros = x.new_zeros(x.shape[0], self.hidden_size)
        if state is None:
            state = (zeros, zeros) if self.has_cell_state else zeros
        h, c = state if self.has_cell_state else (state, zeros)
        h_t, c_t = self.step(self.input_gates(x), h, c)
        return (h_t, c_t) if self.has_cell_state else h_t

    def scan(
        self,
        X: Tensor,
        lengths: Tensor | None = None,
        reverse: bool = False,
        probe: Tensor | None = None,
    ) -> tuple[Tensor, Tensor, Tensor]:
        """The layer: run the cell over the time steps of one direction.

        Parameters
        ----------
        X : Tensor of shape (batch, time, input_size)
        lengths : Tensor of shape (batch,) or None
            Valid steps of each sequence. Steps past a sequence's end leave
            its state unchanged and output zeros, so the forward direction
            ends at the last valid step and the backward direction starts
            there, exactly as with packing.
        reverse : bool, default=False
            Read the sequences backwards.
        probe : Tensor of shape (batch, time, hidden) or None
            Added to ``h_t`` at every step before the masking, so its
            gradient is ``dL/dh_t`` (zero at padding).

        Returns
        -------
        outputs : Tensor of shape (batch, time, hidden)
        h, c : Tensor of shape (batch, hidden)
            The final state (``c`` is the zero initial state for cells
            without a cell state).
        """
        steps = X.shape[1]
        x_gates = self.input_gates(X)
        if reverse:
            x_gates = x_gates.flip([1])
        h = X.new_zeros(X.shape[0], self.hidden_size)
        c = h
        outputs: list[Tensor] = []
        # x_gates: one GEMM for all steps, above. Its steps are read through
        # unbind, whose backward stacks the steps' gradients once; indexing
        # x_gates[:, i] would allocate and zero-fill a full-size gradient per
        # step (measured: 2.4x the training time of a peephole LSTM).
        if torch.jit.is_scripting() and lengths is None and probe is None:
            # what an export compiles: no Optional inside the loop, and
            # indexing, which the ONNX exporter gives the right rank (it
            # mis-ranks the steps of an unbind in a Loop)
            for i in range(steps):
                h, c = self.step(x_gates[:, i], h, c)
                outputs.append(h)
        elif lengths is None and probe is None:
            for x_t in x_gates.unbind(1):
                h, c = self.step(x_t, h, c)
                outputs.append(h)
        else:
            for i, x_t in enumerate(x_gates.unbind(1)):
                t = steps - 1 - i if reverse else i
                h_new, c_new = self.step(x_t, h, c)
                if probe is not None:
                    h_new = h_new + probe[:, t]
                if lengths is None:
                    h, c = h_new, c_new
                    outputs.append(h_new)
                else:
                    valid = (lengths > t).unsqueeze(1)
                    h = torch.where(valid, h_new, h)
                    if self.has_cell_state:
                        c = torch.where(valid, c_new, c)
                    outputs.append(torch.where(valid, h_new, 0.0))  # NaN-safe
        out = torch.stack(outputs, dim=1)
        if reverse:
            out = out.flip([1])
        return out, h, c


class ElmanCell(RecurrentCell):
    """``h_t = f(W x_t + U h_{t-1} + b)``, the step of :class:`torch.nn.RNN`.

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool, default=True
    nonlinearity : {"tanh", "relu"}, default="tanh"
    """

    n_gates = 1
    relu: Final[bool]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh"):
        super().__init__(input_size, hidden_size, bias)
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"nonlinearity must be 'tanh' or 'relu'; got {nonlinearity!r}"
            )
        self.relu = nonlinearity == "relu"
        self.reset_parameters()

    def step(self, x_gates: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
        pre = torch.addmm(x_gates, h, self.weight_hh.t())
        return (torch.relu(pre) if self.relu else torch.tanh(pre)), c


class LSTMCell(RecurrentCell):
    """One LSTM step, with the parameters of :class:`torch.nn.LSTMCell`.

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool, default=True
    peephole : bool, default=False
        Add the diagonal peephole terms ``w_c* * c_{t-1}`` to the input,
        forget and output gates (see the module docstring).

    Attributes
    ----------
    weight_ih : Parameter of shape (4 * hidden_size, input_size)
    weight_hh : Parameter of shape (4 * hidden_size, hidden_size)
    bias_ih, bias_hh : Parameter of shape (4 * hidden_size,)
    weight_peephole : Parameter of shape (3, hidden_size) or None
        The diagonals of ``W_ci``, ``W_cf`` and ``W_co``.
    """

    n_gates = 4
    cell_state = True

    def __init__(self, input_size, hidden_size, bias=True, peephole=False):
        super().__init__(input_size, hidden_size, bias)
        if peephole:
            self.weight_peephole = nn.Parameter(torch.empty(3, hidden_size))
        else:
            self.register_parameter("weight_peephole", None)
        self.reset_parameters()

    def step(self, x_gates: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
        gates = torch.addmm(x_gates, h, self.weight_hh.t())
        i, f, g, o = gates.chunk(4, dim=1)
        peephole = self.weight_peephole
        if peephole is not None:
            # each gate plus w * c_{t-1} in one fused operator (a broadcast
            # product and three additions were four passes over the state)
            i = torch.addcmul(i, c, peephole[0])
            f = torch.addcmul(f, c, peephole[1])
            o = torch.addcmul(o, c, peephole[2])
        c_t = torch.addcmul(torch.sigmoid(f) * c, torch.sigmoid(i), torch.tanh(g))
        return torch.sigmoid(o) * torch.tanh(c_t), c_t


class GRUCell(RecurrentCell):
    """One GRU step, with the parameters of :class:`torch.nn.GRUCell`.

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool, default=True
    reset_after : bool, default=True
        True: torch's (and cuDNN's) convention, ``n_t = tanh(W_xn x_t + b_xn
        + r_t * (W_hn h_{t-1} + b_hn))``. False: the classic GRU of Cho et
        al. (2014), ``n_t = tanh(W_xh x_t + W_hh (r_t * h_{t-1}) + b_h)``.
    """

    n_gates = 3
    bias_hh_in_input = False
    reset_after: Final[bool]

    def __init__(self, input_size, hidden_size, bias=True, reset_after=True):
        super().__init__(input_size, hidden_size, bias)
        self.reset_after = reset_after
        self.reset_parameters()

    def step(self, x_gates: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
        hidden = h.shape[1]
        if self.reset_after:
            x_r, x_z, x_n = x_gates.chunk(3, dim=1)
            h_r, h_z, h_n = F.linear(h, self.weight_hh, self.bias_hh).chunk(3, dim=1)
            r = torch.sigmoid(x_r + h_r)
            z = torch.sigmoid(x_z + h_z)
            n = torch.tanh(x_n + r * h_n)
            return torch.lerp(n, h, z), c  # (1 - z) * n + z * h
        x_rz, x_n = x_gates[:, : 2 * hidden], x_gates[:, 2 * hidden :]
        w_rz, w_n = self.weight_hh[: 2 * hidden], self.weight_hh[2 * hidden :]
        b_rz: Tensor | None = None
        b_n: Tensor | None = None
        bias_hh = self.bias_hh
        if bias_hh is not None:
            b_rz, b_n = bias_hh[: 2 * hidden], bias_hh[2 * hidden :]
        rz = torch.sigmoid(x_rz + F.linear(h, w_rz, b_rz))
        r, z = rz.chunk(2, dim=1)
        n = torch.tanh(x_n + F.linear(r * h, w_n, b_n))
        return torch.lerp(h, n, z), c  # (1 - z) * h + z * n


class PeepholeLSTMCell(LSTMCell):
    """:class:`LSTMCell` with peephole connections."""

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__(input_size, hidden_size, bias, peephole=True)


class ClassicGRUCell(GRUCell):
    """:class:`GRUCell` with the reset gate before the recurrent product."""

    def __init__(self, input_size, hidden_size, bias=True):
        super().__init__(input_size, hidden_size, bias, reset_after=False)


_CELLS = {"rnn": ElmanCell, "lstm": LSTMCell, "gru": GRUCell}


class RecurrentStack(nn.Module):
    """Layers x directions of one kind of cell, batch first.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    input_size, hidden_size : int
    num_layers : int, default=1
    dropout : float, default=0.0
        Dropout on the outputs of every layer but the last, in training.
    bidirectional : bool, default=False
    **cell_options
        ``nonlinearity`` (rnn), ``peephole`` (lstm) or ``reset_after`` (gru).

    Attributes
    ----------
    cells : nn.ModuleList
        Cell ``layer * num_directions + direction``.
    """

    num_layers: Final[int]
    num_directions: Final[int]
    has_cell_state: Final[bool]
    #: replay training steps on a GPU as CUDA graphs (see ``_graphed``)
    use_cuda_graphs = True

    def __init__(
        self,
        cell,
        input_size,
        hidden_size,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        **cell_options,
    ):
        super().__init__()
        if cell not in _CELLS:
            raise ValueError(f"cell must be one of {sorted(_CELLS)}; got {cell!r}")
        self.mode = cell
        self.cell_options = dict(cell_options)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        self.has_cell_state = cell == "lstm"
        self.cells = nn.ModuleList()
        for layer in range(num_layers):
            layer_input = (
                input_size if layer == 0 else hidden_size * self.num_directions
            )
            for _ in range(self.num_directions):
                self.cells.append(
                    _CELLS[cell](layer_input, hidden_size, **cell_options)
                )
        self._graphs = {}

    def __getstate__(self):
        # CUDA graphs are process-local: never pickled or deep-copied
        state = self.__dict__.copy()
        state["_graphs"] = {}
        return state

    def _cell(self, layer, direction):
        return self.cells[layer * self.num_directions + direction]

    # -- weights shared with torch's fused layers ----------------------------

    def load_torch_state_dict(self, state_dict):
        """Copy the weights of an ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` state dict.

        Parameters the torch layer lacks (peephole weights, biases of a
        layer built with ``bias=False``) are zeroed.
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

    @classmethod
    def from_native(cls, rnn):
        """The engine's copy of a fused ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``.

        Same equations, same weights (copied), same dtype and device; runs
        step by step, so that a probe can reach every ``h_t``. No random
        numbers are drawn.
        """
        if rnn.mode not in _NATIVE_MODES or getattr(rnn, "proj_size", 0):
            raise ValueError(f"no engine equivalent of {rnn!r}")
        if not rnn.batch_first:
            raise ValueError("only batch_first torch layers are supported")
        cell, options = _NATIVE_MODES[rnn.mode]
        reference = next(rnn.parameters())
        # the initial weights are replaced
        with global_generator_user(), torch.random.fork_rng(devices=[]):
            stack = RecurrentStack(
                cell,
                rnn.input_size,
                rnn.hidden_size,
                num_layers=rnn.num_layers,
                dropout=rnn.dropout,
                bidirectional=rnn.bidirectional,
                **options,
            )
        stack = stack.to(device=reference.device, dtype=reference.dtype)
        stack.load_torch_state_dict(rnn.state_dict())
        stack.train(rnn.training)
        return stack

    def to_native(self):
        """The fused torch layer with these weights (batch first).

        Only for the cells torch has: Elman, LSTM without peepholes, GRU
        with ``reset_after=True``.
        """
        if self.cell_options.get("peephole") or not self.cell_options.get(
            "reset_after", True
        ):
            raise ValueError(
                "torch has no fused layer for peephole LSTMs or the classic GRU"
            )
        kwargs = {}
        if self.mode == "rnn":
            kwargs["nonlinearity"] = self.cell_options.get("nonlinearity", "tanh")
        native_class = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[self.mode]
        reference = next(self.parameters())
        rnn = native_class(
            self.input_size,
            self.hidden_size,
            num_layers=self.num_layers,
            dropout=self.dropout if self.num_layers > 1 else 0.0,
            bidirectional=self.bidirectional,
            batch_first=True,
            **kwargs,
        ).to(device=reference.device, dtype=reference.dtype)
        state = {}
        for layer in range(self.num_layers):
            for direction in range(self.num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                for name, param in self._cell(layer, direction).named_parameters():
                    state[name + suffix] = param.detach()
        rnn.load_state_dict(state)
        rnn.train(self.training)
        return rnn

    # -- running ---------------------------------------------------------------

    def forward(self, X: Tensor, lengths: Tensor | None = None):
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
        if not torch.jit.is_scripting():
            if self.use_cuda_graphs and X.is_cuda and self.training:
                if torch.is_grad_enabled():
                    output, h_n, c_n = self._graphed(X, lengths)
                    return (
                        (output, (h_n, c_n))
                        if self.has_cell_state
                        else (
                            output,
                            h_n,
                        )
                    )
        output, h_n, c_n = self.run(X, lengths)
        if self.has_cell_state:
            return output, (h_n, c_n)
        return output, h_n

    def run(
        self,
        X: Tensor,
        lengths: Tensor | None = None,
        probe: Tensor | None = None,
        probe_layer: int = -1,
    ) -> tuple[Tensor, Tensor, Tensor]:
        """The stack's time loops; ``probe`` goes to layer ``probe_layer``.

        ``probe`` (batch, time, num_directions * hidden) is split between
        the directions (forward half first) and added to their ``h_t``.
        Returns ``(output, h_n, c_n)`` (``c_n`` zeros without a cell state).
        """
        if lengths is not None:
            lengths = lengths.to(X.device)
        hidden = self.hidden_size
        directions = self.num_directions
        layer_input = X
        outputs: list[Tensor] = []
        h_n: list[Tensor] = []
        c_n: list[Tensor] = []
        for k, cell in enumerate(self.cells):
            layer, direction = k // directions, k % directions
            if direction == 0 and layer > 0:
                layer_input = _join(outputs)
                outputs = []
                if self.dropout > 0:
                    layer_input = F.dropout(layer_input, self.dropout, self.training)
            part: Tensor | None = None
            if probe is not None and layer == probe_layer:
                part = probe[:, :, direction * hidden : (direction + 1) * hidden]
            out, h, c = cell.scan(layer_input, lengths, direction == 1, part)
            outputs.append(out)
            h_n.append(h)
            c_n.append(c)
        return _join(outputs), torch.stack(h_n), torch.stack(c_n)

    @torch.jit.unused
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
            graphed = torch.cuda.make_graphed_callables(_Run(self), args)
            self._graphs[key] = graphed
        flat = graphed(X) if lengths is None else graphed(X, lengths)
        return flat[0], flat[1], flat[-1]  # c_n is unused without a cell state


def _join(outputs: list[Tensor]) -> Tensor:
    """The directions' outputs side by side; one direction's as it is (a
    concatenation of one tensor would copy it every forward pass)."""
    if len(outputs) == 1:
        return outputs[0]
    return torch.cat(outputs, dim=2)


class _Run(nn.Module):
    """A stack's :meth:`~RecurrentStack.run` as a module, for graph capture."""

    def __init__(self, stack):
        super().__init__()
        self.stack = stack

    def forward(self, X, lengths=None):
        output, h_n, c_n = self.stack.run(X, lengths)
        # graphs replay the outputs that depend on the inputs only
        return (output, h_n, c_n) if self.stack.has_cell_state else (output, h_n)


class PeepholeLSTM(RecurrentStack):
    """Multi-layer, optionally bidirectional peephole LSTM (batch first).

    The parameter layout follows :class:`torch.nn.LSTM`, plus a
    ``weight_peephole`` (3, hidden) per cell; :meth:`load_torch_state_dict`
    copies an ``nn.LSTM``'s weights (peepholes zeroed, outputs then equal).
    Returns ``output, (h_n, c_n)`` like ``nn.LSTM(batch_first=True)``.
    """

    def __init__(
        self, input_size, hidden_size, num_layers=1, dropout=0.0, bidirectional=False
    ):
        super().__init__(
            "lstm",
            input_size,
            hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            peephole=True,
        )


class ClassicGRU(RecurrentStack):
    """Multi-layer, optionally bidirectional classic GRU (batch first).

    Same parameter layout as :class:`torch.nn.GRU`, but the reset gate acts
    before the recurrent product and ``h_t = (1 - z_t) h_{t-1} + z_t n_t``.
    Returns ``output, h_n`` like ``nn.GRU(batch_first=True)``.
    """

    def __init__(
        self, input_size, hidden_size, num_layers=1, dropout=0.0, bidirectional=False
    ):
        super().__init__(
            "gru",
            input_size,
            hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            bidirectional=bidirectional,
            reset_after=False,
        )
