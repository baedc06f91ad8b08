"""Every bad belief file hardening found, uploaded through the Betting page's real file input in Chromium: one
message naming the file, no exception box, nothing from the file rendered as a link or image, nothing fetched, and
the last good belief still scored."""

import re

import pytest

from tests.e2e.test_browser import metric_value

pytestmark = pytest.mark.browser

GOOD = "outcome,probability\nHome,0.5\nDraw,0.3\nAway,0.2\n"
LINK = "[Re-login here](http://evil.example/login) ![x](http://evil.example/i.png) <img src=http://evil.example/j.png>"

# (file name, contents, words the one message holds)
BAD_FILES = [
    ("overflow.csv", "outcome,probability\nHome,1e999\nDraw,0.3\nAway,0.2\n", "finite"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested"),
    ("digits.json", '{"Home": ' + "7" * 5000 + ', "Draw": 1, "Away": 1}', "digits"),
    ("mixed_units.csv", "outcome,probability\nHome,50%\nDraw,0.25\nAway,0.25\n", "%"),
    ("underscore.csv", "outcome,probability\nHome,1_0\nDraw,0.3\nAway,0.2\n", "_"),
    ("labels.csv", f'outcome,probability\n"{LINK}",0.5\nDraw,0.25\nAway,0.25\n', "Re-login here"),
    ("wide.csv", ",".join(f"c{i}" for i in range(200_000)) + "\n" + ",".join(["0.1"] * 200_000) + "\n",
     "200,000 columns"),
    ("rows.csv", "outcome,probability\n" + "".join(f"o{i},0.000001\n" for i in range(1_000_000)), "rows"),
    ("other_event.csv", "outcome,probability\nYes,0.5\nNo,0.5\n", "Yes"),
]


def test_each_bad_upload_gives_one_message_and_keeps_the_good_belief(page, server_url, tmp_path, artifacts):
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if "evil.example" in request.url else None)
    page.goto(server_url)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    page.get_by_text("Uploading a file").click()
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    uploader.set_input_files(str(good))
    page.get_by_text("Belief from good").wait_for()
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
    kept = metric_value(page, "Kelly (log-utility) edge")
    for name, body, says in BAD_FILES:
        path = tmp_path / name
        path.write_text(body)
        uploader.set_input_files(str(path))
        stem = name.split(".")[0].split("_")[0]
        errors = page.locator('[data-testid="stAlertContentError"]')
        errors.filter(has_text=stem).first.wait_for(timeout=60_000)
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
        shown = errors.all_inner_texts()
        assert len(shown) == 1, (name, shown)
        text = shown[0].replace("\u2060", "")
        assert says in text and len(text) < 700, (name, text)
        assert page.locator('[data-testid="stException"]').count() == 0, name
        alerts = page.locator('[data-testid="stAlert"]')
        assert alerts.locator("a").count() == 0 and alerts.locator("img").count() == 0, name
        assert metric_value(page, "Kelly (log-utility) edge") == kept, name
        assert page.get_by_text(re.compile("^Belief from good")).count() == 1, name
    page.screenshot(path=str(artifacts / "betting-bad-uploads.png"))
    assert not fetched
