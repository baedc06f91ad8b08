"""The journal as the user meets it: save a scored belief (with the market it was scored against), list, resolve,
re-score and export entries. Storage is data.journal; the scores are the command line's and the pages'."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
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
from analytics.core.text import finite_float, parse_json
from analytics.scoring.continuous import ContinuousMarket
from analytics.scoring.crps import crps_on_grid
from analytics.scoring.discrete import DiscreteScore
from analytics.scoring.pairs import Market, ScoredPair, score_pairs
from analytics.track.backtest import Backtest, backtest
from analytics.views.spec import ViewsBelief, view_to_json
from data import journal as store
from data.files import check_output, read_text_file, write_atomic
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


def new_entry(pair: ScoredPair, *, belief_text: str, market_source: str, method: str, note: str = "",
              entry_tags: Sequence[str] = ()) -> store.NewEntry:
    """One scored pair as an entry: the belief in its file form, the market's distribution, the scores at the time
    (an infinite score is kept as infinite)."""
    record = pair.record()
    kept = market_record(pair.market)
    fields = {"note": note, "market_source": market_source, "market_event": pair.market.event,
              "market_method": method, "market_kind": kept.kind, "market_hash": market_hash(kept),
              "belief_name": pair.belief.name, "belief_text": belief_text,
              **{c: store.number(record.get(c)) for c in SCORE_COLUMNS}}
    return store.NewEntry(fields, tuple(entry_tags), kept)


def save_pair(engine: Engine, pair: ScoredPair, *, belief_text: str, market_source: str, method: str, note: str = "",
              entry_tags: Sequence[str] = ()) -> int:
    """Save one scored pair; returns its id."""
    return store.add_entries(engine, [new_entry(pair, belief_text=belief_text, market_source=market_source,
                                                method=method, note=note, entry_tags=entry_tags)])[0]


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


def resolve(engine: Engine, entry_id: int, *, outcome: str | None = None, price: float | None = None,
            force: bool = False) -> dict[str, Any]:
    """Record what happened and the realised log-growth at fair prices, log2(p_x/q_x) (for a price, the ratio of
    the densities there). An entry resolved already needs `force`; its earlier outcome then stays in its history."""
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
        return store.resolve_entry(engine, entry_id, {"outcome": score.labels[i], "realised_fair_bits": realised,
                                                      "resolved_at": store.now_utc()}, force=force)
    if price is None:
        raise InputError(f"entry {entry_id} is about a price: resolve it with --price")
    if not math.isfinite(price):
        raise InputError(f"--price must be a finite number, not {price}")
    x = np.asarray(score.x)
    if not x[0] <= price <= x[-1]:
        raise InputError(f"price {price:g} lies outside the market's grid [{x[0]:.6g}, {x[-1]:.6g}]")
    ratio = float(np.interp(price, x, np.asarray(score.log_ratio)))
    resolved = store.resolve_entry(engine, entry_id, {"outcome_price": price, "realised_fair_bits": ratio / math.log(2),
                                                      "resolved_at": store.now_utc()}, force=force)
    # the forecasts' CRPS at the price, in the price's units: scores of the belief and of the market as forecasts
    return {**resolved, "crps": crps_on_grid(x, np.asarray(score.belief), price),
            "crps_market": crps_on_grid(x, np.asarray(score.market), price)}


def entry_record(entry: dict[str, Any], market: store.MarketRecord | None = None) -> dict[str, Any]:
    """An entry as the command line prints it (docs/formats.md, "Journal"); with its market's numbers when given
    (an export, which `import_entries` restores exactly)."""
    kept: dict[str, Any] = {"source": entry["market_source"], "event": entry["market_event"],
                            "method": entry["market_method"], "kind": entry["market_kind"],
                            "hash": entry["market_hash"]}
    if market is not None:
        kept.update(labels=list(market.labels), x=list(market.x), values=list(market.values))
    return {"id": entry["id"], "saved_at": entry["saved_at"], "note": entry["note"], "tags": entry["tags"],
            "market": kept, "belief": {"name": entry["belief_name"], "text": entry["belief_text"]},
            **{c: entry[c] for c in SCORE_COLUMNS},
            "outcome": entry["outcome"] if entry["outcome"] is not None else entry["outcome_price"],
            "realised_fair_bits": entry["realised_fair_bits"], "resolved_at": entry["resolved_at"],
            **{k: entry[k] for k in ("crps", "crps_market") if k in entry},
            "history": [{"outcome": h["outcome"] if h["outcome"] is not None else h["outcome_price"],
                         "realised_fair_bits": h["realised_fair_bits"], "resolved_at": h["resolved_at"],
                         "replaced_at": h["replaced_at"]} for h in entry.get("history", [])]}


EXPORT_SUFFIXES = (".csv", ".json")


def database_files(engine: Engine) -> list[Path]:
    """The files an SQLite journal lives in (none for a server): an export must not land on one of them."""
    path = store.sqlite_file(engine.url)
    return [] if path is None else [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))]


def _check_export(engine: Engine, path: str | Path) -> Path:
    """The export's path, checked before anything is read: .csv or .json, not the database, a writable place."""
    return check_output(path, EXPORT_SUFFIXES, inputs=database_files(engine), what="export")


