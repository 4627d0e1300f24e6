"""Tuning choices and fixed values, named in one place with their reasons.

This module imports nothing, so that every floor (torch, skorch, sklearn)
may import it. Defaults of public parameters are not here: they are spelled
out in the estimators' signatures, where users and tools read them.
"""

# -- training ------------------------------------------------------------

# the smallest standard deviation of a Gaussian head (targets are
# standardized): a floor that keeps the likelihood finite when the net is
# certain
MIN_STD = 1e-4

# patch_size="auto": the recurrence runs over at most this many steps.
# On GunPoint (150 steps) and ArrowHead (251) GRU and LSTM classifiers sat at
# chance level reading one step at a time; 16, 32 and 64 steps did equally
# well (docs/user_guide/defaults.rst).
AUTO_PATCH_STEPS = 32

# embedding="conv": the causal convolution in front of the cells reads this
# many steps, about the first layer of the fully convolutional classifiers of
# Wang et al. (2017), 8 there (not tuned here)
CONV_KERNEL = 7

# embedding="dilated": the dilations of its causal convolutions, the
# ``hidden_size`` channels shared between them (receptive fields of 7, 13, 25
# and 49 steps with CONV_KERNEL). Chosen on the classification benchmark's
# tuning half (GunPoint, ArrowHead, OSULeaf; GRU, seeds 0-2), beside one
# dilation: (1, 2, 4, 8) and (1, 4, 16) did equally well, (1, ..., 32) and
# (1, ..., 16) were noisier (docs/benchmarks/classification.rst).
CONV_DILATIONS = (1, 2, 4, 8)

# instance_norm=True: a sequence is divided by sqrt(var + eps + level_eps *
# mu**2), its variance floored so that a constant sequence becomes zeros and
# its level and log scale still reach the head. ``eps`` is fitted: this share
# of the smallest variance among the training sequences that are not
# constant, at most INSTANCE_NORM_EPS (the floor before it, as torch's
# InstanceNorm adds it), so that every training sequence is read at its own
# scale. The absolute 1e-5 flattened half of PLAID: its raw currents span
# five decades, and after the global SequenceScaler 50 % of its training
# sequences had a variance below 1e-5 (10 % below 2.5e-11, the smallest
# 9e-13), which the floor shrank towards zeros and gave one log scale (-5.8)
# whatever their amplitude. Read at their own scale, the GRU fitted PLAID in
# 100 epochs instead of 188 (median of 5 seeds) at 0.896 +- 0.004 against
# 0.889 +- 0.009. Sets of unit-scale sequences (every other
# benchmark set: z-normalized) keep 1e-5, and so their fits, and a network
# stays as smooth near a flat baseline as before (integrated gradients);
# docs/benchmarks/classification.rst, eleventh run. Files saved before keep
# INSTANCE_NORM_EPS_BEFORE (_fitted.FittedState.instance_norm_eps).
INSTANCE_NORM_EPS = 1e-5
INSTANCE_NORM_FLOOR_SHARE = 1e-3
# ... and ``level_eps``: float32 resolves a value to about 1e-7 of itself, so
# the mean of a constant sequence far from zero may round by that much; a
# floor of 1e-12 of its squared level (1e-6 of its level) makes it (near)
# zeros rather than a constant +-1
INSTANCE_NORM_LEVEL_EPS = 1e-12
# ... the floor of files saved before it: absolute, no level term
INSTANCE_NORM_EPS_BEFORE = (1e-5, 0.0)

# time_warp: the random speed of a warped sequence is drawn at this many
# points evenly spread over its valid steps, linear in between
WARP_KNOTS = 6

# early_stopping="auto": a regressor holds out only when the holdout has at
# least this many samples (a classifier never does: SequenceClassifier).
# Classifiers of 36-200 sequences judged on holdouts of 7-40 stopped with
# 0.81-0.87 training accuracy; stopping on the training loss instead fit them
# and gained 5-9 points of test accuracy on ArrowHead and OSULeaf
# (docs/benchmarks/classification.rst). Not tuned for regressors.
AUTO_MIN_HOLDOUT = 100

# early_stopping="auto" without a holdout: training also stops once the
# training loss is at most this (the training set is fitted). Classifiers
# whose loss fell smoothly kept improving it by more than tol=1e-4 for 100
# epochs past that point (OSULeaf: 0.0016 at epoch 30, 0.0001 at epoch 111)
# for no accuracy; stopping at 3e-4 kept the tuning half's accuracy then
# (readout="last", GRU, 5 seeds: GunPoint 0.983 -> 0.984, ArrowHead 0.703 ->
# 0.704, OSULeaf 0.693 -> 0.692) with 35-60 % fewer epochs, where 1e-3 cost
# up to 2 points. The regressors' (a mean squared error or pinball loss on
# standardized targets) has not been measured since and stays there; their
# Gaussian log-likelihood has none (_heads.GaussianHead.fitted_loss).
AUTO_FITTED_LOSS = 3e-4

# ... and the classifiers' cross-entropy since readout="mean_max": on the
# tuning half the accuracy at 1e-3 is that at 3e-4 within the seeds' spread
# (5 seeds, GRU / LSTM: GunPoint 0.989 / 0.985 against 0.993 / 0.985,
# ArrowHead 0.826 / 0.829 against 0.834 / 0.824, OSULeaf 0.829 / 0.829
# against 0.831 / 0.826; TuningMix, GRU, 3 seeds: 0.894 against 0.903; the
# GRU's differences all of one sign) at 24-44 % fewer epochs and 16-39 % less
# fit time: the loss's fall from 1e-3 to 3e-4 took the GRU 50 epochs on
# ArrowHead and 21 on OSULeaf (benchmarks/classification_stopping.py,
# docs/benchmarks/classification.rst, ninth run).
AUTO_FITTED_CROSS_ENTROPY = 1e-3

