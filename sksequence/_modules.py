"""The torch floor: a recurrent stack followed by a linear output head.

Nothing here knows about scikit-learn or skorch. The module maps a batch of
sequences ``(batch, time, features)`` to one output vector per sequence: the
hidden state of the last valid time step of the top layer (both directions
for bidirectional stacks) goes through dropout and a linear head,
``y = V h_T + c``.
"""

import copy

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

__all__ = ["SequenceModel", "RECURRENT_LAYERS", "predict_in_batches"]

RECURRENT_LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class SequenceModel(nn.Module):
    """Recurrent stack (RNN, LSTM or GRU) + linear head.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
        Recurrent layer family.
    input_size : int
        Number of features per time step.
    hidden_size : int
        Size of the hidden state of every layer.
    output_size : int
        Size of the output vector (targets or class logits).
    num_layers : int, default=1
        Number of stacked recurrent layers.
    dropout : float, default=0.0
        Dropout probability between stacked layers and on the last hidden
        state before the head.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation ``f`` of the Elman RNN; only used when ``cell="rnn"``.
    """

    def __init__(
        self,
        cell,
        input_size,
        hidden_size,
        output_size,
        num_layers=1,
        dropout=0.0,
        bidirectional=False,
        nonlinearity="tanh",
    ):
        super().__init__()
        if cell not in RECURRENT_LAYERS:
            raise ValueError(
                f"cell must be one of {sorted(RECURRENT_LAYERS)}; got {cell!r}"
            )
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.cell = cell
        self.rnn = RECURRENT_LAYERS[cell](
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            # torch warns about inter-layer dropout on a single layer
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
            **kwargs,
        )
        self.num_directions = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size * self.num_directions, output_size)

    def last_hidden(self, X, lengths=None):
        """Hidden state of the top layer at each sequence's last valid step.

        Returns a tensor of shape ``(batch, num_directions * hidden_size)``;
        for the backward direction this is the state after reading the whole
        sequence backwards (i.e. at its first step).
        """
        if lengths is not None:
            X = pack_padded_sequence(
                X, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
        _, h_n = self.rnn(X)
        if isinstance(h_n, tuple):  # LSTM returns (h_n, c_n)
            h_n = h_n[0]
        top = h_n[-self.num_directions :]  # (directions, batch, hidden)
        return torch.cat(tuple(top), dim=-1)

    def forward(self, X, lengths=None):
        """Map ``X`` of shape (batch, time, features) to (batch, output_size)."""
        return self.head(self.dropout(self.last_hidden(X, lengths)))


def predict_in_batches(module, X, lengths=None, *, batch_size=1024, device="cpu"):
    """Evaluate ``module`` on NumPy sequences in float64, batch by batch.

    Inference runs on a float64 copy of the module: float32 GEMMs round
    differently for different batch sizes (up to ~1e-7 after a recurrence),
    so a float32 prediction of a sequence would depend on which other
    sequences share its batch. In float64 that dependence is ~1e-15, below
    anything the float64 results returned to the user can show.

    Parameters
    ----------
    module : SequenceModel
    X : ndarray of shape (n_samples, n_timesteps, n_features)
        May be a read-only or strided view; only one batch is copied at a time.
    lengths : ndarray of shape (n_samples,) or None
    batch_size : int
    device : torch.device or str

    Returns
    -------
    out : torch.Tensor of shape (n_samples, output_size), float64, on the CPU
    """
    inference = copy.deepcopy(module).to(device=device, dtype=torch.float64).eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            stop = start + batch_size
            xb = torch.as_tensor(np.asarray(X[start:stop]), dtype=torch.float64)
            lb = None if lengths is None else torch.as_tensor(lengths[start:stop])
            outputs.append(inference(xb.to(device), lb).cpu())
    return torch.cat(outputs)
