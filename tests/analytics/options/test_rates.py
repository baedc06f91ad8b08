"""The risk-free curve (analytics.options.rates, data.rates): bill discounts to continuous rates by the closed form,
and a chain whose put-call parity implies no plausible rate discounted at the bundled curve of its date, named."""

from __future__ import annotations

import math

import pytest

from analytics.options.rates import RateCurve
from data.chains import asof_new_york, bundled_chains, densities_from_file
from data.rates import curve_for


def test_bill_discounts_become_continuous_rates():
    curve = RateCurve.from_bill_discounts("d", [182, 28], [3.51, 3.63], "bills")
    assert curve.rate_at(28 / 365) == pytest.approx(-math.log(1 - 0.0363 * 28 / 360) * 365 / 28, rel=1e-12)
    assert curve.rate_at(182 / 365) == pytest.approx(-math.log(1 - 0.0351 * 182 / 360) * 365 / 182, rel=1e-12)
    assert curve.rate_at(0.0) == curve.rate_at(28 / 365)                      # the end rates beyond
    middle = curve.rate_at(105 / 365)
    assert min(curve.rates) < middle < max(curve.rates)


def test_the_bundled_curve_is_used_only_on_or_after_its_date():
    assert curve_for("2026-02-11T11:19") is not None and curve_for("2026-02-11").date == "2026-02-11"
    assert curve_for("2026-03-03") is not None                                  # 20 days later: still used, dated
    assert curve_for("2026-02-10") is None                                      # before it: later information
    assert curve_for("2026-04-30") is None                                      # more than 31 days later
    assert curve_for("not a date") is None
    assert curve_for("2026-02-11").rate_at(37 / 365) == pytest.approx(0.0368, abs=5e-5)


def test_a_chain_without_a_plausible_parity_rate_is_discounted_at_the_curve_and_says_why():
    info = next(s for s in bundled_chains() if s.ticker == "SPY")
    asof = asof_new_york(info.asof_utc)
    by_expiry = {cd.expiry: cd for cd in densities_from_file(str(info.file), asof=asof, spot=info.spot, rate=None)}
    chain = by_expiry["2026-03-20"]
    expected = curve_for(asof).rate_at(chain.t_years)
    assert chain.discount == pytest.approx(math.exp(-expected * chain.t_years), rel=1e-12)
    method = chain.diagnostics.forward_method
    assert "US Treasury bill curve of 2026-02-11" in method and "implied -11.3 %/yr" in method
    assert "American exercise" in method
    given = {cd.expiry: cd for cd in densities_from_file(str(info.file), asof=asof, spot=info.spot, rate=0.01)}
    assert given["2026-03-20"].discount == pytest.approx(math.exp(-0.01 * chain.t_years), rel=1e-12)
    assert "given rate 0.01" in given["2026-03-20"].diagnostics.forward_method
    # a chain read as of a day the curve does not cover falls back to 0 and says so
    early = densities_from_file(str(info.file), asof="2026-02-10T15:00", spot=info.spot, rate=None,
                                expiry="2026-03-20")[0]
    assert early.discount == 1.0 and "no risk-free curve covers this date; give a rate" in \
        early.diagnostics.forward_method
