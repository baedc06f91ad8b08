"""Track record: did a belief's disagreement with the market pay over a season of resolved matches?"""

import numpy as np
import pandas as pd
import streamlit as st

from analytics.betting.margin import METHOD_NOTES, METHODS
from analytics.betting.odds_files import default_bookmaker, detect_kind, football_bookmakers
from analytics.betting.surprise import SurpriseTimeline, snapshot_series, surprise_timeline
from analytics.core.errors import InputError
from analytics.core.strict_json import dumps
from dashboard import safe
from dashboard.components import journal_engine
from dashboard.glossary import PER_MATCH_COLUMNS, TERMS, bookmaker_name
from dashboard.state import header_of, markets_of, track_record_cached
from data.bundled import ODDS_FILES
from data.journal import default_url
from reporting.figures import reliability_chart, season_histogram, surprise_timeline_chart, track_record_chart
from reporting.formatting import fmt
from reporting.report import table_csv, track_record_html
from services.journal import journal_track_record
from services.track import TrackRecord

st.title("Track record")
st.caption("Did the disagreement pay? Your belief's predicted edge (KL) against what it earned when the matches "
           "were played, the closing line it beat, and how well calibrated it was, match by match.")


def surprise_timeline_section() -> None:
    """A prediction market's news per step, from a bundled file of daily prices or from the markets the user
    watches (`watch` stores their snapshots in the journal's database), whatever the backtest above shows."""
    st.divider()
    st.subheader("The market's surprise over time")
    st.caption("How much news reached a market between its snapshots: KL(now || before) in bits, step by step.")
    origin = st.radio("Snapshots from", ["A bundled prediction-market file", "Markets you watch"], horizontal=True,
                      key="timeline_origin", help="Markets you watch: the snapshots `python -m analytics watch` "
                      "stored in the journal's database, one per change of price")
    if origin == "Markets you watch":
        watched_timeline_section()
        return
    pred_files = [b for b in ODDS_FILES if detect_kind(header_of(str(b.path), None, b.label)) in ("polymarket",
                                                                                                     "predictit")]
    if pred_files:
        pick = st.selectbox("Prediction-market file", [b.label for b in pred_files], key="timeline_file")
        chosen_file = next(b for b in pred_files if b.label == pick)
        series = snapshot_series(markets_of(str(chosen_file.path), None, chosen_file.label, chosen_file.odds_format,
                                            "B365", "multiplicative"))
        name = st.selectbox("Market", sorted(series), key="timeline_market")
        times, snapshots = series[name]
        show_timeline(surprise_timeline(times, snapshots), "on both days")


WATCHED_STEPS_SHOWN = 500      # the latest snapshots of a watched market drawn on the page


def watched_timeline_section() -> None:
    """The timeline of a watched market, read from the journal's database."""
    from data.journal import shown_url, watched_markets
    from services.watch import snapshot_markets

    try:
        engine = journal_engine(default_url())
        watched = [w for w in watched_markets(engine) if w[2] >= 2]
    except InputError as exc:
        safe.error(str(exc))
        return
    if not watched:
        safe.info(f"No market has two snapshots yet in {shown_url(engine.url)}. Watch one from the command line, "
                  "e.g. python -m analytics watch polymarket EVENT-SLUG --every 60 --count 60 (a snapshot is kept "
                  "each time its prices change).")
        return
    names = {f"{source} {market_id} ({count} snapshots)": (source, market_id) for source, market_id, count in watched}
    source, market_id = names[st.selectbox("Watched market", list(names), key="watched_market")]
    times, snapshots = snapshot_markets(engine, source, market_id, limit=WATCHED_STEPS_SHOWN)
    events = list(dict.fromkeys(m.event for markets in snapshots for m in markets))
    event = st.selectbox("Event", events, key="watched_event") if len(events) > 1 else events[0]
    kept = [(when, m) for when, markets in zip(times, snapshots, strict=True) for m in markets if m.event == event]
    if len(kept) < 2:
        safe.info(f"{event}: fewer than two snapshots; watch it longer.")
        return
    show_timeline(surprise_timeline([w for w, _m in kept], [m for _w, m in kept]), "in both snapshots")


