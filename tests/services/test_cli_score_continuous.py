"""`score` with a price market: an option chain (with --spot --asof --expiry) or a density file."""

import json
import math

import numpy as np
import pytest
from scipy.stats import lognorm

from tests.conftest import ROOT, run_cli

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


def test_options_edge_of_a_zero_spread_lognormal_chain(write):
    """The method notes' lognormal example quoted at its exact Black-Scholes prices (spread 2e-7) at strikes
    60, 65, ..., 160, fitted like any chain: the bucket figures match the reference within the density fit's
    error, and the optimum at the quotes lies between the butterfly growth and the KL (theorems there)."""
    from scipy.stats import norm

    s0, r, t, sigma = 100.0, 0.03, 0.25, 0.2
    forward, discount = s0 * math.exp(r * t), math.exp(-r * t)
    rows = ["contractSymbol,strike,bid,ask,optionType,expiration"]
    for k in np.arange(60.0, 160.01, 5.0):
        d1 = (math.log(forward / k) + sigma**2 * t / 2) / (sigma * math.sqrt(t))
        call = discount * (forward * norm.cdf(d1) - k * norm.cdf(d1 - sigma * math.sqrt(t)))
        for kind, price in (("call", call), ("put", call - discount * (forward - k))):
            rows.append(f"X{kind[0]}{k:g},{k!r},{max(price - 1e-7, 0.0)!r},{price + 1e-7!r},{kind},2026-04-02")
    chain = write("chain.csv", "\n".join(rows) + "\n")
    belief = write("belief.json", json.dumps({"kind": "lognormal", "median": math.exp(4.617357685988091),
                                              "sigma": 0.125}))
    done = run_cli("score", "--market", chain, "--spot", "100", "--asof", "2026-01-01T10:00", "--expiry",
                   "2026-04-02", "--rate", "0.03", "--belief", belief)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["binned_kl_nats"] == pytest.approx(0.058831506803, abs=6e-4)
    assert out["butterfly_growth_nats"] == pytest.approx(0.062525301067, abs=6e-4)
    assert out["kl_nats"] == pytest.approx(0.062798831498, abs=6e-4)
    assert 0.062525301067 - 2e-5 <= out["kelly_growth_tradable_nats"] <= 0.062798831498 + 1e-6
    assert out["binned_kl_nats"] <= out["butterfly_growth_nats"] <= out["growth_mid_nats"] <= out["kl_nats"]
    assert out["quotes_arbitrage"] is None and out["legs"]
    assert out["kelly_growth_tradable_bits"] == pytest.approx(out["kelly_growth_tradable_nats"] / math.log(2))


def test_a_calls_only_chain_without_a_spot_is_refused_naming_the_expiry_once(tmp_path):
    lines = (ROOT / SPY).read_text().splitlines()
    calls = tmp_path / "calls.csv"
    calls.write_text("\n".join([lines[0]] + [line for line in lines[1:] if ",call" in line]) + "\n")
    done = run_cli("density", "--chain", str(calls), "--asof", "2026-02-11T11:19")
    assert done.returncode == 2
    line = done.stderr.strip().splitlines()[-1]
    assert "put-call parity" in line and "give the spot price" in line
    assert line.count("expiry 2026-02-13") == 1, line


def test_a_chain_with_a_wild_quote_warns_and_names_what_beats_the_ceiling(tmp_path):
    """One out-of-the-money call bid at 500 (as the issue found): the fit misses the quotes and says so; growth
    at the quotes above the KL ceiling is named, and adds up."""
    import pandas as pd

    chain = pd.read_csv(ROOT / SPY, dtype=str, keep_default_na=False)
    wild = (chain["expiration"] == "2026-03-20") & (chain["optionType"] == "call") & (chain["strike"] == "760.0")
    assert wild.sum() == 1
    chain.loc[wild, ["bid", "ask"]] = ["500", "501"]
    bad = tmp_path / "wild.csv"
    chain.to_csv(bad, index=False)
    flags = ["--spot", "692.3", "--asof", "2026-02-11T11:19", "--expiry", "2026-03-20", "--belief",
             "data/examples/view.json"]
    warned = json.loads(run_cli("score", "--market", str(bad), *flags).stdout)
    assert "misses the quotes by" in warned["fit_warning"] and "half-spreads" in warned["fit_warning"]
    clean = json.loads(run_cli("score", "--market", SPY, *flags).stdout)
    assert clean["fit_warning"] is None
    for record in (warned, clean):
        above = record["kelly_growth_tradable_nats"] - record["kl_nats"]
        assert record["quotes_cheaper_than_density_nats"] == pytest.approx(max(above, 0.0), abs=1e-15)
        assert record["quotes_cheaper_than_density_bits"] == pytest.approx(
            record["quotes_cheaper_than_density_nats"] / math.log(2), rel=1e-12)


def test_a_shifted_market_keeps_the_market_tails_so_its_reverse_kl_is_finite(tmp_path):
    """AAPL shifted +5 %: the low end of the grid maps below it; the market's tail continues there, so the belief
    has mass wherever the market does (the reverse KL was infinite on x in [21.87, 22.94], a grid artefact)."""
    belief = tmp_path / "shift.json"
    belief.write_text('{"kind": "shifted_market", "shift": 0.05, "scale": 1.0}')
    out = json.loads(run_cli("score", "--market", "data/snapshots/options/AAPL_20260211_chain.csv", "--spot",
                             "275.91", "--asof", "2026-02-11T11:19", "--expiry", "2026-03-20", "--belief",
                             str(belief)).stdout)
    assert out["reverse_infinite_outcomes"] == [] and isinstance(out["reverse_kl_bits"], float)
    assert 0 < out["reverse_kl_bits"] < 1 and 0 < out["kl_bits"] < 1
