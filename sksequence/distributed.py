"""Data-parallel training of one model over several processes.

Every estimator fitted inside a :func:`data_parallel` block trains one
model over all the processes of a ``torchrun`` launch, with PyTorch's
:class:`~torch.nn.parallel.DistributedDataParallel`: each process computes
the gradient of its share of every batch, the gradients are averaged across
processes during the backward pass, and every process takes the same
optimizer step. Outside a launch (a plain ``python script.py``) the block
does nothing, so the same script runs on one process or on ``N``::

    python train.py                                  # one process
    torchrun --nproc_per_node 2 train.py             # two, on this machine

This module is plain PyTorch (:mod:`torch.distributed`); it knows nothing
of scikit-learn or skorch. The estimators read the block's
:class:`DataParallel` when they fit; see :ref:`data-parallel` for what is
exactly equivalent to a one-process fit and how to launch on several
machines.
"""

import contextlib
import contextvars
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

__all__ = ["DataParallel", "data_parallel"]


_ACTIVE = contextvars.ContextVar("sksequence_data_parallel", default=None)


@dataclass(frozen=True)
class DataParallel:
    """The processes that the fits of a :func:`data_parallel` block train over.

    Parameters
    ----------
    rank : int
        This process's number, ``0 <= rank < world_size``. Process 0 is the
        main process: it alone prints and writes checkpoint files.
    world_size : int
        Number of processes training each model.
    local_rank : int
        This process's number on its machine; a ``device="cuda"`` fit trains
        on ``cuda:{local_rank}``.

    Examples
    --------
    >>> from sksequence.distributed import data_parallel
    >>> with data_parallel() as processes:  # not launched by torchrun: one process
    ...     print(processes)
    DataParallel(rank=0, world_size=1, local_rank=0)
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    # The training strategy: a fit asks the processes it trains over (see
    # :func:`strategy`) for its device, seed and each process's part of a
    # batch, and sums and waits through them. One process (``world_size=1``,
    # the default) is the plain fit: every method is then the identity.

    @property
    def is_main(self):
        """Whether this is process 0, the one that prints and saves."""
        return self.rank == 0

    @property
    def parallel(self):
        """Whether there are several processes: batches are shared out."""
        return self.world_size > 1

    def device(self, device):
        """``device`` with a GPU index: ``cuda`` becomes ``cuda:{local_rank}``
        when several processes each train on a GPU of their own."""
        device = torch.device(device)
        if self.parallel and device.type == "cuda" and device.index is None:
            return torch.device("cuda", self.local_rank)
        return device

    def seed(self, seed):
        """Process 0's ``seed`` (an int) on every process."""
        if not self.parallel:
            return seed
        return int(self.broadcast(torch.tensor(seed)).item())

    def part(self, batch):
        """This process's part of the sample indices ``batch`` (a tensor)."""
        if not self.parallel:
            return batch
        return torch.tensor_split(batch, self.world_size)[self.rank]

    def broadcast(self, tensor):
        """Process 0's ``tensor`` on every process (a new tensor, same device)."""
        if not self.parallel:
            return tensor
        out = tensor.detach().clone().contiguous()
        dist.broadcast(out, src=0)
        return out

    def all_reduce(self, tensor):
        """The sum of ``tensor`` over the processes (a new tensor)."""
        if not self.parallel:
            return tensor
        out = tensor.detach().clone().contiguous()
        dist.all_reduce(out)
        return out

    def barrier(self):
        """Wait until every process gets here."""
        if self.parallel:
            dist.barrier()


# the strategy of a fit outside a data_parallel() block of several processes
ONE_PROCESS = DataParallel()


def active():
    """The :class:`DataParallel` of the enclosing :func:`data_parallel` block.

    None outside a block, and inside a block of one process: a fit then
    runs exactly as it does without the block.
    """
    world = _ACTIVE.get()
    return world if world is not None and world.parallel else None


def strategy():
    """The processes a fit trains over: those of the enclosing
    :func:`data_parallel` block of several processes, else
    :data:`ONE_PROCESS`, whose every method is the plain fit's identity."""
    return active() or ONE_PROCESS


