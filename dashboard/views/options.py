"""Options: the market's risk-neutral density of a price at expiry, against your belief."""

import math
from dataclasses import replace
from functools import partial

import numpy as np
import streamlit as st

from analytics.beliefs.on_grid import COMPLETIONS
from analytics.beliefs.price import ShiftedMarket
from analytics.beliefs.spec import NamedBelief
from analytics.core.errors import InputError
from analytics.core.text import decode_text
from analytics.options.density import ChainDensity
from analytics.options.edge import EdgeSettings
from analytics.options.orders import TicketSettings
from analytics.scoring.continuous import (
    ContinuousMarket,
    ContinuousScore,
    score_continuous_belief,
    with_options_edge,
)
from analytics.scoring.pairs import ScoredPair
from analytics.views.spec import median_and_range
from dashboard import safe
from dashboard.background import content_digest, show_when_done, started, warm
from dashboard.components import (
    pick_belief,
    report_downloads,
    save_to_journal,
    show_continuous_headline,
    show_options_edge,
    show_order_ticket,
    show_views,
    views_editor,
)
from dashboard.glossary import HELP_EDGE, KELLY_DEFAULT, TERMS
from dashboard.state import (
    BeliefUpload,
    chain_densities,
    default_view_range,
    score_keeping_last_good,
    text_of,
    uploaded_beliefs,
)
from data.bundled import example_files
from data.chains import asof_new_york, bundled_chains
from data.live import fetch_chain
from reporting.figures import cumulative_kl_curve, density_overlay, log_ratio_curve
from reporting.formatting import fmt
from reporting.tables import quantile_table

BELIEF_SLOT = "options_belief"      # where the page keeps the last belief file it could read and score

st.title("Options")
warm()              # the process that works out the trades imports its numerics while the page is read
st.caption("The market's risk-neutral distribution of the price at expiry, recovered from an option chain, "
           "scored against your belief.")

snapshots = bundled_chains()
spot: float | None              # the snapshot's, the live quote's, or the one the user gave for an upload (or none)
source_kind = st.radio("Chain", ["Bundled snapshot", "Fetch live (yfinance)", "Upload a chain"], horizontal=True,
                       key="chain_source")
if source_kind == "Bundled snapshot":
    ticker = st.selectbox("Underlying", [s.ticker for s in snapshots], key="snapshot")
    info = next(s for s in snapshots if s.ticker == ticker)
    text, source_name = text_of(str(info.file)), info.file.name
    spot, asof = info.spot, asof_new_york(info.asof_utc)
    st.caption(f"Bundled {info.ticker} chain as of {asof.replace('T', ' ')} New York, spot {fmt(spot, ',.2f')} "
               f"({info.spot_source}). {info.provenance}")
elif source_kind == "Fetch live (yfinance)":
    ticker = st.text_input("Ticker", value="SPY", key="live_ticker").strip().upper()
    if st.button("Fetch", key="fetch") or "live" not in st.session_state:
        with st.spinner(f"Fetching {ticker} from Yahoo Finance (gives up after 8 s)..."):
            st.session_state["live"] = fetch_chain(ticker)
    live = st.session_state["live"]
    if not live.live:
        safe.warning(live.message)
    text, source_name, spot, asof = live.text, live.description, live.spot, live.asof
    safe.caption(f"Chain: {live.description}; spot {fmt(spot, ',.2f')}; as of {asof} New York.")
