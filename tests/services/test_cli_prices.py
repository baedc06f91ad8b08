"""`score` with prices across the bookmakers of the bundled Premier League season."""

import csv
import json

import pytest

from services.prices import bookmaker_quality, bookmakers_of
from tests.conftest import ROOT, run_cli

SEASON = str(ROOT / "data/snapshots/odds/football-data_E0_2324.csv")
MATCH = "2023-08-11 Burnley v Man City"


def first_row() -> dict[str, str]:
    with open(SEASON, encoding="utf-8-sig") as f:
        return next(csv.DictReader(f))


def test_best_prices_are_the_highest_odds_of_the_files_books(write):
    belief = write("b.csv", "outcome,probability\nHome,0.2\nDraw,0.2\nAway,0.6\n")
    done = run_cli("score", "--market", SEASON, "--belief", belief, "--event", MATCH, "--prices", "best")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    row = first_row()
    books = bookmakers_of({c.strip().lower() for c in row})
    assert "Max" not in books and "PSC" not in books and {"B365", "PS", "WH"} <= set(books)
    for outcome, letter in (("Home", "H"), ("Draw", "D"), ("Away", "A")):
        best = max(float(row[f"{b}{letter}"]) for b in books if row.get(f"{b}{letter}"))
        assert out["prices"][outcome]["odds"] == best
        assert float(row[f"{out['prices'][outcome]['bookmaker']}{letter}"]) == best
    assert out["arbitrage"] is None
    assert sum(p["stake"] for p in out["placements"]) + out["cash_fraction"] == pytest.approx(1.0)
    single = json.loads(run_cli("score", "--market", SEASON, "--belief", belief, "--event", MATCH).stdout)
    assert out["kelly_growth_tradable_nats"] >= single["kelly_growth_tradable_nats"]   # shopping never hurts
    assert out["kl_nats"] == pytest.approx(single["kl_nats"], abs=1e-12)                # same market (B365)


def test_a_consensus_of_one_book_is_that_book(write):
    belief = write("b.csv", "outcome,probability\nHome,0.2\nDraw,0.2\nAway,0.6\n")
    alone = json.loads(run_cli("score", "--market", SEASON, "--belief", belief, "--event", MATCH, "--market-from",
                               "consensus", "--books", "PS", "--prices", "PS").stdout)
    pinnacle = json.loads(run_cli("score", "--market", SEASON, "--belief", belief, "--event", MATCH, "--bookmaker",
                                  "PS").stdout)
    assert alone["kl_nats"] == pytest.approx(pinnacle["kl_nats"], abs=1e-12)
    assert {p["bookmaker"] for p in alone["prices"].values()} == {"PS"}


def test_unknown_books_are_named(write):
    belief = write("b.csv", "outcome,probability\nHome,0.2\nDraw,0.2\nAway,0.6\n")
    done = run_cli("score", "--market", SEASON, "--belief", belief, "--event", MATCH, "--books", "B365,XYZ",
                   "--prices", "best")
    assert done.returncode == 2 and "XYZ" in done.stderr


def test_bookmaker_quality_over_the_season():
    text = open(SEASON, encoding="utf-8-sig").read()
    rows = {r["bookmaker"]: r for r in bookmaker_quality(text, SEASON, "decimal", "shin")}
    assert rows["PS"]["mean margin (%)"] < rows["B365"]["mean margin (%)"]     # the sharp book's margin is lowest
    kl = "KL(PSC || book), bits per match"
    assert all(r[kl] > 0 for r in rows.values())
    assert rows["PS"][kl] < rows["B365"][kl]                                    # and it sits closest to its close


@pytest.mark.parametrize("flags, named", [(["--prices", "Max"], "MAX"), (["--prices", "PSC"], "PSC"),
                                          (["--books", "Max,Avg"], "MAX, AVG"), (["--books", "B365,AvgC"], "AVGC")])
def test_summaries_and_closing_sets_are_not_books(write, flags, named):
    belief = write("b.csv", "outcome,probability\nHome,0.3\nDraw,0.3\nAway,0.4\n")
    done = run_cli("score", "--market", SEASON, "--belief", belief, "--event", MATCH, *flags)
    assert done.returncode == 2 and f"{named} summarise the books or are closing prices" in done.stderr
    assert "B365, BW, IW, PS, VC, WH" in done.stderr


def test_a_book_named_twice_counts_once_in_the_consensus(write):
    belief = write("b.csv", "outcome,probability\nHome,0.3\nDraw,0.3\nAway,0.4\n")
    runs = [json.loads(run_cli("score", "--market", SEASON, "--belief", belief, "--event", MATCH, "--market-from",
                               "consensus", "--books", books).stdout)
            for books in ("B365,B365,B365,b365,PS", "B365,PS")]
    assert runs[0]["kl_bits"] == runs[1]["kl_bits"] and runs[0]["prices"] == runs[1]["prices"]


def test_a_consensus_market_carries_no_single_bookmakers_margin():
    from data.files import read_text_file
    from services.prices import PriceChoice, priced_markets

    text = read_text_file(SEASON)
    consensus = priced_markets(text, "season", PriceChoice("consensus", "best"), "decimal", "shin")[0]
    one_book = priced_markets(text, "season", PriceChoice("B365", "best"), "decimal", "shin")[0]
    assert "overround" not in consensus.distribution.diagnostics and "params" not in consensus.distribution.diagnostics
    assert consensus.distribution.diagnostics["books"] == 6 and consensus.distribution.diagnostics["result"] == "Away"
    assert one_book.distribution.diagnostics["overround"] > 0