def backup_json(engine: Engine) -> str:
    """Every entry with its market's numbers and history, as JSON that `import_entries` restores exactly."""
    rows = store.list_entries(engine)
    markets = store.markets_of(engine, [int(e["id"]) for e in rows])
    return dumps({"schema_version": store.SCHEMA_VERSION,
                  "entries": [entry_record(e, markets[int(e["id"])]) for e in rows]}, indent=2)


def export(engine: Engine, path: str | Path) -> Path:
    """Every entry to a CSV (one row per entry, flat columns) or JSON file (a full backup), by the suffix; written
    to a temporary file and renamed into place when complete."""
    target = _check_export(engine, path)
    if target.suffix.lower() == ".json":
        return write_atomic(target, backup_json(engine))
    return write_atomic(target, export_csv([entry_record(e) for e in store.list_entries(engine)]))


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
    """Save every scored pair of a `score` run, each with its belief in file form, in one transaction: all or
    none."""
    text = read_text_file(belief_path)
    return store.add_entries(engine, [new_entry(pair, belief_text=belief_file_form(pair.belief, text),
                                                market_source=market_source, method=method, note=note,
                                                entry_tags=entry_tags) for pair in pairs])


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


BACKUP_LIMIT = 100 * 2**20       # bytes of a journal backup to restore: markets with densities weigh more than beliefs
_TEXT_FIELDS = ("saved_at", "note")


def _backup_number(value: Any, where: str) -> float | None:
    """A figure of a backup: a number, "inf"/"-inf", or null."""
    if value is None:
        return None
    if value in ("inf", "-inf"):
        return float(value)
    number = finite_float(value)
    if number is not None:
        return number
    raise InputError(f"{where}: expected a number, \"inf\" or null, not {str(value)[:40]!r}")


def _market_number(value: Any, where: str) -> float:
    """A number of a saved market: never missing."""
    number = _backup_number(value, where)
    if number is None:
        raise InputError(f"{where}: a market's numbers are never null")
    return number


