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


def test_surprise_timeline_of_a_prediction_market_day_by_day():
    """Each step is KL(day || day before) in bits on the outcomes both days list (the rest merged into one
    bucket); the steps sum to the total; the largest step names its biggest mover."""
    import math

    import numpy as np
    from scipy.special import rel_entr

    from analytics.betting.market import DiscreteMarket
    from analytics.betting.surprise import snapshot_series, surprise_timeline
    from analytics.core.distributions import DiscreteDistribution

    def snap(day, labels, probs):
        return DiscreteMarket(f"Who wins? {day}", DiscreteDistribution(labels, np.asarray(probs)))

    markets = [snap("2025-01-03", ("A", "B", "C"), [0.2, 0.7, 0.1]),
               snap("2025-01-01", ("A", "B", "C"), [0.5, 0.3, 0.2]),
               snap("2025-01-02", ("A", "B"), [0.45, 0.55]),
               DiscreteMarket("Other market 2025-01-01", DiscreteDistribution(("x", "y"), np.array([0.5, 0.5])))]
    series = snapshot_series(markets)
    assert list(series) == ["Who wins?"]                      # a market with one snapshot is no timeline
    timeline = surprise_timeline(*series["Who wins?"])
    assert timeline.times == ("2025-01-01", "2025-01-02", "2025-01-03")
    # each step compares the outcomes both days list, conditioned on them; C leaving and coming back is reported
    # apart as the mass it had (0.2) and the mass it enters with (0.1), not as infinite surprise
    first = rel_entr([0.45, 0.55], np.array([0.5, 0.3]) / 0.8).sum() / math.log(2)
    second = rel_entr(np.array([0.2, 0.7]) / 0.9, [0.45, 0.55]).sum() / math.log(2)
    assert timeline.step_bits == pytest.approx([first, second], abs=1e-12)
    assert math.isfinite(timeline.total_bits)
    assert list(timeline.left) == pytest.approx([0.2, 0.0]) and list(timeline.entered) == pytest.approx([0.0, 0.1])
    finite = surprise_timeline(["1", "2", "3"], [snap("1", ("A", "B", "C"), [0.5, 0.3, 0.2]),
                                                 snap("2", ("A", "B", "C"), [0.6, 0.3, 0.1]),
                                                 snap("3", ("A", "B", "C"), [0.2, 0.5, 0.3])])
    assert finite.total_bits == pytest.approx(float(np.sum(finite.step_bits)), abs=1e-15)
    k, sentence = finite.largest_step()
    assert k == 1 and sentence.startswith("2 to 3") and "A 60.0% to 20.0%" in sentence
