"""The layers of docs/architecture (README "Layout") hold: imports point one way, and the numerics
package neither imports the application's packages, the UI and plotting libraries, nor the network."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("analytics", "data", "reporting", "services", "dashboard")
# what each package may import, of the project's own packages (its own subpackages always)
ALLOWED = {
    "analytics": set(),
    "data": {"analytics"},
    "reporting": {"analytics"},
    "services": {"analytics", "data", "reporting"},
    "dashboard": {"analytics", "data", "reporting", "services"},
}
FORBIDDEN_IN_ANALYTICS = {"streamlit", "plotly", "kaleido", "fpdf", "yfinance", "requests", "urllib", "http",
                          "socket", "curl_cffi", "sqlalchemy", "sqlite3", "psycopg"}
# the entry point `python -m analytics` composes the command line, which is the application's job
ENTRY_POINTS = {ROOT / "analytics" / "__main__.py"}


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports (at any depth, relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = path.relative_to(ROOT).parts[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add(package if node.level else (node.module or "").split(".")[0])
    return found


def files_of(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if p not in ENTRY_POINTS)


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_down_the_layers(package: str) -> None:
    others = set(PACKAGES) - {package} - ALLOWED[package]
    offending = {str(p.relative_to(ROOT)): sorted(imported_modules(p) & others) for p in files_of(package)}
    assert not {k: v for k, v in offending.items() if v}


def test_analytics_imports_no_ui_plotting_database_or_network_library() -> None:
    offending = {str(p.relative_to(ROOT)): sorted(imported_modules(p) & FORBIDDEN_IN_ANALYTICS)
                 for p in files_of("analytics")}
    assert not {k: v for k, v in offending.items() if v}


def test_importing_every_analytics_module_loads_none_of_them() -> None:
    """What the modules load at run time, transitively (an import hidden in a dependency counts too)."""
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
               for p in files_of("analytics")]
    probe = ("import sys\n" + "".join(f"import {m}\n" for m in modules) +
             "bad = sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:]))\nprint(','.join(bad))")
    forbidden = sorted(FORBIDDEN_IN_ANALYTICS - {"http", "urllib", "socket", "sqlite3"} | set(PACKAGES) - {"analytics"})
    done = subprocess.run([sys.executable, "-c", probe, *forbidden], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_the_checker_sees_a_forbidden_import() -> None:
    bad = ROOT / "analytics" / "_architecture_probe.py"
    bad.write_text("from data.files import read_text_file\nimport plotly\n", encoding="utf-8")
    try:
        assert imported_modules(bad) >= {"data", "plotly"}
    finally:
        bad.unlink()


def test_nothing_patches_the_import_path() -> None:
    for package in PACKAGES:
        for path in files_of(package):
            text = path.read_text(encoding="utf-8")
            assert "sys.path" not in text and "PYTHONPATH" not in text, path


def test_analytics_works_with_the_network_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chain's density and a belief's score with every socket refused: the numerics never reach out."""
    import socket

    from analytics.beliefs.reading import parse_beliefs
    from analytics.options.chain import clean_expiry, parse_chain, years_to_expiry
    from analytics.options.density import density_from_quotes
    from analytics.scoring.continuous import ContinuousMarket, score_continuous_belief

    text = (ROOT / "data/snapshots/options/SPY_20260211_chain.csv").read_text(encoding="utf-8")
    belief_text = (ROOT / "data/examples/view.json").read_text(encoding="utf-8")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("analytics opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    chain = parse_chain(text, "SPY")
    fitted = density_from_quotes(clean_expiry(chain, "2026-03-20"), years_to_expiry("2026-02-11T11:19", "2026-03-20"))
    market = ContinuousMarket("2026-03-20", fitted.density, (), fitted.diagnostics.quoted_strike_range)
    score = score_continuous_belief(parse_beliefs(belief_text, "view.json")[0].spec, market)
    assert 0 < score.kl_nats < 1
