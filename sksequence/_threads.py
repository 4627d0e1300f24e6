"""The torch floor's thread policy: how many intra-op threads a network uses.

torch runs each operator on ``torch.get_num_threads()`` OpenMP threads, one
per physical core by default, and its threads wait for each other at the end
of every operator. A recurrent net runs a few dozen small operators per time
step; when each holds too little work to share, the threads buy nothing on a
quiet machine, and as soon as another process takes a core, every operator
waits for the thread that lost its core: training on two threads was 1.6
to 7 times slower beside one busy process and up to 75 times beside a
multi-process job, while one thread kept its speed. Large steps (hidden 512,
batch 1024) do gain from more threads on a quiet machine, and lose beside a
busy process too (``benchmarks/threads.py``).

:func:`auto_threads` picks the count from the work of one recurrent step,
:func:`step_work`; :func:`intra_op_threads` runs a block with that count and
restores the caller's setting. Nothing here knows of scikit-learn.
"""

import contextlib
import os
import weakref

import torch

from ._constants import THREAD_MIN_STEP_WORK

__all__ = ["auto_threads", "available_threads", "intra_op_threads", "step_work"]

# the number of weights of each module that ran: a module keeps its shapes,
# and counting them costs a tenth of predicting one sequence
_WEIGHT_COUNTS = weakref.WeakKeyDictionary()


def step_work(module, batch_size):
    """Multiply-adds of one recurrent step of ``module`` over a batch.

    The weights of a recurrent layer are used once per sample and step, so
    the work of a step is about ``batch_size`` times the number of weights.
    """
    weights = _WEIGHT_COUNTS.get(module)
    if weights is None:
        weights = _WEIGHT_COUNTS[module] = sum(p.numel() for p in module.parameters())
    return int(batch_size) * weights


def available_threads():
    """The most threads worth using: torch's setting, capped by the cores
    this process may run on.

    ``torch.get_num_threads()`` carries the limits set before: a call of
    ``torch.set_num_threads``, ``OMP_NUM_THREADS`` and the inner-thread
    limit that joblib's worker processes start with
    (``GridSearchCV(n_jobs=...)``). The affinity mask (taskset, a
    container's cpuset) caps it, since torch's default counts every core of
    the machine.
    """
    return max(1, min(torch.get_num_threads(), _cores()))


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _other_runnable():
    """Tasks ready to run now besides the caller (Linux's ``/proc/loadavg``;
    0 where it cannot be read)."""
    try:
        with open("/proc/loadavg") as f:
            return max(0, int(f.read().split()[3].split("/")[0]) - 1)
    except (OSError, ValueError, IndexError):
        return 0


def auto_threads(work, limit=None):
    """Threads for steps of ``work`` multiply-adds each.

    One per ``THREAD_MIN_STEP_WORK`` multiply-adds, at least 1, at most
    ``limit`` (:func:`available_threads` by default) and, when more than
    one is worth it, at most the cores that no other task is running on at
    this moment: beside a busy process, threads that share its core make
    every operator wait, even for the largest steps.
    """
    wanted = int(work) // THREAD_MIN_STEP_WORK
    if wanted <= 1:
        return 1
    limit = available_threads() if limit is None else limit
    return max(1, min(wanted, limit, _cores() - _other_runnable()))


@contextlib.contextmanager
def intra_op_threads(n):
    """Run the block on ``n`` intra-op threads, then restore the caller's count.

    torch's count belongs to the calling thread once it has run a parallel
    operator, so concurrent blocks in other threads keep their own.
    """
    before = torch.get_num_threads()
    if n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
