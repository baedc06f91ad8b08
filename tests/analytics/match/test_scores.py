"""The score grid (analytics.match.scores) against closed forms for Poisson goals (Skellam for the goal difference,
Poisson for the total), the settlement of whole and quarter lines, and the market's score table
(analytics.match.market) reproducing every market it is given."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import poisson, skellam

from analytics.core.errors import InputError
from analytics.match.market import PricedMarket, market_score_table, score_match, settled_by_result
from analytics.match.scores import handicap, one_x_two, poisson_table, score_belief_from_json, table_from_scores, total

LH, LA = 1.4, 1.0


def test_1x2_total_and_quarter_handicap_equal_the_closed_forms():
    table = poisson_table(LH, LA)
    home, draw = skellam.sf(0, LH, LA), skellam.pmf(0, LH, LA)
    assert one_x_two().effective(table) == pytest.approx([home, draw, 1 - home - draw], abs=1e-13)
    assert total(2.5).effective(table) == pytest.approx([poisson.sf(2, LH + LA), poisson.cdf(2, LH + LA)], abs=1e-13)
    # AH -0.25 for the home side: half the stake on 0 (a draw refunds it), half on -0.5 (a draw loses it)
    assert handicap(-0.25).effective(table)[0] == pytest.approx(home / (1 - draw / 2), abs=1e-13)
    # a whole line: the exact total is a push, so the two sides are the others' shares of what is not pushed
    three = poisson.pmf(3, LH + LA)
    assert total(3.0).effective(table) == pytest.approx([poisson.sf(3, LH + LA) / (1 - three),
                                                         poisson.cdf(2, LH + LA) / (1 - three)], abs=1e-13)


@pytest.mark.parametrize("line", [-2.75, -1.5, -1.0, -0.75, -0.25, 0.0, 0.25, 0.5, 1.25])
def test_every_handicap_and_total_line_is_a_whole_market(line):
    table = poisson_table(1.9, 0.8, -0.1)
    assert handicap(line).effective(table).sum() == pytest.approx(1.0, abs=1e-14)
    assert total(abs(line) + 2).effective(table).sum() == pytest.approx(1.0, abs=1e-14)


def test_dixon_coles_changes_only_the_four_low_scores_and_keeps_the_margins():
    plain, corrected = poisson_table(1.2, 0.9), poisson_table(1.2, 0.9, -0.1)
    ratio = corrected / plain
    assert np.allclose(ratio[2:, :], ratio[2, 2]) and np.allclose(ratio[:, 2:], ratio[2, 2])
    assert corrected[0, 0] / plain[0, 0] == pytest.approx((1 + 1.2 * 0.9 * 0.1) * ratio[2, 2])
    assert corrected.sum(axis=1) == pytest.approx(plain.sum(axis=1), abs=1e-15)   # tau keeps each side's goals


def test_bad_score_beliefs_are_one_line_each():
    with pytest.raises(InputError, match="rho 0.9 makes a low score's probability negative"):
        poisson_table(1.5, 1.5, 0.9)
    with pytest.raises(InputError, match="home_goals 0.0 must be an expected number of goals"):
        poisson_table(0.0, 1.0)
    with pytest.raises(InputError, match="sum to 0.9, not 1"):
        table_from_scores({"1-0": 0.5, "0-0": 0.4}, "t.json")
    with pytest.raises(InputError, match="score 1-0 is listed twice"):
        table_from_scores({"1-0": 0.5, "1:0": 0.5}, "t.json")
    with pytest.raises(InputError, match="needs \"away_goals\""):
        score_belief_from_json({"kind": "score", "home_goals": 1.2}, "s.json")
    table = score_belief_from_json({"kind": "score", "table": {"1-0": 0.5, "0-0": 0.3, "0-2": 0.2}}, "s.json")
    assert one_x_two().effective(table.table) == pytest.approx([0.5, 0.3, 0.2])


def test_the_market_table_meets_every_market_priced_from_one_table_to_1e_9():
    truth = poisson_table(1.7, 0.9, -0.08)
    markets = [one_x_two(), total(1.5), total(2.5), total(3.25), handicap(-1.25), handicap(-0.25), handicap(0.75)]
    priced = [PricedMarket(m, m.effective(truth)) for m in markets]
    found = market_score_table(priced)
    assert found.left_out == (("handicap -0.25", "settles by the result alone: follows from the 1X2 prices"),)
    for p in priced:                        # the one left out holds too: it follows from the 1X2 prices
        assert np.abs(p.market.effective(found.table) - p.fair).max() < 1e-9, p.market.name
    assert settled_by_result(handicap(0.5)) and not settled_by_result(handicap(-0.75))


def test_a_belief_that_is_the_market_table_has_no_edge_anywhere():
    truth = poisson_table(1.3, 1.2)
    priced = [PricedMarket(m, m.effective(truth)) for m in (one_x_two(), total(2.5))]
    table = market_score_table(priced).table
    scored = score_match(table, priced)
    assert scored.match_kl_nats == pytest.approx(0.0, abs=1e-12)
    assert all(m.kl_nats == pytest.approx(0.0, abs=1e-12) for m in scored.markets)


def test_joint_stakes_on_one_market_are_kelly_with_cash_and_grow_with_more_markets():
    from analytics.betting.kelly import kelly_with_cash_stack
    from analytics.match.market import joint_stakes

    belief = poisson_table(1.8, 0.9)
    odds = np.array([2.2, 3.5, 3.3])
    fair = (1 / odds) / (1 / odds).sum()
    one = joint_stakes(belief, [PricedMarket(one_x_two(), fair, odds)])
    want = kelly_with_cash_stack(one_x_two().effective(belief)[None, :], odds[None, :])[0]
    assert [s for *_, s in one.bets] == pytest.approx(want, abs=2e-4)
    assert one.cash == pytest.approx(1 - want.sum(), abs=2e-4)
    more = joint_stakes(belief, [PricedMarket(one_x_two(), fair, odds),
                                 PricedMarket(total(2.5), np.array([0.5, 0.5]), np.array([1.95, 1.95])),
                                 PricedMarket(handicap(-0.25), np.array([0.51, 0.49]), np.array([1.9, 2.0]))])
    assert more.growth_nats >= one.growth_nats - 1e-9           # more bets can only add growth
    assert sum(s for *_, s in more.bets) + more.cash == pytest.approx(1.0, abs=1e-12)
    assert all(s >= 0 for *_, s in more.bets)


def test_on_a_real_match_every_market_the_table_uses_is_met_to_1e_9():
    """Every bundled Premier League match priced by Pinnacle: the markets the table meets (1X2, the 2.5 line, the
    handicap unless it settles by the result alone) hold to 1e-9; the ones left out are named with the reason."""
    import csv

    import pandas as pd

    from services.match import priced_markets
    from tests.conftest import ROOT

    rows = list(csv.DictReader((ROOT / "data/snapshots/odds/football-data_E0_2324.csv").open(encoding="utf-8-sig")))
    for raw in rows[:12]:
        row = pd.Series({k.lower(): v for k, v in raw.items()})
        priced = priced_markets(row, "PS", "multiplicative")
        found = market_score_table(priced)
        used = [p for p in priced if p.market.name in found.used]
        assert [p.market.name for p in used][:2] == ["1X2", "total 2.5"]
        for p in used:
            assert np.abs(p.market.effective(found.table) - p.fair).max() < 1e-9, (raw["HomeTeam"], p.market.name)
        for name, why in found.left_out:
            assert why.startswith("settles by the result alone"), (name, why)
