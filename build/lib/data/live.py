"""Live option chains from yfinance, with a hard timeout and a fall back to the bundled snapshot.

yfinance has no timeout of its own and can block for minutes on a network that accepts connections
but never answers, so the fetch runs in a daemon worker thread that is abandoned at the deadline.
Any exception or an empty chain counts as offline. The result always carries a chain (live or
bundled) and says which, and why.
"""

from __future__ import annotations

import io
import queue
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from data.chains import SnapshotInfo, asof_new_york, bundled_chains
from data.files import read_text_file

DEFAULT_TIMEOUT_SECONDS = 8.0
MAX_EXPIRIES = 6


@dataclass(frozen=True)
class ChainSource:
    """An option chain ready for the readers: CSV text (yfinance columns plus optionType and
    expiration), spot, as-of time (New York, YYYY-MM-DDTHH:MM), and where it came from."""

    ticker: str
    text: str
    spot: float
    asof: str
    live: bool
    description: str
    message: str = ""


def _download(ticker: str, max_expiries: int, proxy: str | None) -> tuple[str, float]:
    """The network part: every call that can block or fail is here, run in the worker."""
    import pandas as pd
    import yfinance as yf

    if proxy is not None:
        yf.config.network.proxy = proxy
    handle = yf.Ticker(ticker)
    frames = []
    for expiry in list(handle.options)[:max_expiries]:
        chain = handle.option_chain(expiry)
        for kind, frame in (("call", chain.calls), ("put", chain.puts)):
            frames.append(frame.assign(optionType=kind, expiration=expiry))
    if not frames:
        raise LookupError(f"yfinance returned no expiries for {ticker}")
    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        raise LookupError(f"yfinance returned an empty chain for {ticker}")
    spot = float(handle.fast_info["last_price"])
    buffer = io.StringIO()
    table.to_csv(buffer, index=False)
    return buffer.getvalue(), spot


# yfinance takes no timeout: a request to a silent network lives on (minutes) after the page has fallen back.
# At most this many wait at once in the whole server; beyond them a fetch falls back at once.
MAX_WAITING_FETCHES = 2
_WORKERS = threading.BoundedSemaphore(MAX_WAITING_FETCHES)


def _in_words(error: BaseException, ticker: str) -> str:
    """Why a live fetch failed, for the page: no exception class names, no library text."""
    if isinstance(error, OSError):           # yfinance's curl errors (DNS, refused, proxy) are OSErrors
        return "Yahoo Finance could not be reached (offline, or the network blocks it)"
    if isinstance(error, (KeyError, ValueError, IndexError)):
        return f"Yahoo Finance returned no usable option chain for {ticker}"
    return "the download from Yahoo Finance failed"


def fallback_for(ticker: str) -> SnapshotInfo:
    """The bundled snapshot of this ticker, or the first bundled one if there is none."""
    chains = bundled_chains()
    wanted = ticker.strip().upper().lstrip("^")
    return next((c for c in chains if c.ticker.upper().lstrip("^") == wanted), chains[0])


def fetch_chain(ticker: str, *, timeout: float | None = None, max_expiries: int = MAX_EXPIRIES,
                proxy: str | None = None) -> ChainSource:
    """Fetch `ticker`'s chain live within `timeout` seconds, else return its bundled snapshot.

    `proxy` routes yfinance through a proxy (the tests use it to stand for a dead or silent network).
    """
    timeout = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
    answers: queue.Queue = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            answers.put(("ok", _download(ticker, max_expiries, proxy)))
        except BaseException as error:     # any failure of the fetch is "offline", reported below in words
            answers.put(("error", _in_words(error, ticker)))
        finally:
            _WORKERS.release()

    started = datetime.now(UTC)
    if _WORKERS.acquire(blocking=False):
        threading.Thread(target=work, name=f"yfinance-{ticker}", daemon=True).start()
        try:
            status, payload = answers.get(timeout=timeout)
        except queue.Empty:
            status, payload = "error", f"Yahoo Finance did not answer within {timeout:g} s"
    else:
        status, payload = "error", "earlier requests are still waiting for Yahoo Finance"
    if status == "ok":
        text, spot = payload
        asof = asof_new_york(started.replace(tzinfo=None).isoformat(timespec="seconds"))
        return ChainSource(ticker, text, spot, asof, True, f"live from Yahoo Finance via yfinance at {asof} New York")
    snapshot = fallback_for(ticker)
    reason = str(payload).splitlines()[0][:200]
    same = snapshot.ticker.upper().lstrip("^") == ticker.strip().upper().lstrip("^")
    asof = asof_new_york(snapshot.asof_utc)
    what = f"the bundled {snapshot.ticker} snapshot of {asof.replace('T', ' ')} New York" + \
        ("" if same else f" (there is no bundled {ticker})")
    return ChainSource(snapshot.ticker, read_text_file(str(snapshot.file)), snapshot.spot, asof, False,
                       f"bundled {snapshot.ticker} snapshot of {asof.replace('T', ' ')} New York",
                       f"Live data unavailable: {reason}. Showing {what} instead.")
