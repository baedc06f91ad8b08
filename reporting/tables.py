"""Tables shown on the pages and written into reports (pure pandas, no streamlit)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.core.units import to_bits
from analytics.scoring.continuous import ContinuousScore
from analytics.scoring.discrete import DiscreteScore


def outcome_table(score: DiscreteScore, bankroll: float = 1.0, kelly_fraction: float = 1.0) -> pd.DataFrame:
    """Per-outcome figures, what a bettor acts on first: the stake at the odds on offer (in currency for the
    bankroll and Kelly fraction) and the odds, then the probabilities, the edge and the fair-price stake."""
    table = pd.DataFrame({"outcome": list(score.labels)})
    if score.tradable is not None and score.odds is not None:
        table["tradable stake"] = bankroll * kelly_fraction * score.tradable.stakes
        table["odds (decimal)"] = score.odds
    table["market q (%)"] = np.asarray(score.market) * 100
    table["belief p (%)"] = np.asarray(score.belief) * 100
    table["edge p/q - 1 (%)"] = np.asarray(score.edges) * 100
    if score.tradable is not None and score.odds is not None:
        table["EV per unit at odds (%)"] = score.tradable.expected_value * 100
    table["KL term (bits)"] = to_bits(np.asarray(score.contributions_nats))
    table["fair-price stake"] = bankroll * kelly_fraction * np.asarray(score.belief)
    return table


def quantile_table(score: ContinuousScore) -> pd.DataFrame:
    """Quantiles and moments of market and belief side by side (prices in the chain's currency)."""
    record = score.as_record()
    rows = [(f"{float(level) * 100:g} % quantile", record["market_quantiles"][level], record["belief_quantiles"][level])
            for level in record["market_quantiles"]]
    rows += [("mean", record["market_moments"]["mean"], record["belief_moments"]["mean"]),
             ("standard deviation", record["market_moments"]["sd"], record["belief_moments"]["sd"])]
    return pd.DataFrame(rows, columns=["statistic", "market q", "belief p"])
