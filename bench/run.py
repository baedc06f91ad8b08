"""`make bench`: every benchmark, printing medians."""

from __future__ import annotations

import importlib
import logging
import pkgutil

import bench as package

BARE_MODE_LOGGERS = ("streamlit.runtime.scriptrunner_utils.script_run_context",
                     "streamlit.runtime.caching.cache_data_api", "streamlit.runtime.caching.cache_resource_api")


def quiet_streamlit() -> None:
    """The dashboard's cached functions run here outside a Streamlit server, where Streamlit warns "missing
    ScriptRunContext" / "No runtime found" on every call, between the figures: expected, not news. A filter on
    those loggers drops their warnings whatever level Streamlit (or AppTest, reloading its config) sets later."""
    for name in BARE_MODE_LOGGERS:
        logging.getLogger(name).addFilter(lambda record: record.levelno >= logging.ERROR)


def main() -> None:
    quiet_streamlit()
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_")):
        importlib.import_module(f"bench.{module}").run()
        print()


if __name__ == "__main__":
    main()