# early_stopping="auto" without a holdout: the learning rate is multiplied by
# AUTO_LR_FACTOR when the training loss has not improved for AUTO_LR_PATIENCE
# epochs (torch's ReduceLROnPlateau), as the fully convolutional and ResNet
# classifiers of Wang et al. (2017) train. On ACSF1 (100 sequences of 1,460
# steps) the loss at lr=1e-2 was noisy (0.05-0.14 between epochs 150 and 170)
# and the patience stopped it at training accuracy 0.95-0.97; with the halving
# it fell to 0.007 (training accuracy 1.0). On the tuning half, whose nets
# reach AUTO_FITTED_LOSS first, it changed no accuracy by more than the seeds'
# spread (docs/benchmarks/classification.rst).
AUTO_LR_PATIENCE = 5
AUTO_LR_FACTOR = 0.5

# ... and the patience is at least this many optimizer steps when they are
# more epochs (as AUTO_PATIENCE_STEPS below): five epochs of a small set are
# a handful of noisy steps. ACSF1 (100 sequences, 7 batches an epoch) halved
# its rate after 35 steps without a better loss, and the mean/max readout no
# longer fitted it (training accuracy 0.93 / 0.90); waiting 50 steps (8
# epochs) fitted it (1.00 / 0.96) and gained 7.0 / 2.6 points of test
# accuracy (GRU / LSTM, 5 seeds: 0.854 / 0.826 against 0.784 / 0.800). It
# is a report-half set, so the tuning half was the check: unchanged within
# the seeds' spread (5 seeds, GRU / LSTM: GunPoint 0.985 / 0.984,
# ArrowHead 0.830 / 0.829, OSULeaf 0.829 / 0.829; ItalyPowerDemand 0.964 /
# 0.969), and sets of 34 or more batches an epoch (PLAID, TuningMix) keep
# their 5 epochs (docs/benchmarks/classification.rst, tenth run).
AUTO_LR_PATIENCE_STEPS = 50

# n_iter_no_change="auto": wait this many epochs, or this many optimizer
# steps when they are more epochs. On a small data set an epoch is a handful
# of steps, and a recurrent net may sit at chance level for a few hundred
# steps before its loss starts to fall.
AUTO_PATIENCE_EPOCHS = 20
AUTO_PATIENCE_STEPS = 150

# share of the GPU's free memory that a training set may take to be moved
# there once per fit; larger sets are streamed batch by batch, and the rest
# of the memory is left to the activations of the batches
DEVICE_DATA_FRACTION = 0.25

# checkpoint: an epoch is saved when at least MIN_INTERVAL seconds and
# SAVE_RATIO times the last save's duration have passed since the last save:
# every epoch of a long training, but no more than a tenth of the time of
# short ones (the many brief fits of a search) spent writing files
CHECKPOINT_MIN_INTERVAL = 1.0  # seconds
CHECKPOINT_SAVE_RATIO = 9  # time training / time saving, at least

# the training data's digest (which checkpoint belongs to which data) reads
# X in chunks of about this many bytes (16 MiB): X may be a view far larger
# than memory (the windows of a long series), never copied whole
DIGEST_CHUNK_BYTES = 1 << 24

# label of padded steps in per-step classification targets; torch's
# CrossEntropyLoss ignores it by default too
IGNORE_INDEX = -100

# n_threads="auto": one intra-op thread per this many multiply-adds of one
# recurrent step (batch size x number of weights). Below it torch's threads
# wait for each other at every small operator and buy nothing on a quiet
# machine, while beside a busy process they made training 7-75x slower
# (benchmarks/threads.py; docs/user_guide/performance.rst).
THREAD_MIN_STEP_WORK = 1_500_000

# RecurrentForecaster(correction_weight="auto"): the weight of the net's
# correction of its base forecast is fitted on the early-stopping holdout only
# when the holdout holds at least this many windows; on fewer, the gain's
# standard error (the spread of the per-window gains) means nothing and the
# weight stays 1 (not tuned: the issue-31 series held out 12-31 windows)
MIN_COMBINATION_WINDOWS = 5

# -- prediction and inspection -------------------------------------------

# prediction and the validation loss run in batches of at least this many
# sequences (the training batch_size when larger): without gradients a batch
# costs little memory, and fewer batches cost less Python per call
PREDICT_BATCH_SIZE = 1024

# attribute and gradient_flow run in batches of this many sequences: smaller
# than prediction's, since they keep every step's activations for the
# backward pass, and Captum's integrated gradients evaluates n_steps (50 by
# default) scaled copies of each batch at once
INSPECTION_BATCH_SIZE = 256

# attribute(method="integrated_gradients") warns when, on any sequence, the
# attributions' sum misses the change of the output by more than this share
# of the mean change over the sequences (completeness; Sundararajan et al.
# 2017 suggest checking it to within 5 %)
IG_TOLERANCE = 0.05

# -- export --------------------------------------------------------------

# export_onnx(opset=None): an opset that torch's TorchScript-based exporter
# writes and onnxruntime >= 1.16 (the floor of the "export" extra) runs
ONNX_OPSET = 17
