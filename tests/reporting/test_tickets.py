"""The ticket and slip files (reporting.tickets) are written as the reports write CSV: names that come from files
and live markets cannot become spreadsheet formulas, and the numbers read back as numbers."""

import csv
import io

import numpy as np

from analytics.betting.slip import SlipSettings, bet_slip
from reporting.tickets import SLIP_COLUMNS, slip_csv


def test_a_slip_of_hostile_names_is_safe_in_a_spreadsheet():
    labels = ("=HYPERLINK(\"http://x\")", "+1-1", "Away")
    slip = bet_slip("@SUM(A1)", labels, np.array([0.6, 0.2, 0.2]), np.array([2.3, 3.6, 3.1]), ("-b",) * 3,
                    SlipSettings(1000.0))
    rows = list(csv.DictReader(io.StringIO(slip_csv(slip).decode())))
    assert list(rows[0]) == SLIP_COLUMNS and rows
    for row, bet in zip(rows, slip.bets, strict=True):
        assert row["event"] == "'@SUM(A1)" and row["bookmaker"] == "'-b"
        assert row["outcome"] == ("'" + bet.outcome if bet.outcome[0] in "=+" else bet.outcome)
        assert float(row["stake"]) == bet.stake and float(row["odds"]) == bet.odds
