"""Widgets that show a score: headline metrics with units and tooltips, the outcome table."""

from __future__ import annotations

import functools
from typing import Any, Mapping

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analytics.beliefs.spec import NamedBelief
from analytics.betting.kelly import growth_of_stakes
from analytics.betting.risk import stake_risk
from analytics.core.errors import InputError
from analytics.core.units import to_bits
from analytics.scoring.continuous import ContinuousScore
from analytics.scoring.discrete import HEADLINE_LABEL, DiscreteScore
from analytics.scoring.pairs import ScoredPair
from analytics.views.projection import ViewFit
from dashboard import safe
from dashboard.glossary import HELP, HELP_EDGE
from reporting.formatting import fmt, fmt_bits, fmt_nats
from reporting.tables import outcome_table

MIN_CONTRACTS_SHOWN = 0.01      # legs of fewer contracts than this are shown as one row on the Options page


def pick_belief(beliefs: list[NamedBelief], key: str) -> NamedBelief:
    """The one belief of a file, or the one the user picks by name when the file holds several."""
    names = [b.name or "(belief)" for b in beliefs]
    chosen = st.selectbox("Belief in the file", names, key=key) if len(beliefs) > 1 else names[0]
    return beliefs[names.index(chosen)]


def _headline_grid() -> tuple[DeltaGenerator, DeltaGenerator, DeltaGenerator, DeltaGenerator]:
    """Two rows of two: the headline and the figure beside it first, the other divergences below. Four in a row
    cut the headline's label short on a laptop screen."""
    c1, c4 = st.columns(2)
    c2, c3 = st.columns(2)
    return c1, c2, c3, c4


def show_headline(score: DiscreteScore) -> None:
    c1, c2, c3, c4 = _headline_grid()
    c1.metric(HEADLINE_LABEL, fmt_bits(score.kl_nats), fmt_nats(score.kl_nats), delta_color="off", delta_arrow="off",
              help=HELP["kl"])
    c2.metric("Reverse KL, KL(market || belief)", fmt_bits(score.reverse_kl_nats), fmt_nats(score.reverse_kl_nats),
              delta_color="off", delta_arrow="off", help=HELP["reverse"])
    c3.metric("Jensen-Shannon divergence", fmt_bits(score.js_nats), fmt_nats(score.js_nats), delta_color="off",
              delta_arrow="off", help=HELP["js"])
    if score.tradable is not None:
        c4.metric("Kelly growth at tradable prices", fmt_bits(score.tradable.growth_nats),
                  fmt_nats(score.tradable.growth_nats), delta_color="off", delta_arrow="off", help=HELP["tradable"])
    else:
        c4.metric("Kelly growth at tradable prices", "n/a", "no tradable prices in this market", delta_color="off",
                  delta_arrow="off", help=HELP["tradable"])
    if score.infinite_outcomes:
        safe.error(f"Infinite surprise: the market gives probability 0 to {', '.join(score.infinite_outcomes)}, "
                 "which your belief thinks possible. Use the smoothing control to see a finite value.")
    if score.regularisation is not None:
        raw = score.raw_kl_nats if score.raw_kl_nats is not None else float("nan")
        safe.info(f"Smoothing on: {score.regularisation.describe()}. Unsmoothed KL: {fmt_bits(raw)}.")
    for warning in score.warnings:
        safe.warning(warning)


