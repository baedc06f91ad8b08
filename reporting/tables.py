"""Tables shown on the pages and written into reports (pure pandas, no streamlit)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.core.units import to_bits
from analytics.options.edge import OptionsEdge
from analytics.scoring.continuous import ContinuousScore
from analytics.scoring.discrete import DiscreteScore
from analytics.views.projection import ViewFit


def outcome_table(score: DiscreteScore, bankroll: float = 1.0, kelly_fraction: float = 1.0) -> pd.DataFrame:
    """Per-outcome figures, what a bettor acts on first: the stake at the odds on offer (in currency for the
    bankroll and Kelly fraction) and the odds, then the probabilities, the edge and the fair-price stake."""
    table = pd.DataFrame({"outcome": list(score.labels)})
    if score.tradable is not None and score.odds is not None:
        table["tradable stake"] = bankroll * kelly_fraction * score.tradable.stakes
        table["odds (decimal)"] = score.odds
        if score.odds_bookmakers is not None:
            table["bookmaker"] = list(score.odds_bookmakers)
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


CONTRACT_SIZE = 100     # shares per listed equity option contract


def legs_table(edge: OptionsEdge, bankroll: float = 1.0, contract_size: int = CONTRACT_SIZE,
               min_contracts: float = 0.0, summary_rows: bool = True) -> pd.DataFrame:
    """The position's legs for a bankroll: contracts (quantity x bankroll / contract size), the quote taken and
    the cost in currency (positive when paid); the bond last. Legs under `min_contracts` are one row that names how
    many there are and what they cost together, so the costs still add up to the bankroll. Empty legs: cash only.
    `summary_rows=False` leaves out those two rows (whose strike and quote are empty) for a caption to state."""
    contracts = [leg.quantity * bankroll / contract_size for leg in edge.position.legs]
    shown = [(leg, n) for leg, n in zip(edge.position.legs, contracts, strict=True) if n >= min_contracts]
    small = [leg for leg, n in zip(edge.position.legs, contracts, strict=True) if n < min_contracts]
    rows = [{"leg": f"{leg.side} {leg.type}", "strike": leg.strike, "contracts": n, "quote (per share)": leg.price,
             "cost": leg.cost * bankroll} for leg, n in shown]
    if not summary_rows:      # the page says what the small legs and the bond hold in words, beside the table
        return pd.DataFrame(rows, columns=["leg", "strike", "contracts", "quote (per share)", "cost"])
    if small:
        rows.append({"leg": f"{len(small)} more legs, each under {min_contracts:g} contracts", "strike": np.nan,
                     "contracts": np.nan, "quote (per share)": np.nan,
                     "cost": sum(leg.cost for leg in small) * bankroll})
    rows.append({"leg": "bond (cash held to expiry)", "strike": np.nan, "contracts": np.nan,
                 "quote (per share)": np.nan, "cost": edge.position.cash_fraction * bankroll})
    return pd.DataFrame(rows, columns=["leg", "strike", "contracts", "quote (per share)", "cost"])


def edge_summary(edge: OptionsEdge) -> pd.DataFrame:
    """The sandwich and the tradable figures in bits, each with what it means."""
    rows = [("KL(p||q): any payoff at the density's prices (ceiling)", edge.kl_nats),
            ("listed strikes, no spread", edge.growth_mid_nats),
            ("butterflies at every strike", edge.butterfly_growth_nats),
            ("binned KL over the strikes (floor)", edge.binned_kl_nats),
            (f"at the quotes, Kelly fraction {edge.kelly_fraction:g}", edge.position.growth_nats),
            ("same position if the market is right", edge.position.market_growth_nats)]
    if edge.quotes_cheaper_nats > 0:       # the position earns above the ceiling: say where it comes from
        rows.append(("above the ceiling: quotes cheaper than the density", edge.quotes_cheaper_nats))
    return pd.DataFrame([(name, to_bits(value), value) for name, value in rows],
                        columns=["growth over the option's life", "bits", "nats"])


def views_table(fit: ViewFit) -> pd.DataFrame:
    """The views a belief was stated as: each view, whether it binds, its multiplier (the edge one more unit of it
    adds: nats per unit of probability, or per unit of price for a mean) and the KL it adds, in bits."""
    return pd.DataFrame([{"view": label, "binds": "yes" if bind else "no (the market meets it)",
                          "multiplier (nats per unit)": float(lam), "KL it adds (bits)": to_bits(float(added))}
                         for label, lam, bind, added in zip(fit.labels, fit.multipliers, fit.binding, fit.kl_added_nats,
                                                            strict=True)])
