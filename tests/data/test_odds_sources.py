"""Bundled odds and prediction-market snapshots read into markets; market surprise."""

import numpy as np
import pytest

from analytics.betting.odds_files import OddsRequest, markets_from_books, parse_odds_text
from analytics.betting.surprise import market_surprise
from analytics.core.divergence import kl_divergence
from analytics.core.errors import InputError
from data.files import read_text_file
from data.market_files import markets_from_text
from tests.conftest import ROOT

SNAP = ROOT / "data/snapshots"


def load(path, **kw):
    return markets_from_text(read_text_file(SNAP / path), path, OddsRequest(**kw), "shin")


def test_betfair_match_odds_mid_and_commission():
    markets = load("odds/betfair_A-League_2023-2024_Match_Odds.csv")
    assert len(markets) == 168
    first = markets[0]
    assert set(first.labels) == {"Home", "Draw", "Away"}
    # tradable odds are the back prices after 5 % commission on winnings
    assert first.odds[first.labels.index("Home")] == pytest.approx(1 + (2.78 - 1) * 0.95)
    assert abs(first.distribution.probabilities.sum() - 1) < 1e-12


def test_betfair_racing_drops_non_runners():
    markets = load("odds/betfair_ANZ_Thoroughbreds_2024-01-01_to_03.csv")
    assert 180 <= len(markets) <= 186
    assert max(len(m.labels) for m in markets) >= 12
    assert markets[0].distribution.diagnostics["result"] == "Sinful Living"


def test_prediction_markets_get_an_other_outcome_when_prices_fall_short():
    poly = load("predmarkets/polymarket_south_korea_president_2025_daily.csv", odds_format="probability")
    assert len(poly) == 60
    assert any("Other (not listed)" in m.labels for m in poly)
    assert "Lee Jae-myung" in poly[-1].labels
    pi = load("predmarkets/predictit_2020_nomination_candidate_probabilities.csv")
    assert len(pi) == 138 and all(len(m.labels) >= 2 for m in pi)


def test_market_surprise_opening_to_closing():
    text = read_text_file(SNAP / "odds/football-data_E0_2324.csv")
    opening = markets_from_text(text, "E0", OddsRequest(bookmaker="PS"), "multiplicative")
    closing = markets_from_text(text, "E0", OddsRequest(bookmaker="PSC"), "multiplicative")
    table = market_surprise(opening, closing)
    assert len(table.events) == 380
    p = np.stack([m.distribution.probabilities for m in closing])
    q = np.stack([m.distribution.probabilities for m in opening])
    np.testing.assert_allclose(table.surprise_bits, kl_divergence(p, q) / np.log(2), atol=1e-15)
    assert 0 < table.median_bits < table.mean_bits < 0.1   # markets learn a little, a few matches a lot
    assert table.total_bits == pytest.approx(table.surprise_bits.sum())


def test_unknown_bookmaker_lists_the_ones_there():
    text = read_text_file(SNAP / "odds/football-data_E0_2324.csv")
    with pytest.raises(InputError, match="no bookmaker 'XYZ'.*B365"):
        parse_odds_text(text, "E0", OddsRequest(bookmaker="XYZ"))


def test_one_bad_book_is_named():
    text = "event,outcome,odds\nA,x,2.0\nA,y,2.2\nB,x,1.1\nB,y,5\nB,z,80\n"
    books = parse_odds_text(text, "m.csv", OddsRequest()).books
    with pytest.raises(InputError, match="event 'B'.*negative probability"):
        markets_from_books(books, "additive", "m.csv")