def show_allocation(score: DiscreteScore, bankroll: float, kelly_fraction: float, currency: str) -> None:
    """The stakes: at the odds one can take first (the position), fair-price stakes as the explanation."""
    table = outcome_table(score, bankroll, kelly_fraction)
    # short headers, each explained on hover, so the whole table fits a 1280-pixel screen without scrolling sideways
    percent = {name: st.column_config.NumberColumn(label, format="%.2f", help=explained) for name, label, explained in (
        ("market q (%)", "market q (%)", "The market's fair probability of the outcome (margin removed)"),
        ("belief p (%)", "belief p (%)", "Your probability of the outcome"),
        ("edge p/q - 1 (%)", "edge (%)", "p/q - 1: how much more likely you think the outcome is than the market "
                                         "does (negative: less likely)"),
        ("EV per unit at odds (%)", "EV at odds (%)", "Expected profit per unit staked at the odds on offer, if "
                                                      "your belief is right (the margin makes it negative unless "
                                                      "your edge beats it)"))}
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        **percent,
        "tradable stake": st.column_config.NumberColumn(
            f"stake ({currency})", format="%.2f",
            help=f"Kelly with cash at the odds on offer, at Kelly fraction {kelly_fraction:g}: what to bet"),
        "odds (decimal)": st.column_config.NumberColumn("odds", format="%.2f", help="Decimal odds on offer: the "
                                                        "payout per unit staked, stake included"),
        "KL term (bits)": st.column_config.NumberColumn(
            "KL term (bits)", format="%.4f", help="This outcome's share of KL(belief || market): p log2(p/q)"),
        "fair-price stake": st.column_config.NumberColumn(
            f"fair stake ({currency})", format="%.2f",
            help="Kelly at fair (margin-free) prices stakes the fraction p of wealth on each outcome"),
    })
    t = score.tradable
    if t is not None and score.odds is not None:
        stakes = kelly_fraction * t.stakes
        growth = growth_of_stakes(score.belief, score.odds, stakes)
        cash = bankroll * (1 - stakes.sum())
        hedges = [lab for lab, h in zip(score.labels, t.hedges, strict=True) if h]
        which = "full Kelly" if kelly_fraction == 1 else f"{kelly_fraction:g} Kelly"
        st.caption(f"At the offered odds (booksum {fmt(t.booksum, '.4f')}, margin "
                   f"{fmt((t.booksum - 1) * 100, '.2f')} %), {which}: "
                   f"keep {fmt(cash, ',.2f')} {currency} in cash; expected log-growth {fmt_bits(growth, 5)} per bet "
                   f"(the headline's tradable growth is full Kelly)."
                   + (f" {', '.join(hedges)} staked despite a negative EV: it hedges the cash kept." if hedges else ""))
        risk = stake_risk(score.belief, score.odds, stakes)
        st.caption(f"If your belief is right, these stakes lose money with probability "
                   f"{fmt(risk.loss_probability, '.1%')}; in the worst 5 % of outcomes you lose "
                   f"{fmt(risk.es_95, '.1%')} of the bankroll on average (value at risk at 95 %: "
                   f"{fmt(risk.var_95, '.1%')}; at worst {fmt(risk.worst_loss, '.1%')}).")


def report_downloads(pair: ScoredPair, *, market_source: str, belief_source: str, method: str,
                     settings: Mapping[str, Any] | None = None, bankroll: float = 1.0,
                     kelly_fraction: float = 1.0) -> None:
    """Download buttons for the report of what the screen shows (HTML, JSON, CSV now; PDF on request), with the
    screen's settings recorded and its stakes."""
    from reporting.report import build_report, render, report_fingerprint

    def full_report(suffix: str) -> bytes:
        return render(build_report([pair], market_source=market_source, belief_source=belief_source, method=method,
                                   settings=settings, bankroll=bankroll, kelly_fraction=kelly_fraction), suffix)

    # the numbers alone say whether a prepared PDF is still this screen's; the charts are drawn only on a click
    fingerprint = report_fingerprint(build_report(
        [pair], market_source=market_source, belief_source=belief_source, method=method, settings=settings,
        bankroll=bankroll, kelly_fraction=kelly_fraction, figures=False))
    st.subheader("Export")
    cols = st.columns(4)
    for col, (suffix, mime, label) in zip(cols[:3], [(".html", "text/html", "Download HTML report"),
                                                     (".json", "application/json", "Download JSON"),
                                                     (".csv", "text/csv", "Download CSV")], strict=True):
        col.download_button(label, functools.partial(full_report, suffix), file_name=f"disagreement-report{suffix}",
                            mime=mime, key=f"download{suffix}", on_click="ignore")
    if cols[3].button("Prepare PDF", key="prepare_pdf", help="Draws the figures with Chromium (a few seconds)"):
        try:
            with st.spinner("Rendering the PDF..."):
                st.session_state["report_pdf"] = (fingerprint, full_report(".pdf"))
        except InputError as exc:
            safe.error(str(exc))
    prepared = st.session_state.get("report_pdf")
    # a PDF prepared for another match, bookmaker, belief or page is never offered: only the one of this screen
    if prepared is not None and prepared[0] == fingerprint:
        cols[3].download_button("Download PDF", prepared[1], file_name="disagreement-report.pdf",
                                mime="application/pdf", key="download.pdf", on_click="ignore")


