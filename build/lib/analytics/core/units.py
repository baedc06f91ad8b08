"""Units of information. Every divergence is computed in nats (natural logs); bits are nats / ln 2. One bit of
Kelly growth per bet doubles wealth per bet (docs/methods.md, "Units")."""

from __future__ import annotations

import math
from typing import overload

import numpy as np

from analytics.core.types import FloatArray

LN2 = math.log(2.0)


@overload
def to_bits(nats: float) -> float: ...
@overload
def to_bits(nats: FloatArray) -> FloatArray: ...
def to_bits(nats: float | FloatArray) -> float | FloatArray:
    """Nats to bits (inf stays inf); a float for a float, an array for an array."""
    if isinstance(nats, np.ndarray):
        return nats / LN2
    return float(nats) / LN2
