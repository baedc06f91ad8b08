"""The journal as the user meets it: save a scored belief (with the market it was scored against), list, resolve,
re-score and export entries. Storage is data.journal; the scores are the command line's and the pages'."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from sqlalchemy.engine import Engine

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.price import ShiftedMarket
from analytics.beliefs.reading import parse_beliefs
from analytics.beliefs.spec import NamedBelief
from analytics.betting.market import DiscreteMarket
from analytics.core.distributions import DiscreteDistribution, GriddedDensity, matching_label
from analytics.core.errors import InputError
from analytics.core.strict_json import dumps
from analytics.scoring.continuous import ContinuousMarket
from analytics.scoring.discrete import DiscreteScore
from analytics.scoring.pairs import Market, ScoredPair, score_pairs
from analytics.track.backtest import Backtest, backtest
from analytics.views.spec import ViewsBelief, view_to_json
from data import journal as store
from data.files import read_text_file
from reporting.report import table_csv

SCORE_COLUMNS = ("kl_bits", "kl_nats", "reverse_kl_bits", "kelly_growth_tradable_nats")


def market_record(market: Market) -> store.MarketRecord:
    if isinstance(market, DiscreteMarket):
        return store.MarketRecord("discrete", market.labels, (),
                                  tuple(float(v) for v in market.distribution.probabilities))
    density = market.density
    return store.MarketRecord("density", (), tuple(float(v) for v in density.x),
                              tuple(float(v) for v in np.asarray(density.pdf) / density.mass))


def market_hash(record: store.MarketRecord) -> str:
    """SHA-256 of the market's numbers as stored (labels or prices, and values), to tell markets apart."""
    text = json.dumps([record.kind, list(record.labels), [repr(v) for v in record.x], [repr(v) for v in record.values]])
    return hashlib.sha256(text.encode()).hexdigest()


def save_pair(engine: Engine, pair: ScoredPair, *, belief_text: str, market_source: str, method: str, note: str = "",
              entry_tags: Sequence[str] = ()) -> int:
    """Save one scored pair: the belief in its file form, the market's distribution, the scores at the time."""
    record = pair.record()
    kept = market_record(pair.market)
    fields = {"note": note, "market_source": market_source, "market_event": pair.market.event,
              "market_method": method, "market_kind": kept.kind, "market_hash": market_hash(kept),
              "belief_name": pair.belief.name, "belief_text": belief_text,
              **{c: _finite(record.get(c)) for c in SCORE_COLUMNS}}
    return store.add_entry(engine, fields, entry_tags, kept)


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def stored_market(engine: Engine, entry: dict[str, Any]) -> Market:
    kept = store.market_of(engine, int(entry["id"]))
    if kept.kind == "discrete":
        return DiscreteMarket(entry["market_event"], DiscreteDistribution(kept.labels, np.asarray(kept.values)))
    return ContinuousMarket(entry["market_event"], GriddedDensity(np.asarray(kept.x), np.asarray(kept.values)))


def rescore(engine: Engine, entry_id: int, market: Market | None = None) -> ScoredPair:
    """The entry's belief scored again: against the market it was saved with, or against `market` (the latest)."""
    entry = store.get_entry(engine, entry_id)
    beliefs = parse_beliefs(entry["belief_text"], f"journal entry {entry_id}")
    chosen = [b for b in beliefs if b.name == entry["belief_name"]] or beliefs[:1]
    if len(beliefs) > 1 and chosen[0].name:                 # one belief of several: scored on its own
        chosen = [NamedBelief("", chosen[0].spec, chosen[0].warnings, chosen[0].source)]
    return score_pairs([market or stored_market(engine, entry)], chosen)[0]


def resolve(engine: Engine, entry_id: int, *, outcome: str | None = None, price: float | None = None) -> dict[str, Any]:
    """Record what happened and the realised log-growth at fair prices, log2(p_x/q_x) (for a price, the ratio of
    the densities there)."""
    score = rescore(engine, entry_id).score
    if isinstance(score, DiscreteScore):
        if outcome is None:
            raise InputError(f"entry {entry_id} is about named outcomes: resolve it with --outcome")
        label = matching_label(outcome, score.labels)
        if label is None:
            raise InputError(f"outcome {outcome!r} is not one of this market's: {list(score.labels)}")
        i = score.labels.index(label)
        p, q = float(score.belief[i]), float(score.market[i])
        realised = math.log2(p / q) if p > 0 and q > 0 else (-math.inf if p == 0 else math.inf)
        return store.update_entry(engine, entry_id, outcome=score.labels[i], realised_fair_bits=realised,
                                  resolved_at=store.now_utc())
    if price is None or not math.isfinite(price):
        raise InputError(f"entry {entry_id} is about a price: resolve it with --price")
    x = np.asarray(score.x)
    if not x[0] <= price <= x[-1]:
        raise InputError(f"price {price:g} lies outside the market's grid [{x[0]:.6g}, {x[-1]:.6g}]")
    ratio = float(np.interp(price, x, np.asarray(score.log_ratio)))
    return store.update_entry(engine, entry_id, outcome_price=price, realised_fair_bits=ratio / math.log(2),
                              resolved_at=store.now_utc())