HELP_CONTINUOUS = {
    "kl": ("KL(belief || market) = integral of p log(p/q) over the price at expiry. With your belief p, the payoff "
           "W0 e^{rT} p/q (buildable from the options) grows wealth by rT + KL in expectation: the continuous "
           "Kelly edge against the option market's risk-neutral density q."),
    "beyond": ("Part of the KL that comes from prices beyond the outermost quoted strikes, where the market density "
               "is extrapolated, not quoted."),
}


def show_continuous_headline(score: ContinuousScore) -> None:
    """Headline metrics of a ContinuousScore, with units and tooltips; warnings shown, never blocking."""
    c1, c2, c3, c4 = _headline_grid()
    c1.metric(HEADLINE_LABEL, fmt_bits(score.kl_nats), fmt_nats(score.kl_nats), delta_color="off",
              delta_arrow="off", help=HELP_CONTINUOUS["kl"])
    c2.metric("Reverse KL, KL(market || belief)", fmt_bits(score.reverse_kl_nats), fmt_nats(score.reverse_kl_nats),
              delta_color="off", delta_arrow="off", help=HELP["reverse"])
    c3.metric("Jensen-Shannon divergence", fmt_bits(score.js_nats), fmt_nats(score.js_nats), delta_color="off",
              delta_arrow="off", help=HELP["js"])
    beyond = score.kl_beyond_quoted_nats
    # a share of a KL that rounds to zero is noise over noise: shown only where there is an edge to share
    share = None if beyond is None or abs(score.kl_nats) < 1e-10 else \
        f"{fmt(beyond / score.kl_nats, '.1%')} of the KL"
    c4.metric("KL from beyond the quoted strikes", "n/a" if beyond is None else fmt_bits(beyond), share,
              delta_color="off", delta_arrow="off", help=HELP_CONTINUOUS["beyond"])
    if score.infinite_regions:
        regions = ", ".join(score.infinite_regions)
        safe.error(f"Infinite surprise: the market density is 0 where your belief is not ({regions}).")
    for warning in score.warnings:
        safe.warning(warning)




