"""A score belief against every market of a football-data match (docs/formats.md, "Whole match"): the match's 1X2,
over/under and Asian-handicap prices of one bookmaker read from its row, each de-margined on its own, and scored
with analytics.match."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.spec import NamedBelief
from analytics.betting.margin import remove_margin
from analytics.betting.odds_files import detect_kind, football_events
from analytics.betting.odds_formats import to_decimal
from analytics.core.distributions import normalise_label
from analytics.core.errors import InputError
from analytics.match.goals_model import rolling_rates
from analytics.match.market import JointStakes, MatchScore, PricedMarket, joint_stakes, score_match
from analytics.match.scores import (
    MAX_GOALS,
    ONE_X_TWO_LABELS,
    MatchMarket,
    ScoreBelief,
    handicap,
    one_x_two,
    poisson_table,
    rho_bounds,
    total,
)
from data.market_files import odds_table_of_text

TOTAL_COLUMN = re.compile(r"^(?P<book>.+?)(?P<side>[><])(?P<line>\d+(?:\.\d+)?)$")
SHOWN_GOALS = 10          # the market's score table is written for 0-10 goals a side, the rest summed apart


def markets_book(bookmaker: str) -> str:
    """The column prefix of a bookmaker's totals and handicaps: football-data names Pinnacle's 1X2 PS (closing PSC)
    and its other markets P (PC)."""
    book = bookmaker.strip().lower()
    return {"ps": "p", "psc": "pc"}.get(book, book)


def _odds(row: pd.Series, columns: list[str], odds_format: str) -> np.ndarray | None:
    cells = [str(row.get(c, "")).strip() for c in columns]
    if any(cell in ("", "nan") for cell in cells):
        return None
    return to_decimal(cells, odds_format)


def priced_markets(row: pd.Series, bookmaker: str, method: str, odds_format: str = "decimal") -> list[PricedMarket]:
    """Every market of a match row the bookmaker prices: 1X2, each over/under line, the Asian handicap at the row's
    line (AHh; AHCh for closing prices); each de-margined with `method`."""
    book = bookmaker.strip().lower()
    other = markets_book(bookmaker)
    found: list[tuple[MatchMarket, np.ndarray]] = []
    result = _odds(row, [f"{book}h", f"{book}d", f"{book}a"], odds_format)
    if result is not None:
        found.append((one_x_two(), result))
    lines = sorted({float(m["line"]) for c in row.index if (m := TOTAL_COLUMN.match(str(c))) and m["book"] == other})
    for line in lines:
        odds = _odds(row, [f"{other}>{line:g}", f"{other}<{line:g}"], odds_format)
        if odds is not None:
            found.append((total(line), odds))
    closing = other.endswith("c") and f"{other}ahh" in row.index and other not in ("", "c")
    line_text = str(row.get("ahch" if closing else "ahh", "")).strip()
    odds = _odds(row, [f"{other}ahh", f"{other}aha"], odds_format)
    if line_text not in ("", "nan") and odds is not None:
        try:
            found.append((handicap(float(line_text)), odds))
        except (ValueError, InputError):
            pass                                  # a line football-data could not settle: not a market
    return [PricedMarket(market, remove_margin(1.0 / odds, method).probabilities, odds) for market, odds in found]


def football_table(text: str, source: str) -> tuple[pd.DataFrame, list[str]] | None:
    """A football-data file's table and its event names, row by row; None for any other file."""
    table = odds_table_of_text(text, source)
    if table is None or detect_kind(set(table.columns)) != "football-data":
        return None
    return table, football_events(table)[1]


def row_of_event(found: tuple[pd.DataFrame, list[str]] | None, event: str) -> pd.Series | None:
    """The row of `event` ('YYYY-MM-DD Home v Away') in a football_table, or None."""
    if found is None:
        return None
    table, events = found
    key = normalise_label(event)
    rows = [i for i, name in enumerate(events) if normalise_label(name) == key]
    return None if not rows else table.iloc[rows[0]]


