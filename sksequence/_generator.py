"""Torch's global random number generator, shared by the threads of a process.

A seeded fit draws its initial weights, shuffling and dropout masks from
torch's process-global generator, seeded and restored inside
:func:`torch.random.fork_rng`. That makes fits exact when they run one at a
time in a process, or in processes of their own (joblib's default ``loky``
backend, Dask workers). Two fits running at once in threads of one process
share the one generator: their draws interleave, and each ``fork_rng``
restores, on exit, a state the other is still drawing from. Neither is then
reproducible, and nothing in torch can keep them apart (a generator per
fit would need every layer and loader to take one).

So the rule is stated, and :func:`global_generator_user` detects where it
cannot hold: every block of sksequence that seeds or draws from the global
generator registers while it runs (a dict guarded by a lock, no polling);
a seeded fit that overlapped such a block of another thread warns once it
ends. Only sksequence's own blocks are seen: torch code of your own running
in another thread at the same time is not.

Pure Python and torch-free: any floor may import it.
"""

import threading
import warnings
from contextlib import contextmanager

__all__ = ["global_generator_user"]

# the blocks running now: id of a record -> {"thread": ident, "overlapped": bool}
_ACTIVE = {}
_LOCK = threading.Lock()


@contextmanager
def global_generator_user(random_state=None, *, fit=False):
    """Register a block that uses torch's global generator while it runs.

    Parameters
    ----------
    random_state : int, RandomState instance or None, default=None
        The seed of a fit (``fit=True``); None: an unseeded fit, nothing to
        reproduce.
    fit : bool, default=False
        Whether the block is a fit, which warns (when seeded) if a block of
        another thread ran at the same time. Other blocks (loading a model,
        copying weights) only register, so that a fit sees them.

    Warns
    -----
    UserWarning
        When a seeded fit overlapped another user of the generator running
        in another thread: the fit is not reproducible.
    """
    record = {"thread": threading.get_ident(), "overlapped": False}
    with _LOCK:
        for other in _ACTIVE.values():
            if other["thread"] != record["thread"]:
                other["overlapped"] = record["overlapped"] = True
        _ACTIVE[id(record)] = record
    try:
        yield
    finally:
        with _LOCK:
            del _ACTIVE[id(record)]
    if fit and random_state is not None and record["overlapped"]:
        warnings.warn(
            f"This fit with random_state={random_state!r} ran while another "
            "sksequence fit (or load) was running in another thread of this "
            "process. Threads share torch's global random number generator: "
            "their draws (initial weights, shuffling, dropout) interleave, so "
            "this fit is not reproducible and the same seed may give another "
            "model. For reproducible parallel fits, run them in processes "
            "(joblib's default 'loky' backend, e.g. GridSearchCV(..., "
            "n_jobs=k)) or one at a time.",
            UserWarning,
            stacklevel=6,  # past contextlib, the session, _train and fit
        )