def show_options_edge(score: ContinuousScore, bankroll: float, currency: str) -> None:
    """The options edge on the page: what listed options capture at today's quotes, the legs in contracts and
    currency for the bankroll, and the payoff beside the growth-optimal one."""
    from reporting.figures import payoff_chart
    from reporting.tables import CONTRACT_SIZE, edge_summary, legs_table

    edge = score.edge
    st.subheader("The edge you can trade today")
    if edge is None:
        st.info("State a view to see the trades that capture it at today's quotes.")
        return
    position = edge.position
    which = "full Kelly" if edge.kelly_fraction == 1 else f"{edge.kelly_fraction:g} Kelly"
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(f"At the quotes ({which})", fmt_bits(position.growth_nats), fmt_nats(position.growth_nats),
              delta_color="off", delta_arrow="off", help=HELP_EDGE["tradable"])
    c2.metric("Listed strikes, no spread", fmt_bits(edge.growth_mid_nats), fmt_nats(edge.growth_mid_nats),
              delta_color="off", delta_arrow="off", help=HELP_EDGE["mid"])
    c3.metric("Butterflies at every strike", fmt_bits(edge.butterfly_growth_nats),
              fmt_nats(edge.butterfly_growth_nats), delta_color="off", delta_arrow="off", help=HELP_EDGE["butterfly"])
    c4.metric("If the market is right", fmt_bits(position.market_growth_nats), fmt_nats(position.market_growth_nats),
              delta_color="off", delta_arrow="off", help=HELP_EDGE["market right"])
    if position.arbitrage:
        safe.warning(position.arbitrage)
    if edge.quotes_cheaper_nats > 0:
        st.caption(f"At the quotes the position earns {fmt_bits(edge.quotes_cheaper_nats)} more than the KL ceiling "
                   f"({fmt_bits(edge.kl_nats)}). The ceiling prices every payoff with the fitted market density; some "
                   "quotes are cheaper than the density prices them, and buying them there earns the difference: "
                   "quotes cheaper than the fitted density, not an error.")
    if edge.gamma != 1 or edge.market_gamma is not None:
        r1, r2, r3 = st.columns(3)
        r1.metric(f"Certainty-equivalent edge, gamma {edge.gamma:g}", fmt_bits(edge.renyi_nats),
                  fmt_nats(edge.renyi_nats), delta_color="off", delta_arrow="off", help=HELP_EDGE["renyi"])
        if edge.market_gamma is not None and edge.kl_real_world_nats is not None \
                and edge.kl_price_of_risk_nats is not None:
            r2.metric(f"KL vs risk-adjusted market (gamma_m {edge.market_gamma:g})",
                      fmt_bits(edge.kl_real_world_nats), fmt_nats(edge.kl_real_world_nats), delta_color="off",
                      delta_arrow="off", help=HELP_EDGE["real world"])
            r3.metric("Price of risk in the market", fmt_bits(edge.kl_price_of_risk_nats),
                      fmt_nats(edge.kl_price_of_risk_nats), delta_color="off", delta_arrow="off",
                      help=HELP_EDGE["price of risk"])
    left, right = st.columns([4, 5])      # the table's row names need the wider half at 1280 pixels
    left.plotly_chart(payoff_chart(score), key="payoff_chart")
    with right:
        if not position.legs:
            st.info("No trade: at these quotes your belief sees no option worth buying at the ask or selling at "
                    "the bid, so the best position is cash.")
        st.dataframe(edge_summary(edge), hide_index=True, width="stretch", column_config={
            "bits": st.column_config.NumberColumn(format="%.4f"), "nats": st.column_config.NumberColumn(format="%.4f")})
    if position.legs:
        with st.expander(f"The fractional position behind 'at the quotes' ({len(position.legs)} legs, before "
                         "commissions; the order ticket below is what to send)", expanded=False):
            # legs a hundredth of a contract or less cannot be traded one by one: one row says what they add up to
            st.dataframe(legs_table(edge, bankroll, min_contracts=MIN_CONTRACTS_SHOWN, summary_rows=False),
                         hide_index=True, width="stretch", column_config={
                "strike": st.column_config.NumberColumn(format="%.2f"),
                "contracts": st.column_config.NumberColumn(format="%.2f", help="contracts of 100 shares"),
                "quote (per share)": st.column_config.NumberColumn(format="%.2f"),
                "cost": st.column_config.NumberColumn(f"cost ({currency})", format="%,.2f",
                                                      help="positive when paid, negative when received")})
            small = [leg for leg in position.legs if leg.quantity * bankroll / CONTRACT_SIZE < MIN_CONTRACTS_SHOWN]
            small_cost = sum(leg.cost for leg in small) * bankroll
            rest = (f" {len(small)} more legs under {MIN_CONTRACTS_SHOWN:g} contracts each (the optimiser's fine "
                    f"shaping of the payoff, far from the money) cost {fmt(small_cost, ',.2f')} {currency} together; "
                    "the JSON and CSV exports list them one by one." if small else "")
            st.caption(f"{len(position.legs)} legs for a bankroll of {fmt(bankroll, ',.0f')} {currency}; buy at the "
                       f"ask, sell at the bid; {fmt(position.cash_fraction * bankroll, ',.2f')} {currency} held in the "
                       f"bond to expiry. Contracts are of 100 shares.{rest}")


def views_editor(key: str, starting_view: str, hint: str) -> NamedBelief | None:
    """Views the user types, one per line ('P(>720) = 0.3', 'mean >= 705'); None with a message when a line cannot be
    read. It starts with a view the market already meets, so nothing is claimed until it is edited."""
    from analytics.views.spec import views_from_lines

    text = st.text_area("Your views, one per line", value=starting_view, key=key, height=120, help=hint)
    try:
        views = views_from_lines(text, "views")
    except InputError as exc:
        safe.error(str(exc))
        return None
    return NamedBelief("views", views, (), "views")