def show_timeline(timeline: SurpriseTimeline, both: str) -> None:
    """The timeline's total, largest step, newly listed outcomes and chart."""
    k, sentence = timeline.largest_step()
    t1, t2 = st.columns(2)
    t1.metric(f"News over {len(timeline.step_bits)} steps", f"{fmt(timeline.total_bits, '.3f')} bits",
              f"{fmt(timeline.total_bits / len(timeline.step_bits), '.4f')} bits per step", delta_color="off",
              delta_arrow="off", help="The sum of KL(each snapshot || the one before it)")
    t2.metric("Largest step", f"{fmt(timeline.step_bits[k], '.3f')} bits",
              f"{timeline.times[k]} to {timeline.times[k + 1]}", delta_color="off", delta_arrow="off")
    arrivals = int(np.count_nonzero(timeline.entered))
    entries = (f" {arrivals} times outcomes were newly listed, with {fmt(timeline.entered.sum(), '.1%')} of the "
               f"probability in all (the largest {fmt(timeline.entered.max(), '.1%')}); that is news of a known size, "
               "shown apart, not counted as surprise." if arrivals else "")
    safe.caption(f"Largest move: {sentence}. Prices margin-removed multiplicatively; each step compares the "
                 f"outcomes listed {both}.{entries}")
    st.plotly_chart(surprise_timeline_chart(timeline), key="timeline_chart")


seasons = [b for b in ODDS_FILES if detect_kind(header_of(str(b.path), None, b.label)) == "football-data"]
chosen = st.selectbox("Season (results and odds from the file)", [b.label for b in seasons], key="track_season")
season = next(b for b in seasons if b.label == chosen)
books = football_bookmakers(header_of(str(season.path), None, season.label))
c1, c2, c3 = st.columns(3)
market_book = c1.selectbox("Market: the odds you bet at", books,
                           index=books.index(default_bookmaker(books)) if books else 0, key="track_market",
                           format_func=bookmaker_name,
                           help="Whose odds are the market: its fair odds, and the prices stakes are placed at")
method = c2.selectbox("Margin removal", METHODS, index=METHODS.index("shin"), key="track_method",
                      format_func=lambda m: f"{m}: {METHOD_NOTES[m]}", help=TERMS["margin removal"])
kelly_fraction = c3.slider("Kelly fraction", 0.0, 1.0, 0.5, 0.05, key="track_kelly", help=TERMS["Kelly fraction"])

b1, b2 = st.columns(2)
GOALS_MODEL = "The goals model (Dixon-Coles)"
belief_kind = b1.radio("Belief", ["Another bookmaker of this file", GOALS_MODEL, "Upload per-match beliefs",
                                  "My journal (resolved entries)"], horizontal=True, key="track_belief_kind",
                       help=f"{GOALS_MODEL}: goals of each side Poisson with team attack and defence strengths, "
                            "refitted on the season's results before each match day (recent ones weigh more); its "
                            "home/draw/away probabilities are the belief")
belief_book: str | None = None
belief_raw: bytes | None = None
belief_name = ""
if belief_kind == "My journal (resolved entries)":
    b1.caption("The entries you saved and resolved on the Journal page, each against the market it was saved with "
               "(the season, bookmaker and closing line above do not apply).")
elif belief_kind == GOALS_MODEL:
    b1.caption("Before each match day the model is fitted on the results of the days before it only: what a "
               "bettor with this model could have believed then.")
elif belief_kind == "Another bookmaker of this file":
    belief_book = b1.selectbox("Belief bookmaker", books, index=books.index("PSC") if "PSC" in books else 0,
                               key="track_belief_book", format_func=bookmaker_name)
