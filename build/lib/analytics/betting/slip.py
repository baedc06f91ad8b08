"""The bet slip: the Kelly-with-cash stakes in currency a person can place, rounded to a stake unit, at most a maximum
stake per bet, at odds after the exchange's commission.

Conventions (docs/methods.md, "Bet slip"): bankroll B (currency); the stakes are those of Kelly with cash at the
taken odds (theory: an exchange's commission c on net winnings makes decimal odds o into 1 + (o - 1)(1 - c)),
scaled by the Kelly fraction, then rounded down to a multiple of the stake unit and capped at the maximum stake, so
they never spend more than the optimum did. Growth is E_p[log(W / B)] in nats, with W = B - sum of stakes +
stake_i o_i when outcome i happens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import xlogy

from analytics.betting.kelly import kelly_with_cash, kelly_with_cash_capped
from analytics.core.errors import InputError
from analytics.core.types import FloatArray


def commissioned_odds(odds: FloatArray, commission: float) -> FloatArray:
    """Decimal odds after a commission on net winnings: 1 + (o - 1)(1 - c)."""
    return 1.0 + (np.asarray(odds, dtype=float) - 1.0) * (1.0 - commission)


@dataclass(frozen=True)
class SlipSettings:
    """What the bet slip is asked for: bankroll (currency), the stake unit (stakes are multiples of it), the
    largest stake on one bet (None: no limit) and the bookmaker's name for the slip."""

    bankroll: float
    stake_unit: float = 0.01
    max_stake: float | None = None
    bookmaker: str = ""          # where the bets go when the odds do not span bookmakers

    def __post_init__(self) -> None:
        if not (math.isfinite(self.bankroll) and 1 <= self.bankroll <= 1e12):
            raise InputError(f"bankroll {self.bankroll!r} must lie between 1 and 1e12 (currency)")
        if not (math.isfinite(self.stake_unit) and 0 < self.stake_unit <= self.bankroll):
            raise InputError(f"stake unit {self.stake_unit!r} must be a positive amount no larger than the bankroll")
        if self.max_stake is not None and not (math.isfinite(self.max_stake) and self.max_stake >= self.stake_unit):
            raise InputError(f"max stake {self.max_stake!r} must be at least the stake unit {self.stake_unit:g}")


@dataclass(frozen=True)
class Bet:
    """One line of the slip: stake in currency at decimal odds (after commission: what is paid back per unit)."""

    event: str
    outcome: str
    bookmaker: str
    odds: float
    stake: float

    def as_record(self) -> dict[str, Any]:
        return {"event": self.event, "outcome": self.outcome, "bookmaker": self.bookmaker, "odds": self.odds,
                "stake": self.stake}


@dataclass(frozen=True)
class BetSlip:
    """The bets, the cash kept (currency), the slip's growth and the unrounded full-Kelly growth (nats)."""

    bets: tuple[Bet, ...]
    cash: float
    growth_nats: float
    full_kelly_growth_nats: float
    kelly_fraction: float
    settings: SlipSettings

    def as_record(self) -> dict[str, Any]:
        from analytics.core.units import to_bits

        return {"slip": [b.as_record() for b in self.bets], "slip_cash": self.cash,
                "slip_growth_nats": self.growth_nats, "slip_growth_bits": to_bits(self.growth_nats),
                "slip_full_kelly_growth_nats": self.full_kelly_growth_nats, "slip_kelly_fraction": self.kelly_fraction,
                "slip_settings": {"bankroll": self.settings.bankroll, "stake_unit": self.settings.stake_unit,
                                  "max_stake": self.settings.max_stake}}


def slip_growth(p: FloatArray, odds: FloatArray, stakes: FloatArray, bankroll: float) -> float:
    """E_p[log(W / B)] of stakes (currency) at decimal odds; -inf when an outcome the belief holds possible ruins."""
    wealth = (bankroll - float(np.sum(stakes)) + stakes * odds) / bankroll
    if np.any((p > 0) & (wealth <= 0)):
        return -math.inf
    return float(np.sum(xlogy(p, np.where(p > 0, wealth, 1.0))))


def bet_slip(event: str, labels: tuple[str, ...], p: FloatArray, odds: FloatArray, bookmakers: tuple[str, ...],
             settings: SlipSettings, *, kelly_fraction: float = 1.0, max_total_stake: float | None = None) -> BetSlip:
    """The slip for belief p at the taken decimal odds (commission already in them) of one event."""
    p, odds = np.asarray(p, dtype=float), np.asarray(odds, dtype=float)
    optimum = kelly_with_cash(p, odds) if max_total_stake is None else kelly_with_cash_capped(p, odds,
                                                                                             max_total_stake)
    wanted = kelly_fraction * optimum.stakes * settings.bankroll
    unit = settings.stake_unit
    # a hair of tolerance: 0.3 / 0.01 is 29.999999999999996 in floating point
    stakes = np.floor(wanted / unit + 1e-9) * unit
    if settings.max_stake is not None:
        stakes = np.minimum(stakes, np.floor(settings.max_stake / unit + 1e-9) * unit)
    stakes = np.round(stakes, 10)
    bets = tuple(Bet(event, label, book, float(o), float(s))
                 for label, book, o, s in zip(labels, bookmakers, odds, stakes, strict=True) if s > 0)
    return BetSlip(bets, round(settings.bankroll - float(stakes.sum()), 10),
                   slip_growth(p, odds, stakes, settings.bankroll) if bets else 0.0, optimum.growth_nats,
                   kelly_fraction, settings)
