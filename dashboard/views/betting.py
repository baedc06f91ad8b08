"""Betting: bookmaker, exchange and prediction-market prices against your belief."""

import math

import numpy as np
import pandas as pd
import streamlit as st

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.spec import NamedBelief
from analytics.betting.margin import METHOD_NOTES, METHODS
from analytics.betting.market import DiscreteMarket
from analytics.betting.odds_files import default_bookmaker, detect_kind, football_bookmakers
from analytics.betting.odds_formats import FORMATS
from analytics.core.distributions import normalise_label
from analytics.core.errors import InputError, bounded
from analytics.core.text import normalisation_note
from analytics.core.units import to_bits
from analytics.match.market import PricedMarket, fitted_goals, joint_stakes, score_match
from analytics.match.scores import ONE_X_TWO_LABELS, ScoreBelief, poisson_table
from analytics.scoring.discrete import DiscreteScore, Regularisation, score_named_belief
from analytics.scoring.pairs import ScoredPair
from dashboard import safe
from dashboard.components import (
    pick_belief,
    report_downloads,
    save_to_journal,
    show_allocation,
    show_bet_slip,
    show_headline,
    show_views,
    views_editor,
)
from dashboard.glossary import KELLY_DEFAULT, TERMS, bookmaker_name
from dashboard.state import (
    BOOKMAKER_SOURCES,
    LIVE_CACHE_SECONDS,
    BeliefUpload,
    bookmaker_quality_cached,
    chosen_method,
    header_of,
    keep_typed_belief,
    live_market,
    live_sources,
    markets_of,
    match_markets_cached,
    method_key,
    priced_markets_cached,
    remember_method,
    score_keeping_last_good,
    season_surprise,
    typed_belief_key,
    uploaded_beliefs,
)
from data.bundled import ODDS_FILES
from reporting.figures import contribution_bars, market_vs_belief_bars, score_table_heatmap, season_histogram
from reporting.formatting import fmt, fmt_bits, fmt_nats

BELIEF_SLOT = "betting_belief"      # where the page keeps the last belief file it could read and score

st.title("Betting markets")
st.caption("Fair market probabilities from bookmaker, exchange or prediction-market prices (margin removed), "
           "scored against your belief.")

left, right = st.columns([3, 2])
with left:
    source_kind = st.radio("Market data", ["Bundled snapshot", "Fetch live", "Upload an odds file"],
                           horizontal=True, key="market_source")
bundle = None
raw_market: bytes | None = None
if source_kind == "Bundled snapshot":
    chosen_label = st.selectbox("Snapshot", [b.label for b in ODDS_FILES], key="bundle",
                                help="Real market data shipped with the product")
    bundle = next(b for b in ODDS_FILES if b.label == chosen_label)
    source_name, odds_format, default_method = bundle.label, bundle.odds_format, bundle.default_method
    st.caption(f"Real market data from {bundle.credit}, shipped with the product.")
elif source_kind == "Fetch live":
    live_left, live_right = st.columns([1, 2])
    sources = live_sources()
    live_name = live_left.selectbox("Source", list(sources), key="live_source",
                                    help="Prediction markets (Polymarket, Kalshi) and bookmakers' prices for "
                                         "upcoming matches, fetched now (The Odds API is offered when "
                                         "MARKET_ODDS_API_KEY holds a key)")
    live_source, live_what, live_example = sources[live_name]
    ident = live_right.text_input(f"{live_name.split(' (')[0]}: {live_what}", key=f"live_id:{live_source}",
                                  placeholder=live_example)
    if not ident.strip():
        st.info(f"Give {live_what} to fetch its prices now, or choose a bundled snapshot.")
        st.stop()
    fetched = live_market(live_source, ident.strip())
    if isinstance(fetched, str):
        fallback = "Premier League" if live_source in BOOKMAKER_SOURCES else "Polymarket"
        bundle = next(b for b in ODDS_FILES if b.label.startswith(fallback))
        source_name, odds_format, default_method = bundle.label, bundle.odds_format, bundle.default_method
        safe.warning(f"{fetched}. Showing the bundled snapshot instead: {bundle.label}.")
    else:
        raw_market, source_name = fetched.text.encode(), fetched.name
        odds_format = "decimal"
        default_method = "shin" if live_source in BOOKMAKER_SOURCES else "multiplicative"
        how = ("bookmakers' odds, as in the season files" if live_source in BOOKMAKER_SOURCES else
               "fair probabilities from the mid prices, stakes at the asks")
        safe.caption(f"Live from {fetched.url} at {fetched.fetched_utc} (kept for {LIVE_CACHE_SECONDS} s): {how}.")
