import numpy as np
import pytest

from sksequence._fitted import FittedState
from sksequence._heads import QuantileHead


def _fields(state):
    return {
        name: getattr(state, name)
        for name in FittedState.__dataclass_fields__
        if getattr(state, name) is not None
    }


@pytest.mark.parametrize(
    "outputs",
    [
        {"classes": np.array(["a", "b", "c"])},
        {
            "y_mean": np.array([1.5, -2.0]),
            "y_scale": np.array([0.25, 3.0]),
            "y_ndim": 2,
            "head": QuantileHead((0.1, 0.5, 0.9)),
            "calibration": np.array([[1.2, 0.8], [1.0, 1.0], [0.9, 1.1]]),
        },
    ],
)
def test_from_dict_inverts_to_dict(outputs):
    n_outputs = len(outputs.get("classes", outputs.get("y_mean")))
    state = FittedState(
        n_channels=3, input_2d=False, min_timesteps=4, n_outputs=n_outputs
    ).with_outputs(**outputs)
    back = FittedState.from_dict(
        state.to_dict(), n_features_in=3, per_step=False, head=outputs.get("head")
    )
    expected, found = _fields(state), _fields(back)
    assert expected.keys() == found.keys()
    for name, value in expected.items():
        if name == "head":
            assert (found[name].name, found[name].levels) == (value.name, value.levels)
        else:
            np.testing.assert_array_equal(found[name], value)


def test_from_dict_names_the_bad_value():
    stored = FittedState(n_channels=2, input_2d=True, n_outputs=1).with_outputs(
        y_mean=np.zeros(1), y_scale=np.ones(1), y_ndim=1
    )
    stored = {**stored.to_dict(), "_y_scale": [0.0]}
    with pytest.raises(ValueError, match="_y_scale positive"):
        FittedState.from_dict(stored, n_features_in=5, per_step=False)
