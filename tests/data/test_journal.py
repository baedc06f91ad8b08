"""The journal against real databases: an SQLite file and a PostgreSQL server started for the session."""

import json
import math

import numpy as np
import pytest
import sqlalchemy as sa

from analytics.beliefs.discrete import DiscreteBelief
from analytics.beliefs.spec import NamedBelief
from analytics.betting.market import DiscreteMarket
from analytics.core.distributions import DiscreteDistribution
from analytics.core.errors import InputError
from analytics.scoring.pairs import score_pairs
from data import journal as store
from services import journal as service
from tests.conftest import run_cli


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'journal.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = store.connect(url)
    yield engine
    with engine.begin() as conn:        # the PostgreSQL server is shared by the session: leave it empty
        for table in (store.tags, store.market_points, store.history, store.entries):
            conn.execute(sa.delete(table))
    engine.dispose()


def football_pair(p, q=(0.5, 0.25, 0.25), event="m1"):
    labels = ("Home", "Draw", "Away")
    market = DiscreteMarket(event, DiscreteDistribution(labels, np.asarray(q)), odds=1 / np.asarray(q) / 1.05)
    return score_pairs([market], [NamedBelief("", DiscreteBelief(labels, np.asarray(p)))])[0]


def save(engine, pair, note="", tags=(), source="season.csv"):
    text = service.belief_file_form(pair.belief, "")
    return service.save_pair(engine, pair, belief_text=text, market_source=source, method="shin", note=note,
                             entry_tags=tags)


def test_an_entry_is_read_back_exactly_and_filtered(engine):
    first = save(engine, football_pair((0.6, 0.2, 0.2)), note="<b>model v1</b>", tags=["epl", "model"])
    second = save(engine, football_pair((0.4, 0.3, 0.3), event="m2"), tags=["epl"])
    entry = store.get_entry(engine, first)
    assert entry["note"] == "<b>model v1</b>" and entry["tags"] == ["epl", "model"]
    assert entry["kl_nats"] == pytest.approx(football_pair((0.6, 0.2, 0.2)).score.kl_nats, abs=1e-15)
    assert entry["saved_at"].endswith("Z") and len(entry["market_hash"]) == 64
    assert [e["id"] for e in store.list_entries(engine)] == [second, first]          # newest first
    assert [e["id"] for e in store.list_entries(engine, tag="model")] == [first]
    assert [e["id"] for e in store.list_entries(engine, market="m2")] == [second]
    kept = store.market_of(engine, first)
    assert kept.labels == ("Home", "Draw", "Away") and kept.values == (0.5, 0.25, 0.25)
    again = service.rescore(engine, first)                                           # no file needed
    assert again.score.kl_nats == entry["kl_nats"]                                   # exactly
    assert list(again.score.belief) == [0.6, 0.2, 0.2]


def test_resolving_records_the_realised_growth_and_feeds_unresolved_filters(engine):
    entry_id = save(engine, football_pair((0.6, 0.2, 0.2)))
    resolved = service.resolve(engine, entry_id, outcome="H")                        # football short form
    assert resolved["outcome"] == "Home"
    assert resolved["realised_fair_bits"] == pytest.approx(math.log2(0.6 / 0.5), abs=1e-12)
    assert store.list_entries(engine, unresolved=True) == []
    with pytest.raises(InputError, match="not one of this market's"):
        service.resolve(engine, entry_id, outcome="Win")


def test_delete_and_export(engine, tmp_path):
    keep = save(engine, football_pair((0.6, 0.2, 0.2)), note="=HYPERLINK(\"x\")")
    gone = save(engine, football_pair((0.2, 0.2, 0.6)))
    store.delete_entry(engine, gone)
    with pytest.raises(InputError, match=f"no journal entry {gone}"):
        store.get_entry(engine, gone)
    exported = json.loads(service.export(engine, tmp_path / "j.json").read_text())
    assert [e["id"] for e in exported["entries"]] == [keep]
    text = service.export(engine, tmp_path / "j.csv").read_text()
    assert "'=HYPERLINK" in text                                                     # no formula in a spreadsheet


def test_the_schema_is_versioned_and_migrating_twice_changes_nothing(engine):
    assert store.migrate(engine) == store.SCHEMA_VERSION
    assert store.migrate(engine) == store.SCHEMA_VERSION
    with engine.connect() as conn:
        assert [v for (v,) in conn.execute(sa.select(store.schema_table.c.version))] == [1, 2, 3]