else:
    upload = st.file_uploader("Odds file (CSV: event,outcome,odds; football-data; Betfair; PredictIt; Polymarket)",
                              type=["csv"], key="market_upload")
    if upload is None:
        st.info("Upload an odds file to begin, or choose a bundled snapshot.")
        st.stop()
    raw_market, source_name = upload.getvalue(), upload.name
    odds_format = st.selectbox("Odds format", FORMATS, key="odds_format")
    default_method = "shin"

with right:
    method = st.selectbox("Margin removal", METHODS, key=method_key(source_name),
                          index=METHODS.index(chosen_method(source_name, default_method)),
                          on_change=remember_method, args=(source_name,),
                          format_func=lambda m: f"{m}: {METHOD_NOTES[m]}",
                          help=TERMS["margin removal"])


path = str(bundle.path) if bundle is not None else None     # a bundled file by its path, an upload by its bytes


try:
    columns = header_of(path, raw_market, source_name)
    bookmakers = football_bookmakers(columns) if detect_kind(columns) == "football-data" else []
    bookmaker = st.selectbox("Bookmaker (market)", bookmakers, index=bookmakers.index(default_bookmaker(bookmakers))
                             if bookmakers else 0, key="bookmaker", format_func=bookmaker_name,
                             help="Whose odds are the market. Codes are the file's column prefixes; a C at the end "
                                  "means closing odds") if bookmakers else "B365"
    kind_of_file = detect_kind(columns)
    commission = 0.05
    if kind_of_file in ("betfair-match", "betfair-racing"):
        commission = st.number_input(
            "Exchange commission (% of net winnings)", 0.0, 20.0, 5.0, 0.5, key="exchange_commission",
            help="Betfair charges its market base rate, 5 % for these markets, on each market's net winnings: the "
                 "back price o pays 1 + (o - 1)(1 - commission). Lower it if your rate is discounted") / 100
        st.caption(f"Stakes go on the back prices after the {commission:.1%} commission; the fair probabilities come "
                   "from the back/lay mid, whose overround is the small figure under the charts. The margin beside "
                   "the stakes is the booksum of the prices you can take, commission included.")
    markets = markets_of(path, raw_market, source_name, odds_format, bookmaker, method, commission)
    venue = "Betfair exchange" if kind_of_file in ("betfair-match", "betfair-racing") else \
        bookmaker if bookmakers else source_name
    single_book_markets = markets
    shopping = consensus = False
    if len(bookmakers) > 1:
        p1, p2 = st.columns(2)
        bet_at = p1.radio("Bet at", [f"{bookmaker}'s odds", "the best odds across bookmakers"], horizontal=True,
                          key="bet_at", help="The best odds per outcome among the file's bookmakers (its Max and Avg "
                                             "columns are summaries, not bookmakers; closing odds are left out)")
        consensus = p2.checkbox("Market: a consensus of all bookmakers", key="market_consensus",
                                help="Each bookmaker de-margined by the chosen method, then averaged in log-odds")
        shopping = bet_at != f"{bookmaker}'s odds"
        if shopping or consensus:
            markets = priced_markets_cached(path, raw_market, source_name, odds_format,
                                            "consensus" if consensus else bookmaker,
                                            "best" if shopping else bookmaker, method)
