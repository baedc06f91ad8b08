"""The bundled risk-free curve (data/snapshots/rates, provenance there): US Treasury bill rates by date, the
discount an option chain's density falls back on when put-call parity implies no plausible rate."""

from __future__ import annotations

import functools
from datetime import date, timedelta

from analytics.options.rates import RateCurve
from data.bundled import SNAPSHOTS

BILLS = SNAPSHOTS / "rates" / "us_treasury_bills.csv"
STALE_AFTER = timedelta(days=31)       # a curve older than this says little about the as-of date's rates


@functools.lru_cache(maxsize=1)
def _curves() -> dict[str, RateCurve]:
    import pandas as pd

    table = pd.read_csv(BILLS, dtype={"date": str, "series": str})
    return {day: RateCurve.from_bill_discounts(day, rows["days"].to_numpy(float),
                                               rows["discount_percent"].to_numpy(float), "US Treasury bill")
            for day, rows in table.groupby("date")}


def curve_for(asof: str) -> RateCurve | None:
    """The latest bundled curve dated on the as-of date or up to STALE_AFTER before it (never after: that would
    use later information); None when there is none."""
    try:
        day = date.fromisoformat(asof.strip()[:10])
    except ValueError:
        return None
    usable = [d for d in _curves() if day - STALE_AFTER <= date.fromisoformat(d) <= day]
    return _curves()[max(usable)] if usable else None
