"""Widgets that show a score: headline metrics with units and tooltips, the outcome table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from analytics.kelly import growth_of_stakes
from analytics.score import HEADLINE_LABEL, DiscreteScore

HELP = {
    "kl": ("Kullback-Leibler divergence KL(belief || market) = sum p log(p/q). It is the information your "
           "belief holds relative to the market's, and the expected log-growth per bet of a Kelly bettor "
           "who holds your belief and bets at fair (margin-free) prices. 1 bit = wealth doubles per bet."),
    "reverse": ("KL(market || belief): your expected log-loss per bet if the market is right. Infinite when you "
                "call impossible an outcome the market thinks possible (full Kelly would be ruined)."),
    "js": ("Jensen-Shannon divergence: symmetric, always finite, between 0 and 1 bit. A bounded "
           "'how different' gauge with no betting meaning."),
    "tradable": ("Expected log-growth of the best long-only Kelly portfolio at the odds you can actually take "
                 "(margin included, cash allowed). Usually below the fair-price edge."),
}


def fmt_bits(nats: float) -> str:
    return "∞ (infinite)" if math.isinf(nats) else f"{nats / math.log(2):.4f} bits"


def fmt_nats(nats: float) -> str:
    return "∞" if math.isinf(nats) else f"{nats:.5f} nats"


def show_headline(score: DiscreteScore) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(HEADLINE_LABEL, fmt_bits(score.kl_nats), fmt_nats(score.kl_nats), delta_color="off", help=HELP["kl"])
    c2.metric("Reverse KL, KL(market || belief)", fmt_bits(score.reverse_kl_nats), fmt_nats(score.reverse_kl_nats),
              delta_color="off", help=HELP["reverse"])
    c3.metric("Jensen-Shannon divergence", fmt_bits(score.js_nats), fmt_nats(score.js_nats), delta_color="off",
              help=HELP["js"])
    if score.tradable is not None:
        c4.metric("Kelly growth at tradable prices", fmt_bits(score.tradable.growth_nats),
                  fmt_nats(score.tradable.growth_nats), delta_color="off", help=HELP["tradable"])
    else:
        c4.metric("Kelly growth at tradable prices", "n/a", "no tradable prices in this market", delta_color="off",
                  help=HELP["tradable"])
    if score.infinite_outcomes:
        st.error(f"Infinite surprise: the market gives probability 0 to {', '.join(score.infinite_outcomes)}, "
                 "which your belief thinks possible. Use the smoothing control to see a finite value.")
    if score.regularisation is not None:
        raw = score.raw_kl_nats if score.raw_kl_nats is not None else float("nan")
        st.info(f"Smoothing on: {score.regularisation.describe()}. Unsmoothed KL: {fmt_bits(raw)}.")
    for warning in score.warnings:
        st.warning(warning)


def outcome_table(score: DiscreteScore, bankroll: float, kelly_fraction: float) -> pd.DataFrame:
    """Per-outcome figures; stakes in currency for the given bankroll and Kelly fraction."""
    table = pd.DataFrame({
        "outcome": list(score.labels),
        "market q (%)": np.asarray(score.market) * 100,
        "belief p (%)": np.asarray(score.belief) * 100,
        "edge p/q - 1 (%)": np.asarray(score.edges) * 100,
        "KL term (bits)": np.asarray(score.contributions_nats) / math.log(2),
        "fair-price stake": bankroll * kelly_fraction * np.asarray(score.belief),
    })
    if score.tradable is not None and score.odds is not None:
        table["odds (decimal)"] = score.odds
        table["EV per unit at odds (%)"] = score.tradable.expected_value * 100
        table["tradable stake"] = bankroll * kelly_fraction * score.tradable.stakes
    return table


def show_allocation(score: DiscreteScore, bankroll: float, kelly_fraction: float, currency: str) -> None:
    table = outcome_table(score, bankroll, kelly_fraction)
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "fair-price stake": st.column_config.NumberColumn(
            f"fair-price stake ({currency})", format="%.2f",
            help="Kelly at fair prices stakes p of wealth on each outcome"),
        "tradable stake": st.column_config.NumberColumn(f"tradable stake ({currency})", format="%.2f",
                                                        help="Kelly with cash at the offered odds"),
    })
    t = score.tradable
    if t is not None and score.odds is not None:
        stakes = kelly_fraction * t.stakes
        growth = growth_of_stakes(score.belief, score.odds, stakes)
        cash = bankroll * (1 - stakes.sum())
        hedges = [lab for lab, h in zip(score.labels, t.hedges) if h]
        st.caption(f"At the offered odds (booksum {t.booksum:.4f}, margin {(t.booksum - 1) * 100:.2f} %): "
                   f"keep {cash:,.2f} {currency} in cash; expected log-growth {growth / math.log(2):.5f} bits per bet "
                   f"at Kelly fraction {kelly_fraction:g}."
                   + (f" {', '.join(hedges)} staked despite a negative EV: it hedges the cash kept." if hedges else ""))
