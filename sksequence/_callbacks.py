"""The skorch floor: callbacks that sksequence adds to every net."""

import math

from skorch.callbacks import Callback, EarlyStopping, LRScheduler
from torch.optim.lr_scheduler import ReduceLROnPlateau

__all__ = ["ProgressBar", "StepEarlyStopping", "StepLRPlateau", "silent"]


def patience_in_epochs(net, patience, min_steps):
    """``max(patience, ceil(min_steps / steps))``, ``steps`` being the
    optimizer steps of the net's last epoch: a patience of at least
    ``min_steps`` steps, so that a few-batch epoch is not judged as a long
    one."""
    steps = net.history[-1].get("train_batch_count") or 1
    return max(patience, math.ceil(min_steps / steps))


class StepEarlyStopping(EarlyStopping):
    """skorch's ``EarlyStopping`` with a patience of at least ``min_steps`` steps.

    The patience in epochs is ``max(patience, ceil(min_steps / steps))``,
    ``steps`` being the number of optimizer steps of the last epoch; it is
    kept in ``patience_``. With a ``floor``, training also stops once the
    monitored loss is at most ``floor`` (``reached_floor_`` is then True).
    """

    def __init__(
        self,
        monitor="valid_loss",
        patience=5,
        threshold=1e-4,
        threshold_mode="rel",
        lower_is_better=True,
        sink=print,
        load_best=False,
        min_steps=0,
        floor=None,
    ):
        super().__init__(
            monitor=monitor,
            patience=patience,
            threshold=threshold,
            threshold_mode=threshold_mode,
            lower_is_better=lower_is_better,
            sink=sink,
            load_best=load_best,
        )
        self.min_steps = min_steps
        self.floor = floor

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.patience_ = self.patience
        self.reached_floor_ = False

    def on_epoch_end(self, net, **kwargs):
        self.patience_ = patience_in_epochs(net, self.patience, self.min_steps)
        base, self.patience = self.patience, self.patience_
        try:
            super().on_epoch_end(net, **kwargs)
        finally:
            self.patience = base
        if self.floor is not None and net.history[-1, self.monitor] <= self.floor:
            self.reached_floor_ = True
            if net.verbose:
                self._sink(
                    f"Stopping since {self.monitor} is at most {self.floor:g}.",
                    verbose=net.verbose,
                )
            raise KeyboardInterrupt  # how skorch's EarlyStopping stops


class StepLRPlateau(LRScheduler):
    """torch's ``ReduceLROnPlateau`` with a patience of at least ``min_steps`` steps.

    As :class:`StepEarlyStopping`: the patience in epochs is
    ``max(patience, ceil(min_steps / steps))``, ``steps`` being the number
    of optimizer steps of the last epoch, so that an epoch of a few batches
    is not judged as if it were one of many.
    """

    def __init__(
        self, monitor="train_loss", patience=5, factor=0.5, min_steps=0, **kwargs
    ):
        super().__init__(
            ReduceLROnPlateau,
            monitor=monitor,
            patience=patience,
            factor=factor,
            **kwargs,
        )
        self.min_steps = min_steps

    @property
    def kwargs(self):
        # what torch's scheduler takes: min_steps is ours
        return {k: v for k, v in super().kwargs.items() if k != "min_steps"}

    def on_epoch_end(self, net, **kwargs):
        self.lr_scheduler_.patience = patience_in_epochs(
            net, self.patience, self.min_steps
        )
        super().on_epoch_end(net, **kwargs)


class ProgressBar(Callback):
    """A tqdm bar over the training batches of each epoch (``verbose >= 2``).

    skorch's own ``ProgressBar`` reads each batch's loss from the history,
    which :class:`SequenceNet` fills once per epoch; this bar counts batches
    and shows the previous epoch's loss instead.
    """

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        from tqdm.auto import tqdm

        processes = net.processes.world_size
        total = math.ceil(len(dataset_train) / (net.batch_size * processes))
        epoch = len(net.history)
        self.bar_ = tqdm(total=total, desc=f"epoch {epoch}", leave=False, unit="batch")
        if epoch > 1:
            self.bar_.set_postfix(train_loss=f"{net.history[-2, 'train_loss']:.4g}")

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            self.bar_.update(1)

    def on_epoch_end(self, net, **kwargs):
        self.bar_.close()

    def on_train_end(self, net, **kwargs):
        bar = getattr(self, "bar_", None)
        if bar is not None:
            bar.close()  # an interrupted epoch


def silent(*args, **kwargs):
    """A picklable sink that discards callback messages."""
