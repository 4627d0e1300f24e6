"""scikit-learn's private names that sksequence relies on, in one place.

scikit-learn may move or change what it does not publish (the parameter
validation of ``sklearn.utils._param_validation``, ``_fit_context``, the
feature-name checks). Every other module imports them from here, under
public names, so that a new scikit-learn release is adapted to in this one
file.
"""

from sklearn.base import _fit_context as fit_context
from sklearn.preprocessing._data import (
    _handle_zeros_in_scale as handle_zeros_in_scale,
)
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils._set_output import _get_output_config as get_output_config
from sklearn.utils.validation import _check_feature_names as check_feature_names
from sklearn.utils.validation import (
    _check_feature_names_in as check_feature_names_in,
)
from sklearn.utils.validation import _check_sample_weight as check_sample_weight

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "available_if",
    "check_feature_names",
    "check_feature_names_in",
    "check_sample_weight",
    "fit_context",
    "get_output_config",
    "handle_zeros_in_scale",
    "validate_parameters",
    "validate_params",
]


def validate_parameters(estimator):
    """Check ``estimator``'s parameters against its ``_parameter_constraints``
    (what ``fit`` checks through :func:`fit_context`), outside of ``fit``."""
    estimator._validate_params()
