"""Plotly figure builders: data in, go.Figure out. The pages and the report share them."""

from __future__ import annotations

import html
from typing import Any, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy.integrate import cumulative_trapezoid

from analytics.betting.surprise import SurpriseTimeline
from analytics.core.types import BoolArray
from analytics.core.units import to_bits
from analytics.scoring.continuous import ContinuousScore
from analytics.scoring.discrete import DiscreteScore
from analytics.track.backtest import Backtest

MARKET_COLOUR = "#4C78A8"
ROUNDING_BITS = 1e-9          # a log-ratio this close to 0 is the market itself, computed: drawn as 0
BELIEF_COLOUR = "#F58518"


def _lying_down(labels: list[str]) -> bool:
    """Many outcomes or long names read best as horizontal bars: every name whole on its own line (turned names
    under upright bars were cut, 'Fighting Th', and ran under the legend)."""
    return len(labels) > 6 or max((len(label) for label in labels), default=0) > 14


def _outcome_bars(fig: go.Figure, labels: list[str], values: np.ndarray, *, name: str, colour: Any,
                  unit: str, digits: int) -> None:
    """One bar per outcome, horizontal when _lying_down, with its value in the hover."""
    if _lying_down(labels):
        fig.add_bar(name=name, y=labels, x=values, orientation="h", marker_color=colour,
                    hovertemplate=f"%{{y}}: %{{x:.{digits}f}}{unit}<extra>{name}</extra>")
    else:
        fig.add_bar(name=name, x=labels, y=values, marker_color=colour,
                    hovertemplate=f"%{{x}}: %{{y:.{digits}f}}{unit}<extra>{name}</extra>")


def _outcome_layout(fig: go.Figure, labels: list[str], value_title: str, title: str, height: int) -> None:
    if _lying_down(labels):
        fig.update_yaxes(tickmode="array", tickvals=labels, ticktext=labels, automargin=True, autorange="reversed")
        fig.update_layout(title=title, xaxis_title=value_title, height=max(height, 120 + 22 * len(labels)),
                          margin=dict(t=50, b=40, l=10, r=20), legend=dict(orientation="h", y=1.02, yanchor="bottom",
                                                                            x=1, xanchor="right"))
    else:
        fig.update_layout(title=title, yaxis_title=value_title, height=height, margin=dict(t=50, b=40, l=50, r=20),
                          legend_orientation="h")
        _categorical(fig, labels)


def market_vs_belief_bars(score: DiscreteScore, title: str = "Market vs belief") -> go.Figure:
    labels = chart_labels(score.labels)
    fig = go.Figure()
    _outcome_bars(fig, labels, np.asarray(score.market) * 100, name="Market q (margin removed)",
                  colour=MARKET_COLOUR, unit=" %", digits=2)
    _outcome_bars(fig, labels, np.asarray(score.belief) * 100, name="Belief p", colour=BELIEF_COLOUR, unit=" %",
                  digits=2)
    fig.update_layout(barmode="group")
    _outcome_layout(fig, labels, "probability (%)", title, 360)
    return fig


def contribution_bars(score: DiscreteScore, title: str = "Where the disagreement lives") -> go.Figure:
    """Signed KL terms p log(p/q) per outcome, in bits (they sum to the KL; negative terms are
    outcomes the belief finds less likely than the market)."""
    labels = chart_labels(score.labels)
    bits = to_bits(np.asarray(score.contributions_nats))
    shown = np.where(np.isfinite(bits), bits, np.nan)
    colours = [BELIEF_COLOUR if b >= 0 else MARKET_COLOUR for b in np.nan_to_num(shown)]
    fig = go.Figure()
    _outcome_bars(fig, labels, shown, name="p log2(p/q)", colour=colours, unit=" bits", digits=4)
    _outcome_layout(fig, labels, "KL contribution (bits)", title, 320)
    fig.update_layout(showlegend=False)
    return fig


def season_histogram(values_bits: np.ndarray, title: str, x_title: str = "KL (bits)") -> go.Figure:
    fig = go.Figure(go.Histogram(x=values_bits, nbinsx=40, marker_color=MARKET_COLOUR))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title="events", height=320,
                      margin=dict(t=50, b=40, l=50, r=20))
    return fig