def match_row(text: str, source: str, event: str) -> pd.Series | None:
    """The football-data row of `event`, or None when the text is not such a file."""
    return row_of_event(football_table(text, source), event)


def match_record(score: MatchScore, stakes: JointStakes) -> dict[str, Any]:
    """The whole-match keys of `score`'s output (docs/formats.md)."""
    table = score.market_table.table
    shown = table[:SHOWN_GOALS + 1, :SHOWN_GOALS + 1]
    return {"markets": [m.record() for m in score.markets],
            "match_stakes": [{"market": m, "outcome": o, "odds": odds, "stake": stake}
                             for m, o, odds, stake in stakes.bets],
            "match_cash": stakes.cash, "match_growth_nats": stakes.growth_nats,
            "match_growth_bits": stakes.growth_nats / np.log(2),
            "match_kl_nats": score.match_kl_nats, "match_kl_bits": score.match_kl_nats / np.log(2),
            "market_score_table": {"rows": "home goals 0-10", "columns": "away goals 0-10",
                                   "probabilities": shown.tolist(), "beyond": float(1 - shown.sum()),
                                   "max_goals": MAX_GOALS, "markets_met": list(score.market_table.used),
                                   "markets_left_out": [{"market": name, "why": why}
                                                        for name, why in score.market_table.left_out]}}


def whole_match(text: str, source: str, event: str, belief: ScoreBelief, bookmaker: str, method: str) \
        -> dict[str, Any] | None:
    """The whole-match keys for a score belief on `event` of a football-data text; None for another market."""
    row = match_row(text, source, event)
    if row is None:
        return None
    priced = priced_markets(row, bookmaker, method)
    if not priced:
        raise InputError(f"{event}: bookmaker {bookmaker} prices no market of this match", source=source)
    return match_record(score_match(belief.table, priced, source), joint_stakes(belief.table, priced))


MODELS = ("model:dixon-coles",)


def model_beliefs(text: str, source: str) -> list[NamedBelief]:
    """One belief per match of a football-data season: the Dixon-Coles goals model fitted (time-weighted) on the
    file's results of the days before the match, its score table read as Home, Draw, Away. Matches without goals
    (not played yet) are predicted, not fitted on."""
    table = odds_table_of_text(text, source)
    if table is None or detect_kind(set(table.columns)) != "football-data" or not {"fthg", "ftag"} <= set(
            table.columns):
        raise InputError("the goals model needs a football-data file with the results (FTHG, FTAG columns) to fit "
                         "on", source=source)
    dates, events = football_events(table)
    days = pd.to_datetime(pd.Series(dates), format="%Y-%m-%d", errors="coerce")
    if days.isna().any():
        raise InputError(f"{int(days.isna().sum())} matches have no date; the goals model fits on the days before "
                         "each match", source=source)
    names = pd.concat([table["hometeam"], table["awayteam"]]).astype(str)
    teams = {name: i for i, name in enumerate(sorted(set(names)))}
    home = table["hometeam"].astype(str).map(teams).to_numpy()
    away = table["awayteam"].astype(str).map(teams).to_numpy()
    goals = table[["fthg", "ftag"]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    played = ~np.isnan(goals).any(axis=1)
    day_numbers = ((days - days.min()).dt.days).to_numpy(dtype=float)
    # fitted on played matches only; every match predicted from the days before it
    lh, la, rho = rolling_rates(home[played], away[played], goals[played, 0], goals[played, 1],
                                day_numbers[played], len(teams), predict_days=day_numbers, predict_home=home,
                                predict_away=away)
    beliefs = []
    for i, event in enumerate(events):
        low, high = rho_bounds(float(lh[i]), float(la[i]))      # rho fitted on typical scores, kept valid here
        probabilities = one_x_two().effective(poisson_table(float(lh[i]), float(la[i]),
                                                            float(np.clip(rho[i], low, high))))
        beliefs.append(NamedBelief(event, DiscreteBelief(ONE_X_TWO_LABELS, probabilities), (), "model:dixon-coles"))
    return beliefs
