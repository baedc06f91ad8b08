"""Every golden command prints what it printed when it was recorded: same exit code, same keys, same strings,
numbers equal to 1e-9 relative (BLAS may round differently on another machine; a density fit's diagnostics
to 1e-6; an option position to its solver's precision, below), CSV reports cell by cell. Recorded before the package
was reorganised, and re-recorded only for intended changes, each named in its commit (the always-zero
repaired-mass diagnostic removed; reverse KL of smooth price beliefs finite, from log-densities;
reports carry only the caveats of their market; an option position valued at no better than the
market density's prices; the chain's fit_warning and quotes_cheaper_than_density keys added, nothing else;
reports record the price settings in their inputs, and CSV reports list them first as input.* rows; the SPY and
AAPL chains' expiries whose put-call parity implies no plausible rate discounted at the bundled Treasury bill curve
of their date instead of at rate 0; the odds markets' stake_risk key added, nothing else changed)."""

from __future__ import annotations

import csv
import io
import math
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.golden.commands import GOLDEN, recorded, run

# The growth-optimal option position comes from an interior-point solver that stops within its tolerance, and which
# of the nearly equally good positions it returns follows the last bits of its inputs: on another CPU the legs of
# one golden went from 31 to 33, one BLAS thread instead of two turned 17 legs into 130, and 1e-13 relative noise
# on the densities moves the leg count by up to 113. So the figures of that position are held to the solver's
# precision (measured over six draws of that noise: the growth under the belief within 3.3e-4 relative, the cash
# within 9.2e-5; the frictionless growth between two machines within 1.5e-7), and its legs and its growth if the
# market is right are held to what every position the solver may return satisfies.
SOLVER_REL_TOL = {"kelly_growth_tradable_bits": 1e-3, "kelly_growth_tradable_nats": 1e-3, "cash_fraction": 1e-3,
                  "growth_mid_bits": 1e-6, "growth_mid_nats": 1e-6,
                  # the position's growth beyond the KL: the same solver's precision (5e-4 relative seen when the
                  # position went to Clarabel directly instead of through cvxpy)
                  "quotes_cheaper_than_density_bits": 1e-3, "quotes_cheaper_than_density_nats": 1e-3}
POSITION_PROPERTIES = {"legs", "market_right_growth_tradable_bits", "market_right_growth_tradable_nats"}


