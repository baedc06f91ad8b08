"""What a file holds (events, bookmakers, expiries), before anything is scored."""

from __future__ import annotations

from typing import Any

from analytics.beliefs.reading import parse_beliefs
from analytics.betting.odds_files import OddsRequest, detect_kind, parse_odds_table
from analytics.core.text import looks_like_json, read_csv_table
from data.files import read_text_file


def describe_text(text: str, source: str) -> dict[str, Any]:
    if not looks_like_json(text):
        table = read_csv_table(text, source)
        kind = detect_kind(set(table.columns))
        if "strike" in table.columns:
            from analytics.options.chain import chain_from_table, expiries

            chain = chain_from_table(table, source)
            return {"kind": "option chain", "expiries": expiries(chain),
                    "quotes_per_expiry": chain.groupby("expiry").size().to_dict()}
        if kind:
            parsed = parse_odds_table(table, source, OddsRequest())
            return {"kind": kind, "events": [b.event for b in parsed.books], "bookmakers": parsed.bookmakers,
                    "outcomes_per_event": sorted({len(b.labels) for b in parsed.books})}
    beliefs = parse_beliefs(text, source)
    return {"kind": "beliefs", "beliefs": [b.name or "(unnamed)" for b in beliefs],
            "forms": [type(b.spec).__name__ for b in beliefs]}


def describe_file(path: str) -> dict[str, Any]:
    return describe_text(read_text_file(path), str(path))
