"""Small classic data sets, shipped with sksequence, for examples and tests."""

from ._base import load_airline, load_gunpoint, load_italy_power_demand

__all__ = ["load_airline", "load_gunpoint", "load_italy_power_demand"]
