"""How a partial belief (buckets, quantiles) is completed on a price grid (docs/formats.md, "Beliefs"): with the
market's own shape inside each bucket (`market`, the default) or smoothly (`smooth`). A module of its own so the
command line can name the choices without loading the numerics."""

from typing import Literal, get_args

Completion = Literal["market", "smooth"]
COMPLETIONS: tuple[Completion, ...] = get_args(Completion)
