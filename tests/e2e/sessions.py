"""Many users at once: N browser sessions (separate Chromium contexts, driven concurrently with Playwright's async
API) against one Streamlit server, each walking a bounded script: the first load of the Betting page, a control
change (the season view and back), a belief upload of its own, a switch to the Options page.

Each session records how long the server took to answer its first page (from the page's websocket opening to the
server's `script_finished` message on it), when the page was painted (headline metric and first chart visible: the
browser's own work included), the KL it shows for its own belief, and every exception box or error message.

Run as `python -m tests.e2e.sessions URL N OUT.json` (the test and `make bench` start it with a lower CPU priority
than the server: the users' browsers stand in for machines of their own)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
HEADLINE = "Kelly (log-utility) edge"
# no rerun running: the running widget is gone and nothing on the page is left from the last run (a short run never
# shows the widget; the elements it has not drawn again yet are marked stale)
APP_IDLE = ("() => !document.querySelector('[data-testid=stStatusWidget]')"
            " && !document.querySelector('[data-stale=true]')")
STEP_TIMEOUT_MS = 240_000           # every wait is bounded: a hung session fails, it never stalls the suite


def belief_text(session: int) -> str:
    """Each session's own belief (Home 30 % + 3 % per session), so a mixed-up session shows a wrong KL."""
    home = 0.30 + 0.03 * session
    return f"outcome,probability\nHome,{home:.2f}\nDraw,0.25\nAway,{0.75 - home:.2f}\n"


async def _problems(page: Any, where: str) -> list[str]:
    found = [f"{where}: exception box: {t[:200]}"
             for t in await page.locator('[data-testid="stException"]').all_inner_texts()]
    found += [f"{where}: error: {t[:200]}" for t in await page.locator('[data-testid="stAlertContentError"]')
              .all_inner_texts()]
    return found


async def _headline(page: Any) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=HEADLINE).first
    return str(await box.locator('[data-testid="stMetricValue"]').inner_text())


async def _settled(page: Any) -> None:
    """Until the app says nothing is running (the rerun a click started has finished)."""
    await page.wait_for_function(APP_IDLE, timeout=STEP_TIMEOUT_MS)


async def _session(browser: Any, url: str, index: int, folder: Path, start: float) -> dict[str, Any]:
    context = await browser.new_context(viewport={"width": 1280, "height": 1200})
    page = await context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    record: dict[str, Any] = {"session": index, "problems": []}
    answered = asyncio.get_running_loop().create_future()
    opened: list[float] = []

    def on_frame(payload: bytes | str) -> None:
        if answered.done() or isinstance(payload, str):
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        if message.WhichOneof("type") == "script_finished":
            answered.set_result(time.perf_counter() - start)

    def on_socket(socket: Any) -> None:
        opened.append(time.perf_counter() - start)
        socket.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    try:
        await page.goto(url, wait_until="commit")
        await page.locator('[data-testid="stMetric"]').filter(has_text=HEADLINE).first.wait_for()
        await page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
        record["first_paint_s"] = time.perf_counter() - start
        finished = await asyncio.wait_for(answered, STEP_TIMEOUT_MS / 1000)
        # the page opens its websocket once the browser has started the app's scripts; from then on it is the server
        record["socket_open_s"] = opened[0]
        record["server_answer_s"] = finished - opened[0]
        record["problems"] += await _problems(page, "first load")

        await page.get_by_text("Whole file (season view)").click()
        await page.locator('[data-testid="stMetric"]').filter(has_text="Mean KL(").first.wait_for()
        await page.get_by_text("One event", exact=True).click()
        await page.locator('[data-testid="stMetric"]').filter(has_text=HEADLINE).first.wait_for()
        record["problems"] += await _problems(page, "season view")

        await page.get_by_text("Uploading a file").click()
        belief = folder / f"belief_{index}.csv"
        belief.write_text(belief_text(index))
        await page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(belief))
        await page.get_by_text(f"Belief from belief_{index}").wait_for()
        await _settled(page)
        record["kl_shown"] = await _headline(page)
        record["problems"] += await _problems(page, "upload")

        await page.locator('[data-testid="stSidebarNav"]').get_by_text("Options").click()
        await page.locator('[data-testid="stMetric"]').filter(has_text=HEADLINE).first.wait_for()
        await page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
        record["problems"] += await _problems(page, "options page")
        record["done_s"] = time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001 - a session that fails is reported, the others go on
        record["problems"].append(f"session failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await context.close()
    return record


async def run_sessions(url: str, sessions: int, folder: Path) -> list[dict[str, Any]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=ARGS)
        start = time.perf_counter()
        records = await asyncio.gather(*(_session(browser, url, i, folder, start) for i in range(sessions)))
        await browser.close()
    return list(records)


if __name__ == "__main__":
    target, count, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    out.write_text(json.dumps(asyncio.run(run_sessions(target, count, out.parent)), indent=1))
