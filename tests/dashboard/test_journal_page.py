"""AppTest: save a belief from the Betting page, find it on the Journal page, resolve it, delete it."""

import math

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.state import typed_belief_key
from data import journal as store
from tests.conftest import ROOT

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
    assert any("Resolved" in s.value for s in at.success)
    at.run()
    assert next(m for m in at.metric if m.label == "Realised at fair prices").value == \
        f"{resolved['realised_fair_bits']:.4f} bits"
    at.checkbox(key=f"journal_confirm_{entry['id']}").check().run()
    at.button(key=f"journal_delete_{entry['id']}").click().run()
    assert store.list_entries(engine) == []
    assert any("No entries yet" in i.value for i in at.info)
