"""`score --bankroll`: the order ticket on a chain and the bet slip on an odds file, with their flags refused before
any work when they cannot be used."""

import json

import pytest

from tests.conftest import run_cli

SPY = "data/snapshots/options/SPY_20260211_chain.csv"
CHAIN_FLAGS = ("--spot", "692.3", "--asof", "2026-02-11T11:19", "--expiry", "2026-03-20")
RACING = "data/snapshots/odds/betfair_ANZ_Thoroughbreds_2024-01-01_to_03.csv"


def test_a_ticket_of_whole_contracts_with_the_formats_keys(write):
    belief = write("view.json", json.dumps({"kind": "views", "views": [{"quantile": 0.5, "value": 710}]}))
    done = run_cli("score", "--market", SPY, *CHAIN_FLAGS, "--belief", belief, "--bankroll", "100000",
                   "--commission-per-order", "1", "--max-legs", "4")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    orders = out["orders"]
    assert 0 < len(orders) <= 4
    for order in orders:
        assert isinstance(order["contracts"], int) and order["symbol"].startswith("SPY260320")
        assert order["commission"] == pytest.approx(0.65 * order["contracts"] + 1.0)
    total = sum(o["premium"] + o["commission"] for o in orders) + out["orders_cash"]
    assert total == pytest.approx(100000.0, abs=0.005)
    assert 0 < out["orders_growth_nats"] <= out["kl_nats"] and out["orders_growth_bits"] > out["orders_growth_nats"]
    assert sorted(i for s in out["structures"] for i in s["orders"]) == list(range(len(orders)))
    assert 0 < out["orders_max_loss"] <= 100000.0


def test_a_bet_slip_on_the_exchange_names_its_commission(write):
    """Betfair's odds are taken after its 5 % base-rate commission on net winnings (--commission 0: the raw back
    price): (o - 1) shrinks by the factor 0.95 and the growth falls with it; stakes are whole units."""
    event = json.loads(run_cli("list", RACING).stdout)["events"][0]
    view = {"outcome": "Sinful Living", "probability": 0.85}
    belief = write("v.json", json.dumps({"kind": "views", "views": [view]}))
    slips = {}
    for commission in ("0", "0.05"):
        done = run_cli("score", "--market", RACING, "--event", event, "--belief", belief, "--bankroll", "500",
                       "--stake-unit", "0.5", "--commission", commission)
        assert done.returncode == 0, done.stderr
        slips[commission] = json.loads(done.stdout)
    raw, taken = slips["0"]["slip"], slips["0.05"]["slip"]
    assert [b["outcome"] for b in raw] == ["Sinful Living"] == [b["outcome"] for b in taken]
    assert taken[0]["odds"] - 1 == pytest.approx((raw[0]["odds"] - 1) * 0.95)
    assert taken[0]["bookmaker"] == "Betfair exchange" and taken[0]["stake"] % 0.5 == 0
    assert slips["0.05"]["slip_growth_nats"] < slips["0"]["slip_growth_nats"]


@pytest.mark.parametrize("flags,named", [
    (("--bankroll", "0"), "bankroll"), (("--bankroll", "1000", "--max-legs", "-1"), "max legs"),
    (("--bankroll", "1000", "--max-loss", "2"), "max loss"), (("--commission", "1.5"), "--commission"),
    (("--bankroll", "1000", "--stake-unit", "0"), "stake unit")])
def test_unusable_settings_are_one_line(flags, named, write):
    belief = write("view.json", json.dumps({"kind": "views", "views": [{"quantile": 0.5, "value": 710}]}))
    done = run_cli("score", "--market", SPY, *CHAIN_FLAGS, "--belief", belief, *flags)
    assert done.returncode == 2 and named in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
