"""How numbers read on the pages and in the reports: one place for units and for infinity."""

from __future__ import annotations

import math

from analytics.core.units import to_bits

INFINITE = "∞ (infinite)"


def _fixed(value: float, digits: int) -> str:
    """value to `digits` decimals; anything that would print as -0.000... prints as 0.000..."""
    return f"{0.0 if abs(value) < 0.5 * 10.0**-digits else value:.{digits}f}"


def fmt_bits(nats: float, digits: int = 4) -> str:
    """A divergence or growth given in nats, shown in bits: '0.8661 bits', or '∞ (infinite)'."""
    return INFINITE if math.isinf(nats) else f"{_fixed(to_bits(nats), digits)} bits"


def fmt_nats(nats: float, digits: int = 5) -> str:
    return "∞" if math.isinf(nats) else f"{_fixed(nats, digits)} nats"


def fmt_value(value: float | str | None, unit: str = "") -> str:
    """A report cell: 'n/a' for a missing figure, '∞ (infinite)' for an infinite one, text as it is."""
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if math.isinf(value):
        return INFINITE
    return f"{value + 0.0:.6g} {unit}".rstrip()        # + 0.0: a negative zero prints as 0