except InputError as exc:
    safe.error(str(exc))
    st.stop()

def show_shopping(score: DiscreteScore, belief: NamedBelief, event: str, single: list[DiscreteMarket],
                  bookmaker: str, regularisation: Regularisation | None) -> None:
    """What shopping for prices is worth: growth at the best odds beside growth at the one bookmaker, and the
    sure-profit book when the best prices allow one."""
    one = next((m for m in single if normalise_label(m.event) == normalise_label(event)), None)
    if one is None or score.tradable is None:
        return
    alone = score_named_belief(belief, one, regularisation=regularisation)
    if alone.tradable is None:
        return
    gain = score.tradable.growth_nats - alone.tradable.growth_nats
    s1, s2 = st.columns(2)
    s1.metric(f"Growth at {bookmaker}'s odds alone", f"{fmt(to_bits(alone.tradable.growth_nats), '.4f')} bits",
              delta_color="off", delta_arrow="off", help=TERMS["tradable"])
    s2.metric("What shopping for prices adds", f"{fmt(to_bits(gain), '+.4f')} bits per bet",
              f"{fmt((2 ** to_bits(gain) - 1) * 100, '+.2f')} % wealth per bet (full Kelly)", delta_color="off",
              delta_arrow="off", help="Expected log-growth at the best odds minus that at one bookmaker, same belief "
                                      "and market")
    found = score.prices_record()["arbitrage"]
    if found is not None:
        stakes = ", ".join(f"{k} {fmt(v, '.1%')}" for k, v in found["stakes"].items())
        safe.info(f"Sure profit: the best odds' booksum is {fmt(found['booksum'], '.4f')}; staking {stakes} of "
                  f"the outlay "
                  f"returns {fmt(found['profit_fraction'], '.2%')} whatever happens.")


def show_file_of_beliefs(markets: list[DiscreteMarket], beliefs: list[NamedBelief], held: int) -> None:
    """Every event a file of per-event beliefs covers, scored against its market: KL and tradable growth."""
    rows = []
    for market, named in zip(markets, beliefs, strict=True):
        try:
            score = score_named_belief(named, market)
        except InputError as exc:
            rows.append({"event": market.event, "KL (bits)": float("nan"), "tradable growth (bits)": float("nan"),
                         "problem": bounded(str(exc), 120)})
            continue
        growth = score.tradable.growth_nats if score.tradable is not None else float("nan")
        rows.append({"event": market.event, "KL (bits)": score.kl_bits, "tradable growth (bits)": to_bits(growth),
                     "problem": ""})
    frame = pd.DataFrame(rows)
    st.metric(f"Mean KL over the {len(frame)} events the file covers ({held} beliefs in it)",
              f"{fmt(frame['KL (bits)'].mean(), '.4f')} bits", delta_color="off", delta_arrow="off", help=TERMS["KL"])
    st.dataframe(frame, hide_index=True, width="stretch", height=220, column_config={
        "KL (bits)": st.column_config.NumberColumn(format="%.4f"),
        "tradable growth (bits)": st.column_config.NumberColumn(format="%.4f", help=TERMS["tradable"])})