else:
    upload = st.file_uploader("Option chain CSV (yfinance columns; optionType or OCC contract symbols)", type=["csv"],
                              key="chain_upload")
    c1, c2 = st.columns(2)
    # no default: a spot the user never gave must not set the forward of a chain without call/put pairs
    spot = c1.number_input("Spot price (only if the chain lacks call/put pairs)", min_value=0.0, value=None,
                           key="upload_spot", placeholder="not needed for most chains",
                           help="Put-call parity gives the forward from the chain itself. A chain without calls and "
                                "puts at the same strikes needs the spot: the forward is then spot x e^(rate x T)")
    asof = c2.text_input("As of (New York, YYYY-MM-DD or YYYY-MM-DDTHH:MM)", value="", key="upload_asof")
    if upload is None or not asof:
        st.info("Upload a chain and give its as-of time, or choose a bundled snapshot.")
        st.stop()
    try:
        text, source_name = decode_text(upload.getvalue(), upload.name), upload.name
    except InputError as exc:
        safe.error(str(exc))
        st.stop()

rate_text = st.sidebar.text_input("Risk-free rate (continuous, per year; blank: from put-call parity)", value="",
                                  key="rate", help="A fraction: 0.04 is 4 % a year. Blank: put-call parity gives "
                                  "the rate; where it implies none that is plausible, the bundled US Treasury bill "
                                  "curve of the chain's date does (the density's diagnostics say which)")
try:
    rate = float(rate_text) if rate_text.strip() else None
    densities = chain_densities(text, source_name, asof, spot, rate)
    st.session_state["last_densities"] = (source_name, densities)
except (InputError, ValueError) as exc:
    safe.error(str(exc) if isinstance(exc, InputError) else f"rate: {rate_text!r} is not a number")
    previous: tuple[str, list[ChainDensity]] | None = st.session_state.get("last_densities")
    if not previous:
        st.stop()
    # the last chain that worked stays on screen, under its own name (a report must not credit the failed file)
    source_name, densities = previous
    safe.info(f"Still showing {source_name}, the last chain that could be read.")

expiry = st.selectbox("Expiry", [d.expiry for d in densities], index=min(2, len(densities) - 1), key="expiry")
chain = next(d for d in densities if d.expiry == expiry)
diag = chain.diagnostics
market = ContinuousMarket.of_chain(chain)
if market.fit_warning:
    safe.warning(f"{expiry}: {market.fit_warning}.")
if diag.parity_pairs_used == 0:
    safe.warning(f"The forward of {expiry} ({fmt(chain.forward, ',.2f')}) comes from the spot price "
                 f"{fmt(spot or 0, ',.2f')} and a "
                 "rate, not from the chain: it has too few strikes with both a call and a put for put-call parity.")

with st.expander("Market density: how it was built", expanded=False):
    d1, d2, d3, d4 = st.columns(4)
    d1.metric("Forward F", f"{fmt(chain.forward, ',.2f')}", help=TERMS["forward"])
    rate_from = "Treasury bills" if "Treasury bill curve" in diag.forward_method else \
        "given" if "given rate" in diag.forward_method else "put-call parity" if "regression" in \
        diag.forward_method[:30] else "none: 0"
    d2.metric("Discount D", f"{fmt(chain.discount, '.5f')}", f"rate {fmt(diag.implied_rate * 100, '.2f')} %/yr "
              f"({rate_from})", delta_color="off", delta_arrow="off",
              help="The price today of 1 paid at expiry. From put-call parity when the chain implies a plausible "
                   "rate; otherwise from the bundled US Treasury bill curve of the chain's date (or the rate you "
                   "give in the sidebar); the caption below says which and why")
    d3.metric("Fit error", f"{fmt(diag.fit_rms_vol_points, '.2f')} vol pts", "RMS of implied vols",
              delta_color="off", delta_arrow="off",
              help="Root-mean-square difference between the fitted and quoted implied volatilities, in "
                   "volatility points (1 = 1 % annualised)")
    tails = diag.mass_below_lowest_strike + diag.mass_above_highest_strike
    d4.metric("Mass beyond quoted strikes", f"{fmt(tails, '.2%')}", help="Probability the density puts outside the "
              "strikes with usable quotes: extrapolated, not quoted")
    dropped = "; ".join(f"{n} with {why}" for why, n in diag.quotes_dropped.items() if n) or "none"
    st.caption(f"Method: {diag.method}. Forward: {diag.forward_method}. Quotes used: {diag.quotes_used}; dropped: "
               f"{dropped}. The density's mean sits {diag.mean_vs_forward:+.1e} (relative) from the forward; it is "
               f"positive by construction, so nothing was repaired. Time to expiry: "
               f"{fmt(chain.t_years * 365, '.1f')} days.")