def swan_curve(market_probabilities: np.ndarray, surprise_bits: np.ndarray, marked: float) -> go.Figure:
    fig = go.Figure(go.Scatter(x=market_probabilities * 100, y=surprise_bits, mode="lines",
                               line_color=MARKET_COLOUR, name="-log2 q"))
    fig.add_scatter(x=[marked * 100], y=[-np.log2(marked)], mode="markers", marker_size=12,
                    marker_color=BELIEF_COLOUR, name="this market")
    fig.update_layout(title="Surprise of a certain belief: KL = -log2 q(outcome)", xaxis_title="market probability (%)",
                      yaxis_title="KL (bits)", xaxis_type="log", height=340, margin=dict(t=50, b=40, l=50, r=20))
    return fig


def _price_range(score: ContinuousScore) -> list[float]:
    """The central 99.5 % of both densities: from the lower of their 0.25 % points to the higher of their 99.75 %
    points (the grid runs far into the tails, where nothing can be seen)."""
    cdfs = [cumulative_trapezoid(density, score.x, initial=0.0) for density in (score.belief, score.market)]
    lows = [float(np.interp(0.0025, c / c[-1], score.x)) for c in cdfs]
    highs = [float(np.interp(0.9975, c / c[-1], score.x)) for c in cdfs]
    return [min(lows), max(highs)]


DRAWN_BEYOND = 0.25           # of the shown price range, drawn on either side of it (a pan or a zoom out finds data)


def _drawn(score: ContinuousScore, shown: list[float]) -> BoolArray:
    """The grid points a price chart carries: the shown range (_price_range) and a quarter of its width on either
    side, with one point beyond so the lines run to the edge. The grid reaches far into the tails, where nothing
    can be seen: sending all of it made the Options page's four charts 680 KB a rerun instead of 180 KB."""
    low, high = shown
    pad = DRAWN_BEYOND * (high - low)
    inside = (score.x >= low - pad) & (score.x <= high + pad)
    return inside | np.r_[inside[1:], False] | np.r_[False, inside[:-1]]


def _central_belief(score: ContinuousScore, tail: float = 0.005) -> BoolArray:
    """Grid points inside the belief's central 99 %: where a payoff the belief buys can pay off."""
    c = cumulative_trapezoid(score.belief, score.x, initial=0.0)
    c = c / c[-1]
    return (c >= tail) & (c <= 1 - tail)


def chart_labels(labels: Sequence[str]) -> list[str]:
    """Outcome labels for a chart: plotly reads tags in text (a label could carry a link), so they are escaped."""
    return [html.escape(str(label)) for label in labels]


def _categorical(fig: go.Figure, labels: list[str]) -> None:
    """Every outcome keeps its label, turned when there are many."""
    fig.update_xaxes(tickmode="array", tickvals=labels, ticktext=labels, tickangle=-45 if len(labels) > 6 else 0,
                     automargin=True)


def _level_line(y: float) -> dict[str, Any]:
    """A dotted grey line across the plot at height y (a shape given as data: plotly's add_hline costs milliseconds
    a call, on every rerun)."""
    return dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=y, y1=y, line=dict(color="grey", dash="dot"))


def _price_chart(traces: list[go.Scatter], shown_range: list[float], **layout: Any) -> go.Figure:
    """A chart over the price at expiry, its layout given whole (one validation, not one per update call)."""
    return go.Figure(data=traces, layout=dict(xaxis=dict(title="price at expiry", range=shown_range), **layout))


def density_overlay(score: ContinuousScore, title: str = "Market density vs belief",
                    quoted_range: tuple[float, float] | None = None) -> go.Figure:
    shown_range = _price_range(score)
    d = _drawn(score, shown_range)
    traces = [go.Scatter(x=score.x[d], y=score.market[d], name="Market q (risk-neutral)", line_color=MARKET_COLOUR,
                         hovertemplate="price %{x:.4g}: %{y:.4g} per unit<extra>market</extra>"),
              go.Scatter(x=score.x[d], y=score.belief[d], name="Belief p", line_color=BELIEF_COLOUR,
                         hovertemplate="price %{x:.4g}: %{y:.4g} per unit<extra>belief</extra>")]
    shapes, notes = [], []
    if quoted_range is not None:
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=quoted_range[0], x1=quoted_range[1], y0=0, y1=1,
                           fillcolor="grey", opacity=0.08, line_width=0, layer="below"))
        notes.append(dict(text="quoted strikes", xref="x", yref="paper", x=quoted_range[0], y=1, xanchor="left",
                          yanchor="top", showarrow=False))
    return _price_chart(traces, shown_range, title=title, yaxis_title="density (per unit of price)", height=380,
                        shapes=shapes, annotations=notes, margin=dict(t=50, b=80, l=60, r=20),
                        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0))    # below the axis title


