"""Learn: KL as surprise and as Kelly growth, with the black-swan example computed live."""


import numpy as np
import streamlit as st

from analytics.core.divergence import kl_divergence
from analytics.scoring.discrete import HEADLINE_LABEL
from reporting.figures import swan_curve
from reporting.formatting import fmt_bits, fmt_nats

st.title("Learn: disagreement as information and as growth")
st.markdown(f"""
**{HEADLINE_LABEL}.** If the market prices outcome *i* at probability *q<sub>i</sub>* (fair odds 1/*q<sub>i</sub>*)
and you believe *p<sub>i</sub>*, the Kelly bettor stakes *p<sub>i</sub>* of wealth on each outcome and grows,
by your own lights, at

KL(p ‖ q) = Σ p<sub>i</sub> log(p<sub>i</sub>/q<sub>i</sub>) per bet.

In bits (log base 2), 1 bit per bet means wealth doubles per bet. The number is subjective: if the market is
right, the same bettor loses KL(q ‖ p) per bet. Zanardo (2017) proposed KL as the measure of disagreement with
a market; Kelly (1956) and Cover & Thomas (ch. 6) give the growth interpretation.
""", unsafe_allow_html=True)

st.subheader("The black swan")
market_pct = st.slider("Market probability of the black swan (%)", 0.01, 50.0, 1.0, 0.01, key="swan_q",
                       help="You are certain the black swan happens; the market gives it this probability.")
q_swan = market_pct / 100
belief = np.array([0.0, 1.0])
market = np.array([1 - q_swan, q_swan])
kl = float(kl_divergence(belief, market))
reverse = float(kl_divergence(market, belief))
c1, c2 = st.columns(2)
c1.metric(HEADLINE_LABEL, fmt_bits(kl), fmt_nats(kl, 4), delta_color="off",
          help="A certain belief's KL is its surprisal -log q(outcome).")
c2.metric("Reverse KL, KL(market || belief)", fmt_bits(reverse),
          delta_color="off", help="You call the white swan impossible: if it happens, full Kelly is ruined.")
st.caption(f"Betting reading: stake everything at odds {1 / q_swan:,.1f}; log-growth ln({1 / q_swan:,.1f}) = "
           f"{kl:.4f} nats if right, ruin if wrong.")
grid = np.geomspace(1e-4, 0.5, 200)
st.plotly_chart(swan_curve(grid, -np.log2(grid), q_swan), key="swan_chart")
st.markdown("""
**Caveat for option markets.** An option-implied distribution is risk-neutral: it carries risk premia. A belief
equal to the market's real-world forecast still shows a positive KL against it; that part is the price of risk,
not disagreement.
""")