def show_whole_match(spec: ScoreBelief, priced: list[PricedMarket]) -> None:
    """A score belief against every market of the match: the markets side by side, the score tables, the stakes
    across all markets together."""
    st.subheader("The whole match")
    try:
        scored = score_match(spec.table, priced, source_name)
        joint = joint_stakes(spec.table, priced)
    except InputError as exc:
        safe.error(str(exc))
        return
    rows = [{"market": m.name, "outcome": label, "market (%)": 100 * q_, "belief (%)": 100 * p_,
             "market KL (bits)": m.kl_nats / math.log(2)}
            for m in scored.markets for label, q_, p_ in zip(m.labels, m.market, m.belief, strict=True)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        "market (%)": st.column_config.NumberColumn(format="%.2f", help="The bookmaker's price, margin removed "
                                                    "(for a line with pushes: the share of the bets that settle)"),
        "belief (%)": st.column_config.NumberColumn(format="%.2f", help="What your score belief gives the outcome"),
        "market KL (bits)": st.column_config.NumberColumn(format="%.4f", help="KL(belief || market) of this market "
                                                          "alone (the same on each of its rows)")})
    m1, m2 = st.columns(2)
    m1.metric("KL over the whole match", fmt_bits(scored.match_kl_nats), fmt_nats(scored.match_kl_nats),
              delta_color="off", delta_arrow="off", help=TERMS["whole match"])
    m2.metric("Growth betting every market together", fmt_bits(joint.growth_nats),
              f"cash kept {fmt(joint.cash, '.1%')}", delta_color="off", delta_arrow="off", help=TERMS["joint stakes"])
    left_out = "; ".join(f"{name} ({why})" for name, why in scored.market_table.left_out)
    safe.caption("The market's score table is the one closest to plain Poisson goals that meets every market's "
                 "price" + (f"; left out: {left_out}" if left_out else "") + ".")
    h1, h2 = st.columns(2)
    h1.plotly_chart(score_table_heatmap(scored.market_table.table, "The market's score table (%)"), key="market_scores")
    h2.plotly_chart(score_table_heatmap(spec.table, "Your score table (%)"), key="belief_scores")
    stakes = [{"market": m, "outcome": o, "odds": odds, "stake (% of bankroll)": 100 * s}
              for m, o, odds, s in joint.bets if s > 0]
    if stakes:
        st.dataframe(pd.DataFrame(stakes), hide_index=True, width="stretch", column_config={
            "odds": st.column_config.NumberColumn(format="%.2f"),
            "stake (% of bankroll)": st.column_config.NumberColumn(format="%.2f", help="Full Kelly across the "
                                                                   "match's markets at once, at the odds on offer")})
    else:
        st.caption("At these odds no bet across the match's markets grows your wealth: keep it all in cash.")


@st.fragment
def stakes_and_exports(pair: ScoredPair, settings: dict[str, object]) -> None:
    """Bankroll, currency and Kelly fraction change only the stakes and the report: they rerun this part alone."""
    assert isinstance(pair.score, DiscreteScore)
    st.subheader("Stakes")
    c1, c2, c3 = st.columns(3)
    bankroll = c1.number_input("Bankroll", 0.0, 1e9, 1000.0, step=100.0, key="bankroll",
                               help="The money you bet from; stakes below are in this currency")
    currency = c2.text_input("Currency", "EUR", max_chars=5, key="currency")
    kelly_fraction = c3.slider("Kelly fraction", 0.0, 1.0, KELLY_DEFAULT, 0.05, key="kelly_fraction",
                               help=TERMS["Kelly fraction"])
    show_allocation(pair.score, bankroll, kelly_fraction, currency)
    c4, c5 = st.columns(2)
    unit = c4.number_input(f"Stake unit ({currency})", 0.01, 1000.0, 0.01, 0.01, key="stake_unit",
                           help="Stakes are rounded down to a multiple of this")
    limit = c5.number_input(f"Most on one bet ({currency}, 0: no limit)", 0.0, 1e9, 0.0, 10.0, key="max_stake")
    show_bet_slip(pair, bankroll, kelly_fraction, currency, venue, unit, limit or None)
    report_downloads(pair, market_source=source_name, belief_source=pair.belief.source or "table", method=method,
                     settings={**settings, "bankroll": f"{fmt(bankroll, ',.2f')} "
                                                       f"{currency}", "kelly_fraction": kelly_fraction},
                     bankroll=bankroll, kelly_fraction=kelly_fraction)


