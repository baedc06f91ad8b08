"""`make bench`: every benchmark, printing medians."""

from __future__ import annotations

import importlib
import pkgutil

import bench as package


def quiet_streamlit() -> None:
    """The dashboard's cached functions run here outside a Streamlit server, where Streamlit warns "missing
    ScriptRunContext" / "No runtime found" on every call, between the figures: expected, not news. Streamlit reads
    its loggers' level from one global setting."""
    import streamlit.logger

    streamlit.logger.set_log_level("error")        # its loggers now, and those it creates later


def main() -> None:
    quiet_streamlit()
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_")):
        importlib.import_module(f"bench.{module}").run()
        print()


if __name__ == "__main__":
    main()