def log_ratio_curve(score: ContinuousScore, title: str = "Growth-optimal payoff p/q") -> go.Figure:
    """log2(p/q): where the Kelly payoff W0 e^{rT} p/q buys (above 0) or sells (below 0) the market. The y-range
    follows the belief's central 99 % (in the far tails log2(p/q) runs to -1000 bits and flattens everything)."""
    shown = np.where(np.isfinite(score.log_ratio), to_bits(score.log_ratio), np.nan)
    shown = np.where(np.abs(shown) < ROUNDING_BITS, 0.0, shown)    # the market itself: flat, not spikes of 1e-15
    shown_range = _price_range(score)
    d = _drawn(score, shown_range)
    trace = go.Scatter(x=score.x[d], y=shown[d], line_color=BELIEF_COLOUR, name="log2(p/q)",
                       hovertemplate="price %{x:.4g}: log2(p/q) = %{y:.3f}<extra></extra>")
    central = shown[_central_belief(score) & np.isfinite(shown)]
    y_range = None
    if central.size:
        low, high = min(float(central.min()), 0.0), max(float(central.max()), 0.0)
        pad = 0.1 * (high - low) if high - low > ROUNDING_BITS else 0.5
        y_range = [low - pad, high + pad]
    return _price_chart([trace], shown_range, title=title, yaxis=dict(title="log2(p/q) (bits)", range=y_range),
                        shapes=[_level_line(0.0)], height=320, margin=dict(t=50, b=40, l=60, r=20))


def cumulative_kl_curve(score: ContinuousScore, title: str = "Where the disagreement lives") -> go.Figure:
    """The integral of p log2(p/q) from the left up to each price (ends at the grid KL, in bits). Values within
    rounding of zero (the belief is the market) are drawn as zero, not as a curve of 1e-16 bits."""
    cumulative = np.asarray(to_bits(score.cumulative_kl_nats), dtype=float)
    if np.all(np.abs(cumulative[np.isfinite(cumulative)]) < 1e-12):
        cumulative = np.where(np.isfinite(cumulative), 0.0, cumulative)
    shown_range = _price_range(score)
    d = _drawn(score, shown_range)
    trace = go.Scatter(x=score.x[d], y=cumulative[d], line_color=MARKET_COLOUR, name="cumulative KL",
                       hovertemplate="up to %{x:.4g}: %{y:.4f} bits<extra></extra>")
    return _price_chart([trace], shown_range, title=title, yaxis_title="cumulative KL (bits)", height=320,
                        margin=dict(t=50, b=40, l=60, r=20))


def payoff_chart(score: ContinuousScore, title: str = "Payoff at expiry per unit of bankroll") -> go.Figure:
    """The position at the quotes, W(S) D (wealth at expiry in today's money per unit of bankroll), beside the
    growth-optimal payoff p/q that any payoff at the market density's prices could reach (same units)."""
    ratio = np.exp(np.clip(score.log_ratio, -50, 50))
    shown_range = _price_range(score)
    d = _drawn(score, shown_range)
    traces = [go.Scatter(x=score.x[d], y=ratio[d], name="growth-optimal p/q (ceiling)", line_color=MARKET_COLOUR,
                         line_dash="dot", hovertemplate="price %{x:.4g}: %{y:.3f} x bankroll<extra>p/q</extra>")]
    curves = [ratio]
    if score.edge is not None:
        wealth = score.edge.position.payoff * score.edge.discount
        traces.append(go.Scatter(x=score.x[d], y=wealth[d], name="your position at the quotes",
                                 line_color=BELIEF_COLOUR,
                                 hovertemplate="price %{x:.4g}: %{y:.3f} x bankroll<extra>position</extra>"))
        curves.append(wealth)
        ticket = score.edge.ticket
        if ticket is not None and ticket.orders:
            ticket_wealth = ticket.wealth * score.edge.discount / ticket.bankroll
            traces.append(go.Scatter(x=score.x[d], y=ticket_wealth[d],
                                     name="your order ticket (whole contracts, after fees)", line_color="#54A24B",
                                     line_dash="dash",
                                     hovertemplate="price %{x:.4g}: %{y:.3f} x bankroll<extra>ticket</extra>"))
            curves.append(ticket_wealth)
    central = _central_belief(score)
    y_max = max(float(np.nanmax(curve[central])) for curve in curves) if central.any() else 2.0
    return _price_chart(traces, shown_range, title=title,
                        yaxis=dict(title="wealth at expiry x D (x bankroll)", range=[0, 1.15 * max(y_max, 1.2)]),
                        height=360, shapes=[_level_line(1.0)], margin=dict(t=50, b=80, l=60, r=20),
                        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0))


