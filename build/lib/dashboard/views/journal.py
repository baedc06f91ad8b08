"""Journal: the beliefs you saved, the markets they were scored against, and what happened."""

import math
import os
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from analytics.core.distributions import GriddedDensity
from analytics.core.errors import InputError
from analytics.core.text import decode_text
from dashboard import safe
from dashboard.components import journal_engine
from data import journal as store
from reporting.formatting import fmt
from services import journal as service
from services.watch import latest_watched_market


def restore_panel(engine: Any) -> None:
    """Restore a JSON backup: every entry or none, ids kept (ids the journal holds already are refused)."""
    with st.expander("Restore a backup"):
        upload = st.file_uploader("A journal backup (.json)", type=["json"], key="journal_restore_file")
        if st.button("Restore", key="journal_restore", disabled=upload is None) and upload is not None:
            try:
                ids = service.import_text(engine, decode_text(upload.getvalue(), upload.name, service.BACKUP_LIMIT),
                                          upload.name)
            except InputError as exc:
                safe.error(str(exc))
            else:
                st.session_state["journal_done"] = f"Restored {len(ids)} entries from {upload.name}."
                st.rerun()


st.title("Journal")
st.caption("Beliefs you saved with the market they were scored against: revisit them, re-score them, record what "
           "happened, and see whether your disagreements paid.")

try:
    url = store.default_url()
    engine = journal_engine(url)
    everything = store.list_entries(engine)
except InputError as exc:
    safe.error(str(exc))
    st.stop()
where = "set by MARKET_JOURNAL_URL" if os.environ.get(store.ENV_URL) else "a file in your data directory"
safe.caption(f"Database: {engine.dialect.name} ({where}).")
done_message = st.session_state.pop("journal_done", None)      # what the last action changed, said after its rerun
if done_message:
    safe.success(done_message)
if not everything:
    st.info("No entries yet. Use 'Save to journal' below a score on the Betting or Options page, or restore a "
            "backup below.")
    restore_panel(engine)
    st.stop()

resolved = [e for e in everything if e["realised_fair_bits"] is not None]
r1, r2, r3 = st.columns(3)
r1.metric("Entries", f"{len(everything)}", f"{len(resolved)} resolved", delta_color="off", delta_arrow="off")
predicted = sum(e["kl_bits"] or 0.0 for e in resolved)
realised = sum(e["realised_fair_bits"] for e in resolved)
r2.metric("Predicted edge of the resolved", f"{fmt(predicted, '.4f')} bits", delta_color="off", delta_arrow="off",
          help="The sum of KL(belief || market) over resolved entries: what you expected to earn if you were right")
r3.metric("Realised at fair prices", f"{fmt(realised, '.4f')} bits", delta_color="off", delta_arrow="off",
          help="The sum of log2(p/q) of what happened: your log score minus the market's (your track record)")

f1, f2, f3 = st.columns(3)
all_tags = sorted({t for e in everything for t in e["tags"]})
tag = f1.selectbox("Tag", ["any", *all_tags], key="journal_tag")
status = f2.radio("Status", ["all", "unresolved", "resolved"], horizontal=True, key="journal_status")
text = f3.text_input("Market or event contains", key="journal_market")
shown = store.list_entries(engine, tag=None if tag == "any" else tag, unresolved=status == "unresolved",
                           market=text or None)
if status == "resolved":
    shown = [e for e in shown if e["realised_fair_bits"] is not None]
def _outcome_text(entry: dict) -> str:
    """What happened, as text: the outcome, the price at expiry, or that it is not known yet."""
    if entry["outcome"] is not None:
        return str(entry["outcome"])
    return fmt(entry["outcome_price"], ",.2f") if entry["outcome_price"] is not None else "not resolved"


table = pd.DataFrame([{"id": e["id"], "saved (UTC)": e["saved_at"], "event": e["market_event"],
                       "belief": e["belief_name"] or "(one belief)", "KL (bits)": fmt(e["kl_bits"], ".4f"),
                       "outcome": _outcome_text(e),
                       "realised (bits)": fmt(e["realised_fair_bits"], ".4f")
                       if e["realised_fair_bits"] is not None else "", "note": e["note"],
                       "tags": ", ".join(e["tags"])} for e in shown])
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "KL (bits)": st.column_config.TextColumn(help="KL(belief || market) when saved; ∞ when the market ruled out what "
                                                  "the belief holds possible"),
    "realised (bits)": st.column_config.TextColumn(help="log2(p/q) of what happened; empty until resolved")})
