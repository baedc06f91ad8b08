"""Batch results: the market's distribution over time and across expiries, from `batch densities` output."""

import io
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import safe
from data.chains import bundled_quotes_dataset
from reporting.figures import quantile_fan, surprise_per_day, term_structure

st.title("Batch results")
st.caption("Market densities for every underlying, day and expiry of a dataset, as `python -m analytics batch "
           "densities` writes them: the quantiles over time, the term structure, and how much news reached the "
           "market each day (KL from the day before, in bits).")


@st.cache_data(max_entries=4, show_spinner="Fitting every bundled chain and expiry...")
def bundled_batch() -> pd.DataFrame:
    from services.batch import Progress, run_batch

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "quotes.csv"
        bundled_quotes_dataset().to_csv(data, index=False)
        return run_batch(data, Path(tmp) / "out.parquet", workers=1, progress=Progress(io.StringIO()))


source = st.radio("Results", ["The bundled snapshots", "Upload a batch result (.parquet)"], horizontal=True,
                  key="batch_source")
if source == "The bundled snapshots":
    frame = bundled_batch()
else:
    upload = st.file_uploader("Output of batch densities", type=["parquet"], key="batch_upload")
    if upload is None:
        st.info("Run `python -m analytics batch densities --input QUOTES --out result.parquet` and upload the file.")
        st.stop()
    try:
        frame = pd.read_parquet(io.BytesIO(upload.getvalue()))
    except (OSError, ValueError) as exc:
        safe.error(f"{upload.name}: not a readable Parquet file ({str(exc)[:120]})")
        st.stop()
needed = {"underlying", "asof", "expiry", "forward", "sd", "q05", "q25", "q50", "q75", "q95", "t_years", "error"}
if not needed <= set(frame.columns):
    safe.error(f"not a batch result: missing columns {sorted(needed - set(frame.columns))}")
    st.stop()
failed = frame[frame["error"].notna()]
fitted = frame[frame["error"].isna()]
if not failed.empty:
    with st.expander(f"{len(failed)} chains could not be fitted"):
        st.dataframe(failed[["underlying", "asof", "expiry", "error"]], hide_index=True, width="stretch")
c1, c2 = st.columns(2)
underlying = c1.selectbox("Underlying", sorted(fitted["underlying"].unique()), key="batch_underlying")
mine = fitted[fitted["underlying"] == underlying]
asof = c2.selectbox("As of", sorted(mine["asof"].unique()), key="batch_asof")
left, right = st.columns(2)
left.plotly_chart(term_structure(mine[mine["asof"] == asof], f"{underlying} term structure, {asof}"),
                  key="batch_term")
expiry = right.selectbox("Expiry", sorted(mine["expiry"].unique()), key="batch_expiry")
history = mine[mine["expiry"] == expiry]
right.plotly_chart(quantile_fan(history, f"{underlying} {expiry}: quantiles over time"), key="batch_fan")
if "surprise_bits" in history and history["surprise_bits"].notna().any():
    st.plotly_chart(surprise_per_day(history), key="batch_surprise")
else:
    st.caption("One as-of time per expiry here: the news between days needs two or more.")
# the result's columns in words; the file keeps the names of docs/formats.md
NAMES = {"underlying": "underlying", "asof": "as of", "expiry": "expiry", "forward": "forward F",
         "discount": "discount D", "t_years": "years to expiry", "mean": "mean", "sd": "sd", "skewness": "skewness",
         "excess_kurtosis": "excess kurtosis", "mass_below_lowest_strike": "mass below the strikes",
         "mass_above_highest_strike": "mass above the strikes", "surprise_bits": "news since the day before (bits)",
         "quotes_used": "quotes used", "fit_rms_vol_points": "fit error (vol points)",
         "fit_iterations": "fit iterations", "forward_method": "forward from",
         "error": "error", **{f"q{p:02d}": f"{p} % quantile" for p in range(1, 100)}}
# one column per quantile: the table is wider than any screen and scrolls, with the snapshot it describes pinned
st.dataframe(mine.rename(columns=NAMES), hide_index=True, width="stretch", height=260, column_config={
    name: st.column_config.Column(name, pinned=True) for name in ("underlying", "as of", "expiry")})