else:
    upload = b1.file_uploader("Beliefs: event,outcome,probability (one block of rows per match)",
                              type=["csv", "json"], key="track_belief_upload")
    if upload is None:
        st.info("Upload per-match beliefs (event names as in the season: YYYY-MM-DD Home Team v Away Team), or "
                "choose another bookmaker as the belief.")
        surprise_timeline_section()
        st.stop()
    belief_raw, belief_name = upload.getvalue(), upload.name
closing_choices = ["none", *[b for b in books if b.endswith("C")]]
closing = b2.selectbox("Closing line (the truth for closing-line value)", closing_choices,
                       index=closing_choices.index("PSC") if "PSC" in closing_choices else 0, key="track_closing",
                       format_func=lambda b: "none" if b == "none" else bookmaker_name(b),
                       help="The closing odds of a sharp bookmaker: beating them is the bettor's long-run predictor "
                            "of profit")
results = b2.file_uploader("Results (optional; event,outcome): the season's own results by default", type=["csv"],
                           key="track_results")

try:
    if belief_kind == "My journal (resolved entries)":
        found = journal_track_record(journal_engine(default_url()))
        if found is None:
            st.info("No resolved journal entries about named outcomes yet: save a belief on the Betting page, then "
                    "record its outcome on the Journal page.")
            surprise_timeline_section()
            st.stop()
        track = TrackRecord(found, (), ())
    else:
        track = track_record_cached(str(season.path), season.label, season.odds_format, market_book, belief_book,
                                    None if closing == "none" else closing, method, kelly_fraction, belief_raw,
                                    belief_name, None if results is None else results.getvalue(),
                                    "" if results is None else results.name,
                                    "model:dixon-coles" if belief_kind == GOALS_MODEL else None)
except InputError as exc:
    safe.error(str(exc))
    surprise_timeline_section()
    st.stop()
result, summary = track.result, track.result.summary()
if belief_book is not None and belief_book.endswith("C") and not market_book.endswith("C"):
    safe.warning(f"Look-ahead: the belief ({bookmaker_name(belief_book)}) uses prices from just before kick-off, "
                 f"after the market's ({bookmaker_name(market_book)}) were offered. {TERMS['look-ahead']} It shows "
                 "what the closing line knew, not an edge a bettor could have taken then.")


matches = f"{summary['events']} match{'es' if summary['events'] != 1 else ''}"
for warning in track.warnings:
    safe.warning(warning)

# two rows of two: four in a row cut the first label short on a laptop screen
m1, m2 = st.columns(2)
m3, m4 = st.columns(2)
m1.metric(f"Predicted edge over {matches}", f"{fmt(summary['predicted_kl_bits_total'], '.3f')} bits",
          f"{fmt(summary['predicted_kl_bits_mean'], '.5f')} bits per match", delta_color="off", delta_arrow="off",
          help="The sum of KL(belief || market): what the belief expected to earn at fair prices, if it was right")
low, high = summary["realised_growth_fair_bits_ci95"]
m2.metric("Realised at fair prices", f"{fmt(summary['realised_growth_fair_bits_total'], '.3f')} bits",
          f"{fmt(summary['realised_growth_fair_bits_mean'], '.5f')} bits per match",
          delta_color="off", delta_arrow="off",
          help="The sum over matches of log2(p/q) of the result that happened: the log-wealth a full-Kelly bettor "
               "with your belief gained against fair prices. The interval is a bootstrap 95 % interval of the mean")
m3.metric("Is the edge real? (p-value)", fmt(summary["dm_p_value"], ".4f"),
          f"Diebold-Mariano {fmt(summary['dm_statistic'], '.2f')}", delta_color="off", delta_arrow="off",
          help=TERMS["Diebold-Mariano"])