def show_views(fit: ViewFit | None) -> None:
    """Each view's multiplier, whether it binds, and the edge it adds (bits)."""
    if fit is None:
        return
    frame = pd.DataFrame({"view": list(fit.labels), "binds": list(fit.binding),
                          "multiplier (nats per unit)": fit.multipliers,
                          "edge it adds (bits)": to_bits(fit.kl_added_nats),
                          "share of the KL": [r["kl_share"] for r in fit.as_records()]})
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        "multiplier (nats per unit)": st.column_config.NumberColumn(format="%.4g", help=(
            "How much the KL moves, in nats, per unit of the view's value (per unit of probability: 1 is 100 "
            "percentage points; per unit of price for a mean or a quantile). 0: the view does not bind, the market "
            "already meets it; infinite: the view rules outcomes out")),
        "edge it adds (bits)": st.column_config.NumberColumn(format="%.4f", help=(
            "The KL with every view, minus the KL without this one: the edge this view adds to the others")),
        "share of the KL": st.column_config.NumberColumn(format="percent", help=(
            "That added edge as a share of the whole KL (the shares need not add up to 100 %)"))})
    st.caption("Your belief is the market moved as little as possible (in KL) to meet these views: the least edge "
               "they imply on their own.")


@st.cache_resource
def journal_engine(url: str) -> Any:
    """One engine per journal database for all sessions (connections are pooled)."""
    from data.journal import connect

    return connect(url)


def save_to_journal(pair: ScoredPair, *, belief_text: str, market_source: str, method: str, key: str) -> None:
    """'Save to journal' beside a score: a note and tags, then the entry with the market it was scored against."""
    from data.journal import default_url
    from services.journal import belief_file_form, save_pair

    with st.expander("Save to journal", icon=":material/bookmark_add:"):
        c1, c2, c3 = st.columns([3, 2, 1])
        note = c1.text_input("Note", key=f"{key}_note", max_chars=2000)
        tags = c2.text_input("Tags (comma-separated)", key=f"{key}_tags", max_chars=500)
        if c3.button("Save", key=f"{key}_save", help="Keeps the belief, the market it was scored against and the "
                                                       "scores, to revisit, re-score and resolve on the Journal page"):
            try:
                engine = journal_engine(default_url())
                entry_id = save_pair(engine, pair, belief_text=belief_file_form(pair.belief, belief_text),
                                     market_source=market_source, method=method, note=note,
                                     entry_tags=[t for t in tags.split(",") if t.strip()])
            except InputError as exc:
                safe.error(str(exc))
                return
            st.success(f"Saved as journal entry {entry_id}.")


def show_order_ticket(score: ContinuousScore, currency: str) -> None:
    """The order ticket on the page: whole contracts after commissions, what it grows and can lose, its structures,
    and the ticket to download (CSV and JSON, built once per state and served without a rerun)."""
    from reporting.tickets import ticket_csv, ticket_frame, ticket_json

    ticket = score.edge.ticket if score.edge is not None else None
    if ticket is None:
        return
    st.subheader("Order ticket")
    s = ticket.settings
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Growth of the ticket", fmt_bits(ticket.growth_nats), fmt_nats(ticket.growth_nats), delta_color="off",
              delta_arrow="off", help="Expected log growth of the whole-contract orders after commissions, if your "
                                      "belief is right, over the option's life")
    c2.metric("Fractional contracts", fmt_bits(ticket.continuous_growth_nats),
              fmt_nats(ticket.continuous_growth_nats), delta_color="off", delta_arrow="off",
              help="The same trade in fractions of a contract (no per-order charge): what whole contracts give up")
    c3.metric(f"Worst-case loss ({currency})", fmt(ticket.max_loss, ",.2f"),
              f"{fmt(ticket.max_loss / ticket.bankroll, '.1%')} of the bankroll", delta_color="off",
              delta_arrow="off", help="Bankroll minus the lowest wealth at expiry over every price, in today's money")
    c4.metric(f"Cash in the bond ({currency})", fmt(ticket.cash, ",.2f"), delta_color="off", delta_arrow="off",
              help="What the orders and commissions leave of the bankroll")
    if ticket.gamma != 1:
        st.caption(f"Risk aversion gamma {ticket.gamma:g}: the orders maximise the expected CRRA utility; their "
                   f"certainty-equivalent growth is {fmt_bits(ticket.certainty_equivalent_nats)}.")
    if not ticket.orders:
        st.info("No orders: after commissions and rounding to whole contracts, no trade beats holding cash.")
        return
    # the symbol carries the type and expiry, the caption names each structure by its number: the columns left fit
    # a 1280-pixel screen (the structures' names, 'put spread: long 600/650, short 680', did not)
    shown = ticket_frame(ticket)[["side", "contracts", "symbol", "strike", "limit", "premium", "commission"]]
    shown.insert(0, "structure", [order.structure + 1 for order in ticket.orders])
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "structure": st.column_config.NumberColumn(help="The structure the order belongs to: its name, net cost and "
                                                        "most it can lose are under the table"),
        "strike": st.column_config.NumberColumn(format="%.2f"),
        "limit": st.column_config.NumberColumn("limit (per share)", format="%.2f",
                                               help="The quote the order was costed at: the ask to buy, the bid to "
                                                    "sell"),
        "premium": st.column_config.NumberColumn(f"premium ({currency})", format="%,.2f",
                                                 help="Positive when paid, negative when received"),
        "commission": st.column_config.NumberColumn(f"fees ({currency})", format="%,.2f",
                                                    help="Commission per contract plus any per-order charge"),
        "symbol": st.column_config.TextColumn(help="OCC option symbol: underlying, expiry YYMMDD, C or P, strike "
                                                   "x 1000")})
    lines = "; ".join(f"({number}) {structure.name}: net {fmt(structure.net, ',.2f')} {currency}, most it can lose "
                      f"{fmt(structure.max_loss, ',.2f')} {currency}"
                      for number, structure in enumerate(ticket.structures, start=1))
    st.caption(f"{len(ticket.orders)} limit orders, good for the day, in contracts of {s.contract_size} shares, "
               "commission "
               f"{s.commission_per_contract:.2f} {currency} a contract and {s.commission_per_order:.2f} {currency} an "
               f"order. Structures: {lines}.")
    d1, d2 = st.columns(2)
    d1.download_button("Download the ticket (CSV)", ticket_csv(ticket), file_name="order_ticket.csv",
                       mime="text/csv", key="ticket_csv", on_click="ignore")
    d2.download_button("Download the ticket (JSON)", ticket_json(ticket), file_name="order_ticket.json",
                       mime="application/json", key="ticket_json", on_click="ignore")