st.subheader("Your belief")
BELIEF_FORMS = ["The market itself (no view yet)", "A view (median and range)", "A few statements (views)",
                "The market, shifted and scaled", "Upload a belief file"]
kind = st.radio("State it as", BELIEF_FORMS, horizontal=True, key="belief_kind")
q05, q50, q95 = chain.density.quantile([0.05, 0.5, 0.95])
# A view belongs to one market: its inputs are keyed by the chain and expiry, so a new market starts from its own
# numbers instead of keeping the last market's (an SPY range read against AAPL is a different statement).
market_key = f"{source_name}:{expiry}"
belief = None
read: BeliefUpload | None = None        # the belief file shown, when the belief is uploaded
if kind == BELIEF_FORMS[0]:
    belief = NamedBelief("market (no view)", ShiftedMarket(0.0, 1.0))
    st.info("Your belief is the market's own, so there is no edge yet. State a view (a median and a range), move "
            "the market, or upload a belief file to see how much you disagree.")
elif kind == BELIEF_FORMS[1]:
    c1, c2, c3, c4 = st.columns(4)
    start_low, start_high = default_view_range(float(q05), float(q95))
    median = c1.number_input("Median", value=float(round(q50, 2)), key=f"view_median:{market_key}",
                             help="The price you think is as likely to be above as below at expiry")
    low = c2.number_input("Range low", value=start_low, key=f"view_low:{market_key}")
    high = c3.number_input("Range high", value=start_high, key=f"view_high:{market_key}")
    coverage = c4.slider("Probability in the range (%)", 50, 99, 90, key=f"view_coverage:{market_key}") / 100
    st.caption(f"Starts at the market's own median ({fmt(q50, ',.2f')}) and 5-95 % range ({fmt(q05, ',.2f')} to "
               f"{fmt(q95, ',.2f')}): no edge "
               "until you change them. Your belief is the market moved as little as possible to have your median and "
               "your probability in the range.")
    try:
        belief = NamedBelief("view", median_and_range(median, low, high, coverage, "view"))
    except InputError as exc:
        safe.error(str(exc))
elif kind == BELIEF_FORMS[2]:
    level = float(round(q50))
    above = float(1 - np.interp(level, chain.density.x, chain.density.cdf))
    belief = views_editor(f"views:{market_key}", f"P(>{level:g}) = {fmt(above, '.6f')}",
                          "Each line a view and a value: P(>720) = 0.3, P(<650) <= 10%, P(650..720) = 0.5, "
                          "mean = 705, sd = 30, mean_log = 6.55, q0.5 >= 700 (the median). Relations: =, >=, <=")
    st.caption(f"Starts with a view the market already holds (P(price above {level:g}) = {fmt(above, '.4f')}); "
               f"change the "
               "value, or add rows such as mean 705 or q0.5 >= 700.")
elif kind == BELIEF_FORMS[3]:
    c1, c2 = st.columns(2)
    shift = c1.slider("Shift (%)", -20.0, 20.0, 0.0, 0.5, key=f"shift:{market_key}",
                      help="Moves the market's distribution up or down by this percentage of the price") / 100
    scale = c2.slider("Width (x market, in log-price)", 0.5, 2.0, 1.0, 0.05, key=f"scale:{market_key}",
                      help="Above 1: you expect bigger moves than the market does; below 1: smaller")
    belief = NamedBelief("shifted market", ShiftedMarket(shift, scale))
