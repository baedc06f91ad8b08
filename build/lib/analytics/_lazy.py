"""Package exports loaded on first use (PEP 562): `import analytics` and the command line's start stay light (the
numerics load scipy and pandas), while `from analytics import score_pairs` works as before."""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping


def lazy_exports(package: str, exports: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module __getattr__ for `package` that imports each exported name from its module (`exports`: name ->
    module) when it is first asked for, and keeps it in the package's `namespace`."""
    def load(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        namespace[name] = value
        return value
    return load
