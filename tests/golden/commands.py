"""The golden commands: a dozen `python -m analytics` calls on the bundled data and examples whose
JSON was recorded before the package was reorganised (issue 12) and must not change.

`python -m tests.golden.commands --record` rewrites the recorded outputs; do that only on purpose,
when a change of output is intended and reviewed.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORDED = Path(__file__).with_name("outputs")
ODDS = "data/snapshots/odds"
CHAINS = "data/snapshots/options"
EXAMPLES = "data/examples"
SPY = [f"{CHAINS}/SPY_20260211_chain.csv", "--spot", "692.3", "--asof", "2026-02-11T11:19"]
E0 = f"{ODDS}/football-data_E0_2324.csv"
PREDICTIT = "data/snapshots/predmarkets/predictit_2020_nomination_candidate_probabilities.csv"

GOLDEN: dict[str, list[str]] = {
    "odds_shin": ["odds", "--format", "decimal", "--method", "shin", "2.10", "3.40", "3.60"],
    "odds_american_power": ["odds", "--format", "american", "--method", "power", "--", "-150", "+130"],
    "odds_fractional_jsd": ["odds", "--format", "fractional", "--method", "jsd", "6/4", "9/4", "2/1"],
    "density_spy_expiry": ["density", "--chain", *SPY, "--expiry", "2026-03-20"],
    "density_aapl_all": ["density", "--chain", f"{CHAINS}/AAPL_20260211_chain.csv", "--spot", "279.51",
                         "--asof", "2026-02-11T12:27"],
    "score_season_b365_vs_psc": ["score", "--market", E0, "--bookmaker", "B365", "--belief", E0,
                                 "--belief-bookmaker", "PSC"],
    "score_match_discrete": ["score", "--market", E0, "--event", "2023-08-11 Burnley v Man City",
                             "--belief", f"{EXAMPLES}/discrete.csv", "--method", "power"],
    "score_spy_view": ["score", "--market", *SPY, "--expiry", "2026-03-20", "--belief", f"{EXAMPLES}/view.json"],
    "score_spy_buckets_smooth": ["score", "--market", *SPY, "--expiry", "2026-03-20", "--belief",
                                 f"{EXAMPLES}/buckets.csv", "--completion", "smooth"],
    "score_spy_several": ["score", "--market", *SPY, "--expiry", "2026-06-18", "--belief",
                          f"{EXAMPLES}/several.json"],
    "score_density_file_market": ["score", "--market", f"{EXAMPLES}/density.csv", "--belief",
                                  f"{EXAMPLES}/mixture.json"],
    "score_predictit_blend": ["score", "--market", PREDICTIT, "--belief", PREDICTIT, "--blend", "0.3"],
    "list_season": ["list", E0],
    "list_chain": ["list", f"{CHAINS}/SPX_20260303_chain.csv"],
    "list_betfair": ["list", f"{ODDS}/betfair_A-League_2023-2024_Match_Odds.csv"],
    "error_unknown_method": ["odds", "--method", "nonsense", "2.0", "2.0"],
    "report_match_json": ["report", "--market", E0, "--event", "2023-08-11 Burnley v Man City", "--belief",
                          f"{EXAMPLES}/discrete.csv", "--out", "{out}.json"],
    "report_spy_quantiles_json": ["report", "--market", *SPY, "--expiry", "2026-03-20", "--belief",
                                  f"{EXAMPLES}/quantiles.csv", "--out", "{out}.json"],
    "report_season_csv": ["report", "--market", E0, "--bookmaker", "B365", "--belief", E0,
                          "--belief-bookmaker", "PSC", "--out", "{out}.csv"],
}


def run(args: list[str]) -> dict[str, object]:
    """The command's exit code, stderr and parsed stdout (None when stdout is empty); for a report, the
    file it wrote (JSON parsed, without its creation time; CSV as text) instead of stderr's path."""
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "report")
        args = [a.replace("{out}", out) for a in args]
        done = subprocess.run([sys.executable, "-m", "analytics", *args], capture_output=True, text=True, cwd=ROOT,
                              timeout=300)
        result: dict[str, object] = {"exit": done.returncode, "stderr": done.stderr.strip(),
                                     "stdout": json.loads(done.stdout) if done.stdout.strip() else None}
        written = [a for a in args if a.startswith(out)]
        if written:
            path = Path(written[0])
            if path.suffix == ".json":
                report = json.loads(path.read_text())
                report.pop("created_utc", None)
                result["report"] = report
            else:
                result["report"] = path.read_text()
            result["stderr"] = ""
    return result


def record() -> None:
    RECORDED.mkdir(exist_ok=True)
    for name, args in GOLDEN.items():
        with gzip.open(RECORDED / f"{name}.json.gz", "wt", encoding="utf-8") as f:
            json.dump(run(args), f, sort_keys=True)
        print("recorded", name)


if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        record()
    else:
        print(__doc__)


def recorded(name: str) -> dict[str, object]:
    with gzip.open(RECORDED / f"{name}.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)