def assert_same(now: object, before: object, where: str = "") -> None:
    key = where.rsplit(".", 1)[-1]
    if isinstance(before, float) or (isinstance(before, int) and isinstance(now, float)):
        assert isinstance(now, (int, float)), f"{where}: {now!r} is not a number like {before!r}"
        # a fit's diagnostics come out of an eigenproblem whose last digits follow the machine's BLAS
        # (effective_parameters moved by 7e-9 relative between two machines); the results themselves do not
        rel_tol = 1e-6 if ".diagnostics." in where else SOLVER_REL_TOL.get(key, 1e-9)
        assert math.isclose(now, before, rel_tol=rel_tol, abs_tol=1e-12), f"{where}: {now!r} != {before!r}"
    elif isinstance(before, dict):
        assert isinstance(now, dict) and now.keys() == before.keys(), \
            f"{where}: keys {sorted(now) if isinstance(now, dict) else now!r} != {sorted(before)}"
        is_position = "legs" in before and "cash_fraction" in before
        if is_position:
            assert_same_position(now, before, where)
        for name in before.keys() - POSITION_PROPERTIES if is_position else before:
            assert_same(now[name], before[name], f"{where}.{name}")
    elif isinstance(before, list):
        assert isinstance(now, list) and len(now) == len(before), f"{where}: length differs"
        for i, (a, b) in enumerate(zip(now, before, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(before, str) and where.endswith(".report"):
        assert isinstance(now, str), f"{where}: {now!r} is not a CSV report"
        assert_same_csv(now, before, where)
    else:
        assert now == before, f"{where}: {now!r} != {before!r}"


def assert_same_position(now: dict, before: dict, where: str) -> None:
    """An option position's legs and its growth if the market is right, by what holds for any position the solver
    may return: the same leg fields, legs exactly when there were legs, legs and cash spending the whole bankroll,
    and a log return under the market's own density that is finite and not positive (the quotes are at least fair
    to the market, so a bettor who is wrong cannot expect to grow)."""
    legs, recorded_legs = now["legs"], before["legs"]
    assert isinstance(legs, list) and bool(legs) == bool(recorded_legs), f"{where}.legs: {len(legs)} legs"
    assert all(leg.keys() == recorded_legs[0].keys() for leg in legs), f"{where}.legs: fields differ"
    assert all(leg["side"] in ("buy", "sell") and leg["type"] in ("call", "put") for leg in legs), f"{where}.legs"
    spent = math.fsum(leg["cost"] for leg in legs) + now["cash_fraction"]
    assert math.isclose(spent, 1.0, abs_tol=1e-9), f"{where}: legs and cash spend {spent} of the bankroll"
    for unit in ("bits", "nats"):
        name = f"market_right_growth_tradable_{unit}"
        if name in before:
            assert math.isfinite(now[name]) and now[name] <= 1e-12, f"{where}.{name}: {now[name]}"


def assert_same_csv(now: str, before: str, where: str) -> None:
    """A CSV report cell by cell: text equal, numbers to 1e-9 relative (the last digit of a sum follows the CPU)."""
    rows, recorded_rows = list(csv.reader(io.StringIO(now))), list(csv.reader(io.StringIO(before)))
    assert len(rows) == len(recorded_rows), f"{where}: {len(rows)} rows, recorded {len(recorded_rows)}"
    for number, (row, recorded_row) in enumerate(zip(rows, recorded_rows, strict=True)):
        assert len(row) == len(recorded_row), f"{where} row {number}: {row} != {recorded_row}"
        for cell, recorded_cell in zip(row, recorded_row, strict=True):
            try:
                value, recorded_value = float(cell), float(recorded_cell)
            except ValueError:
                assert cell == recorded_cell, f"{where} row {number}: {cell!r} != {recorded_cell!r}"
                continue
            assert math.isclose(value, recorded_value, rel_tol=1e-9, abs_tol=1e-12), \
                f"{where} row {number}: {cell} != {recorded_cell}"


@pytest.fixture(scope="module")
def outputs() -> dict[str, dict[str, object]]:
    """Every golden command run once, four at a time (each is a separate process)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(GOLDEN, pool.map(run, GOLDEN.values()), strict=True))


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_command_prints_the_recorded_output(name: str, outputs: dict[str, dict[str, object]]) -> None:
    assert_same(outputs[name], recorded(name), name)


def test_the_comparison_catches_a_changed_number() -> None:
    with pytest.raises(AssertionError):
        assert_same({"kl_bits": 0.5 + 1e-6}, {"kl_bits": 0.5})
    with pytest.raises(AssertionError):
        assert_same({"warnings": ["a"]}, {"warnings": []})
    with pytest.raises(AssertionError):
        assert_same("a,b\n1,0.5000001\n", "a,b\n1,0.5\n", "x.report")
    with pytest.raises(AssertionError):
        assert_same("a,b\n1,0.5\n", "a,c\n1,0.5\n", "x.report")
    assert_same("a,b\n1,0.30000000000000004\n", "a,b\n1,0.3\n", "x.report")


def test_the_comparison_holds_a_position_to_what_any_optimum_satisfies() -> None:
    leg = {"type": "call", "strike": 700.0, "side": "buy", "quantity": 0.1, "price": 2.0, "cost": 0.2}
    recorded = {"legs": [leg], "cash_fraction": 0.8, "kelly_growth_tradable_nats": 0.1,
                "market_right_growth_tradable_nats": -0.05}
    assert_same({**recorded, "legs": [leg, {**leg, "strike": 710.0, "cost": 0.0}],
                 "market_right_growth_tradable_nats": -0.07}, recorded)
    for changed in ({"legs": []}, {"cash_fraction": 0.7}, {"kelly_growth_tradable_nats": 0.1002},
                    {"market_right_growth_tradable_nats": 0.01}, {"legs": [{**leg, "side": "hold"}]}):
        with pytest.raises(AssertionError):
            assert_same({**recorded, **changed}, recorded)
