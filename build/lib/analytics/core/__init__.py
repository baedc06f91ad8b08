"""Core: array types, the input error, distributions (named outcomes and gridded densities), divergences in
nats with their units, strict JSON, and the text parsing every reader shares (docs/methods.md)."""

from typing import TYPE_CHECKING

from analytics._lazy import lazy_exports

_EXPORTS = {
    "DiscreteDistribution": "analytics.core.distributions",
    "GriddedDensity": "analytics.core.distributions",
    "cross_entropy": "analytics.core.divergence",
    "entropy": "analytics.core.divergence",
    "js_distance": "analytics.core.divergence",
    "js_divergence": "analytics.core.divergence",
    "kl_divergence": "analytics.core.divergence",
    "kl_divergence_grid": "analytics.core.divergence",
    "renyi_divergence": "analytics.core.divergence",
    "InputError": "analytics.core.errors",
    "BoolArray": "analytics.core.types",
    "FloatArray": "analytics.core.types",
    "LN2": "analytics.core.units",
    "to_bits": "analytics.core.units",
}
__getattr__ = lazy_exports("analytics.core", _EXPORTS, globals())

if TYPE_CHECKING:
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