# a choice, not tabs: Streamlit runs every tab's code on every rerun, and the season view scores the whole file
view = st.radio("View", ["One event", "Whole file (season view)"], horizontal=True, key="betting_view",
                label_visibility="collapsed")

if view == "One event":
    events = [m.event for m in markets]
    event = st.selectbox(f"Event ({len(events)} in this file)", events, key="event")
    market = markets[events.index(event)]
    q = np.asarray(market.distribution.probabilities)

    st.subheader("Your belief")
    priced_match = match_markets_cached(path, raw_market, source_name, event, bookmaker, method) \
        if tuple(market.labels) == ONE_X_TWO_LABELS else None
    modes = ["Editing the table", "Stating views", "Uploading a file"] + (["A score (goals per side)"] if priced_match
                                                                          else [])
    belief_mode = st.radio("State it by", modes, horizontal=True, key="belief_mode",
                           help="A score: your expected goals for each side (Poisson goals, optionally Dixon-Coles' "
                                "low-score correction); it speaks to every market of the match at once")
    belief: NamedBelief | None = None
    read: BeliefUpload | None = None        # the belief file shown, in upload mode
    if belief_mode == "Editing the table":
        # What the user typed is theirs: kept exactly, whatever the method or bookmaker does to the market. Until
        # they type, the table is the market itself (exact, not rounded: no edge and nothing to normalise).
        typed_key = typed_belief_key(source_name, event)
        typed = st.session_state.get(typed_key)
        shown = np.asarray(typed, float) if typed is not None else q * 100
        editor_key = f"belief_table::{typed_key}::{st.session_state.get(typed_key + '::version', 0)}"
        edited = st.data_editor(
            pd.DataFrame({"outcome": list(market.labels), "probability (%)": shown}), key=editor_key,
            hide_index=True, disabled=["outcome"], on_change=keep_typed_belief, args=(editor_key, typed_key, shown),
            column_config={"probability (%)": st.column_config.NumberColumn(
                min_value=0.0, max_value=100.0, format="%.2f",
                help="Your probability of each outcome, in percent. Starts at the market's fair probability")})
        if typed is None:
            st.caption("The table starts at the market's own fair probabilities (no edge). Type yours.")
        elif st.button("Reset to the market", key="reset_belief"):
            del st.session_state[typed_key]
            st.rerun()
        values = edited["probability (%)"].to_numpy(dtype=float)
        if np.any(~np.isfinite(values)) or values.sum() <= 0:
            st.error("Every outcome needs a probability (write 0 for impossible).")
            st.stop()
        notes: list[str] = []
        normalisation_note(notes, "belief table", values.sum() / 100, f"probabilities summed to {values.sum():.4g} %")
        # untouched, the belief is the market's own probabilities, not their percentages divided back (no rounding)
        table_belief = DiscreteBelief(tuple(market.labels), q.copy() if typed is None else values / values.sum())
        belief = NamedBelief("table", table_belief, tuple(notes), "table")
    elif belief_mode == "Stating views":
        first = market.labels[0]
        belief = views_editor(f"views::{source_name}::{event}", f"P({first}) = {fmt(float(q[0]), '.6f')}",
                              f"Each line a view and a value: P({first}) = 0.5, P({market.labels[-1]}) <= 20%, or a "
                              f"set of outcomes P({'|'.join(market.labels[:2])}) >= 0.7. Relations: =, >=, <=")
        st.caption("Starts with a view the market already holds (the market's own probability); change the value "
                   "or add lines.")
        if belief is None:
            st.stop()
    elif belief_mode == "A score (goals per side)":
        assert priced_match is not None
        start_home, start_away = fitted_goals(priced_match)
        g1, g2, g3 = st.columns(3)
        home_goals = g1.number_input("Home goals (expected)", 0.05, 10.0, round(start_home, 2), 0.05,
                                     key=f"score_home::{source_name}::{event}")
        away_goals = g2.number_input("Away goals (expected)", 0.05, 10.0, round(start_away, 2), 0.05,
                                     key=f"score_away::{source_name}::{event}")
        rho = g3.number_input("Low-score correction rho", -0.2, 0.2, 0.0, 0.01,
                              key=f"score_rho::{source_name}::{event}",
                              help="Dixon-Coles: below 0 makes 0-0 and 1-1 likelier, 1-0 and 0-1 rarer (about -0.05 "
                                   "fits many leagues); 0: independent Poisson goals")
        st.caption(f"Starts at the goals that best fit the market's prices ({fmt(start_home, '.2f')} and "
                   f"{fmt(start_away, '.2f')}): change them to state your view of the match.")
        try:
            score_spec = ScoreBelief(poisson_table(home_goals, away_goals, rho),
                                     f"Poisson goals {home_goals:g}-{away_goals:g}" + (f", rho {rho:g}" if rho else ""))
        except InputError as exc:
            safe.error(str(exc))
            st.stop()
        belief = NamedBelief("score", score_spec, (), "score")
    else:
        upload = st.file_uploader("Belief file (outcome,probability CSV or JSON)", type=["csv", "json"],
                                  key="belief_upload")
        read = uploaded_beliefs(BELIEF_SLOT, upload, method)
        if read is None:
            st.info("Upload a belief file: outcome,probability rows, percentages allowed.")
            st.stop()
        beliefs = list(read.beliefs)
        by_event = {normalise_label(b.name): b for b in beliefs if b.name}
        covered = [m for m in markets if normalise_label(m.event) in by_event]
        if len(beliefs) > 1 and covered:
            # one belief per event (an `event` column): the whole file scored, then the chosen event in detail
            show_file_of_beliefs(covered, [by_event[normalise_label(m.event)] for m in covered], len(beliefs))
            if normalise_label(event) not in by_event:
                st.info("The file holds no belief for this event; choose one of the events it covers.")
                st.stop()
            belief = by_event[normalise_label(event)]
        else:
            belief = pick_belief(beliefs, key="belief_pick")

    with st.expander("Smoothing (for beliefs or markets with zeros)", expanded=False):
        smooth = st.radio("Smoothing (explicit, shown next to the result)", ["none", "epsilon", "blend"],
                          horizontal=True, key="smoothing",
                          help="epsilon floors belief and market at epsilon; blend mixes your belief with the market")
        amount = 0.0
        if smooth == "epsilon":
            amount = st.number_input("epsilon (probability, fraction)", 1e-6, 0.05, 0.001, format="%.6f", key="eps")
        elif smooth == "blend":
            amount = st.slider("market weight (fraction)", 0.0, 1.0, 0.5, key="blend")
    regularisation = Regularisation(smooth, amount) if smooth != "none" else None
    # a file that is read but cannot be scored never replaces the last file that could
    read, belief, score = score_keeping_last_good(
        BELIEF_SLOT, read, belief, lambda b: score_named_belief(b, market, regularisation=regularisation))
    if read is not None:
        safe.caption(f"Belief from {read.name}")

    show_headline(score)
    show_views(score.views)
    if shopping:
        show_shopping(score, belief, market.event, single_book_markets, bookmaker, regularisation)
    # what a bettor acts on comes first: the stakes at the odds on offer, then the charts that explain them
    stakes_and_exports(ScoredPair(market, belief, score), {
        "bookmaker": bookmaker_name(bookmaker) if bookmakers else "as in the file", "event": event,
        "bet at": "the best odds across bookmakers" if shopping else f"{bookmaker_name(bookmaker)}'s odds",
        "market probabilities": "a consensus of all bookmakers" if bookmakers and consensus else "the bookmaker's",
        "smoothing": regularisation.describe() if regularisation else "none"})
    save_to_journal(ScoredPair(market, belief, score), belief_text="", market_source=source_name, method=method,
                    key="betting_journal")
    c1, c2 = st.columns(2)
    c1.plotly_chart(market_vs_belief_bars(score), key="bars")
    c2.plotly_chart(contribution_bars(score), key="contributions")
    if isinstance(belief.spec, ScoreBelief) and priced_match:
        show_whole_match(belief.spec, priced_match)
    diag = market.distribution.diagnostics
    result = diag.get("result") or "not in the file"
    if "books" in diag:          # a consensus: each book de-margined on its own, then combined
        st.caption(f"Fair probabilities: the {market.distribution.method}, each bookmaker's margin removed by its "
                   f"own parameters first. Result: {result}.")
    else:
        params = ", ".join(f"{name} = {value:.4g}" for name, value in diag.get("params", {}).items()) or "none"
        st.caption(f"Fair probabilities by the {market.distribution.method} method (parameter {params}); the "
                   f"bookmaker's overround (margin) is {fmt(diag.get('overround', 0) * 100, '.2f')} % of the stakes. "
                   f"Result: {result}.")

