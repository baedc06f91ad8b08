"""The bet slip (analytics.betting.slip): stakes are multiples of the unit, at most the maximum stake, never more
than the Kelly-with-cash optimum spends, and the exchange commission lowers the growth as 1 + (o - 1)(1 - c) says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.betting.kelly import kelly_with_cash
from analytics.betting.slip import SlipSettings, bet_slip, commissioned_odds, slip_growth
from analytics.core.errors import InputError

LABELS = ("Home", "Draw", "Away")
P = np.array([0.5, 0.25, 0.25])
ODDS = np.array([2.3, 3.6, 3.1])


@pytest.mark.parametrize("unit,max_stake", [(0.01, None), (1.0, None), (5.0, 120.0), (0.5, 10.0)])
def test_stakes_are_whole_units_at_most_the_maximum_and_the_optimum(unit, max_stake):
    slip = bet_slip("e", LABELS, P, ODDS, ("B365",) * 3, SlipSettings(1000.0, unit, max_stake))
    optimum = kelly_with_cash(P, ODDS).stakes * 1000.0
    assert slip.bets
    for bet in slip.bets:
        assert abs(bet.stake / unit - round(bet.stake / unit)) < 1e-9
        assert bet.stake <= optimum[LABELS.index(bet.outcome)] + 1e-9
        assert max_stake is None or bet.stake <= max_stake
    assert slip.cash == pytest.approx(1000.0 - sum(b.stake for b in slip.bets), abs=1e-9)
    stakes = np.array([next((b.stake for b in slip.bets if b.outcome == label), 0.0) for label in LABELS])
    assert slip.growth_nats == pytest.approx(float(P @ np.log((1000.0 - stakes.sum() + stakes * ODDS) / 1000.0)))
    assert slip.growth_nats <= slip.full_kelly_growth_nats + 1e-12


def test_the_commission_lowers_the_growth_as_the_formula_says():
    back = np.array([2.5, 3.8, 3.4])
    growths = []
    for commission in (0.0, 0.02, 0.05, 0.1):
        taken = commissioned_odds(back, commission)
        assert taken == pytest.approx(1 + (back - 1) * (1 - commission))
        slip = bet_slip("e", LABELS, P, taken, ("exchange",) * 3, SlipSettings(10_000.0))
        stakes = np.array([next((b.stake for b in slip.bets if b.outcome == label), 0.0) for label in LABELS])
        assert slip.growth_nats == pytest.approx(slip_growth(P, taken, stakes, 10_000.0))
        assert slip.full_kelly_growth_nats == pytest.approx(kelly_with_cash(P, taken).growth_nats)
        growths.append(slip.full_kelly_growth_nats)
    assert all(b < a for a, b in zip(growths, growths[1:], strict=False))


def test_a_fraction_of_kelly_stakes_that_fraction():
    full = bet_slip("e", LABELS, P, ODDS, ("b",) * 3, SlipSettings(10_000.0))
    half = bet_slip("e", LABELS, P, ODDS, ("b",) * 3, SlipSettings(10_000.0), kelly_fraction=0.5)
    for a, b in zip(full.bets, half.bets, strict=True):
        assert b.stake == pytest.approx(math.floor(a.stake / 2 * 100 + 1e-6) / 100, abs=0.011)
    assert half.full_kelly_growth_nats == full.full_kelly_growth_nats and half.growth_nats < full.growth_nats


def test_no_edge_no_bets_and_bad_settings_refused():
    fair = bet_slip("e", LABELS, P, 1 / P * 0.95, ("b",) * 3, SlipSettings(1000.0))
    assert fair.bets == () and fair.cash == 1000.0 and fair.growth_nats == 0.0
    for bad in ({"bankroll": 0.0}, {"bankroll": 100.0, "stake_unit": 0.0}, {"bankroll": 100.0, "stake_unit": 1.0,
                                                                          "max_stake": 0.5}):
        with pytest.raises(InputError):
            SlipSettings(**bad)
