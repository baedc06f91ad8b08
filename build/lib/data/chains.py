"""Option chains from files and bundled snapshots (with their spot and as-of time) to densities."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.core.errors import InputError
from analytics.options.chain import clean_expiry, expiries, parse_chain, years_to_expiry
from analytics.options.density import ChainDensity, check_inputs, density_from_quotes
from data.bundled import SNAPSHOTS
from data.files import read_text_file
from data.rates import curve_for

OPTIONS = SNAPSHOTS / "options"


@dataclass(frozen=True)
class SnapshotInfo:
    """A bundled chain: ticker, spot, as-of time (UTC, ISO) and how the spot was obtained."""

    file: Path
    ticker: str
    spot: float
    asof_utc: str
    spot_source: str
    expiries: tuple[str, ...] = ()
    source_repo: str = ""                 # the public repository the quotes were taken from, and its commit
    source_commit: str = ""

    @property
    def provenance(self) -> str:
        """Where the quotes came from, in words (the full record is data/snapshots/options/PROVENANCE.md)."""
        return (f"Quotes downloaded with yfinance, published in the repository {self.source_repo} "
                f"(commit {self.source_commit[:7]}).") if self.source_repo else "Quotes downloaded with yfinance."


def bundled_chains() -> list[SnapshotInfo]:
    with open(OPTIONS / "snapshots.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [SnapshotInfo(OPTIONS / r["file"], r["ticker"], float(r["spot"]),
                         r["snapshot_time_utc_lower_bound"].replace(" ", "T").replace("+00:00", ""),
                         r["spot_source"], tuple(r["expirations"].split(";")), r["source_repo"],
                         r["source_commit"]) for r in rows]


def asof_new_york(asof_utc: str) -> str:
    """A UTC ISO time as New York local time YYYY-MM-DDTHH:MM (the CLI's --asof convention)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    t = datetime.fromisoformat(asof_utc).replace(tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
    return t.strftime("%Y-%m-%dT%H:%M")


def densities_from_text(text: str, source: str, *, asof: str | None, spot: float | None, rate: float | None,
                        expiry: str | None = None) -> list[ChainDensity]:
    return densities_from_chain(parse_chain(text, source), source, asof=asof, spot=spot, rate=rate, expiry=expiry)


def densities_from_chain(chain: pd.DataFrame, source: str, *, asof: str | None, spot: float | None, rate: float | None,
                         expiry: str | None = None) -> list[ChainDensity]:
    """Densities of one expiry (or every expiry) of a chain parsed by parse_chain/chain_from_table."""
    if asof is None:
        raise InputError("an option chain needs the as-of time: --asof YYYY-MM-DD[THH:MM] (New York)", source=source)
    check_inputs(rate=rate, spot=spot)              # before any fit: a wild rate is refused at once
    chosen = [expiry] if expiry else expiries(chain)
    curve = curve_for(asof) if rate is None else None
    out = []
    for e in chosen:
        try:
            quotes = clean_expiry(chain, e)
            out.append(density_from_quotes(quotes, years_to_expiry(asof, e), spot=spot, rate=rate, source=source,
                                           curve=curve))
        except InputError as exc:
            if expiry:
                raise InputError(str(exc), source=source) from None
            named = str(exc) if f"expiry {e}" in str(exc) else f"expiry {e}: {exc}"     # named once, not twice
            raise InputError(named, source=source) from None
    return out


def densities_from_file(path: str, **kwargs: Any) -> list[ChainDensity]:
    return densities_from_text(read_text_file(path), str(path), **kwargs)


def density_record(cd: ChainDensity) -> dict[str, Any]:
    d = cd.density
    q05, q50, q95 = d.quantile([0.05, 0.5, 0.95])
    return {"expiry": cd.expiry, "forward": cd.forward, "discount": cd.discount, "t_years": cd.t_years,
            "x": d.x.tolist(), "pdf": d.pdf.tolist(), "cdf": d.cdf.tolist(), "mean": d.mean(), "sd": d.sd(),
            "quantiles": {"0.05": float(q05), "0.5": float(q50), "0.95": float(q95)},
            "diagnostics": cd.diagnostics.as_record()}


def bundled_quotes_dataset() -> pd.DataFrame:
    """Every bundled chain as one quotes dataset (the chain columns plus underlying, asof and spot), the form
    `batch densities` reads."""
    frames = []
    for info in bundled_chains():
        frame = pd.read_csv(info.file, dtype=str, keep_default_na=False)
        frames.append(frame.assign(underlying=info.ticker, asof=asof_new_york(info.asof_utc), spot=str(info.spot)))
    return pd.concat(frames, ignore_index=True)
