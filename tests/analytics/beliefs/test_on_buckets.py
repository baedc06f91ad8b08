"""A belief about a number scored on a market of ordered buckets (analytics.beliefs.on_buckets): the written form
of a range event (event,outcome,odds,taken_odds,low,high, as `fetch` writes it) read with its bounds, and a
normal, a grid, quantiles and buckets mapped onto it as computed by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.stats import norm

from analytics.beliefs.on_buckets import belief_on_buckets, bucket_edges
from analytics.beliefs.price import BucketBelief, GridBelief, QuantileBelief, parametric_from_json
from analytics.core.errors import InputError
from tests.conftest import run_cli

NAN = float("nan")
# a whole-degree ladder: "18°C or below", "19°C", "20°C", "21°C or higher"
LOWS = np.array([NAN, 19.0, 20.0, 21.0])
HIGHS = np.array([18.0, 19.0, 20.0, NAN])


def test_edges_fall_midway_between_whole_units():
    assert bucket_edges(LOWS, HIGHS).tolist() == [-math.inf, 18.5, 19.5, 20.5, math.inf]
    with pytest.raises(InputError, match="open below the first and above the last"):
        bucket_edges(np.array([17.0, 19.0]), np.array([18.0, NAN]))


def test_each_belief_form_on_the_buckets():
    normal = parametric_from_json({"kind": "normal", "mean": 19.8, "sd": 1.1}, "b.json")
    want = np.diff(norm.cdf([-np.inf, 18.5, 19.5, 20.5, np.inf], 19.8, 1.1))
    assert belief_on_buckets(normal, LOWS, HIGHS) == pytest.approx(want, abs=1e-15)
    x = np.linspace(10, 30, 20001)
    grid = GridBelief(x, norm.pdf(x, 19.8, 1.1))
    assert belief_on_buckets(grid, LOWS, HIGHS) == pytest.approx(want, abs=1e-6)
    quantiles = QuantileBelief(np.array([0.05, 0.5, 0.95]), np.array([18.0, 20.0, 22.0]))
    assert belief_on_buckets(quantiles, LOWS, HIGHS) == pytest.approx(
        np.diff([0.0, 0.05 + 0.45 * 0.25, 0.05 + 0.45 * 0.75, 0.5 + 0.45 * 0.25, 1.0]))
    buckets = BucketBelief(np.array([-np.inf, 19.5]), np.array([19.5, np.inf]), np.array([0.4, 0.6]))
    with pytest.raises(InputError, match="straddles the market's buckets"):
        belief_on_buckets(buckets, LOWS, HIGHS)
    closed = BucketBelief(np.array([-np.inf, 18.5, 19.5, 20.5]), np.array([18.5, 19.5, 20.5, np.inf]),
                          np.array([0.1, 0.3, 0.4, 0.2]))
    assert belief_on_buckets(closed, LOWS, HIGHS) == pytest.approx([0.1, 0.3, 0.4, 0.2])


def test_score_a_normal_belief_on_a_written_range_market(write):
    mids = [0.1, 0.3, 0.4, 0.2]
    rows = "".join(f"Highest temperature,{label},{1 / q!r},{1 / (q + 0.01)!r},{lo},{hi},Polymarket,u,t\n"
                   for label, q, lo, hi in zip(("18°C or below", "19°C", "20°C", "21°C or higher"), mids,
                                               ("", "19.0", "20.0", "21.0"), ("18.0", "19.0", "20.0", ""),
                                               strict=True))
    market = write("range.csv", "event,outcome,odds,taken_odds,low,high,source,url,fetched_utc\n" + rows)
    belief = write("b.json", json.dumps({"kind": "normal", "mean": 19.8, "sd": 1.1}))
    done = run_cli("score", "--market", market, "--belief", belief, "--method", "multiplicative")
    assert done.returncode == 0, done.stderr
    p = np.diff(norm.cdf([-np.inf, 18.5, 19.5, 20.5, np.inf], 19.8, 1.1))
    assert json.loads(done.stdout)["kl_nats"] == pytest.approx(float(np.sum(p * np.log(p / mids))), rel=1e-9)
