"""A risk-free curve from Treasury bill rates: the discount factor an option chain's density falls back on when
put-call parity implies no plausible rate (docs/methods.md, "Option density"). Rates continuously compounded, per
year of 365 days."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.core.types import FloatArray


@dataclass(frozen=True, eq=False)
class RateCurve:
    """Continuously compounded rates at maturities in years (ascending), dated, with the source's name."""

    date: str
    years: FloatArray
    rates: FloatArray
    source: str

    @classmethod
    def from_bill_discounts(cls, date: str, days: FloatArray, discount_percent: FloatArray,
                            source: str) -> RateCurve:
        """Bills quoted on a discount basis d (percent) for n days: price P = 1 - d n / 360, rate -ln(P) / (n / 365)."""
        days, d = np.asarray(days, dtype=float), np.asarray(discount_percent, dtype=float) / 100
        order = np.argsort(days)
        price = 1 - d[order] * days[order] / 360
        return cls(date, days[order] / 365, -np.log(price) / (days[order] / 365), source)

    def rate_at(self, t_years: float) -> float:
        """The rate at time t: linear in time between maturities, the end rates beyond them."""
        return float(np.interp(t_years, self.years, self.rates))

    def describe(self, t_years: float) -> str:
        return (f"the {self.source} curve of {self.date} at {t_years * 365:.0f} days, "
                f"{self.rate_at(t_years) * 100:.2f} %/yr")

