"""The distribution heads: one class per distribution, read by the rest."""

import numpy as np
import pytest
import torch

from sksequence import GRURegressor
from sksequence._heads import HEADS, GaussianHead, PointHead, QuantileHead
from sksequence._modules import SequenceModel
from sksequence._regressors import LOSSES, regression_head

LEVELS = (0.1, 0.5, 0.9)


@pytest.mark.parametrize(
    "head", [PointHead(), GaussianHead(LEVELS), QuantileHead(LEVELS)]
)
def test_the_module_built_from_a_head_has_its_width(head):
    model = SequenceModel(
        "gru", 2, 5, 3, distribution=head.name, n_quantiles=head.width
    )
    assert model.head.out_features == head.width * 3
    assert model(torch.randn(4, 6, 2)).shape == (4, head.width * 3)


def test_every_loss_names_a_head_and_every_head_a_loss():
    assert set(LOSSES) == {"squared_error", "gaussian", "quantile"}
    assert {head.name for head in LOSSES.values()} == set(HEADS)
    assert isinstance(regression_head(GRURegressor()), PointHead)
    head = regression_head(GRURegressor(loss="quantile", quantiles=(0.2, 0.8)))
    assert isinstance(head, QuantileHead) and head.levels == (0.2, 0.5, 0.8)


@pytest.mark.parametrize("head", [GaussianHead(LEVELS), QuantileHead(LEVELS)])
def test_factors_of_one_leave_the_blocks_as_they_are(head):
    rng = np.random.default_rng(0)
    # increasing over the blocks: quantiles in order, a positive std
    blocks = np.sort(np.abs(rng.normal(size=(7, head.width, 2))), axis=1)
    ones = np.ones(head.calibration_shape(2))
    calibrated = head.calibration_link(ones).double()(torch.as_tensor(blocks))
    np.testing.assert_allclose(calibrated, blocks, atol=1e-12)


def test_the_point_head_has_no_spread_to_calibrate():
    assert PointHead().calibration_shape(3) is None
    assert not PointHead().distributional


def test_quantile_head_reads_only_the_levels_it_learned():
    head = QuantileHead(LEVELS)
    assert head.available_levels((0.9, 0.1 + 1e-12)) == (0.9, 0.1)
    with pytest.raises(ValueError, match=r"not at \[0.95\]"):
        head.available_levels((0.5, 0.95))
    assert GaussianHead(LEVELS).available_levels((0.95,)) == (0.95,)
