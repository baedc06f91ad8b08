"""Score tables and the markets of a match read from them (docs/methods.md, "The whole match").

A score table T[i, j] is the probability that the match ends i-j (home goals i, away goals j), for 0 <= i, j <=
MAX_GOALS (the mass beyond is below 1e-15 for goal expectations up to 6 and is left out, the table renormalised).

Every market of the match settles as a function of the score. An outcome's settlement is two tables: W (the share
of the stake that wins: 1, 1/2 on a quarter line's half-win, 0) and R (the share refunded: 1 on a whole line's push,
1/2 on a quarter line's half-push). At decimal odds o a unit stake returns o W + R; the fair odds make the expected
return 1, so the outcome's effective probability is E[W] / (1 - E[R]), and a market's effective probabilities sum
to 1 (pushes and half-results included), as a bookmaker's de-margined two-way prices do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import poisson

from analytics.core.errors import InputError
from analytics.core.types import FloatArray

MAX_GOALS = 40
GOALS = np.arange(MAX_GOALS + 1)
HOME, AWAY = np.meshgrid(GOALS, GOALS, indexing="ij")        # HOME[i, j] = i, AWAY[i, j] = j
MAX_EXPECTED_GOALS = 10.0


@dataclass(frozen=True, eq=False)
class ScoreBelief:
    """A belief about the final score: the table of probabilities (MAX_GOALS + 1 square, sums to 1) and how it was
    stated."""

    table: FloatArray
    description: str


def poisson_table(home_goals: float, away_goals: float, rho: float = 0.0) -> FloatArray:
    """Independent Poisson goals with expectations (home_goals, away_goals); with rho, Dixon and Coles' correction
    of the four low scores: tau(0,0) = 1 - lh la rho, tau(0,1) = 1 + lh rho, tau(1,0) = 1 + la rho,
    tau(1,1) = 1 - rho (it keeps each side's goal distribution; every tau must stay >= 0)."""
    for name, value in (("home_goals", home_goals), ("away_goals", away_goals)):
        if not (math.isfinite(value) and 0 < value <= MAX_EXPECTED_GOALS):
            raise InputError(f"{name} {value!r} must be an expected number of goals in (0, {MAX_EXPECTED_GOALS:g}]")
    table = np.outer(poisson.pmf(GOALS, home_goals), poisson.pmf(GOALS, away_goals))
    if rho:
        tau = np.array([[1 - home_goals * away_goals * rho, 1 + home_goals * rho],
                        [1 + away_goals * rho, 1 - rho]])
        if not (math.isfinite(rho) and (tau >= 0).all()):
            raise InputError(f"rho {rho!r} makes a low score's probability negative for these goal expectations "
                             f"(allowed: {_rho_range(home_goals, away_goals)})")
        table[:2, :2] *= tau
    return table / table.sum()


def rho_bounds(home_goals: float, away_goals: float) -> tuple[float, float]:
    """The rho that keep every tau >= 0 for these goal expectations."""
    return max(-1 / home_goals, -1 / away_goals), min(1 / (home_goals * away_goals), 1.0)


def _rho_range(home_goals: float, away_goals: float) -> str:
    low, high = rho_bounds(home_goals, away_goals)
    return f"{low:.4g} to {high:.4g}"


SCORE_PATTERN = "H-A"


def table_from_scores(scores: dict[str, object], source: str) -> FloatArray:
    """An explicit table {"2-1": p, ...}: every listed score once, probabilities that sum to 1 (to 1e-6)."""
    table = np.zeros((MAX_GOALS + 1, MAX_GOALS + 1))
    for key, value in scores.items():
        parts = str(key).replace(":", "-").split("-")
        try:
            i, j = (int(part.strip()) for part in parts)
            p = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InputError(f"score {str(key)[:20]!r}: {str(value)[:20]!r} is not a score 'H-A' with a probability",
                             source=source) from None
        if not (0 <= i <= MAX_GOALS and 0 <= j <= MAX_GOALS):
            raise InputError(f"score {key!r} is outside 0 to {MAX_GOALS} goals a side", source=source)
        if not (math.isfinite(p) and 0 <= p <= 1):
            raise InputError(f"score {key!r}: probability {p!r} is not in [0, 1]", source=source)
        if table[i, j]:
            raise InputError(f"score {i}-{j} is listed twice", source=source)
        table[i, j] = p
    total = table.sum()
    if abs(total - 1) > 1e-6:
        raise InputError(f"the scores' probabilities sum to {total:.6g}, not 1: list every score you allow",
                         source=source)
    return table / total


def score_belief_from_json(item: dict[str, object], source: str) -> ScoreBelief:
    """{"kind":"score","home_goals":lh,"away_goals":la[,"rho":r]} or {"kind":"score","table":{"2-1":p,...}}."""
    if "table" in item:
        table = item["table"]
        if not isinstance(table, dict) or not table:
            raise InputError("\"table\" must be an object of scores and probabilities, e.g. {\"1-0\": 0.12, ...}",
                             source=source)
        return ScoreBelief(table_from_scores(table, source), f"a table of {len(table)} scores")
    values = {}
    for name in ("home_goals", "away_goals", "rho"):
        raw = item.get(name, 0.0 if name == "rho" else None)
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise InputError(f"a score belief needs \"{name}\": a number (or a \"table\" of scores)", source=source)
        values[name] = float(raw)
    try:
        table = poisson_table(values["home_goals"], values["away_goals"], values["rho"])
    except InputError as exc:
        raise InputError(str(exc), source=source) from None
    model = "Dixon-Coles" if values["rho"] else "Poisson"
    rho = f", rho {values['rho']:g}" if values["rho"] else ""
    return ScoreBelief(table, f"{model} goals {values['home_goals']:g}-{values['away_goals']:g}{rho}")


@dataclass(frozen=True, eq=False)
class MatchMarket:
    """One market of a match: its name ('1X2', 'total 2.5', 'handicap -0.25'), outcome labels and each outcome's
    settlement tables (win share W, refunded share R), shape (outcomes, MAX_GOALS + 1, MAX_GOALS + 1)."""

    name: str
    labels: tuple[str, ...]
    wins: FloatArray
    refunds: FloatArray

    def effective(self, table: FloatArray) -> FloatArray:
        """Each outcome's effective probability under a score table: E[W] / (1 - E[R])."""
        won = np.tensordot(self.wins, table, axes=2)
        refunded = np.tensordot(self.refunds, table, axes=2)
        return won / (1.0 - refunded)


ONE_X_TWO_LABELS = ("Home", "Draw", "Away")


def one_x_two() -> MatchMarket:
    wins = np.stack([HOME > AWAY, HOME == AWAY, HOME < AWAY]).astype(float)
    return MatchMarket("1X2", ONE_X_TWO_LABELS, wins, np.zeros_like(wins))


def _line_halves(line: float) -> tuple[float, float]:
    """A line as the two lines its stake is split over: a quarter line (2.25) is half on 2.0 and half on 2.5;
    others are one line twice."""
    quarters = line * 4
    if not math.isfinite(line) or abs(quarters - round(quarters)) > 1e-9:
        raise InputError(f"line {line!r} is not a whole, half or quarter goal")
    if round(quarters) % 2:                 # a quarter line: x.25 or x.75
        return line - 0.25, line + 0.25
    return line, line


def _settle(margin: FloatArray, line: float) -> tuple[FloatArray, FloatArray]:
    """(W, R) of a bet that wins when margin + line > 0 (for each half of a split stake)."""
    wins, refunds = np.zeros_like(margin, dtype=float), np.zeros_like(margin, dtype=float)
    for half in _line_halves(line):
        adjusted = margin + half
        wins += 0.5 * (adjusted > 1e-9)
        refunds += 0.5 * (np.abs(adjusted) <= 1e-9)
    return wins, refunds


def total(line: float) -> MatchMarket:
    """Over/under `line` goals in all (half, whole or quarter lines; a whole line's exact total is a push)."""
    goals = (HOME + AWAY).astype(float)
    over = _settle(goals, -line)
    under = _settle(-goals, line)
    return MatchMarket(f"total {line:g}", ("Over", "Under"), np.stack([over[0], under[0]]),
                       np.stack([over[1], under[1]]))


def handicap(home_line: float) -> MatchMarket:
    """Asian handicap with the home side's line (football-data's AHh: -0.5 means the home side gives half a goal);
    the away side gets the opposite line."""
    difference = (HOME - AWAY).astype(float)
    home = _settle(difference, home_line)
    away = _settle(-difference, -home_line)
    return MatchMarket(f"handicap {home_line:+g}", ("Home", "Away"), np.stack([home[0], away[0]]),
                       np.stack([home[1], away[1]]))