tradable = summary["realised_growth_tradable_bits_total"]
m4.metric(f"At the odds, {kelly_fraction:g} Kelly", "n/a" if tradable is None else f"{fmt(tradable, '.3f')} bits",
          None if summary["clv_bits_total"] is None else f"closing-line value "
                                                         f"{fmt(summary['clv_bits_total'], '.3f')} bits",
          delta_color="off", delta_arrow="off",
          help="Realised log-growth (bits) of the Kelly-with-cash stakes at the market's odds (margin included). "
               + TERMS["closing-line value"])
st.caption(f"Realised per match: {fmt(summary['realised_growth_fair_bits_mean'], '.5f')} bits, 95 % interval "
           f"{fmt(low, '.5f')} to {fmt(high, '.5f')} bits (bootstrap of the matches). The p-value tests whether "
           "the belief's log score beat the market's by more than luck would.")
m5, m6 = st.columns(2)
if summary["rps_belief_mean"] is not None:
    m5.metric("Ranked probability score (mean)", f"{fmt(summary['rps_belief_mean'], '.4f')}",
              f"market {fmt(summary['rps_market_mean'], '.4f')}", delta_color="off", delta_arrow="off",
              help=TERMS["RPS"])
if summary["drawdown_50_probability"] is not None:
    m6.metric(f"Chance of a 50 % drawdown at {kelly_fraction:g} Kelly",
              f"{fmt(summary['drawdown_50_probability'], '.1%')}", "if the belief is right (10,000 seasons)",
              delta_color="off", delta_arrow="off", help=TERMS["drawdown"])
if track.skipped:
    with st.expander(f"{len(track.skipped)} matches left out"):
        st.dataframe(pd.DataFrame(list(track.skipped)), hide_index=True, width="stretch")

left, right = st.columns(2)
left.plotly_chart(track_record_chart(result), key="track_chart")
right.plotly_chart(reliability_chart(result.calibration), key="calibration_chart")
calibration = result.calibration
right.caption("Log score, in bits per forecast: uncertainty - resolution + reliability (lower reliability is "
              "better calibrated). Belief: reliability {:.4f}, resolution {:.4f}; market: reliability {:.4f}, "
              "resolution {:.4f}; uncertainty {:.4f}.".format(
                  calibration["belief"]["reliability_bits"], calibration["belief"]["resolution_bits"],
                  calibration["market"]["reliability_bits"], calibration["market"]["resolution_bits"],
                  calibration["belief"]["uncertainty_bits"]))
left.plotly_chart(season_histogram(result.realised_fair_bits, "Realised edge per match",
                                   "log2(p/q) of the result (bits)"), key="edge_histogram")
table = pd.DataFrame(result.per_event())
# the whole width: in half of it, all but the first three columns were off to the side
st.dataframe(table, hide_index=True, width="stretch", height=360, column_config={
    "event": st.column_config.TextColumn("event", pinned=True),
    **{name: st.column_config.NumberColumn(label, format="%.4f", help=explained)
       for name, (label, explained) in PER_MATCH_COLUMNS.items() if name in table.columns}})

record = track.record()
d1, d2, d3 = st.columns(3)
d3.download_button("Download HTML report", lambda: track_record_html(
    summary, table, [track_record_chart(result), reliability_chart(result.calibration)],
    inputs={"season": season.label if belief_kind != "My journal (resolved entries)" else "journal",
            "market": market_book, "belief": belief_book or belief_name or belief_kind, "closing line": closing,
            "method": method, "kelly_fraction": kelly_fraction}), file_name="track-record.html", mime="text/html",
    key="track_html", on_click="ignore")
d1.download_button("Download JSON", dumps(record, indent=2), file_name="track-record.json", mime="application/json",
                   key="track_json", on_click="ignore")
d2.download_button("Download CSV (per match)", table_csv(record["per_event"]), file_name="track-record.csv",
                   mime="text/csv", key="track_csv", on_click="ignore")
st.caption("Realised growth at fair prices is the belief's log score minus the market's, match by match; its "
           "expectation is the truth's KL to the market minus its KL to the belief.")

surprise_timeline_section()
