"""Core: array types, the input error, distributions (named outcomes and gridded densities), divergences in
nats with their units, strict JSON, and the text parsing every reader shares (docs/methods.md)."""

from analytics.core.distributions import DiscreteDistribution, GriddedDensity
from analytics.core.divergence import (
    cross_entropy,
    entropy,
    js_distance,
    js_divergence,
    kl_divergence,
    kl_divergence_grid,
    renyi_divergence,
)
from analytics.core.errors import InputError
from analytics.core.types import BoolArray, FloatArray
from analytics.core.units import LN2, to_bits

__all__ = ["BoolArray", "DiscreteDistribution", "FloatArray", "GriddedDensity", "InputError", "LN2",
           "cross_entropy", "entropy", "js_distance", "js_divergence", "kl_divergence", "kl_divergence_grid",
           "renyi_divergence", "to_bits"]