def show_bet_slip(pair: ScoredPair, bankroll: float, kelly_fraction: float, currency: str, venue: str,
                  stake_unit: float, max_stake: float | None) -> None:
    """The bet slip: the stakes above in whole stake units, at most the largest stake, and the slip to download."""
    from analytics.betting.slip import SlipSettings, bet_slip
    from reporting.tickets import slip_csv, slip_frame, slip_json

    score = pair.score
    if not isinstance(score, DiscreteScore) or score.odds is None or bankroll < 1:
        return
    try:
        settings = SlipSettings(bankroll, stake_unit, max_stake, venue)
    except InputError as exc:
        safe.error(str(exc))
        return
    books = score.odds_bookmakers or (venue,) * len(score.labels)
    slip = bet_slip(pair.market.event, score.labels, score.belief, score.odds, books, settings,
                    kelly_fraction=kelly_fraction)
    if not slip.bets:
        st.info("Bet slip: nothing to bet at these odds (or every stake rounds down to zero).")
        return
    st.dataframe(slip_frame(slip), hide_index=True, width="stretch", column_config={
        "odds": st.column_config.NumberColumn(format="%.3f", help="Decimal odds you get paid at (an exchange's "
                                                                   "commission already taken off the winnings)"),
        "stake": st.column_config.NumberColumn(f"stake ({currency})", format="%,.2f")})
    which = "full Kelly" if kelly_fraction == 1 else f"{kelly_fraction:g} Kelly"
    st.caption(f"Bet slip at {which}: growth {fmt_bits(slip.growth_nats, 5)} per bet; full Kelly would grow "
               f"{fmt_bits(slip.full_kelly_growth_nats, 5)}. Stakes rounded down to {stake_unit:g} {currency}"
               + (f", at most {max_stake:,.2f} {currency} a bet" if max_stake else "") +
               f"; {fmt(slip.cash, ',.2f')} {currency} kept.")
    d1, d2 = st.columns(2)
    d1.download_button("Download the bet slip (CSV)", slip_csv(slip), file_name="bet_slip.csv", mime="text/csv",
                       key="slip_csv", on_click="ignore")
    d2.download_button("Download the bet slip (JSON)", slip_json(slip), file_name="bet_slip.json",
                       mime="application/json", key="slip_json", on_click="ignore")