def track_record_chart(result: Backtest, title: str = "Did the disagreement pay?") -> go.Figure:
    """Cumulative realised log-wealth at fair prices (log2 of wealth, bits) against the cumulative KL the belief
    predicted and the cumulative closing-line value, event by event in date order."""
    order = np.argsort(np.asarray(result.dates), kind="stable")
    x = np.arange(1, order.size + 1)
    dates = np.asarray(result.dates)[order]
    fig = go.Figure()
    fig.add_scatter(x=x, y=np.cumsum(result.realised_fair_bits[order]), name="realised log-wealth, fair prices",
                    line_color=BELIEF_COLOUR, customdata=dates,
                    hovertemplate="event %{x} (%{customdata}): %{y:.3f} bits<extra>realised</extra>")
    fig.add_scatter(x=x, y=np.cumsum(result.kl_bits[order]), name="predicted (sum of KL)", line_color=MARKET_COLOUR,
                    line_dash="dot", customdata=dates,
                    hovertemplate="event %{x} (%{customdata}): %{y:.3f} bits<extra>predicted</extra>")
    if result.clv_bits is not None:
        fig.add_scatter(x=x, y=np.cumsum(result.clv_bits[order]), name="closing-line value", line_color="#54A24B",
                        customdata=dates, hovertemplate="event %{x} (%{customdata}): %{y:.3f} bits<extra>CLV</extra>")
    fig.update_layout(title=title, xaxis_title="events, in date order", yaxis_title="cumulative (bits)", height=380,
                      margin=dict(t=50, b=80, l=60, r=20), legend=dict(orientation="h", yanchor="top", y=-0.2, x=0))
    return fig


def reliability_chart(calibration: dict[str, dict[str, list[float]]], title: str = "Calibration") -> go.Figure:
    """Observed frequency against forecast probability, per bin, with Wilson 95 % intervals, for belief and
    market (every outcome of every event is one forecast)."""
    fig = go.Figure()
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line_color="grey", line_dash="dot", name="perfectly calibrated")
    for name, colour in (("belief", BELIEF_COLOUR), ("market", MARKET_COLOUR)):
        table = calibration[name]
        forecast, observed = np.asarray(table["mean_forecast"], float), np.asarray(table["observed"], float)
        low, high = np.asarray(table["observed_low"], float), np.asarray(table["observed_high"], float)
        fig.add_scatter(x=forecast * 100, y=observed * 100, mode="markers+lines", name=name, line_color=colour,
                        error_y=dict(type="data", symmetric=False, array=(high - observed) * 100,
                                     arrayminus=(observed - low) * 100),
                        customdata=np.asarray(table["count"]),
                        hovertemplate="forecast %{x:.1f} %: happened %{y:.1f} % of %{customdata}<extra></extra>")
    fig.data[0].update(x=[0, 100], y=[0, 100])
    fig.update_layout(title=title, xaxis_title="forecast probability (%)", yaxis_title="observed frequency (%)",
                      height=380, margin=dict(t=50, b=80, l=60, r=20),
                      legend=dict(orientation="h", yanchor="top", y=-0.2, x=0))
    return fig


def surprise_timeline_chart(timeline: SurpriseTimeline, title: str = "Bits of news per step") -> go.Figure:
    """KL(each snapshot || the one before), in bits, over time, with the largest step marked and named."""
    times = list(timeline.times[1:])
    fig = go.Figure(go.Bar(x=times, y=timeline.step_bits, marker_color=MARKET_COLOUR, name="news (bits)",
                           hovertemplate="%{x}: %{y:.4f} bits<extra></extra>"))
    k, sentence = timeline.largest_step()
    fig.add_annotation(x=times[k], y=float(timeline.step_bits[k]), text=html.escape(sentence.split(":")[0]),
                       showarrow=True, arrowhead=2, yshift=4)
    fig.update_layout(title=title, xaxis_title="snapshot", yaxis_title="KL(now || before) (bits)", height=340,
                      margin=dict(t=50, b=60, l=60, r=20))
    return fig


