"""Option chain text (yfinance columns) to clean quotes per expiry, with the reasons quotes were dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import PurePath
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from analytics.core.errors import InputError
from analytics.core.text import numeric_column, read_csv_table

NEW_YORK = ZoneInfo("America/New_York")
MAX_STRIKES = 5_000       # per expiry: the widest index chains list about 600; the fit and the edge grow with it
OCC = re.compile(r"^(?P<root>[A-Z0-9.^]+?)(?P<date>\d{6})(?P<type>[CP])(?P<strike>\d{8})$")


@dataclass(frozen=True, eq=False)
class ExpiryQuotes:
    """Cleaned quotes of one expiry: strikes with call and put mids and spreads (NaN where absent)."""

    expiry: str
    strikes: np.ndarray
    call_mid: np.ndarray
    call_spread: np.ndarray
    put_mid: np.ndarray
    put_spread: np.ndarray
    dropped: dict[str, int] = field(default_factory=dict)
    root: str = ""


def years_to_expiry(asof: str, expiry: str) -> float:
    """Calendar time from `asof` (a date means 16:00 New York; YYYY-MM-DDTHH:MM is New York time) to
    16:00 New York on the expiry date, in years of 365 days."""
    try:
        start = datetime.fromisoformat(asof) if "T" in asof or " " in asof.strip() else \
            datetime.combine(datetime.fromisoformat(asof).date(), time(16))
        end = datetime.combine(datetime.fromisoformat(expiry).date(), time(16))
    except ValueError:
        raise InputError(f"dates must be YYYY-MM-DD[THH:MM], got as-of {asof!r} and expiry {expiry!r}") from None
    start = start.replace(tzinfo=NEW_YORK) if start.tzinfo is None else start
    end = end.replace(tzinfo=NEW_YORK)
    seconds = (end - start) / timedelta(seconds=1)
    if seconds <= 0:
        raise InputError(f"expiry {expiry} is not after the as-of time {asof}")
    return seconds / (365 * 86400)


def _option_type(frame: pd.DataFrame, source: str) -> pd.Series:
    for column in ("optiontype", "type"):
        if column in frame:
            kind = frame[column].str.strip().str.lower().str[0].map({"c": "call", "p": "put"})
            if kind.isna().any():
                i = int(np.flatnonzero(kind.isna().to_numpy())[0])
                raise InputError(f"row {i + 2} column '{column}': expected call/put or C/P", source=source)
            return kind
    if "contractsymbol" in frame:
        parsed = frame["contractsymbol"].str.strip().str.extract(OCC)
        if parsed["type"].isna().any():
            raise InputError("option type missing: add a column optionType (call/put) or OCC contract symbols",
                             source=source)
        return parsed["type"].map({"C": "call", "P": "put"})
    raise InputError("option type missing: add a column optionType (call/put) or OCC contract symbols",
                     source=source)


def root_from_name(source: str) -> str:
    """The underlying's symbol read off a chain file's name when its rows carry no OCC symbols: the name's first
    word (SPY_20260211_chain.csv gives SPY), when it looks like a ticker; '' otherwise."""
    word = re.split(r"[_\s.-]", PurePath(source).name, maxsplit=1)[0].upper()
    return word if re.fullmatch(r"[A-Z][A-Z0-9]{0,5}", word) else ""


def parse_chain(text: str, source: str) -> pd.DataFrame:
    """Chain CSV text to a frame: expiry, root, type, strike, bid, ask (floats; unusable values NaN)."""
    return chain_from_table(read_csv_table(text, source), source)


def chain_from_table(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """parse_chain for a table already read by read_csv_table."""
    if "strike" not in frame or not ({"bid", "ask"} <= set(frame.columns) or "lastprice" in frame):
        raise InputError("an option chain needs columns strike, bid and ask (or lastPrice)", source=source)
    out = pd.DataFrame({"type": _option_type(frame, source)})
    out["strike"] = numeric_column(frame["strike"])
    for column in ("bid", "ask", "lastprice"):
        out[column] = numeric_column(frame[column]) if column in frame else np.nan
    symbols = frame["contractsymbol"].str.strip().str.extract(OCC) if "contractsymbol" in frame else None
    if "expiration" in frame:
        out["expiry"] = frame["expiration"].str.strip().str[:10]
    elif symbols is not None and symbols["date"].notna().all():
        dates = pd.to_datetime(symbols["date"], format="%y%m%d", errors="coerce")
        if dates.isna().any():
            i = int(np.flatnonzero(dates.isna().to_numpy())[0])
            raise InputError(f"row {i + 2} column 'contractSymbol': {frame['contractsymbol'].iloc[i][:40]!r} holds no "
                             "real date (YYMMDD after the root)", source=source)
        out["expiry"] = dates.dt.strftime("%Y-%m-%d")
    else:
        raise InputError("expiry missing: add a column expiration (YYYY-MM-DD) or OCC contract symbols", source=source)
    out["root"] = symbols["root"].fillna("") if symbols is not None else root_from_name(source)
    bad_strike = ~np.isfinite(out["strike"].to_numpy(dtype=float)) | (out["strike"].to_numpy(dtype=float) <= 0)
    if bad_strike.any():
        i = int(np.flatnonzero(bad_strike)[0])
        raise InputError(f"row {i + 2} column 'strike': {frame['strike'].iloc[i][:30]!r} is not a positive finite "
                         "number", source=source)
    return out


def expiries(chain: pd.DataFrame) -> list[str]:
    return sorted(chain["expiry"].unique())


def clean_expiry(chain: pd.DataFrame, expiry: str) -> ExpiryQuotes:
    """Quotes of one expiry: one root (the one with most quotes, e.g. SPXW over SPX), two-sided
    quotes with bid > 0 and bid <= ask; mid = (bid + ask)/2, spread = ask - bid, averaged over repeats
    of a strike."""
    rows = chain[chain["expiry"] == expiry]
    if rows.empty:
        raise InputError(f"no quotes for expiry {expiry}; the file holds {', '.join(expiries(chain))}")
    strikes = rows["strike"].nunique()
    if strikes > MAX_STRIKES:
        raise InputError(f"expiry {expiry} has {strikes:,} strikes; the limit is {MAX_STRIKES:,} per expiry")
    dropped: dict[str, int] = {}
    row_roots = rows["root"].to_numpy(str)
    roots, root_counts = np.unique(row_roots, return_counts=True)
    root = str(roots[np.argmax(root_counts)])
    same_root = row_roots == root
    dropped["other root (duplicate strikes)"] = int((~same_root).sum())
    strike = rows["strike"].to_numpy(float)
    bid, ask = rows["bid"].to_numpy(float), rows["ask"].to_numpy(float)
    usable = same_root & np.isfinite(bid) & np.isfinite(ask)
    zero_bid = usable & (bid <= 0)
    crossed = usable & (bid > ask)
    dropped["no two-sided quote"] = int((same_root & ~usable).sum())
    dropped["zero bid"] = int(zero_bid.sum())
    dropped["crossed (bid > ask)"] = int(crossed.sum())
    good = usable & ~zero_bid & ~crossed
    is_call = rows["type"].to_numpy(str) == "call"
    strikes = np.unique(strike[good])
    mid, spread = (bid + ask) / 2, ask - bid

    def side(which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = np.searchsorted(strikes, strike[which])
        count = np.bincount(at, minlength=strikes.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.bincount(at, mid[which], strikes.size) / count,
                    np.bincount(at, spread[which], strikes.size) / count)

    call_mid, call_spread = side(good & is_call)
    put_mid, put_spread = side(good & ~is_call)
    return ExpiryQuotes(expiry, strikes, call_mid, call_spread, put_mid, put_spread,
                        {k: v for k, v in dropped.items() if v}, root)
