"""Calibration of a predictive distribution's spread on held-out samples.

A network trained by negative log-likelihood or by the pinball loss learns
its spread from the residuals of the samples it trains on, which are smaller
than those of samples it has never seen: its intervals tend to be too narrow
out of sample. The early-stopping holdout is data the network did not train
on, so its residuals measure the spread honestly. From them one factor per
target (and per level, for quantiles) rescales the spread the network
predicts for each input; intervals keep adapting to each input, and the mean
or median, the point prediction, is never moved.

* Gaussian: the standard deviation is multiplied by ``s`` with
  ``s**2 = mean(z**2)``, ``z = (y - mean) / std`` on the holdout: the
  maximum-likelihood scale of the held-out standardized residuals (the
  variance scaling of Levi et al., 2022, "Evaluating and calibrating
  uncertainty prediction in regression tasks", Sensors 22(15)).
* Quantiles: the distance of the quantile at level ``tau`` from the median
  is multiplied by ``c_tau``, chosen so that a share ``tau`` of the held-out
  targets lies below the rescaled quantile (``c_tau`` is the empirical
  quantile of the ratio ``(y - median) / (q_tau - median)``): each level is
  calibrated on the holdout, as in conformalized quantile regression
  (Romano, Patterson and Candès, 2019), multiplicatively so that the width
  keeps following the input.

Pure NumPy. The factors of each distribution are computed by its head
(``calibration_factors`` in :mod:`sksequence._heads`); the estimators
pass the network's outputs on the holdout.
"""

import numpy as np

__all__ = ["MIN_CALIBRATION_SAMPLES", "MIN_FACTOR", "weighted_quantile"]

# below this many held-out samples (steps, with return_sequences) the factors
# are estimated too coarsely to trust without a warning: the 5 % and 95 %
# quantiles of 10 ratios are their smallest and largest values
MIN_CALIBRATION_SAMPLES = 10

# the smallest factor on a quantile's distance from the median: positive, so
# that a quantile never crosses the median whatever the holdout says
MIN_FACTOR = 1e-3


def weighted_quantile(values, level, weights=None):
    """The empirical ``level``-quantile of ``values`` along axis 0.

    The smallest value whose cumulative weight (of the sorted values)
    reaches ``level`` of the total (the inverse of the empirical CDF,
    NumPy's ``method="inverted_cdf"`` when the weights are equal).

    Parameters
    ----------
    values : ndarray of shape (n, m)
    level : float in (0, 1)
    weights : ndarray of shape (n,) or None

    Returns
    -------
    quantile : ndarray of shape (m,)
    """
    values = np.asarray(values, dtype=np.float64)
    if weights is None:
        return np.quantile(values, level, axis=0, method="inverted_cdf")
    order = np.argsort(values, axis=0)
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64)[order], axis=0)
    # the first position whose cumulative weight reaches the level (a
    # relative tolerance keeps exact ties, e.g. level 0.5 of two equal
    # weights, from falling one sample too far through rounding)
    reached = cumulative >= level * cumulative[-1] * (1 - 1e-12)
    first = np.argmax(reached, axis=0)
    picked = np.take_along_axis(order, first[None], axis=0)
    return np.take_along_axis(values, picked, axis=0)[0]