def _backup_text(value: Any, where: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: expected text, not {type(value).__name__}")
    return value


def _outcome_columns(outcome: Any, kind: str, where: str) -> dict[str, Any]:
    if outcome is None:
        return {"outcome": None, "outcome_price": None}
    if kind == "density":
        return {"outcome": None, "outcome_price": _backup_number(outcome, where)}
    return {"outcome": _backup_text(outcome, where), "outcome_price": None}


def _restored(item: Any, position: int, source: str) -> tuple[store.NewEntry, list[dict[str, Any]]]:
    """One entry of a backup, validated: every field of the entry's shape, and its market matching its hash."""
    where = f"{source}: entry {position + 1}"
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected an object")
    try:
        entry_id, market, belief = item["id"], item["market"], item["belief"]
        if not isinstance(entry_id, int) or isinstance(entry_id, bool) or not 1 <= entry_id <= store.MAX_ID:
            raise InputError(f"{where}: id {str(entry_id)[:40]!r} is not a positive whole number")
        where = f"{source}: entry {entry_id}"
        if not isinstance(market, dict) or not isinstance(belief, dict):
            raise InputError(f"{where}: 'market' and 'belief' are objects")
        kind = market["kind"]
        if kind not in ("discrete", "density"):
            raise InputError(f"{where}: market kind {str(kind)[:20]!r} is neither 'discrete' nor 'density'")
        labels = market.get("labels") or []
        x = market.get("x") or []
        values = market.get("values")
        if not isinstance(values, list) or not isinstance(labels, list) or not isinstance(x, list):
            raise InputError(f"{where}: the market's 'labels', 'x' and 'values' are lists (an export from "
                             "'journal export --out F.json' holds them)")
        record = store.MarketRecord(kind, tuple(_backup_text(v, f"{where}, market label") or "" for v in labels),
                                    tuple(_market_number(v, f"{where}, market x") for v in x),
                                    tuple(_market_number(v, f"{where}, market value") for v in values))
        if market_hash(record) != market["hash"]:
            raise InputError(f"{where}: the market's numbers do not match its hash (the file was changed)")
        tags = item["tags"]
        if not isinstance(tags, list):
            raise InputError(f"{where}: 'tags' is a list")
        fields: dict[str, Any] = {
            "id": entry_id, **{f: _backup_text(item[f], f"{where}, {f}") for f in _TEXT_FIELDS},
            "market_source": _backup_text(market["source"], f"{where}, market source"),
            "market_event": _backup_text(market["event"], f"{where}, market event"),
            "market_method": _backup_text(market["method"], f"{where}, market method"),
            "market_kind": kind, "market_hash": market["hash"],
            "belief_name": _backup_text(belief["name"], f"{where}, belief name"),
            "belief_text": _backup_text(belief["text"], f"{where}, belief text"),
            **{c: _backup_number(item[c], f"{where}, {c}") for c in SCORE_COLUMNS},
            **_outcome_columns(item["outcome"], kind, f"{where}, outcome"),
            "realised_fair_bits": _backup_number(item["realised_fair_bits"], f"{where}, realised_fair_bits"),
            "resolved_at": _backup_text(item["resolved_at"], f"{where}, resolved_at", optional=True)}
        events = item.get("history") or []
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise InputError(f"{where}: 'history' is a list of objects")
        kept = [{**_outcome_columns(e["outcome"], kind, f"{where}, history outcome"),
                 "realised_fair_bits": _backup_number(e["realised_fair_bits"], f"{where}, history"),
                 "resolved_at": _backup_text(e["resolved_at"], f"{where}, history", optional=True),
                 "replaced_at": _backup_text(e["replaced_at"], f"{where}, history")} for e in events]
    except KeyError as exc:
        raise InputError(f"{where}: missing the field {exc.args[0]!r}; restore a file written by "
                         "'journal export --out F.json'") from None
    return store.NewEntry(fields, tuple(_backup_text(t, f"{where}, tag") or "" for t in tags), record), kept


def import_text(engine: Engine, text: str, source: str) -> list[int]:
    """Restore a JSON export into the journal exactly (ids, times, notes, tags, markets, outcomes, history), in
    one transaction: every entry or none. Ids the journal holds already are refused, named."""
    found = parse_json(text, source)
    if not isinstance(found, dict) or not isinstance(found.get("entries"), list):
        raise InputError("expected a journal export: an object with a list 'entries' ('journal export --out "
                         "F.json' writes one)", source=source)
    version = found.get("schema_version", 1)
    if not isinstance(version, int) or version > store.SCHEMA_VERSION:
        raise InputError(f"the export is of schema version {version}, newer than this program's "
                         f"({store.SCHEMA_VERSION}); update the program", source=source)
    restored = [_restored(item, i, source) for i, item in enumerate(found["entries"])]
    ids = [int(entry.fields["id"]) for entry, _ in restored]
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        raise InputError(f"the export lists the ids {repeated[:10]} more than once", source=source)
    restored.sort(key=lambda pair: int(pair[0].fields["id"]))
    return store.restore_entries(engine, [e for e, _ in restored], [h for _, h in restored])


def import_file(engine: Engine, path: str | Path) -> list[int]:
    """import_text of a file (at most BACKUP_LIMIT bytes)."""
    return import_text(engine, read_text_file(path, BACKUP_LIMIT), str(path))
