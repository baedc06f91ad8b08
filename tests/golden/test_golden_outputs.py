"""Every golden command prints what it printed when it was recorded: same exit code, same keys, same strings,
numbers equal to 1e-9 relative (BLAS may round differently on another machine; a density fit's diagnostics
to 1e-6). Recorded before the package
was reorganised, and re-recorded only for intended changes, each named in its commit (the always-zero
repaired-mass diagnostic removed; reverse KL of smooth price beliefs finite, from log-densities;
reports carry only the caveats of their market)."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.golden.commands import GOLDEN, recorded, run


def assert_same(now: object, before: object, where: str = "") -> None:
    if isinstance(before, float) or (isinstance(before, int) and isinstance(now, float)):
        assert isinstance(now, (int, float)), f"{where}: {now!r} is not a number like {before!r}"
        # a fit's diagnostics come out of an eigenproblem whose last digits follow the machine's BLAS
        # (effective_parameters moved by 7e-9 relative between two machines); the results themselves do not
        rel_tol = 1e-6 if ".diagnostics." in where else 1e-9
        assert math.isclose(now, before, rel_tol=rel_tol, abs_tol=1e-12), f"{where}: {now!r} != {before!r}"
    elif isinstance(before, dict):
        assert isinstance(now, dict) and now.keys() == before.keys(), \
            f"{where}: keys {sorted(now) if isinstance(now, dict) else now!r} != {sorted(before)}"
        for key in before:
            assert_same(now[key], before[key], f"{where}.{key}")
    elif isinstance(before, list):
        assert isinstance(now, list) and len(now) == len(before), f"{where}: length differs"
        for i, (a, b) in enumerate(zip(now, before, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    else:
        assert now == before, f"{where}: {now!r} != {before!r}"


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
