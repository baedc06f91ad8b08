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


def fmt(value: float | None, spec: str, unit: str = "") -> str:
    """One number as the pages show it, by a format spec ('.4f', '+.2%', ',.2f'): never '-0.0000' or '-0.0 %' for
    a value that rounds to zero, '∞' for an infinite one, 'n/a' for a missing or undefined one; `unit` after it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        shown = "∞" if value > 0 else "-∞"
    else:
        shown = format(value, spec)
        if shown.lstrip("-+").strip("0.,%") == "" and shown.startswith("-"):   # -0.00 is zero
            shown = format(abs(value) * 0.0, spec)
    return f"{shown} {unit}".rstrip() if unit else shown


def fmt_value(value: float | str | None, unit: str = "") -> str:
    """A report cell: 'n/a' for a missing figure, '∞ (infinite)' for an infinite one, text as it is."""
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if math.isinf(value):
        return INFINITE
    return f"{value + 0.0:.6g} {unit}".rstrip()        # + 0.0: a negative zero prints as 0