else:
    if not bookmakers:
        st.info("The season view compares two bookmakers' columns of a football-data file, "
                "and the opening with the closing prices.")
    else:
        st.markdown("Score one bookmaker's fair probabilities (as the belief) against the market bookmaker, "
                    "match by match.")
        default = "PSC" if "PSC" in bookmakers else bookmakers[0]
        belief_book = st.selectbox("Belief bookmaker", bookmakers, index=bookmakers.index(default), key="belief_book",
                                   format_func=bookmaker_name)
        try:
            table = season_surprise(path, raw_market, source_name, odds_format, bookmaker, belief_book, method)
        except InputError as exc:
            safe.error(str(exc))
            st.stop()
        st.metric(safe.plain(f"Mean KL({belief_book} || {bookmaker}) per match"), f"{fmt(table.mean_bits, '.5f')} bits",
                  f"median {fmt(table.median_bits, '.5f')} bits over {len(table.events)} matches", delta_color="off",
                  delta_arrow="off")
        st.plotly_chart(season_histogram(table.surprise_bits, f"KL({belief_book} || {bookmaker}) per match"),
                        key="season_hist")
        frame = pd.DataFrame({"event": table.events, "KL (bits)": table.surprise_bits})
        st.dataframe(frame.sort_values("KL (bits)", ascending=False), hide_index=True, width="stretch", height=260)
        st.subheader("Bookmakers over the season")
        try:
            quality = pd.DataFrame(bookmaker_quality_cached(path, source_name, odds_format, method)) \
                if path is not None and "PSC" in bookmakers else pd.DataFrame()
        except InputError as exc:
            safe.warning(str(exc))
            quality = pd.DataFrame()
        if not quality.empty:
            quality["bookmaker"] = [bookmaker_name(b) for b in quality["bookmaker"]]
            st.dataframe(quality, hide_index=True, width="stretch", column_config={
                "mean margin (%)": st.column_config.NumberColumn(format="%.2f"),
                "KL(PSC || book), bits per match": st.column_config.NumberColumn(
                    format="%.5f", help="How far each bookmaker's fair probabilities sit from Pinnacle's closing "
                                        "line, the sharpest price in the file")})
        closing = f"{bookmaker}C" if f"{bookmaker}C" in bookmakers else None
        if closing:
            try:
                learned = season_surprise(path, raw_market, source_name, odds_format, bookmaker, closing, method)
                st.metric(safe.plain(f"Market surprise, KL(closing || opening) for {bookmaker}"),
                          f"{fmt(learned.mean_bits, '.5f')} bits per "
                          f"match", f"total {fmt(learned.total_bits, '.3f')} bits",
                          delta_color="off", delta_arrow="off",
                          help="How much the market learned between its opening and closing prices (Bayesian surprise)")
            except InputError as exc:
                safe.warning(str(exc))