if not shown:
    st.stop()

entry_id = st.selectbox("Entry", [e["id"] for e in shown], key="journal_entry",
                        format_func=lambda i: f"{i}: {next(e['market_event'] for e in shown if e['id'] == i)}")
entry = store.get_entry(engine, entry_id)
kept = store.market_of(engine, entry_id)
a1, a2 = st.columns(2)
with a1:
    st.markdown("**What happened**")
    outcome: str | None = None
    price: float | None = None
    if kept.kind == "discrete":
        outcome = st.selectbox("Outcome", list(kept.labels), key=f"journal_outcome_{entry_id}")
    else:
        median = float(GriddedDensity(np.asarray(kept.x), np.asarray(kept.values)).quantile(0.5))
        price = st.number_input("Price at expiry", value=round(median, 2), key=f"journal_price_{entry_id}",
                                help="Starts at the saved market's median")
    resolved_already = entry["resolved_at"] is not None
    again_ok = True
    if resolved_already:
        was = entry["outcome"] if entry["outcome"] is not None else entry["outcome_price"]
        safe.caption(f"Resolved on {entry['resolved_at']} as {was}. Resolving again replaces it; the earlier "
                     "outcome stays in the entry's history.")
        again_ok = st.checkbox("Resolve again", key=f"journal_force_{entry_id}")
    if st.button("Resolve", key=f"journal_resolve_{entry_id}", disabled=not again_ok):
        try:
            done = service.resolve(engine, entry_id, outcome=outcome, price=price, force=resolved_already)
        except InputError as exc:
            safe.error(str(exc))
        else:
            st.session_state["journal_done"] = (f"Entry {entry_id} resolved: realised "
                                                f"{fmt(done['realised_fair_bits'], '.4f')} bits at fair prices.")
            st.rerun()
    if entry["history"]:
        safe.caption("Earlier outcomes: " + "; ".join(
            f"{h['outcome'] if h['outcome'] is not None else h['outcome_price']} "
            f"({fmt(h['realised_fair_bits'], '.4f')} bits, replaced {h['replaced_at']})" for h in entry["history"]))
with a2:
    st.markdown("**Re-score**")
    again = service.rescore(engine, entry_id)
    st.metric("KL against the saved market", f"{fmt(again.score.kl_nats / math.log(2), '.4f')} bits",
              f"saved {entry['saved_at']}", delta_color="off", delta_arrow="off")
    latest = latest_watched_market(engine, entry["market_source"], entry["market_event"], entry["market_method"])
    if latest is not None:
        now = service.rescore(engine, entry_id, latest[0])
        st.metric("KL against the latest watched prices", f"{fmt(now.score.kl_nats / math.log(2), '.4f')} bits",
                  f"fetched {latest[1]}", delta_color="off", delta_arrow="off",
                  help="The same belief against the newest snapshot `watch` stored of this live market")
    confirm = st.checkbox(f"Delete entry {entry_id}, for good", key=f"journal_confirm_{entry_id}")
    if st.button("Delete", key=f"journal_delete_{entry_id}", disabled=not confirm):
        gone = store.delete_entry(engine, entry_id)
        st.session_state["journal_done"] = (f"Deleted entry {entry_id}: {gone['market_event']}, saved "
                                            f"{gone['saved_at']}" + (f", note {gone['note'][:80]!r}" if gone["note"]
                                                                     else "") + ".")
        st.rerun()

records = [service.entry_record(e) for e in everything]
d1, d2 = st.columns(2)
d1.download_button("Export CSV", service.export_csv(records), file_name="journal.csv", mime="text/csv",
                   key="journal_csv", help="One row per entry, for a spreadsheet", on_click="ignore")
d2.download_button("Back up (JSON)", service.backup_json(engine), file_name="journal.json",
                   mime="application/json", key="journal_json",
                   help="Every entry with its market, outcome and history: 'Restore' below (or 'journal import' on "
                        "the command line) puts them back exactly, into this or another database", on_click="ignore")
restore_panel(engine)
