"""How much a market moved from opening to closing prices, in bits per match."""

import numpy as np
import pytest

from analytics.betting.odds_files import OddsRequest
from analytics.betting.surprise import market_surprise
from analytics.core.divergence import kl_divergence
from data.files import read_text_file
from data.market_files import markets_from_text
from tests.conftest import ROOT

SNAP = ROOT / "data/snapshots"


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
