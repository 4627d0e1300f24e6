"""Can a hand-written GRU layer beat torch's nn.GRU on the CPU? (measured: no)

A stretch goal of the work on training speed: a GRU layer that hoists the input
projection into one GEMM for all time steps, computes the weight gradients
with one GEMM over all steps in a hand-written backward (a custom
``torch.autograd.Function``, pure PyTorch), and so cuts the op count.

This script holds that layer, checks it against ``nn.GRU`` in float64
(forward and all gradients), and times one training step (forward +
backward) of both, alternating, at the W1 shape (batch 32, T=30, hidden
128, 1 feature) on one thread.

Finding (see the closing notes): numerically equal (differences ~1e-15 in
float64) but not faster -- about 1.1-1.2x *slower* -- because at batch 32
the time goes to per-op dispatch, not arithmetic: each step still needs ~10
forward and ~15 backward tensor ops from Python, about what autograd runs
for nn.GRU. Beating nn.GRU needs fused pointwise kernels (C++/Triton or a
compiler), ruled out for their compile wait. sksequence
therefore keeps nn.GRU / nn.RNN on the CPU.

    python benchmarks/custom_gru_cpu.py
"""

import time

import torch
from torch import nn


class GRUFunction(torch.autograd.Function):
    """One GRU layer (torch's reset-after convention), batch first, h0 = 0."""

    @staticmethod
    def forward(ctx, X, w_ih, w_hh, b_ih, b_hh):
        B, T, F_ = X.shape
        H = w_hh.shape[1]
        xg = torch.addmm(b_ih, X.reshape(B * T, F_), w_ih.t()).view(B, T, 3 * H)
        xg = xg.transpose(0, 1).contiguous()  # (T, B, 3H)
        h = X.new_zeros(B, H)
        hs = X.new_empty(T + 1, B, H)
        hs[0] = h
        rz_all = X.new_empty(T, B, 2 * H)
        n_all = X.new_empty(T, B, H)
        hgn_all = X.new_empty(T, B, H)
        w_hh_t = w_hh.t()
        for t in range(T):
            hg = torch.addmm(b_hh, h, w_hh_t)
            rz = torch.sigmoid_(xg[t, :, : 2 * H] + hg[:, : 2 * H])
            r, z = rz[:, :H], rz[:, H:]
            hgn = hg[:, 2 * H :]
            n = torch.tanh_(torch.addcmul(xg[t, :, 2 * H :], r, hgn))
            h = torch.addcmul(n, z, h - n)
            hs[t + 1] = h
            rz_all[t] = rz
            n_all[t] = n
            hgn_all[t] = hgn
        ctx.save_for_backward(X, w_ih, w_hh, hs, rz_all, n_all, hgn_all)
        return hs[1:].transpose(0, 1), h

    @staticmethod
    def backward(ctx, d_out, d_hT):
        X, w_ih, w_hh, hs, rz_all, n_all, hgn_all = ctx.saved_tensors
        T, B, H = n_all.shape
        d_out = d_out.transpose(0, 1)
        dxg = X.new_empty(T, B, 3 * H)
        dhg = X.new_empty(T, B, 3 * H)
        dh = d_hT.clone() if d_hT is not None else X.new_zeros(B, H)
        for t in range(T - 1, -1, -1):
            dh = dh + d_out[t]
            rz = rz_all[t]
            r, z = rz[:, :H], rz[:, H:]
            n = n_all[t]
            h_prev = hs[t]
            dn = dh * (1 - z)
            dz = dh * (h_prev - n)
            dn_pre = dn * (1 - n * n)
            dr = dn_pre * hgn_all[t]
            drz = torch.cat([dr, dz], 1) * rz * (1 - rz)
            dxg[t, :, : 2 * H] = drz
            dxg[t, :, 2 * H :] = dn_pre
            dhg[t, :, : 2 * H] = drz
            dhg[t, :, 2 * H :] = dn_pre * r
            dh = torch.addmm(dh * z, dhg[t], w_hh)
        Fi = X.shape[2]
        dxg2 = dxg.transpose(0, 1).reshape(B * T, 3 * H)
        dX = (dxg2 @ w_ih).view(B, T, Fi)
        d_w_ih = dxg2.t() @ X.reshape(B * T, Fi)
        d_w_hh = dhg.reshape(T * B, 3 * H).t() @ hs[:-1].reshape(T * B, H)
        return dX, d_w_ih, d_w_hh, dxg2.sum(0), dhg.sum((0, 1))


def check():
    torch.manual_seed(0)
    g = nn.GRU(3, 8, batch_first=True).double()
    X = torch.randn(4, 5, 3, dtype=torch.float64, requires_grad=True)
    out, h = g(X)
    loss = out.pow(2).sum() + h.sum()
    grads = torch.autograd.grad(loss, [X, *g.parameters()])
    params = [g.weight_ih_l0, g.weight_hh_l0, g.bias_ih_l0, g.bias_hh_l0]
    out2, h2 = GRUFunction.apply(X, *params)
    loss2 = out2.pow(2).sum() + h2.sum()
    grads2 = torch.autograd.grad(loss2, [X, *params])
    print(
        "fwd",
        (out - out2).abs().max().item(),
        "grads",
        [(a - b).abs().max().item() for a, b in zip(grads, grads2)],
    )


def bench(B=32, T=30, H=128, reps=40):
    torch.set_num_threads(1)
    g = nn.GRU(1, H, batch_first=True)
    head = nn.Linear(H, 1)
    X = torch.randn(B, T, 1)
    y = torch.randn(B, 1)
    params = [g.weight_ih_l0, g.weight_hh_l0, g.bias_ih_l0, g.bias_hh_l0]

    def step_native():
        out, h = g(X)
        loss = (head(h[0]) - y).pow(2).mean()
        loss.backward()

    def step_custom():
        out, h = GRUFunction.apply(X, *params)
        loss = (head(h) - y).pow(2).mean()
        loss.backward()

    res = {}
    for name, fn in [("native", step_native), ("custom", step_custom)] * 3:
        for _ in range(3):
            fn()
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        res.setdefault(name, []).append((time.perf_counter() - t) / reps * 1000)
    print({k: [round(v, 2) for v in vs] for k, vs in res.items()})


if __name__ == "__main__":
    check()
    bench()
