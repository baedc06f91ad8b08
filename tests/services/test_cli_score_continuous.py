"""`score` with a price market: an option chain (with --spot --asof --expiry) or a density file."""

import json
import math

import numpy as np
import pytest
from scipy.stats import lognorm

from tests.conftest import run_cli

SPY = "data/snapshots/options/SPY_20260211_chain.csv"
CHAIN_FLAGS = ("--spot", "692.3", "--asof", "2026-02-11T11:19", "--expiry", "2026-03-20")


def test_several_beliefs_against_a_chain_give_one_row_each():
    done = run_cli("score", "--market", SPY, *CHAIN_FLAGS, "--belief", "data/examples/several.json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["results"]
    assert [r["belief"] for r in rows] == ["bull", "bear", "wider"]
    for r in rows:
        assert r["kl_bits"] == pytest.approx(r["kl_nats"] / math.log(2))
        assert r["kl_nats"] > 0 and r["kelly_growth_fair_nats"] == r["kl_nats"]
        assert r["allocation"] is None              # a chain's position is its legs (the options edge)
        assert 0 <= r["kelly_growth_tradable_nats"] and r["binned_kl_nats"] <= r["butterfly_growth_nats"] \
            <= r["growth_mid_nats"] <= r["kl_nats"]
        assert sum(leg["cost"] for leg in r["legs"]) + r["cash_fraction"] == pytest.approx(1.0, abs=1e-9)
        assert r["event"] == "2026-03-20"


def test_density_file_market_reproduces_theory_5_8(write):
    x = np.linspace(20.0, 450.0, 8001)
    pdf = lognorm(s=0.1, scale=math.exp(4.607670185988092)).pdf(x)
    market = write("market.csv", "x,density\n" + "\n".join(
        f"{a!r},{b!r}" for a, b in zip(x.tolist(), pdf.tolist(), strict=True)))
    belief = write("belief.json", json.dumps({"kind": "lognormal", "median": math.exp(4.617357685988091),
                                              "sigma": 0.125}))
    done = run_cli("score", "--market", market, "--belief", belief)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["kl_nats"] == pytest.approx(0.062798831498289, abs=1e-6)
    assert out["kl_bits"] == pytest.approx(0.090599562776204, abs=1e-6)


def test_chain_with_several_expiries_needs_one():
    done = run_cli("score", "--market", SPY, "--spot", "692.3", "--asof", "2026-02-11T11:19",
                   "--belief", "data/examples/view.json")
    assert done.returncode == 2
    assert "pick it with --expiry" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_discrete_belief_cannot_score_a_price_density():
    done = run_cli("score", "--market", SPY, *CHAIN_FLAGS, "--belief", "data/examples/discrete.csv")
    assert done.returncode == 2
    assert "cannot be scored against a price density" in done.stderr


@pytest.mark.parametrize("rate", ["-50", "nan", "inf"])
def test_density_refuses_an_implausible_rate_at_once(rate):
    done = run_cli("density", "--chain", SPY, "--spot", "692.3", "--asof", "2026-02-11T11:19", "--rate", rate,
                   timeout=30)
    assert done.returncode == 2 and "outside -0.05 to 0.25" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