else:
    upload_b = st.file_uploader("Belief file (buckets, density, quantiles, parametric JSON...)", type=["csv", "json"],
                                key="price_belief_upload")
    read = uploaded_beliefs(BELIEF_SLOT, upload_b, "shin")
    if read is None:
        st.info("Upload a belief file: buckets, a density, quantiles or a parametric form. Download an example "
                "of any form below, edit it, and upload it.")
        examples = example_files()
        chosen_example = st.selectbox("Example", list(examples), key="example_pick")
        st.download_button(f"Download {chosen_example}", examples[chosen_example].read_bytes(),
                           file_name=chosen_example, key="example_download", on_click="ignore")
        st.stop()
    belief = pick_belief(list(read.beliefs), key="price_belief_pick")
completion = st.radio("Complete a partial belief (buckets, quantiles) with", COMPLETIONS, horizontal=True,
                      key="completion", help="market: inside each bucket the market's own shape, so the KL counts "
                      "only what you stated; smooth: a smooth curve through your numbers")
if belief is None:
    st.stop()
with st.expander("Trading settings: bankroll, Kelly fraction, risk aversion, commissions, limits", expanded=False):
    t1, t2, t3, t4 = st.columns(4)
    bankroll = t1.number_input("Bankroll (USD)", min_value=100.0, value=100_000.0, step=10_000.0,
                               key="options_bankroll")
    kelly_fraction = t2.slider("Kelly fraction", 0.0, 1.0, KELLY_DEFAULT, 0.05, key="options_kelly_fraction",
                               help=TERMS["Kelly fraction"])
    gamma = t3.number_input("Your risk aversion gamma", min_value=0.1, max_value=20.0, value=1.0, step=0.5,
                            key="options_gamma", help=HELP_EDGE["renyi"])
    market_gamma_on = t4.checkbox("Adjust the market for risk", key="options_market_gamma_on",
                                  help=HELP_EDGE["price of risk"])
    market_gamma = t4.number_input("Market's risk aversion", min_value=0.0, max_value=10.0, value=2.0, step=0.5,
                                   key="options_market_gamma", disabled=not market_gamma_on)
    o1, o2, o3, o4, o5 = st.columns(5)
    contract_size = int(o1.number_input("Contract size (shares)", 1, 10_000, 100, key="options_contract_size",
                                        help="Shares one contract delivers: 100 for US equity and index options"))
    per_contract = o2.number_input("Commission per contract (USD)", 0.0, 1000.0, 0.65, 0.05,
                                   key="options_commission_contract", help="What your broker charges a contract")
    per_order = o3.number_input("Commission per order (USD)", 0.0, 1000.0, 0.0, 0.5, key="options_commission_order",
                                help="A fixed charge for each line of the ticket")
    max_legs = int(o4.number_input("Most order lines", 1, 20, 6, key="options_max_legs",
                                   help="The ticket keeps at most this many options"))
    max_loss_percent = o5.number_input("Largest loss (% of bankroll)", 1.0, 100.0, 100.0, 5.0,
                                       key="options_max_loss", help="The most the ticket may lose at any price at "
                                       "expiry; 100 %: anything short of ruin")
# the market itself has no edge to trade: its position would only mirror the fit's distance from the quotes
traded = market if kind != BELIEF_FORMS[0] else replace(market, tradables=None)
ticket_settings = TicketSettings(float(bankroll), contract_size, float(per_contract), float(per_order), max_legs,
                                 None if max_loss_percent >= 100 else max_loss_percent / 100)
edge_settings = EdgeSettings(kelly_fraction, gamma, market_gamma if market_gamma_on else None,
                             ticket_settings if kind != BELIEF_FORMS[0] else None)
# the belief against the density first, drawn at once; the trades at the quotes (conic solves, most of the rerun's
# time) come after, below the charts, so a new view's numbers show while they are worked out
read, belief, score = score_keeping_last_good(BELIEF_SLOT, read, belief, lambda b: score_continuous_belief(
    b.spec, replace(traded, tradables=None), completion=completion or "market", source=b.source or b.name,
    warnings=b.warnings))