@contextlib.contextmanager
def data_parallel(backend=None):
    """Train the estimators fitted in this block over all launched processes.

    Inside the block, ``fit`` (and ``partial_fit``, and a ``warm_start``
    continuation) of every sksequence estimator trains one model with
    PyTorch's ``DistributedDataParallel`` over the processes of the launch:

    * every process holds the whole training set and runs the same script
      with the same estimator parameters;
    * ``batch_size`` is the batch of **one process**: an optimizer step
      covers ``batch_size * world_size`` samples, as in a one-process fit
      with that batch size. All processes shuffle with one permutation
      (process 0's), and each takes its part of every batch;
    * the gradient is the mean over the whole batch (uneven parts are
      weighted by their share of the loss), ``gradient_clip`` clips that
      averaged gradient, and every process takes the same step;
    * the early-stopping holdout (``validation_split``) is chosen the same
      way on every process and its batches are shared out too; losses are
      summed across processes once per epoch, so the history and early
      stopping's decisions are the same everywhere;
    * process 0 alone prints and writes ``checkpoint`` files;
    * the fitted estimator holds the plain network: it predicts, pickles
      and :func:`~sksequence.save`\\ s in one process like any other.

    Launched without ``torchrun`` (no ``WORLD_SIZE`` in the environment, or
    ``WORLD_SIZE=1``) the block does nothing: fits are those of a plain
    script, bit for bit.

    Parameters
    ----------
    backend : str, default=None
        The :func:`torch.distributed.init_process_group` backend, used when
        this block starts the process group: by default ``"gloo"`` without
        CUDA and ``"cpu:gloo,cuda:nccl"`` with it (NCCL for the gradients of
        a GPU fit, gloo for the CPU). An already initialized default process
        group is used as it is, and left open; it must carry CPU tensors
        too (gloo, or ``"cpu:gloo,cuda:nccl"``; NCCL alone does not).

    Yields
    ------
    processes : DataParallel
        This process's rank and the number of processes.

    See Also
    --------
    sksequence.save : store the fitted model from process 0.

    Notes
    -----
    Launch one process per GPU (or per share of the CPU cores, with
    ``OMP_NUM_THREADS`` set accordingly) with ``torchrun``; on several
    machines, run the same command on each with ``--nnodes``,
    ``--node_rank``, ``--master_addr`` and ``--master_port``. With
    ``device="cuda"`` each process trains on ``cuda:{local_rank}``. Do not
    give the processes different data or parameters: they would train
    different models that wait for each other forever.

    Examples
    --------
    A script ``train.py`` run as ``torchrun --nproc_per_node 2 train.py``
    (or as ``python train.py``):

    >>> import numpy as np
    >>> from sksequence import GRURegressor
    >>> from sksequence.distributed import data_parallel
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 10, 1)).astype(np.float32)
    >>> y = X[:, -2:, 0].sum(axis=1)
    >>> with data_parallel() as processes:
    ...     model = GRURegressor(hidden_size=8, max_epochs=2, batch_size=8,
    ...                          random_state=0).fit(X, y)
    >>> if processes.is_main:
    ...     print(model.n_iter_)
    2
    """
    started = False
    if dist.is_available() and dist.is_initialized():
        world = DataParallel(
            dist.get_rank(),
            dist.get_world_size(),
            int(os.environ.get("LOCAL_RANK", 0)),
        )
    elif int(os.environ.get("WORLD_SIZE", 1)) > 1:
        if not dist.is_available():
            raise RuntimeError(
                "data_parallel() was launched with WORLD_SIZE="
                f"{os.environ['WORLD_SIZE']}, but this build of torch has no "
                "torch.distributed."
            )
        local_rank = int(os.environ.get("LOCAL_RANK", 0))
        if backend is None:
            backend = "cpu:gloo,cuda:nccl" if torch.cuda.is_available() else "gloo"
        if torch.cuda.is_available() and "nccl" in backend:
            torch.cuda.set_device(local_rank)
        dist.init_process_group(backend)  # env://: what torchrun sets
        started = True
        world = DataParallel(dist.get_rank(), dist.get_world_size(), local_rank)
    else:
        world = DataParallel()
    token = _ACTIVE.set(world)
    try:
        yield world
    finally:
        _ACTIVE.reset(token)
        if started:
            dist.destroy_process_group()
