"""Live chains fall back to the bundled snapshot, for real: yfinance is pointed at a dead port and at a
server that accepts connections and never answers (the network is what is simulated, not our code)."""

import socket
import threading
import time

import pytest

from data.chains import densities_from_text
from data.live import fetch_chain

TIMEOUT = 3.0


@pytest.fixture
def reset_yfinance_proxy():
    yield
    import yfinance as yf

    yf.config.network.proxy = None


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def black_hole():
    """A TCP server that accepts every connection and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    stop.set()
    for conn in held:
        conn.close()
    server.close()


def check_fallback(result, elapsed):
    assert elapsed < TIMEOUT + 1.5
    assert not result.live
    assert result.ticker == "SPY"
    assert "Live data unavailable" in result.message and "bundled SPY snapshot of 2026-02-11" in result.message
    assert "Error" not in result.message and "curl" not in result.message     # in words, no library text
    densities = densities_from_text(result.text, result.description, asof=result.asof, spot=result.spot, rate=None)
    assert len(densities) == 5


@pytest.mark.usefixtures("reset_yfinance_proxy")
def test_unreachable_host_falls_back_to_the_snapshot():
    start = time.perf_counter()
    result = fetch_chain("SPY", timeout=TIMEOUT, proxy=f"http://127.0.0.1:{closed_port()}")
    check_fallback(result, time.perf_counter() - start)


@pytest.mark.usefixtures("reset_yfinance_proxy")
def test_silent_server_falls_back_within_the_timeout(black_hole):
    start = time.perf_counter()
    result = fetch_chain("SPY", timeout=TIMEOUT, proxy=f"http://127.0.0.1:{black_hole}")
    elapsed = time.perf_counter() - start
    check_fallback(result, elapsed)
    assert "did not answer within" in result.message


@pytest.mark.usefixtures("reset_yfinance_proxy")
def test_unknown_ticker_falls_back_and_names_it():
    result = fetch_chain("NOPE", timeout=TIMEOUT, proxy=f"http://127.0.0.1:{closed_port()}")
    assert not result.live and "no bundled NOPE" in result.message


@pytest.mark.usefixtures("reset_yfinance_proxy")
def test_fetches_waiting_on_a_silent_network_are_bounded(black_hole):
    """Four clicks on a silent network: at most MAX_WAITING_FETCHES workers wait, the rest fall back at once."""
    from data.live import MAX_WAITING_FETCHES

    before = sum(t.name.startswith("yfinance-") for t in threading.enumerate())
    results = [fetch_chain("SPY", timeout=0.5, proxy=f"http://127.0.0.1:{black_hole}") for _ in range(4)]
    waiting = sum(t.name.startswith("yfinance-") and t.is_alive() for t in threading.enumerate())
    assert waiting - before <= MAX_WAITING_FETCHES
    assert all(not r.live for r in results)
    assert any("still waiting for Yahoo Finance" in r.message for r in results)
