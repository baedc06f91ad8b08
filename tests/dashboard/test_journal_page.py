"""AppTest: save a belief from the Betting page, find it on the Journal page, resolve it, delete it."""

import math

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.state import typed_belief_key
from data import journal as store
from tests.conftest import ROOT
from tests.dashboard.pages import shown

APP = str(ROOT / "dashboard/app.py")


@pytest.fixture
def journal_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'journal.db'}"
    monkeypatch.setenv(store.ENV_URL, url)
    return url


def test_save_from_the_betting_page_then_resolve_and_delete_on_the_journal(journal_url):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    event, source = at.selectbox(key="event").value, at.selectbox(key="bundle").value
    at.session_state[typed_belief_key(source, event)] = [20.0, 20.0, 60.0]
    at.run()
    at.text_input(key="betting_journal_note").set_value("Burnley at home?").run()
    at.text_input(key="betting_journal_tags").set_value("epl, opening day").run()
    at.button(key="betting_journal_save").click().run()
    assert not at.exception and any("Saved as journal entry" in s.value for s in at.success)
    engine = store.connect(journal_url)
    [entry] = store.list_entries(engine)
    assert entry["note"] == "Burnley at home?" and entry["tags"] == ["epl", "opening day"]
    assert entry["market_event"] == event

    at.switch_page("views/journal.py").run()
    assert not at.exception and at.title[0].value == "Journal"
    table = at.dataframe[0].value
    assert list(table["event"]) == [event]
    at.selectbox(key=f"journal_outcome_{entry['id']}").set_value("Away").run()
    at.button(key=f"journal_resolve_{entry['id']}").click().run()
    resolved = store.get_entry(engine, entry["id"])
    market = store.market_of(engine, entry["id"])
    assert resolved["realised_fair_bits"] == pytest.approx(math.log2(0.6 / market.values[2]), abs=1e-12)
    assert any(f"Entry {entry['id']} resolved: realised {resolved['realised_fair_bits']:.4f} bits" in shown(s.value)
               for s in at.success)
    assert next(m for m in at.metric if m.label == "Realised at fair prices").value == \
        f"{resolved['realised_fair_bits']:.4f} bits"            # the same run: the page after the change
    # resolving again asks first, and keeps the earlier outcome in the entry's history
    assert at.button(key=f"journal_resolve_{entry['id']}").disabled
    at.checkbox(key=f"journal_force_{entry['id']}").check().run()
    at.selectbox(key=f"journal_outcome_{entry['id']}").set_value("Home").run()
    at.button(key=f"journal_resolve_{entry['id']}").click().run()
    again = store.get_entry(engine, entry["id"])
    assert again["outcome"] == "Home" and [h["outcome"] for h in again["history"]] == ["Away"]
    assert any("Earlier outcomes: Away" in shown(c.value) for c in at.caption)
    at.checkbox(key=f"journal_confirm_{entry['id']}").check().run()
    at.button(key=f"journal_delete_{entry['id']}").click().run()
    assert store.list_entries(engine) == []
    assert any("No entries yet" in i.value for i in at.info)
    assert any(f"Deleted entry {entry['id']}: {event}" in shown(s.value) for s in at.success)


def test_resolved_entries_feed_the_track_record_page(journal_url):
    import numpy as np

    from analytics.beliefs.discrete import DiscreteBelief
    from analytics.beliefs.spec import NamedBelief
    from analytics.betting.market import DiscreteMarket
    from analytics.core.distributions import DiscreteDistribution
    from analytics.scoring.pairs import score_pairs
    from services import journal as service

    engine = store.connect(journal_url)
    labels = ("Home", "Draw", "Away")
    for event, p, q, outcome in (("m1", (0.6, 0.2, 0.2), (0.5, 0.25, 0.25), "Home"),
                                 ("m2", (0.3, 0.3, 0.4), (0.4, 0.3, 0.3), "Away"),
                                 ("m3", (0.2, 0.5, 0.3), (0.25, 0.25, 0.5), "Home")):
        market = DiscreteMarket(event, DiscreteDistribution(labels, np.asarray(q)))
        pair = score_pairs([market], [NamedBelief("", DiscreteBelief(labels, np.asarray(p)))])[0]
        entry_id = service.save_pair(engine, pair, belief_text=service.belief_file_form(pair.belief, ""),
                                     market_source="test", method="as given")
        service.resolve(engine, entry_id, outcome=outcome)
    want = service.journal_track_record(engine)
    assert want is not None
    expected = math.log2(0.6 / 0.5) + math.log2(0.4 / 0.3) + math.log2(0.2 / 0.25)
    assert want.realised_fair_bits.sum() == pytest.approx(expected, abs=1e-12)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/track.py").run()
    at.radio(key="track_belief_kind").set_value("My journal (resolved entries)").run()
    assert not at.exception and not at.error
    realised = next(m for m in at.metric if m.label.startswith("Realised at fair prices"))
    assert realised.value == f"{expected:.3f} bits"
    assert next(m for m in at.metric if m.label.startswith("Predicted edge over 3 matches"))


def test_a_backup_downloaded_from_one_journal_is_restored_on_the_page_of_another(journal_url, tmp_path):
    import numpy as np

    from analytics.beliefs.discrete import DiscreteBelief
    from analytics.beliefs.spec import NamedBelief
    from analytics.betting.market import DiscreteMarket
    from analytics.core.distributions import DiscreteDistribution
    from analytics.scoring.pairs import score_pairs
    from services import journal as service

    other = store.connect(f"sqlite:///{tmp_path / 'desk.db'}")
    labels = ("Home", "Draw", "Away")
    for event, p in (("m1", (0.6, 0.2, 0.2)), ("m2", (0.3, 0.3, 0.4))):
        market = DiscreteMarket(event, DiscreteDistribution(labels, np.asarray((0.5, 0.25, 0.25))))
        pair = score_pairs([market], [NamedBelief("", DiscreteBelief(labels, np.asarray(p)))])[0]
        service.save_pair(other, pair, belief_text=service.belief_file_form(pair.belief, ""), market_source="desk",
                          method="shin", note=f"note {event}", entry_tags=["desk"])
    service.resolve(other, 1, outcome="Draw")
    backup = service.backup_json(other)

    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("views/journal.py").run()
    assert any("No entries yet" in i.value for i in at.info)
    at.file_uploader(key="journal_restore_file").set_value(("journal.json", backup.encode(), "application/json")).run()
    at.button(key="journal_restore").click().run()
    assert not at.exception
    assert any("Restored 2 entries from journal.json" in shown(s.value) for s in at.success)
    engine = store.connect(journal_url)
    assert service.backup_json(engine) == backup                  # every entry exactly, ids and outcomes included
    assert list(at.dataframe[0].value["id"]) == [2, 1]
