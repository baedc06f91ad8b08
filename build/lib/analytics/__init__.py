"""Market-disagreement analytics: how much a belief disagrees with a market, in bits and in Kelly growth.

Pure numerics on numpy, scipy and pandas; no files, network, database or UI (those live in `data`,
`services`, `reporting` and `dashboard`). The names a quant imports first are here; each subpackage
(core, betting, beliefs, options, scoring, views, track) exports the rest. Methods and conventions: docs/methods.md.
"""

from typing import TYPE_CHECKING

from analytics._lazy import lazy_exports

_EXPORTS = {
    "NamedBelief": "analytics.beliefs",
    "on_market_grid": "analytics.beliefs",
    "parse_beliefs": "analytics.beliefs",
    "DiscreteMarket": "analytics.betting",
    "kelly_with_cash": "analytics.betting",
    "remove_margin": "analytics.betting",
    "to_decimal": "analytics.betting",
    "DiscreteDistribution": "analytics.core",
    "GriddedDensity": "analytics.core",
    "InputError": "analytics.core",
    "kl_divergence": "analytics.core",
    "to_bits": "analytics.core",
    "density_from_quotes": "analytics.options",
    "parse_chain": "analytics.options",
    "score_continuous_belief": "analytics.scoring",
    "score_discrete": "analytics.scoring",
    "score_pairs": "analytics.scoring",
    "backtest": "analytics.track",
    "ViewsBelief": "analytics.views",
    "project": "analytics.views",
}
__getattr__ = lazy_exports("analytics", _EXPORTS, globals())

if TYPE_CHECKING:
    from analytics.beliefs import NamedBelief, on_market_grid, parse_beliefs
    from analytics.betting import DiscreteMarket, kelly_with_cash, remove_margin, to_decimal
    from analytics.core import DiscreteDistribution, GriddedDensity, InputError, kl_divergence, to_bits
    from analytics.options import density_from_quotes, parse_chain
    from analytics.scoring import score_continuous_belief, score_discrete, score_pairs
    from analytics.track import backtest
    from analytics.views import ViewsBelief, project


__all__ = ["DiscreteDistribution", "DiscreteMarket", "GriddedDensity", "InputError", "NamedBelief", "ViewsBelief",
           "backtest", "project",
           "density_from_quotes", "kelly_with_cash", "kl_divergence", "on_market_grid", "parse_beliefs",
           "parse_chain", "remove_margin", "score_continuous_belief", "score_discrete", "score_pairs", "to_bits",
           "to_decimal"]
