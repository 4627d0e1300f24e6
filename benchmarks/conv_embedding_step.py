"""Training-step milliseconds of the conv embedding's layouts, in one process.

The GRU classifier's defaults (``embedding="conv"``, ``readout="pool"``,
``instance_norm=True``, 64 units, batches of 16) at a benchmark set's shape:
a full training step (forward, backward, gradient clipping, Adam) with
the forward of :class:`sksequence._modules.ConvEmbedding` before
2026-12-06 (``strided``: the relu, the mask and the patches' maximum over
the convolution's output seen through a transpose), and as it is now
(``contiguous``: the convolution's output copied to contiguous
``(batch, time, channels)`` memory before the relu). Both are written out
here, so that the installed sksequence does not matter; they compute the
same values and gradients (bitwise). The variants alternate in blocks of 10 steps
within one process, so that a shared machine's drift (whole fits in fresh
processes varied by 20 % from one minute to the next) falls on both alike;
median and quartiles of the blocks' milliseconds per step (thread CPU
time). From the repository's root::

    python benchmarks/conv_embedding_step.py            # the four shapes, 20 blocks
    python benchmarks/conv_embedding_step.py OSULeaf 30
    python benchmarks/conv_embedding_step.py OSULeaf 30 reversed   # contiguous first
"""

import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from sksequence._modules import (  # noqa: E402
    ConvEmbedding,
    SequenceModel,
    patched_lengths,
    valid_steps,
)

# set: (time steps, patch_size_ of the defaults, classes)
SHAPES = {
    "GunPoint": (150, 5, 2),
    "ArrowHead": (251, 8, 3),
    "OSULeaf": (427, 14, 6),
    "ACSF1": (1460, 46, 10),
}


def strided(self, X, lengths=None):
    """ConvEmbedding.forward before 2026-12-06."""
    padded = nn.functional.pad(X.transpose(1, 2), (self.kernel_size - 1, 0))
    Z = torch.relu(self.conv(padded)).transpose(1, 2)
    if lengths is not None:
        Z = Z * valid_steps(lengths, Z.shape[1], Z)
    if self.patch_size == 1:
        return Z, lengths
    steps = Z.shape[1]
    Z = nn.functional.pad(
        Z, (0, 0, 0, (self.patch_size - steps % self.patch_size) % self.patch_size)
    )
    Z = Z.reshape(Z.shape[0], -1, self.patch_size, Z.shape[2]).amax(dim=2)
    if lengths is not None:
        lengths = patched_lengths(lengths, self.patch_size)
    return Z, lengths


def contiguous(self, X, lengths=None):
    """ConvEmbedding.forward since 2026-12-06: the relu and all after it on
    contiguous (B, T, channels) memory."""
    padded = nn.functional.pad(X.transpose(1, 2), (self.kernel_size - 1, 0))
    Z = torch.relu(self.conv(padded).transpose(1, 2).contiguous())
    if lengths is not None:
        Z = Z * valid_steps(lengths, Z.shape[1], Z)
    if self.patch_size == 1:
        return Z, lengths
    steps = Z.shape[1]
    Z = nn.functional.pad(
        Z, (0, 0, 0, (self.patch_size - steps % self.patch_size) % self.patch_size)
    )
    Z = Z.reshape(Z.shape[0], -1, self.patch_size, Z.shape[2]).amax(dim=2)
    if lengths is not None:
        lengths = patched_lengths(lengths, self.patch_size)
    return Z, lengths


def step_ms(name, blocks, reverse=False):
    steps, patch, classes = SHAPES[name]
    torch.manual_seed(0)
    model = SequenceModel(
        "gru",
        1,
        64,
        classes,
        patch_size=patch,
        embedding="conv",
        readout="pool",
        instance_norm=True,
    )
    X, y = torch.randn(16, steps, 1), torch.randint(0, classes, (16,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss = nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss(model(X), y).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    variants = {"strided": strided, "contiguous": contiguous}
    if reverse:
        variants = dict(reversed(variants.items()))
    installed = ConvEmbedding.forward
    times = {label: [] for label in variants}
    try:
        for _ in range(blocks):
            for label, forward in variants.items():
                ConvEmbedding.forward = forward
                step()
                start = time.thread_time()
                for _ in range(10):
                    step()
                times[label].append((time.thread_time() - start) * 100)
    finally:
        ConvEmbedding.forward = installed
    for label, ms in times.items():
        q = statistics.quantiles(ms, n=4)
        print(
            f"{name:10s} ({steps} steps, patches of {patch}) {label:10s} step ms "
            f"median {statistics.median(ms):6.2f} (quartiles {q[0]:.2f}-{q[2]:.2f})",
            flush=True,
        )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    torch.set_num_threads(1)
    names = argv[0].split(",") if argv else list(SHAPES)
    blocks = int(argv[1]) if len(argv) > 1 else 20
    reverse = len(argv) > 2 and argv[2] == "reversed"
    for name in names:
        step_ms(name, blocks, reverse)


if __name__ == "__main__":
    main()
