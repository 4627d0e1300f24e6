"""The torch floor against torch's own recurrent layers."""

import numpy as np
import pytest
import torch
from torch import nn

from sksequence._modules import (
    RECURRENT_LAYERS,
    ConvEmbedding,
    DilatedEmbedding,
    SequenceModel,
    StepBatchNorm,
    pooled_patches,
    predict_in_batches,
    valid_steps,
)


def _reference(model, cell, input_size, hidden_size, num_layers, bidirectional, **kw):
    """nn.RNN/LSTM/GRU + nn.Linear carrying the same weights as ``model``."""
    rnn = RECURRENT_LAYERS[cell](
        input_size,
        hidden_size,
        num_layers=num_layers,
        batch_first=True,
        bidirectional=bidirectional,
        **kw,
    )
    rnn.load_state_dict(model.rnn.state_dict())
    head = nn.Linear(model.head.in_features, model.head.out_features)
    head.load_state_dict(model.head.state_dict())
    return rnn, head


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("num_layers,bidirectional", [(1, False), (2, True)])
def test_matches_torch_layer_plus_linear_head(cell, num_layers, bidirectional):
    torch.manual_seed(0)
    kw = {"nonlinearity": "relu"} if cell == "rnn" else {}
    model = SequenceModel(
        cell, 3, 8, 2, num_layers=num_layers, bidirectional=bidirectional, **kw
    ).eval()
    rnn, head = _reference(model, cell, 3, 8, num_layers, bidirectional, **kw)
    X = torch.randn(5, 7, 3)
    with torch.no_grad():
        out, _ = rnn(X)
        if bidirectional:
            # forward direction ends at the last step, backward at the first
            last = torch.cat([out[:, -1, :8], out[:, 0, 8:]], dim=1)
        else:
            last = out[:, -1]
        expected = head(last)
        assert torch.allclose(model(X), expected, atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_leaks_into_outputs(cell, bidirectional):
    torch.manual_seed(0)
    model = SequenceModel(cell, 2, 6, 1, bidirectional=bidirectional).eval()
    lengths = torch.tensor([3, 6, 1])
    X = torch.randn(3, 6, 2)
    garbage = X.clone()
    for i, n in enumerate(lengths):
        garbage[i, n:] = 1e3
    with torch.no_grad():
        padded = model(X, lengths)
        assert torch.allclose(padded, model(garbage, lengths))
        for i, n in enumerate(lengths):
            alone = model(X[i : i + 1, :n])
            assert torch.allclose(padded[i : i + 1], alone, atol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_packed_gradient_equals_sum_of_unpadded_gradients(cell):
    torch.manual_seed(0)
    model = SequenceModel(cell, 2, 5, 1)
    X = torch.randn(3, 4, 2)
    lengths = torch.tensor([4, 2, 3])
    model.zero_grad()
    model(X, lengths).sum().backward()
    packed = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    for i, n in enumerate(lengths):
        model(X[i : i + 1, :n]).sum().backward()
    for g_packed, p in zip(packed, model.parameters()):
        assert torch.allclose(g_packed, p.grad, atol=1e-5)


def test_predict_in_batches_is_batch_invariant_and_float64():
    torch.manual_seed(0)
    model = SequenceModel("rnn", 1, 32, 1)
    X = np.random.default_rng(0).normal(size=(37, 30, 1)).astype(np.float32)
    full = predict_in_batches(model, X, batch_size=1024)
    assert full.dtype == torch.float64
    one_by_one = predict_in_batches(model, X, batch_size=1)
    np.testing.assert_allclose(full.numpy(), one_by_one.numpy(), rtol=0, atol=1e-12)
    assert next(model.parameters()).dtype == torch.float32  # module untouched


def test_unknown_cell_is_rejected():
    with pytest.raises(ValueError, match="cell must be one of"):
        SequenceModel("transformer", 1, 4, 1)


def test_masked_mse_ignores_nan_targets_and_their_gradients():
    from sksequence._modules import MaskedMSELoss

    pred = torch.randn(3, 4, 1, requires_grad=True)
    target = torch.randn(3, 4, 1)
    target[0, 2:] = float("nan")
    target[2, 1:] = float("nan")
    loss = MaskedMSELoss()(pred, target)
    valid = ~torch.isnan(target)
    expected = ((pred[valid] - target[valid]) ** 2).mean()
    assert torch.allclose(loss, expected)
    loss.backward()
    assert torch.all(pred.grad[~valid] == 0) and torch.isfinite(pred.grad).all()


def test_sequence_cross_entropy_ignores_padded_steps():
    from sksequence._constants import IGNORE_INDEX
    from sksequence._modules import SequenceCrossEntropyLoss

    logits = torch.randn(2, 3, 4, requires_grad=True)
    labels = torch.tensor([[1, 2, IGNORE_INDEX], [0, IGNORE_INDEX, IGNORE_INDEX]])
    loss = SequenceCrossEntropyLoss()(logits, labels)
    expected = nn.functional.cross_entropy(
        torch.stack([logits[0, 0], logits[0, 1], logits[1, 0]]),
        torch.tensor([1, 2, 0]),
    )
    assert torch.allclose(loss, expected)
    loss.backward()
    assert torch.all(logits.grad[0, 2] == 0) and torch.all(logits.grad[1, 1:] == 0)


@pytest.mark.parametrize(
    "cell,kw", [("lstm", {"peephole": True}), ("gru", {"reset_after": False})]
)
def test_return_sequences_head_applies_at_every_step(cell, kw):
    torch.manual_seed(0)
    model = SequenceModel(cell, 2, 5, 3, return_sequences=True, **kw).eval()
    X = torch.randn(4, 6, 2)
    with torch.no_grad():
        per_step = model(X)
        states, last, _ = model.recurrent_states(X)
        assert per_step.shape == (4, 6, 3)
        assert torch.allclose(per_step, model.head(states))
        assert torch.allclose(states[:, -1], last)


def test_patch_reads_consecutive_steps_as_one():
    from sksequence._modules import patch

    X = torch.arange(2 * 7 * 2, dtype=torch.float64).reshape(2, 7, 2)
    out, lengths = patch(X, torch.tensor([7, 4]), 3)
    assert out.shape == (2, 3, 6)  # ceil(7 / 3) steps of 3 x 2 values
    np.testing.assert_array_equal(out[0, 0], X[0, :3].flatten())
    np.testing.assert_array_equal(out[0, 2], [12, 13, 0, 0, 0, 0])  # zeros past T
    np.testing.assert_array_equal(out[1, 1], [14 + 6, 14 + 7, 0, 0, 0, 0])
    assert out[1, 2].abs().sum() == 0  # past the sequence's length
    np.testing.assert_array_equal(lengths, [3, 2])
    assert patch(X, None, 1)[0] is X


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("custom", [False, True])
def test_patched_model_is_batch_and_padding_independent(cell, custom):
    # a sequence's prediction does not depend on the longer ones beside it,
    # nor on what the padding holds
    torch.manual_seed(0)
    kw = {"lstm": {"peephole": custom}, "gru": {"reset_after": not custom}}
    model = SequenceModel(cell, 2, 5, 3, patch_size=4, **kw.get(cell, {}))
    model = model.double().eval()
    X = torch.randn(3, 11, 2, dtype=torch.float64)
    lengths = torch.tensor([11, 6, 9])
    padded = X.clone()
    padded[1, 6:] = 99.0  # garbage past the end of sequence 1
    with torch.no_grad():
        batched = model(padded, lengths)
        alone = model(X[1:2, :6], None)
    torch.testing.assert_close(batched[1:2], alone)
    assert model.rnn.input_size == 8  # 4 steps x 2 features


def test_patches_need_one_step_per_output():
    with pytest.raises(ValueError, match="return_sequences needs patch_size=1"):
        SequenceModel("gru", 2, 5, 3, patch_size=2, return_sequences=True)


def test_inference_copy_is_made_once_per_state_of_the_weights():
    from sksequence._modules import inference_copy

    torch.manual_seed(0)
    model = SequenceModel("gru", 2, 5, 1)
    X = np.random.default_rng(0).normal(size=(4, 6, 2))
    first = inference_copy(model)
    assert inference_copy(model) is first  # predict costs no deep copy
    assert first.head.weight.dtype == torch.float64 and not first.training
    before = predict_in_batches(model, X)
    # an optimizer step changes the weights in place: a new copy
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    model(torch.as_tensor(X, dtype=torch.float32)).sum().backward()
    optimizer.step()
    assert inference_copy(model) is not first
    after = predict_in_batches(model, X)
    fresh = model.double()(torch.as_tensor(X)).detach()
    torch.testing.assert_close(after, fresh)
    assert not torch.allclose(before, after)
    # so does loading a state
    model.float()
    copy_ = inference_copy(model)
    model.load_state_dict({k: v * 0 for k, v in model.state_dict().items()})
    assert inference_copy(model) is not copy_
    assert predict_in_batches(model, X).abs().max() == 0


def test_frozen_copy_leaves_the_module_as_it_was():
    from sksequence._modules import frozen_copy

    model = SequenceModel("gru", 2, 5, 1).train()
    frozen = frozen_copy(model, device="cpu", dtype=torch.float64)
    assert not frozen.training and model.training
    assert all(not p.requires_grad for p in frozen.parameters())
    assert all(p.requires_grad for p in model.parameters())
    assert frozen.head.weight.dtype == torch.float64
    assert model.head.weight.dtype == torch.float32
    frozen.head.weight.data.zero_()
    assert model.head.weight.abs().sum() > 0


@pytest.mark.parametrize("ragged", [False, True])
def test_batches_cover_every_row_once_in_order(ragged):
    from sksequence._modules import batches

    X = np.arange(7 * 6 * 2, dtype=np.float32).reshape(7, 6, 2)[:, ::2]  # strided
    lengths = np.array([3, 1, 2, 3, 3, 2, 1]) if ragged else None
    parts = list(batches(X, lengths, batch_size=3, dtype=torch.float64))
    assert [rows for rows, _, _ in parts] == [slice(0, 3), slice(3, 6), slice(6, 9)]
    assert all(xb.dtype == torch.float64 for _, xb, _ in parts)
    np.testing.assert_array_equal(torch.cat([xb for _, xb, _ in parts]).numpy(), X)
    if ragged:
        np.testing.assert_array_equal(torch.cat([lb for *_, lb in parts]), lengths)
    else:
        assert all(lb is None for *_, lb in parts)
    # no sequences: one empty batch, so that predict returns an empty output
    (empty,) = batches(X[:0], batch_size=3, dtype=torch.float64)
    assert empty[1].shape == (0, 3, 2)


# -- distributional heads and their losses -------------------------------------


@pytest.mark.parametrize("return_sequences", [False, True])
def test_gaussian_head_predicts_a_mean_and_a_positive_std(return_sequences):
    from sksequence._constants import MIN_STD

    model = SequenceModel(
        "gru", 2, 5, 3, distribution="gaussian", return_sequences=return_sequences
    )
    with torch.no_grad():
        model.head.bias[3:] = -50.0  # a raw scale far below zero
    out = model(torch.randn(4, 6, 2))
    assert out.shape[-1] == 6
    std = out[..., 3:]
    assert torch.all(std >= MIN_STD) and torch.all(std < 1e-3)
    # the mean block is the head's raw output, unchanged
    X = torch.randn(4, 6, 2)
    outputs, last, _ = model.recurrent_states(X)
    raw = model.head(outputs if return_sequences else last)
    assert torch.equal(model(X)[..., :3], raw[..., :3])


def test_quantile_head_never_crosses_whatever_its_raw_values():
    from sksequence._heads import QuantileHead

    raw = 100 * torch.randn(64, 5 * 2)  # 5 levels, 2 targets, wild values
    quantiles = QuantileHead.link(2)(raw).unflatten(-1, (5, 2))
    assert torch.all(quantiles.diff(dim=1) >= 0)
    # the lowest quantile is the raw value: the head can place it anywhere
    assert torch.equal(quantiles[:, 0], raw[:, :2])


@pytest.mark.parametrize(
    ("distribution", "n_quantiles"), [("gaussian", 1), ("quantile", 4)]
)
def test_distributional_heads_compile_with_torchscript(distribution, n_quantiles):
    model = SequenceModel(
        "lstm", 2, 5, 2, distribution=distribution, n_quantiles=n_quantiles
    ).eval()
    X = torch.randn(3, 7, 2)
    assert torch.allclose(torch.jit.script(model)(X), model(X))


def test_unknown_distribution_is_rejected():
    with pytest.raises(ValueError, match="distribution must be one of"):
        SequenceModel("gru", 1, 4, 1, distribution="poisson")


def test_gaussian_nll_is_torchs_full_nll_over_the_finite_targets():
    from sksequence._modules import GaussianNLLLoss

    mean = torch.randn(5, 4, 2)
    std = torch.rand(5, 4, 2) + 0.1
    pred = torch.cat((mean, std), dim=-1).requires_grad_(True)
    target = torch.randn(5, 4, 2)
    target[1, 2:] = float("nan")
    loss = GaussianNLLLoss()(pred, target)
    valid = ~torch.isnan(target)
    expected = nn.functional.gaussian_nll_loss(
        mean[valid], target[valid], std[valid] ** 2, full=True
    )
    assert torch.allclose(loss, expected)
    loss.backward()
    assert torch.isfinite(pred.grad).all()
    assert torch.all(pred.grad[1, 2:] == 0)  # padded steps: no gradient


def test_pinball_loss_is_the_mean_check_function_over_levels():
    from sksequence._modules import PinballLoss

    levels = (0.1, 0.5, 0.9)
    pred = torch.tensor([[0.0, 1.0, 2.0], [-1.0, 0.0, 3.0]])  # 2 samples, 1 target
    target = torch.tensor([[1.5], [-2.0]])
    loss = PinballLoss(levels)(pred, target)
    expected = 0.0
    for row, y in zip(pred.tolist(), target[:, 0].tolist()):
        for tau, q in zip(levels, row):
            expected += max(tau * (y - q), (tau - 1) * (y - q)) / 3
    assert loss.item() == pytest.approx(expected / 2)


def test_pinball_loss_is_smallest_at_the_empirical_quantile():
    from sksequence._modules import PinballLoss

    y = torch.randn(2001, 1, generator=torch.Generator().manual_seed(0))
    loss = PinballLoss((0.9,))
    best = torch.quantile(y, 0.9)
    at = [loss(torch.full_like(y, float(best + d)), y) for d in (-0.1, 0.0, 0.1)]
    assert at[1] < at[0] and at[1] < at[2]


@pytest.mark.parametrize("loss_name", ["gaussian", "pinball"])
def test_distributional_losses_weigh_a_sample_as_its_copies(loss_name):
    from sksequence._modules import GaussianNLLLoss, PinballLoss

    loss = GaussianNLLLoss() if loss_name == "gaussian" else PinballLoss((0.2, 0.8))
    pred = torch.rand(4, 4) + 0.1
    target = torch.randn(4, 2)
    weighted = loss(pred, target, torch.tensor([3.0, 1.0, 0.0, 1.0]))
    copies = loss(pred[[0, 0, 0, 1, 3]], target[[0, 0, 0, 1, 3]])
    assert torch.allclose(weighted, copies)
    per_sample = loss.per_sample(pred, target)
    assert per_sample.shape == (4,)
    assert torch.allclose(per_sample.mean(), loss(pred, target))


@pytest.mark.parametrize("readout", ["pool", "mean_max"])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_conv_embedding_and_pooled_readouts_follow_their_equations(cell, readout):
    """x_t = max over patch t of relu(W * x[s-6..s] + b) (a causal
    convolution of 7 steps), then the cells, then y = V [h_T, mean_t h_t,
    max_t h_t] + c ("pool") or y = V [mean_t h_t, max_t h_t] + c
    ("mean_max") over each sequence's valid patches."""
    torch.manual_seed(0)
    model = SequenceModel(
        cell, 2, 5, 3, patch_size=4, embedding="conv", readout=readout
    ).eval()
    X = torch.randn(3, 10, 2)
    lengths = torch.tensor([10, 6, 3])
    conv, layer = model.embed.conv, RECURRENT_LAYERS[cell](5, 5, batch_first=True)
    layer.load_state_dict(model.rnn.state_dict())
    with torch.no_grad():
        out = model(X, lengths)
        for i, n in enumerate(lengths.tolist()):
            x = X[i : i + 1, :n].transpose(1, 2)  # one sequence, unpadded
            z = torch.relu(conv(nn.functional.pad(x, (6, 0))))[0].T  # (n, 5)
            steps = torch.stack([z[s : s + 4].amax(0) for s in range(0, n, 4)])
            h = layer(steps[None])[0][0]  # (patches, 5)
            states = torch.cat((h.mean(0), h.amax(0)))
            if readout == "pool":
                states = torch.cat((h[-1], states))
            torch.testing.assert_close(out[i], model.head(states), atol=1e-6, rtol=0)


@pytest.mark.parametrize("patch_size", [1, 4])
def test_conv_embedding_gradients_are_those_of_its_plain_rendering(patch_size):
    """The embedding trains as conv -> relu -> mask -> max over each patch,
    written plainly: the same values and gradients (weights and input),
    ties inside a patch sharing the gradient as ``amax`` shares it (a flat
    stretch of the input makes equal positive features)."""
    torch.manual_seed(0)
    embed = ConvEmbedding(2, 5, patch_size)
    X = torch.randn(3, 23, 2)
    X[:, 3:15] = 0.7  # equal windows: tied maxima inside patches
    lengths = torch.tensor([23, 13, 6])

    def plain(x):
        z = torch.relu(embed.conv(nn.functional.pad(x.transpose(1, 2), (6, 0))))
        z = z * (torch.arange(23) < lengths[:, None])[:, None]  # (B, 5, T)
        z = nn.functional.pad(z, (0, -23 % patch_size))
        return z.unflatten(2, (-1, patch_size)).amax(3).transpose(1, 2)

    results = []
    for run in (lambda x: embed(x, lengths)[0], plain):
        embed.zero_grad()
        x = X.clone().requires_grad_()
        out = run(x)
        (out * torch.linspace(-1, 1, out.numel()).view(out.shape)).sum().backward()
        results.append((out, x.grad, embed.conv.weight.grad, embed.conv.bias.grad))
    for got, expected in zip(*results):
        torch.testing.assert_close(got, expected, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_dilated_embedding_follows_its_equations(cell):
    """z_t = relu(W_d * [x_{t-6d}, ..., x_{t-d}, x_t] + b_d) for d = 1, 2, 4,
    8 (the channels shared between them), then x_p = [max, mean] of z over
    the valid steps of patch p, then the cells and the pooled readout; each
    sequence computed alone and unpadded, written plainly."""
    from sksequence._constants import CONV_DILATIONS, CONV_KERNEL

    torch.manual_seed(0)
    model = SequenceModel(
        cell, 2, 10, 3, patch_size=4, embedding="dilated", readout="pool"
    ).eval()
    convs = model.embed.convs
    assert [c.dilation[0] for c in convs] == list(CONV_DILATIONS) == [1, 2, 4, 8]
    assert [c.out_channels for c in convs] == [4, 2, 2, 2]  # 10 channels
    assert model.rnn.input_size == 20  # the maximum and the mean
    layer = RECURRENT_LAYERS[cell](20, 10, batch_first=True)
    layer.load_state_dict(model.rnn.state_dict())
    X = torch.randn(3, 30, 2)
    lengths = torch.tensor([30, 13, 6])
    with torch.no_grad():
        out = model(X, lengths)
        for i, n in enumerate(lengths.tolist()):
            x = X[i, :n].T  # (features, n), one sequence, unpadded
            z = []
            for conv in convs:
                d, w = conv.dilation[0], conv.weight  # (c, features, 7)
                past = nn.functional.pad(x, ((CONV_KERNEL - 1) * d, 0))
                for t in range(n):
                    taps = past[:, t : t + (CONV_KERNEL - 1) * d + 1 : d]
                    z.append(torch.relu((w * taps).sum((1, 2)) + conv.bias))
            # z: (dilations * n) vectors -> (n, 10), dilations side by side
            z = torch.cat([torch.stack(z[k * n : (k + 1) * n]) for k in range(4)], 1)
            steps = torch.stack(
                [
                    torch.cat((z[s : s + 4].amax(0), z[s : s + 4].mean(0)))
                    for s in range(0, n, 4)
                ]
            )
            h = layer(steps[None])[0][0]
            states = torch.cat((h[-1], h.mean(0), h.amax(0)))
            torch.testing.assert_close(out[i], model.head(states), atol=1e-5, rtol=0)


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("patch_size", [1, 4])
def test_dilated_embedding_is_batch_and_padding_independent(patch_size, batch_norm):
    """A sequence's features do not depend on longer ones beside it nor on
    what its padding holds; the last, partial patch's mean counts only its
    valid steps. With batch_norm, in prediction (the running averages)."""
    torch.manual_seed(0)
    embed = DilatedEmbedding(2, 8, patch_size, batch_norm=batch_norm).double()
    if batch_norm:
        _train_running_stats(embed)
    X = torch.randn(3, 23, 2, dtype=torch.float64)
    lengths = torch.tensor([23, 13, 6])
    padded = X.clone()
    padded[1, 13:] = 99.0
    batched, patched = embed(padded, lengths)
    alone, _ = embed(X[1:2, :13])
    torch.testing.assert_close(batched[1:2, : alone.shape[1]], alone)
    assert (batched[1, alone.shape[1] :] == 0).all()
    assert patched.tolist() == [-(-n // patch_size) for n in (23, 13, 6)]
    # 13 = 3 * 4 + 1: the last patch of sequence 1 is one step, its own mean
    if patch_size == 4:
        torch.testing.assert_close(alone[0, -1, :8], alone[0, -1, 8:])


def _train_running_stats(embed):
    """A few training batches (running averages away from 0 and 1), then
    evaluation mode."""
    for _ in range(3):
        embed(torch.randn(4, 17, embed.convs[0].in_channels).double() * 3 + 1)
    assert (embed.norm.running_mean != 0).all()
    return embed.eval()


def test_step_batch_norm_is_torchs_batch_norm_over_the_valid_steps():
    """Training: each feature standardized by the mean and the biased
    variance of every valid step of the batch (padding counts in neither),
    the running averages moved as torch's BatchNorm1d moves them (unbiased
    variance), and the same gradients; evaluation: the running averages."""
    torch.manual_seed(0)
    norm = StepBatchNorm(5).double()
    ref = nn.BatchNorm1d(5).double()
    with torch.no_grad():
        for layer in (norm, ref):
            layer.weight.copy_(torch.linspace(0.5, 2.0, 5))
            layer.bias.copy_(torch.linspace(-1.0, 1.0, 5))
    lengths = torch.tensor([9, 4, 1])
    Z = torch.randn(3, 9, 5, dtype=torch.float64) * 2 + 3
    Z[1, 4:] = 99.0  # padding
    Z[2, 1:] = -99.0
    inside = (torch.arange(9)[None, :] < lengths[:, None])[..., None].double()
    for step in range(2):  # twice: the running averages move on from the first
        z = Z.clone().requires_grad_()
        out = norm(z, lengths)
        valid = z[inside[..., 0].bool()]  # (14, 5): the valid steps, stacked
        expected = ref(valid)
        torch.testing.assert_close(out[inside[..., 0].bool()], expected)
        weights = torch.randn(14, 5, dtype=torch.float64)
        grad_ours = torch.autograd.grad((out[inside[..., 0].bool()] * weights).sum(), z)
        grad_ref = torch.autograd.grad((expected * weights).sum(), z)
        torch.testing.assert_close(grad_ours[0], grad_ref[0])
        assert (grad_ours[0][~inside[..., 0].bool()] == 0).all()
        torch.testing.assert_close(norm.running_mean, ref.running_mean)
        torch.testing.assert_close(norm.running_var, ref.running_var)
        assert int(norm.num_batches_tracked) == step + 1
    # no lengths: every step counts
    torch.testing.assert_close(
        norm.train()(Z, None).reshape(27, 5), ref.train()(Z.reshape(27, 5))
    )
    norm.eval(), ref.eval()
    torch.testing.assert_close(norm(Z, lengths), ref(Z.reshape(27, 5)).view(3, 9, 5))
    assert set(norm.state_dict()) == set(ref.state_dict())


@pytest.mark.parametrize("embedding", ["conv", "dilated"])
def test_batch_norm_embeddings_follow_their_equations(embedding):
    """In prediction, x_p = pool(relu((conv(x) - m) / sqrt(v + eps) * g + b))
    with the running averages m and v, written plainly."""
    torch.manual_seed(0)
    plain = SequenceModel("gru", 2, 8, 3, patch_size=4, embedding=embedding).eval()
    model = SequenceModel(
        "gru", 2, 8, 3, patch_size=4, embedding=embedding, batch_norm=True
    )
    state = model.state_dict()
    norm = model.embed.norm
    with torch.no_grad():
        norm.running_mean.copy_(torch.linspace(-1, 1, 8))
        norm.running_var.copy_(torch.linspace(0.5, 3, 8))
        norm.weight.copy_(torch.linspace(0.2, 2, 8))
        norm.bias.copy_(torch.linspace(-0.5, 0.5, 8))
    # the network without the normalization carries the same other weights
    # (its convolutions have no bias, which the normalization would remove)
    plain.load_state_dict(
        {k: v for k, v in state.items() if ".norm." not in k}, strict=False
    )
    for name, param in plain.embed.named_parameters():
        if name.endswith("bias"):
            torch.nn.init.zeros_(param)
    model.eval()
    X, lengths = torch.randn(3, 21, 2), torch.tensor([21, 10, 3])
    with torch.no_grad():
        x = X.transpose(1, 2)
        if embedding == "conv":
            conv = plain.embed.conv
            z = conv(nn.functional.pad(x, (conv.kernel_size[0] - 1, 0)))
        else:
            z = torch.cat([c(x)[:, :, :21] for c in plain.embed.convs], dim=1)
        z = z.transpose(1, 2)
        z = (z - norm.running_mean) / torch.sqrt(norm.running_var + norm.eps)
        z = torch.relu(z * norm.weight + norm.bias)
        steps, patched = pooled_patches(z, lengths, 4, embedding == "dilated")
        got, got_lengths = model.embed(X, lengths)
        torch.testing.assert_close(got, steps, atol=1e-6, rtol=0)
        assert got_lengths.tolist() == patched.tolist()
        # the rest of the network is the one without the normalization
        plain.embed.forward = lambda *args: (steps, patched)
        torch.testing.assert_close(model(X, lengths), plain(X, lengths))


def test_batch_norm_needs_a_convolution():
    with pytest.raises(ValueError, match="embedding='patch' has none"):
        SequenceModel("gru", 2, 4, 1, embedding="patch", batch_norm=True)


@pytest.mark.parametrize("channels", [1, 2, 3, 5])
def test_dilated_embedding_gives_every_dilation_a_channel_it_can(channels):
    """Fewer channels than dilations: the smallest dilations, one each."""
    embed = DilatedEmbedding(1, channels)
    assert sum(c.out_channels for c in embed.convs) == channels
    assert min(c.out_channels for c in embed.convs) >= 1
    assert [c.dilation[0] for c in embed.convs] == [1, 2, 4, 8][: len(embed.convs)]
    out, _ = embed(torch.randn(2, 9, 1))
    assert out.shape == (2, 9, 2 * channels)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_instance_norm_follows_its_equations(cell):
    """Each sequence enters the cells as (x - mu) / sigma over its own valid
    steps, sigma = sqrt(var + eps + level_eps mu^2), and the head reads
    [h_T, mu, log sigma]."""
    from sksequence._constants import INSTANCE_NORM_EPS as eps
    from sksequence._constants import INSTANCE_NORM_LEVEL_EPS as level_eps

    torch.manual_seed(0)
    model = SequenceModel(cell, 2, 5, 3, instance_norm=True).eval()
    assert model.head.in_features == 5 + 2 * 2
    X = torch.randn(3, 8, 2) * torch.tensor([10.0, 0.01]) + 4.0
    lengths = torch.tensor([8, 5, 2])
    layer = RECURRENT_LAYERS[cell](2, 5, batch_first=True)
    layer.load_state_dict(model.rnn.state_dict())
    with torch.no_grad():
        out = model(X, lengths)
        for i, n in enumerate(lengths.tolist()):
            x = X[i, :n].double()
            mu = x.mean(0)
            var = x.var(0, unbiased=False) + eps + level_eps * mu**2
            z = ((x - mu) / var.sqrt()).float()
            h_T = layer(z[None])[1]
            h_T = (h_T[0] if isinstance(h_T, tuple) else h_T)[-1, 0]
            stats = torch.cat((mu, 0.5 * var.log())).float()
            expected = model.head(torch.cat((h_T, stats)))
            torch.testing.assert_close(out[i], expected, atol=1e-5, rtol=0)


def test_instance_norm_gives_the_cells_the_shape_and_the_head_the_amplitude():
    """A sequence and its rescaled, shifted copy reach the cells alike (the
    recurrent part sees the shape only); their outputs differ only through
    the level and scale the head reads; padding changes nothing."""
    from sksequence._modules import standardized

    torch.manual_seed(0)
    X = torch.randn(2, 12, 3)
    moved = X * 50.0 + 7.0
    Z, stats = standardized(X)
    Z_moved, stats_moved = standardized(moved)
    torch.testing.assert_close(Z, Z_moved, atol=1e-4, rtol=0)
    torch.testing.assert_close(stats_moved[:, :3], stats[:, :3] * 50 + 7)
    torch.testing.assert_close(stats_moved[:, 3:], stats[:, 3:] + np.log(50.0))
    padded = torch.cat((X, torch.full((2, 4, 3), 99.0)), dim=1)
    Z_pad, stats_pad = standardized(padded, torch.tensor([12, 12]))
    torch.testing.assert_close(Z_pad[:, :12], Z, atol=1e-6, rtol=0)
    assert torch.all(Z_pad[:, 12:] == 0)
    torch.testing.assert_close(stats_pad, stats)
    # a constant sequence is zeros to the cells, never NaN
    flat, flat_stats = standardized(torch.full((1, 5, 1), 3.0))
    assert torch.all(flat == 0) and torch.isfinite(flat_stats).all()


def test_instance_norm_reads_the_shape_of_a_tiny_sequence():
    """With the floor fitted to training sequences whose amplitudes span five
    decades (as PLAID's raw currents after a global scaling), the smallest
    reaches the cells with its shape and its own log scale. The floor of
    unit-scale sets, 1e-5 (the only floor before it was fitted), shrinks
    such a sequence to about 1/300 of its shape."""
    from sksequence._modules import standardized
    from sksequence._scaling import instance_norm_floor

    torch.manual_seed(0)
    X = torch.randn(1, 50, 1)
    training = torch.cat([X * amplitude + 0.5 for amplitude in (1.0, 1e-3, 1e-5)])
    floor = instance_norm_floor(training.numpy(), None)
    assert floor < 1e-3 * 1e-10 * 1.5  # a thousandth of the smallest variance
    Z, stats = standardized(X, eps=floor)
    for amplitude in (1e-3, 1e-5):
        Z_small, stats_small = standardized(X * amplitude + 0.5, eps=floor)
        # float32 resolves 0.5 to 6e-8: 0.6 % of the smallest shape
        torch.testing.assert_close(Z_small, Z, atol=0.05, rtol=0)
        torch.testing.assert_close(
            stats_small[:, 1], stats[:, 1] + np.log(amplitude), atol=0.01, rtol=0
        )
    unit, _ = standardized(X * 1e-5)  # the floor of unit-scale training sets
    assert unit.abs().max() < 0.02


def test_instance_norm_floor_is_fitted_to_the_training_sequences():
    """A classifier's floor is a thousandth of its smallest training
    sequence's variance, at most 1e-5 (unit-scale sets keep it); constant
    and padded steps do not count; the network normalizes with it."""
    from sksequence import GRUClassifier
    from sksequence._constants import INSTANCE_NORM_LEVEL_EPS

    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 10, 1)).astype(np.float32)
    y = np.array(["a", "b"] * 6)
    kw = dict(hidden_size=4, max_epochs=1, random_state=0, n_threads=1)
    unit = GRUClassifier(**kw).fit(X, y)
    assert unit.fitted_state_.instance_norm_eps == (1e-5, INSTANCE_NORM_LEVEL_EPS)
    small = X.copy()
    small[3] *= 1e-4
    small[4] = 7.0  # constant: no scale to read
    ragged = [seq for seq in small]
    ragged[5] = np.concatenate([small[5], small[6]])  # the others are padded
    est = GRUClassifier(**kw).fit(ragged, y)
    floor, level = est.fitted_state_.instance_norm_eps
    np.testing.assert_allclose(floor, 1e-3 * np.var(small[3], dtype=float), rtol=1e-6)
    assert level == INSTANCE_NORM_LEVEL_EPS
    module = est.net_.module_
    assert (module.norm_eps, module.norm_level_eps) == (floor, level)
    # without instance_norm nothing is fitted
    off = GRUClassifier(instance_norm=False, **kw).fit(ragged, y)
    assert off.fitted_state_.instance_norm_eps[0] == 1e-5


def test_instance_norm_turns_any_constant_sequence_into_zeros():
    """The floor is also relative to the level: with the floor of a set of
    tiny sequences, a constant sequence far from 0, whose float32 mean may
    round, becomes (near) zeros, not +-1."""
    from sksequence._modules import standardized

    levels = torch.tensor([0.0, 1e-6, 3.0, 1234.567, 8.1e5])
    flat = levels.view(-1, 1, 1).expand(-1, 301, 1).contiguous()
    Z, stats = standardized(flat, eps=1e-15)
    assert Z.abs().max() < 0.2 and torch.isfinite(stats).all()
    rounded, _ = standardized(flat, eps=1e-15, level_eps=0.0)
    assert rounded.abs().max() > 0.9  # what the level's floor prevents


def test_instance_norm_refuses_return_sequences():
    with pytest.raises(ValueError, match="instance_norm=False"):
        SequenceModel("gru", 2, 4, 1, return_sequences=True, instance_norm=True)


def test_time_warp_keeps_each_sequence_its_ends_order_and_padding():
    """Warping resamples each sequence over its own valid steps: its first
    and last values stay, a ramp stays a ramp (time never runs backwards),
    padding and the input are untouched, and strength 0 is the identity."""
    from sksequence._modules import time_warped

    torch.manual_seed(0)
    lengths = torch.tensor([40, 13, 2, 1])
    ramp = torch.arange(40.0).view(1, 40, 1).repeat(4, 1, 2)
    ramp = ramp * valid_steps(lengths, 40, ramp)
    before = ramp.clone()
    warped = time_warped(ramp, lengths, 0.5)
    torch.testing.assert_close(ramp, before)  # not modified in place
    for i, n in enumerate(lengths.tolist()):
        w = warped[i, :n, 0]
        assert w[0] == 0 and w[-1] == n - 1
        assert torch.all(w[1:] >= w[:-1])
        assert torch.all(warped[i, n:] == 0)
    # the interior moved: this is a warp, not a copy
    assert (warped[0, 1:-1, 0] - ramp[0, 1:-1, 0]).abs().max() > 0.5
    torch.testing.assert_close(time_warped(ramp, lengths, 0.0), ramp)
    torch.testing.assert_close(time_warped(before[:1], None, 0.0), before[:1])
    # every feature of a step is read at the same position
    torch.testing.assert_close(warped[..., 0], warped[..., 1])


def test_time_warp_draws_its_speed_over_each_sequences_own_steps():
    """A sequence's warp does not depend on the padding beside it: the same
    draw warps a sequence alone and inside a longer batch alike."""
    from sksequence._modules import time_warped

    x = torch.randn(1, 9, 3)
    padded = torch.cat((x, torch.zeros(1, 20, 3)), dim=1)
    torch.manual_seed(3)
    alone = time_warped(x, torch.tensor([9]), 0.3)
    torch.manual_seed(3)
    inside = time_warped(padded, torch.tensor([9]), 0.3)
    torch.testing.assert_close(inside[:, :9], alone)
    assert time_warped(x, None, 0.3).shape == x.shape


def test_time_shift_rotates_each_sequence_within_its_own_steps():
    """Shifting reads each sequence from a random step, wrapping around
    within its own valid steps: every sequence comes out a rotation of
    itself, padding and the input are untouched, no shift exceeds
    ``fraction`` of the length, and fraction 0 is the identity."""
    from sksequence._modules import time_shifted

    torch.manual_seed(0)
    lengths = torch.tensor([40, 13, 2, 1])
    ramp = torch.arange(1.0, 41.0).view(1, 40, 1).repeat(4, 1, 2)
    ramp = ramp * valid_steps(lengths, 40, ramp)
    before = ramp.clone()
    starts = {i: set() for i in range(4)}
    for _ in range(200):
        shifted = time_shifted(ramp, lengths, 1.0)
        for i, n in enumerate(lengths.tolist()):
            s = int(shifted[i, 0, 0]) - 1  # the step it now starts from
            expected = torch.roll(ramp[i, :n], -s, dims=0)
            torch.testing.assert_close(shifted[i, :n], expected)
            assert torch.all(shifted[i, n:] == 0)
            starts[i].add(s)
    torch.testing.assert_close(ramp, before)  # not modified in place
    # fraction=1: any start of the sequence, in 200 draws
    assert starts[1] == set(range(13)) and starts[2] == {0, 1}
    assert starts[3] == {0}
    # fraction=0.25 of 40 steps: starts 0 to floor(0.25 * 39) = 9 only
    firsts = {int(time_shifted(ramp, None, 0.25)[0, 0, 0]) - 1 for _ in range(300)}
    assert firsts == set(range(10))
    torch.testing.assert_close(time_shifted(ramp, lengths, 0.0), ramp)


@pytest.mark.parametrize("augmentation", [{"time_warp": 0.3}, {"time_shift": 1.0}])
@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_augmentations_act_in_training_only_and_compile(cell, augmentation):
    torch.manual_seed(0)
    kw = dict(embedding="dilated", readout="pool", instance_norm=True)
    augmented = SequenceModel(cell, 2, 6, 3, **augmentation, **kw)
    plain = SequenceModel(cell, 2, 6, 3, **kw)
    plain.load_state_dict(augmented.state_dict())
    X, lengths = torch.randn(4, 30, 2), torch.tensor([30, 20, 11, 5])
    augmented.eval(), plain.eval()
    torch.testing.assert_close(augmented(X, lengths), plain(X, lengths))
    augmented.train(), plain.train()
    assert not torch.allclose(augmented(X, lengths), plain(X, lengths))
    scripted = torch.jit.script(augmented.eval())
    torch.testing.assert_close(scripted(X, lengths), plain.eval()(X, lengths))


def test_augmentations_refuse_return_sequences_and_bad_strengths():
    for name, value in (("time_warp", 0.2), ("time_shift", 0.5)):
        with pytest.raises(ValueError, match=f"{name}=0"):
            SequenceModel("gru", 2, 4, 1, return_sequences=True, **{name: value})
    with pytest.raises(ValueError, match="at least 0"):
        SequenceModel("gru", 2, 4, 1, time_warp=-0.1)
    for value in (-0.1, 1.5):
        with pytest.raises(ValueError, match=r"time_shift must be in \[0, 1\]"):
            SequenceModel("gru", 2, 4, 1, time_shift=value)
