"""`make bench`: every benchmark, printing medians."""

from __future__ import annotations

import importlib
import pkgutil

import bench as package


def main() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_")):
        importlib.import_module(f"bench.{module}").run()
        print()


if __name__ == "__main__":
    main()
