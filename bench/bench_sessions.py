"""Ten browser sessions at once against one real Streamlit server (Debian's Chromium, headless): the time each
first load takes, the server's CPU seconds and its memory growth. Issue 14's target: first loads under 15 s.
The browser's ten tabs share the same two cores as the server, so the wall time is the two together."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = 10
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) / 1024


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


def _serve() -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard/app.py"),
                             "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return url, proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the Streamlit server did not start")


def run() -> None:
    chromium = shutil.which("chromium")
    print(f"{SESSIONS} browser sessions at once (issue 14 target: every first load under 15 s)")
    if chromium is None:
        print("  skipped: Debian's chromium is not installed")
        return
    from playwright.sync_api import sync_playwright

    url, proc = _serve()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            warm = browser.new_page()                  # one visit first: imports and shared caches are filled once
            warm.goto(url)
            warm.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=120_000)
            memory, cpu = _resident_mb(proc.pid), _cpu_seconds(proc.pid)
            pages = [browser.new_context(viewport={"width": 1280, "height": 1200}).new_page() for _ in range(SESSIONS)]
            start = time.perf_counter()
            for page in pages:
                page.goto(url, wait_until="commit")
            loads = []
            for page in pages:
                page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=180_000)
                loads.append(time.perf_counter() - start)
            errors = sum(page.locator('[data-testid="stException"]').count() for page in pages)
            print(f"  first loads: fastest {min(loads):.1f} s, slowest {max(loads):.1f} s; exception boxes: {errors}")
            print(f"  server: {_cpu_seconds(proc.pid) - cpu:.1f} CPU seconds for the {SESSIONS} loads, memory "
                  f"+{_resident_mb(proc.pid) - memory:.0f} MB")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