def quantile_fan(rows: pd.DataFrame, title: str = "The market's distribution over time") -> go.Figure:
    """One expiry's quantiles over as-of times: the 5-95 % and 25-75 % bands and the median (prices). The as-of
    times are labels, as written (a time axis zoomed a single as-of to a millisecond, ticked '12:26:59.9995'); a
    single as-of is its median with whiskers to the 5 % and 95 % quantiles."""
    rows = rows.sort_values("asof")
    x = rows["asof"].astype(str)
    fig = go.Figure()
    if len(rows) == 1:
        fig.add_scatter(x=x, y=rows["q50"], mode="markers", name="median, 5-95 %", marker_color=MARKET_COLOUR,
                        error_y=dict(type="data", symmetric=False, array=rows["q95"] - rows["q50"],
                                     arrayminus=rows["q50"] - rows["q05"]),
                        hovertemplate="%{x}: median %{y:.2f}<extra></extra>")
    else:
        for low, high, shade in (("q05", "q95", 0.15), ("q25", "q75", 0.3)):
            fig.add_scatter(x=x, y=rows[high], mode="lines", line_width=0, showlegend=False, hoverinfo="skip")
            fig.add_scatter(x=x, y=rows[low], mode="lines", line_width=0, fill="tonexty",
                            name=f"{low[1:]}-{high[1:]} %", fillcolor=f"rgba(76,120,168,{shade})",
                            hovertemplate="%{x}: %{y:.2f}<extra></extra>")
        fig.add_scatter(x=x, y=rows["q50"], mode="lines+markers", name="median", line_color=MARKET_COLOUR,
                        hovertemplate="%{x}: %{y:.2f}<extra>median</extra>")
    fig.update_layout(title=title, xaxis_title="as of", yaxis_title="price at expiry", height=360,
                      margin=dict(t=50, b=60, l=60, r=20), xaxis_type="category")
    return fig


def term_structure(rows: pd.DataFrame, title: str = "Term structure") -> go.Figure:
    """One as-of time's expiries: the density's sd as a share of the forward, against time to expiry."""
    rows = rows.sort_values("t_years")
    fig = go.Figure(go.Scatter(x=rows["t_years"] * 365, y=rows["sd"] / rows["forward"] * 100, mode="lines+markers",
                               line_color=BELIEF_COLOUR, customdata=rows["expiry"],
                               hovertemplate="%{customdata}: %{y:.2f} % of the forward<extra></extra>"))
    fig.update_layout(title=title, xaxis_title="days to expiry", yaxis_title="sd of the price at expiry (% of F)",
                      height=340, margin=dict(t=50, b=60, l=60, r=20))
    return fig


def surprise_per_day(rows: pd.DataFrame, title: str = "News per day: KL(today || the day before), bits") -> go.Figure:
    """A batch result's surprise_bits over as-of times for one underlying and expiry."""
    steps = rows.sort_values("asof")
    fig = go.Figure(go.Bar(x=steps["asof"].astype(str), y=steps["surprise_bits"], marker_color=MARKET_COLOUR,
                           hovertemplate="%{x}: %{y:.4f} bits<extra></extra>"))
    fig.update_layout(title=title, yaxis_title="bits", height=300, margin=dict(t=50, b=60, l=60, r=20),
                      xaxis_type="category")
    return fig


def score_table_heatmap(table: np.ndarray, title: str, goals: int = 6) -> go.Figure:
    """A score table (probabilities, home goals down, away goals across) for 0 to `goals` a side, in percent."""
    shown = np.asarray(table)[:goals + 1, :goals + 1] * 100
    fig = go.Figure(go.Heatmap(z=shown, x=list(range(goals + 1)), y=list(range(goals + 1)), colorscale="Blues",
                               texttemplate="%{z:.1f}", colorbar=dict(title="%"),
                               hovertemplate="%{y}-%{x}: %{z:.2f} %<extra></extra>"))
    fig.update_layout(title=title, xaxis_title="away goals", yaxis_title="home goals", height=360,
                      yaxis_autorange="reversed", margin=dict(t=50, b=40, l=60, r=20))
    return fig