def entry_record(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as the command line prints it (docs/formats.md, "Journal")."""
    return {"id": entry["id"], "saved_at": entry["saved_at"], "note": entry["note"], "tags": entry["tags"],
            "market": {"source": entry["market_source"], "event": entry["market_event"],
                       "method": entry["market_method"], "kind": entry["market_kind"], "hash": entry["market_hash"]},
            "belief": {"name": entry["belief_name"], "text": entry["belief_text"]},
            **{c: entry[c] for c in SCORE_COLUMNS},
            "outcome": entry["outcome"] if entry["outcome"] is not None else entry["outcome_price"],
            "realised_fair_bits": entry["realised_fair_bits"], "resolved_at": entry["resolved_at"]}


def export(engine: Engine, path: str | Path) -> Path:
    """Every entry to a CSV (one row per entry, flat columns) or JSON file, by the suffix."""
    records = [entry_record(e) for e in store.list_entries(engine)]
    target = Path(path)
    if target.suffix.lower() == ".json":
        target.write_text(dumps({"entries": records}, indent=2), encoding="utf-8")
    elif target.suffix.lower() == ".csv":
        target.write_text(export_csv(records), encoding="utf-8")
    else:
        raise InputError(f"export to .csv or .json, not {target.suffix or 'a file without a suffix'}")
    return target


EXPORT_COLUMNS = ("id", "saved_at", "note", "tags", "market_source", "market_event", "market_method", "market_hash",
                  "belief", *SCORE_COLUMNS, "outcome", "realised_fair_bits")


def export_csv(records: list[dict[str, Any]]) -> str:
    """Entries as flat CSV rows (tags joined by ';'); an empty journal gives the header alone."""
    flat = [{"id": r["id"], "saved_at": r["saved_at"], "note": r["note"], "tags": ";".join(r["tags"]),
             "market_source": r["market"]["source"], "market_event": r["market"]["event"],
             "market_method": r["market"]["method"], "market_hash": r["market"]["hash"], "belief": r["belief"]["name"],
             **{c: r[c] for c in SCORE_COLUMNS}, "outcome": r["outcome"], "realised_fair_bits": r["realised_fair_bits"]}
            for r in records]
    return table_csv(flat, EXPORT_COLUMNS)


def belief_file_form(belief: NamedBelief, original: str) -> str:
    """The belief as a file the journal can read back exactly: named outcomes as outcome,probability CSV (a belief
    that came from another bookmaker's odds is kept as the probabilities it was scored as), views and a shifted
    market as their JSON, any other form as the text it was read from."""
    spec = belief.spec
    if isinstance(spec, DiscreteBelief):
        rows = "".join(f"{json.dumps(label)},{float(p)!r}\n"
                       for label, p in zip(spec.labels, spec.probabilities, strict=True))
        return "outcome,probability\n" + rows
    if isinstance(spec, ViewsBelief):
        return json.dumps({"kind": "views", "views": [view_to_json(v) for v in spec.views]})
    if isinstance(spec, ShiftedMarket):
        return json.dumps({"kind": "shifted_market", "shift": spec.shift, "scale": spec.scale})
    return original


def add_from_files(engine: Engine, pairs: list[ScoredPair], belief_path: str, *, market_source: str, method: str,
                   note: str, entry_tags: Sequence[str]) -> list[int]:
    """Save every scored pair of a `score` run, each with its belief in file form."""
    text = read_text_file(belief_path)
    return [save_pair(engine, pair, belief_text=belief_file_form(pair.belief, text), market_source=market_source,
                      method=method, note=note, entry_tags=entry_tags) for pair in pairs]


def journal_track_record(engine: Engine) -> Backtest | None:
    """The track record of the journal's resolved entries about named outcomes (None when there are none): each
    entry's belief re-scored against its saved market, and the outcome recorded."""
    rows = [e for e in store.list_entries(engine) if e["market_kind"] == "discrete" and e["outcome"] is not None]
    if not rows:
        return None
    rows.sort(key=lambda e: e["saved_at"])
    scores = [rescore(engine, int(e["id"])).score for e in rows]
    width = max(len(s.belief) for s in scores)
    p, q = np.zeros((len(rows), width)), np.zeros((len(rows), width))
    index = np.zeros(len(rows), dtype=int)
    labels = []
    for i, (entry, score) in enumerate(zip(rows, scores, strict=True)):
        assert isinstance(score, DiscreteScore)
        n = len(score.labels)
        p[i, :n], q[i, :n] = score.belief, score.market
        index[i] = score.labels.index(entry["outcome"])      # resolve() stores the market's own label
        labels.append(score.labels)
    events = tuple(f"{e['id']}: {e['market_event']}" for e in rows)
    return backtest(events, p, q, index, dates=tuple(e["saved_at"][:10] for e in rows), labels=tuple(labels))