if read is not None:
    safe.caption(f"Belief from {read.name}")

show_continuous_headline(score)
show_views(score.views)
st.info("The option-implied density is risk-neutral: it carries risk premia, so part of any KL against it is the "
        "price of risk, not disagreement. Tick 'Adjust the market for risk' in the trading settings to see how much.",
        icon=":material/info:")
left, right = st.columns(2)
left.plotly_chart(density_overlay(score, quoted_range=market.quoted_range), key="density_chart")
right.plotly_chart(cumulative_kl_curve(score), key="cumulative_chart")
right.caption(TERMS["cumulative KL"])
left.plotly_chart(log_ratio_curve(score), key="ratio_chart")
with right:
    st.dataframe(quantile_table(score), hide_index=True, width="stretch", column_config={
        "market q": st.column_config.NumberColumn("market q (price)", format="%.2f"),
        "belief p": st.column_config.NumberColumn("belief p (price)", format="%.2f")})
    growth = math.exp(score.kl_nats) - 1 if math.isfinite(score.kl_nats) else math.inf
    st.caption(f"Growth-optimal payoff W0 e^(rT) p/q: expected log excess return {fmt(score.kl_nats, '.4f')} nats "
               f"(about {fmt(growth, '.2%')} in wealth) over {fmt(chain.t_years * 365, '.0f')} days, if your "
               f"belief is right.")
st.session_state["options_kl_nats"] = score.kl_nats
believed: NamedBelief = belief      # the page stopped above without one


def show_trades(priced: ContinuousScore) -> None:
    """Everything that depends on the trades at the quotes, in one slot: the last view's trades leave the page at
    once, not one element at a time as the new ones arrive."""
    for warning in priced.warnings[len(score.warnings):]:
        safe.warning(warning)
    show_options_edge(priced, bankroll, "USD")
    show_order_ticket(priced, "USD")
    pair = ScoredPair(traded, believed, priced)
    uploaded_text = read.text if read is not None else ""      # views and the shifted market are kept as their JSON
    # the journal names the underlying with the expiry: '2026-06-18' alone says nothing a month later
    save_to_journal(ScoredPair(replace(traded, event=f"{source_name} {expiry}"), believed, priced),
                    belief_text=uploaded_text, market_source=f"{source_name} expiry {expiry}",
                    method="option chain density", key="options_journal")
    view_settings: dict[str, object] = {"underlying": source_name, "expiry": expiry, "belief": believed.name,
                                        "completion": completion or "market"}
    if kind == BELIEF_FORMS[1]:
        view_settings.update(view_median=median, view_low=low, view_high=high, view_coverage=coverage)
    elif kind == BELIEF_FORMS[3]:
        view_settings.update(shift=shift, scale=scale)
    view_settings.update(bankroll=f"{fmt(bankroll, ',.2f')} USD", kelly_fraction=kelly_fraction, gamma=gamma,
                         contract_size=contract_size, commission_per_contract=f"{per_contract:.2f} USD",
                         commission_per_order=f"{per_order:.2f} USD", max_legs=max_legs,
                         max_loss=f"{max_loss_percent:g} % of the bankroll",
                         market_gamma=market_gamma if market_gamma_on else "not adjusted")
    report_downloads(pair, market_source=source_name, belief_source=believed.source or believed.name,
                     method="not used (option chain)", settings=view_settings, bankroll=bankroll)


# the trades at the quotes (conic solves and the ticket's search, most of a rerun's time) are worked out off the
# page's run: the view's numbers above show at once, and the trades when they are ready
if traded.tradables is None:
    show_trades(with_options_edge(score, traded, edge_settings))
else:
    trades_key = (source_name, asof, expiry, spot, rate, edge_settings,
                  content_digest(text, score.x, score.belief, score.market))
    show_when_done(started("options_trades", trades_key, partial(with_options_edge, score, traded, edge_settings)),
                   show_trades, "Working out the trades at today's quotes...")
