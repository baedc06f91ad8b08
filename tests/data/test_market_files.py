"""Market files from bundled snapshots: Betfair exchange and racing, prediction markets, bookmaker
choice and the book that fails."""

import pytest

from analytics.betting.odds_files import OddsRequest, markets_from_books, parse_odds_text
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


def test_unknown_bookmaker_lists_the_ones_there():
    text = read_text_file(SNAP / "odds/football-data_E0_2324.csv")
    with pytest.raises(InputError, match="no bookmaker 'XYZ'.*B365"):
        parse_odds_text(text, "E0", OddsRequest(bookmaker="XYZ"))


def test_one_bad_book_is_named():
    text = "event,outcome,odds\nA,x,2.0\nA,y,2.2\nB,x,1.1\nB,y,5\nB,z,80\n"
    books = parse_odds_text(text, "m.csv", OddsRequest()).books
    with pytest.raises(InputError, match="event 'B'.*negative probability"):
        markets_from_books(books, "additive", "m.csv")


def test_a_polymarket_day_that_is_not_one_book_is_flagged_not_silently_demargined():
    """2025-04-05: three Yes contracts at 0.795, 0.45 and 0.45 (two placeholders) sum to 169.5 %."""
    path = ROOT / "data/snapshots/predmarkets/polymarket_south_korea_president_2025_daily.csv"
    markets = markets_from_text(read_text_file(path), "polymarket", OddsRequest(), "multiplicative")
    first = next(m for m in markets if m.event.endswith("2025-04-05"))
    assert any("169.5%" in w and "not form one coherent book" in w for w in first.warnings)
    ordinary = next(m for m in markets if m.event.endswith("2025-04-06"))
    assert not any("coherent" in w for w in ordinary.warnings)


def test_a_long_odds_file_groups_rows_by_event_in_order_of_first_appearance():
    """Rows of one event need not be adjacent; each book keeps its rows' order; a bad price is named by its row."""
    text = "event,outcome,odds\nA,x,2.0\nB,u,1.5\nA,y,2.2\nC,w,3\nB,v,3.0\nC,z,1.6\n"
    books = parse_odds_text(text, "m.csv", OddsRequest()).books
    assert [(b.event, b.labels) for b in books] == [("A", ("x", "y")), ("B", ("u", "v")), ("C", ("w", "z"))]
    assert [list(b.odds) for b in books] == [[2.0, 2.2], [1.5, 3.0], [3.0, 1.6]]
    with pytest.raises(InputError, match=r"row 5 column 'odds'.*'0\.9'"):
        parse_odds_text(text.replace("C,w,3", "C,w,0.9"), "m.csv", OddsRequest())


def test_books_without_margin_under_shin_are_named_each_with_its_own_sum():
    """Shin needs a margin: such books are de-margined multiplicatively, each warning giving that book's own sum
    (the sums are looked up by position among books of the same size)."""
    text = "event,outcome,odds\nA,x,2.0\nA,y,2.0\nB,x,1.9\nB,y,2.1\nC,x,3.0\nC,y,3.0\nD,x,1.8\nD,y,2.1\n"
    markets = markets_from_text(text, "m.csv", OddsRequest(), "shin")
    warned = {m.event: m.warnings for m in markets}
    assert any("prices sum to 1.0000" in w for w in warned["A"])
    assert any("prices sum to 0.6667" in w for w in warned["C"])
    assert not warned["B"] and not any("no margin" in w for w in warned["D"])
    assert markets[2].distribution.method == "multiplicative" and markets[1].distribution.method == "shin"