def test_sqlite_journal_is_in_wal_mode(tmp_path):
    engine = store.connect(f"sqlite:///{tmp_path / 'j.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_command_line_journal(write, tmp_path, monkeypatch):
    monkeypatch.setenv("MARKET_JOURNAL_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    market = write("m.csv", "event,outcome,odds\nm1,Home,2.0\nm1,Draw,4.0\nm1,Away,4.0\n")
    belief = write("b.csv", "outcome,probability\nHome,0.6\nDraw,0.2\nAway,0.2\n")
    added = json.loads(run_cli("journal", "add", "--market", market, "--belief", belief, "--method",
                               "multiplicative", "--note", "first", "--tag", "test").stdout)
    assert added["kl_nats"] == pytest.approx(0.6 * math.log(1.2) + 0.4 * math.log(0.8), abs=1e-12)
    listed = json.loads(run_cli("journal", "list", "--tag", "test").stdout)["entries"]
    assert [e["note"] for e in listed] == ["first"] and listed[0]["outcome"] is None
    resolved = json.loads(run_cli("journal", "resolve", str(added["id"]), "--outcome", "Draw").stdout)
    assert resolved["realised_fair_bits"] == pytest.approx(math.log2(0.2 / 0.25), abs=1e-12)
    done = run_cli("journal", "resolve", "99", "--outcome", "Draw")
    assert done.returncode == 2 and "no journal entry 99" in done.stderr
    done = run_cli("journal", "export", "--out", str(tmp_path / "all.txt"))
    assert done.returncode == 2 and ".csv or .json" in done.stderr


def _add_many(url: str, writer: int, count: int) -> None:
    engine = store.connect(url)
    for i in range(count):
        save(engine, football_pair((0.6, 0.2, 0.2), event=f"w{writer}-{i}"), note=f"{writer}:{i}")
    engine.dispose()


def test_eight_writers_lose_nothing(engine):
    """4 threads and 4 processes (as the pages and the command line would be) add 200 entries each at once."""
    import multiprocessing
    import threading

    url = engine.url.render_as_string(hide_password=False)
    threads = [threading.Thread(target=_add_many, args=(url, w, 200)) for w in range(4)]
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_add_many, args=(url, w, 200)) for w in range(4, 8)]
    for worker in [*threads, *processes]:
        worker.start()
    for thread in threads:
        thread.join()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    entries = store.list_entries(engine)
    assert len(entries) == 1600
    assert {e["note"] for e in entries} == {f"{w}:{i}" for w in range(8) for i in range(200)}
    assert all(e["market_event"] == "w" + e["note"].replace(":", "-") for e in entries)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.market_points)).scalar() == 1600 * 3


def test_hostile_notes_and_tags_are_kept_as_text(engine, tmp_path):
    long = "x" * 100_000
    hostile = "=cmd|' /C calc'!A0<img src=x onerror=alert(1)>"
    entry_id = save(engine, football_pair((0.6, 0.2, 0.2)), note=hostile + long, tags=[hostile, long])
    entry = store.get_entry(engine, entry_id)
    assert entry["note"] == hostile + long and sorted(entry["tags"]) == sorted([hostile, long])
    import csv as _csv

    service.export(engine, tmp_path / "j.csv")
    rows = list(_csv.DictReader(open(tmp_path / "j.csv", encoding="utf-8")))
    assert rows[0]["note"] == "'" + hostile + long and rows[0]["tags"].startswith("'=")
    assert all(not str(v).startswith(("=", "+", "-", "@")) for row in rows for v in row.values() if v)


def test_an_empty_journal_exports_the_full_header(tmp_path):
    import csv as _csv

    engine = store.connect(f"sqlite:///{tmp_path / 'empty.db'}")
    path = service.export(engine, tmp_path / "empty.csv")
    assert next(_csv.reader(path.open(encoding="utf-8"))) == list(service.EXPORT_COLUMNS)


def test_resolving_a_price_entry_reports_both_forecasts_crps(engine):
    """A normal market N(100, 10) on a grid and a belief N(104, 8): their CRPS at the price equal the closed form."""
    from analytics.beliefs.price import parametric_from_json
    from analytics.core.distributions import GriddedDensity
    from analytics.scoring.continuous import ContinuousMarket
    from analytics.scoring.crps import crps_normal

    x = np.linspace(40.0, 160.0, 6001)
    density = GriddedDensity(x, np.exp(-0.5 * ((x - 100) / 10) ** 2) / (10 * np.sqrt(2 * np.pi)))
    belief_text = '{"kind":"normal","mean":104,"sd":8}'
    spec = parametric_from_json(json.loads(belief_text), "b.json")
    pair = score_pairs([ContinuousMarket("2026-03-20", density)], [NamedBelief("", spec)])[0]
    entry = service.save_pair(engine, pair, belief_text=belief_text, market_source="chain.csv", method="log-spline")
    resolved = service.entry_record(service.resolve(engine, entry, price=103.25))
    assert resolved["crps_market"] == pytest.approx(crps_normal(100.0, 10.0, 103.25), abs=1e-5)
    assert resolved["crps"] == pytest.approx(crps_normal(104.0, 8.0, 103.25), abs=1e-5)
    assert resolved["crps"] < resolved["crps_market"]        # the belief was closer and sharper
