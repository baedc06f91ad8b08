"""Learn: KL as surprise and as Kelly growth, with the black-swan example computed live, and a glossary."""

import numpy as np
import streamlit as st

from analytics.core.divergence import kl_divergence
from analytics.scoring.discrete import HEADLINE_LABEL
from dashboard.glossary import BOOKMAKERS, TERMS
from reporting.figures import swan_curve
from reporting.formatting import fmt_bits, fmt_nats

st.title("Learn: disagreement as information and as growth")
st.markdown(f"**{HEADLINE_LABEL}.** If the market prices outcome *i* at probability $q_i$ (fair decimal odds "
            "$1/q_i$) and you believe $p_i$, the Kelly bettor stakes the fraction $p_i$ of wealth on each outcome "
            "and grows, by your own lights, at")
st.latex(r"\mathrm{KL}(p \,\|\, q) = \sum_i p_i \log \frac{p_i}{q_i} \quad \text{per bet.}")
st.markdown("In bits (logs to base 2), 1 bit per bet means wealth doubles per bet. The number is subjective: if "
            "the market is right, the same bettor loses $\\mathrm{KL}(q \\,\\|\\, p)$ per bet. Zanardo (2017) "
            "proposed KL as the measure of disagreement with a market; Kelly (1956) and Cover and Thomas (chapter 6) "
            "give the growth reading. For a price at expiry the sum becomes an integral over the option market's "
            "density, and the payoff that earns it is proportional to $p(x)/q(x)$:")
st.latex(r"\mathrm{KL}(p \,\|\, q) = \int p(x) \log \frac{p(x)}{q(x)}\, dx .")

st.subheader("The black swan")
LEVELS = [m * 10.0**e for e in range(-2, 2) for m in (1.0, 2.0, 5.0)]    # 0.01 % to 50 %: 1-2-5 steps, log scale
market_pct = st.select_slider("Market probability of the black swan (%)", options=LEVELS, value=1.0,
                              key="swan_q", format_func=lambda v: f"{v:g} %",
                              help="You are certain the black swan happens; the market gives it this probability. "
                                   "The scale is logarithmic: each step multiplies the probability by the same factor.")
q_swan = market_pct / 100
belief = np.array([0.0, 1.0])
market = np.array([1 - q_swan, q_swan])
kl = float(kl_divergence(belief, market))
reverse = float(kl_divergence(market, belief))
c1, c2 = st.columns(2)
c1.metric(HEADLINE_LABEL, fmt_bits(kl), fmt_nats(kl, 4), delta_color="off", delta_arrow="off",
          help="A certain belief's KL is its surprisal, -log q(outcome).")
c2.metric("Reverse KL, KL(market || belief)", fmt_bits(reverse), delta_color="off", delta_arrow="off",
          help="You call the white swan impossible: if it happens, full Kelly is ruined.")
st.caption(f"Betting reading: stake everything at odds {1 / q_swan:,.1f}; log-growth ln({1 / q_swan:,.1f}) = "
           f"{kl:.4f} nats if right, ruin if wrong.")
grid = np.geomspace(1e-4, 0.5, 200)
st.plotly_chart(swan_curve(grid, -np.log2(grid), q_swan), key="swan_chart")

st.subheader("Glossary")
for term, text in TERMS.items():
    st.markdown(f"**{term}.** {text}")
st.markdown("**Bookmaker codes** (football-data.co.uk column prefixes; a trailing C means closing odds): " +
            "; ".join(f"{code}: {name}" for code, name in BOOKMAKERS.items()) + ".")
