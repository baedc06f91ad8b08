"""Cached loading for the pages: upload bytes and file paths are the cache keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import numpy as np
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from analytics.beliefs.spec import NamedBelief
from analytics.betting.market import DiscreteMarket
from analytics.betting.odds_files import OddsFile, OddsRequest
from analytics.betting.surprise import SurpriseTable, market_surprise
from analytics.core.errors import InputError
from analytics.core.text import csv_columns, decode_text
from dashboard import safe
from data.files import read_text_file
from data.market_files import beliefs_from_text, markets_from_odds_file, markets_from_text, odds_file_of_text
from services.scoring import MarketRequest
from services.track import TrackRecord, track_record_of

Scored = TypeVar("Scored")


@st.cache_data(max_entries=32, show_spinner="Reading the market file...")
def markets_from_bytes(raw: bytes, source: str, odds_format: str, bookmaker: str, method: str,
                       commission: float = 0.05) -> list[DiscreteMarket]:
    return markets_from_text(decode_text(raw, source), source, OddsRequest(odds_format=odds_format,
                                                                           bookmaker=bookmaker,
                                                                           commission=commission), method)


@st.cache_data(max_entries=32, show_spinner="Reading the market file...")
def _odds_file_of_path(path: str, source: str, odds_format: str, bookmaker: str,
                       commission: float = 0.05) -> OddsFile | None:
    return odds_file_of_text(read_text_file(path), source, OddsRequest(odds_format=odds_format, bookmaker=bookmaker,
                                                                       commission=commission))


@st.cache_data(max_entries=64, show_spinner=False)
def markets_from_path(path: str, source: str, odds_format: str, bookmaker: str, method: str,
                      commission: float = 0.05) -> list[DiscreteMarket]:
    """A bundled file's markets: parsed once per bookmaker (and exchange commission), de-margined per method (a
    method change re-parses nothing)."""
    parsed = _odds_file_of_path(path, source, odds_format, bookmaker, commission)
    if parsed is None:
        return markets_from_text(read_text_file(path), source, OddsRequest(odds_format=odds_format,
                                                                            bookmaker=bookmaker,
                                                                            commission=commission), method)
    return markets_from_odds_file(parsed, source, method)


@st.cache_data(max_entries=32, show_spinner=False)
def beliefs_from_bytes(raw: bytes, source: str, method: str) -> list[NamedBelief]:
    return beliefs_from_text(decode_text(raw, source), source, OddsRequest(), method)


@st.cache_data(max_entries=8, show_spinner=False)
def text_of(path: str) -> str:
    return read_text_file(path)


@st.cache_data(max_entries=16, show_spinner="Fitting the market density at every expiry...")
def chain_densities(text: str, source: str, asof: str, spot: float | None, rate: float | None) -> list:
    """Densities of every expiry of a chain (cached on the chain text and its inputs)."""
    from data.chains import densities_from_text

    return densities_from_text(text, source, asof=asof, spot=spot, rate=rate)


METHODS_CHOSEN = "methods_chosen"     # odds file -> the margin-removal method the user chose for it


def method_key(source: str) -> str:
    """The margin-removal box of one odds file: each file starts at its own default (Shin for bookmakers,
    multiplicative for exchanges and prediction markets), or at what the user chose for it (chosen_method)."""
    return f"method::{source}"


def chosen_method(source: str, default: str) -> str:
    """The method the user chose for this file, else the file's default. Kept apart from the box itself: Streamlit
    forgets a box's value while it is not shown (another file is open)."""
    return str(st.session_state.get(METHODS_CHOSEN, {}).get(source, default))


def remember_method(source: str) -> None:
    """The box's on_change: keep the method just chosen for this file."""
    st.session_state.setdefault(METHODS_CHOSEN, {})[source] = st.session_state[method_key(source)]


def typed_belief_key(source: str, event: str) -> str:
    """Where the probabilities a user typed for one event of one file are kept (percent)."""
    return f"belief_typed::{source}::{event}"


def apply_table_edits(shown: np.ndarray, edited_rows: dict[int | str, dict[str, float | None]],
                      column: str = "probability (%)") -> np.ndarray:
    """The table's column after the data editor's edits (row -> {column: value}); a cleared cell is NaN."""
    values = np.array(shown, dtype=float)
    for row, change in edited_rows.items():
        if column in change:
            value = change[column]
            values[int(row)] = np.nan if value is None else float(value)
    return values


def keep_typed_belief(editor_key: str, typed_key: str, shown: np.ndarray) -> None:
    """on_change of the belief table: store the full typed column and start a fresh editor over it, so the
    editor's deltas never re-apply to a table whose starting values moved (a new margin method)."""
    edits = st.session_state[editor_key].get("edited_rows", {})
    st.session_state[typed_key] = apply_table_edits(shown, edits).tolist()
    version = typed_key + "::version"
    st.session_state[version] = st.session_state.get(version, 0) + 1


def default_view_range(q05: float, q95: float) -> tuple[float, float]:
    """A view's starting range: the market's own 5-95 % range (to cents), so the view starts as the market's own
    statement and shows no edge until it is changed."""
    return round(q05, 2), round(q95, 2)


@st.cache_data(max_entries=32, show_spinner=False)
def header_of(path: str | None, raw: bytes | None, source: str) -> set[str]:
    """A CSV file's column names (lower case, stripped) from its first line: which kind of odds file it is and
    which bookmakers it holds, without parsing its rows."""
    text = read_text_file(path) if path is not None else decode_text(raw or b"", source)
    return csv_columns(text)


def markets_of(path: str | None, raw: bytes | None, source: str, odds_format: str, bookmaker: str,
               method: str, commission: float = 0.05) -> list[DiscreteMarket]:
    """A file's markets priced by one bookmaker's columns: a bundled file by its path, an upload by its bytes; an
    exchange's back prices are taken after `commission` on net winnings."""
    if path is not None:
        return markets_from_path(path, source, odds_format, bookmaker, method, commission)
    return markets_from_bytes(raw or b"", source, odds_format, bookmaker, method, commission)


@st.cache_data(max_entries=64, show_spinner="Scoring every match of the file...")
def season_surprise(path: str | None, raw: bytes | None, source: str, odds_format: str, market_book: str,
                    belief_book: str, method: str) -> SurpriseTable:
    """KL(belief bookmaker || market bookmaker) match by match (bits), for a bundled file or an upload."""
    return market_surprise(markets_of(path, raw, source, odds_format, market_book, method),
                           markets_of(path, raw, source, odds_format, belief_book, method))


@st.cache_data(max_entries=32, show_spinner="Backtesting every match...")
def track_record_cached(path: str, source: str, odds_format: str, bookmaker: str, belief_bookmaker: str | None,
                        closing: str | None, method: str, kelly_fraction: float, belief_raw: bytes | None,
                        belief_name: str, results_raw: bytes | None, results_name: str,
                        model: str | None = None) -> TrackRecord:
    """The track record of a bundled season: the belief is another bookmaker of the same file, an uploaded belief
    file or a goals model fitted on the season's earlier results (`model`, services.match); outcomes from the file
    or an uploaded results file (services.track, the command line's call)."""
    request = MarketRequest(method=method, bookmaker=bookmaker, odds_format=odds_format,
                            belief_bookmaker=belief_bookmaker)
    text = read_text_file(path)
    markets = markets_of(path, None, source, odds_format, bookmaker, method)
    if model is not None:
        from services.match import model_beliefs

        beliefs = model_beliefs(text, source)
    elif belief_raw is not None:
        beliefs = beliefs_from_text(decode_text(belief_raw, belief_name), belief_name,
                                    request.odds_request(bookmaker), method)
    else:
        beliefs = beliefs_from_text(text, source, request.odds_request(belief_bookmaker or bookmaker), method)
    results = decode_text(results_raw, results_name) if results_raw is not None else None
    return track_record_of(markets, beliefs, request, market_text=text, market_path=source, results=results,
                           results_source=results_name, closing_bookmaker=closing, kelly_fraction=kelly_fraction)


@st.cache_data(max_entries=32, show_spinner="Reading every bookmaker's prices...")
def priced_markets_cached(path: str | None, raw: bytes | None, source: str, odds_format: str, market_from: str,
                          prices: str, method: str) -> list[DiscreteMarket]:
    """A football-data file's markets with prices across its bookmakers (services.prices): a bundled file by its
    path, an upload or a live fetch by its bytes."""
    from services.prices import PriceChoice, priced_markets

    text = read_text_file(path) if path is not None else decode_text(raw or b"", source)
    return priced_markets(text, source, PriceChoice(market_from, prices), odds_format, method)


@st.cache_data(max_entries=16, show_spinner="Rating every bookmaker over the season...")
def bookmaker_quality_cached(path: str, source: str, odds_format: str, method: str) -> list[dict[str, object]]:
    from services.prices import bookmaker_quality

    return bookmaker_quality(read_text_file(path), source, odds_format, method)


@dataclass(frozen=True)
class BeliefUpload:
    """A belief file the page has read: its name, its beliefs and its text (for the journal)."""

    name: str
    beliefs: tuple[NamedBelief, ...]
    text: str


def uploaded_beliefs(slot: str, upload: UploadedFile | None, method: str) -> BeliefUpload | None:
    """The beliefs of the file in the uploader. A file that cannot be read gets one message, and the page goes on
    with the last file that could be scored (`slot` keeps it per page); no file yet gives None."""
    if upload is None:
        return st.session_state.get(f"{slot}::read")
    try:
        raw = upload.getvalue()
        read = BeliefUpload(upload.name, tuple(beliefs_from_bytes(raw, upload.name, method)),
                            decode_text(raw, upload.name))
    except InputError as exc:
        safe.error(str(exc))
        read = st.session_state.get(f"{slot}::scored", (None, None))[0]
    st.session_state[f"{slot}::read"] = read
    return read


def score_keeping_last_good(slot: str, read: BeliefUpload | None, belief: NamedBelief,
                            score: Callable[[NamedBelief], Scored]) -> tuple[BeliefUpload | None, NamedBelief, Scored]:
    """`score(belief)`; when the belief came from a file (`read`) and cannot be scored, one message, and the last
    file and belief that could be scored (said on the page) scored instead. Stops the page when there is none."""
    try:
        result = score(belief)
    except InputError as exc:
        safe.error(str(exc))
        kept: tuple[BeliefUpload, NamedBelief] | None = st.session_state.get(f"{slot}::scored")
        if read is None or kept is None or (kept[0].name, kept[0].text) == (read.name, read.text):
            st.stop()
        read, belief = kept
        safe.info(f"Still showing the belief from {read.name}, the last file that could be scored here.")
        st.session_state[f"{slot}::read"] = read
        try:
            result = score(belief)
        except InputError:
            st.stop()
    if read is not None:
        st.session_state[f"{slot}::scored"] = (read, belief)
    return read, belief, result


# Settings a user sets once and expects to find again on returning to a page: Streamlit forgets a widget's value
# when its page is not shown, so every run re-asserts them (widgets with fixed choices only: a choice that depends
# on the data, such as an expiry, must be able to change with it).
KEPT_ACROSS_PAGES = ("options_bankroll", "options_kelly_fraction", "options_gamma", "options_market_gamma_on",
                     "options_market_gamma", "bankroll", "kelly_fraction", "betting_view", "belief_kind")


def keep_settings() -> None:
    """Re-assert the settings of KEPT_ACROSS_PAGES that this session has set, so they outlive a page change."""
    for key in KEPT_ACROSS_PAGES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


LIVE_CACHE_SECONDS = 60


LIVE_SOURCES = {"Polymarket": ("polymarket", "an event's slug, or its polymarket.com/event/ address",
                                "e.g. fed-decision-in-march"),
                "Kalshi": ("kalshi", "an event ticker", "e.g. KXHIGHNY-26MAY05"),
                "football-data (upcoming fixtures)": ("football-data", "a league code (E0 Premier League, SP1 La "
                                                      "Liga, I1 Serie A, D1 Bundesliga, ...) or ALL", "e.g. E0")}
ODDS_API_SOURCE = {"The Odds API (bookmakers)": ("odds-api", "a sport key (soccer_epl, soccer_spain_la_liga, "
                                                 "basketball_nba, ...)", "e.g. soccer_epl")}
BOOKMAKER_SOURCES = ("football-data", "odds-api")     # live sources written in the season files' columns


def live_sources() -> dict[str, tuple[str, str, str]]:
    """The live sources one can fetch here: The Odds API only when MARKET_ODDS_API_KEY holds a key."""
    from data.live_markets import odds_api_key

    return {**LIVE_SOURCES, **(ODDS_API_SOURCE if odds_api_key() else {})}


@st.cache_data(ttl=LIVE_CACHE_SECONDS, max_entries=32, show_spinner="Fetching the market...")
def live_market(source: str, ident: str) -> Any:
    """The LiveMarket of `source` (data.live_markets' name) and `ident`, kept for LIVE_CACHE_SECONDS; a failure is
    its one line (str), never an exception."""
    from analytics.core.errors import InputError
    from data.live_markets import fetch_live

    try:
        return fetch_live(f"live:{source}:{ident}")
    except InputError as exc:
        return str(exc)


@st.cache_data(max_entries=8, show_spinner=False)
def football_table_cached(path: str | None, raw: bytes | None, source: str) -> Any:
    """A football-data file's table and event names (services.match.football_table), read once per file."""
    from services.match import football_table

    return football_table(read_text_file(path) if path is not None else decode_text(raw or b"", source), source)


@st.cache_data(max_entries=64, show_spinner=False)
def match_markets_cached(path: str | None, raw: bytes | None, source: str, event: str, bookmaker: str,
                         method: str) -> list[Any] | None:
    """Every market of a football-data match the bookmaker prices (services.match), or None for another market."""
    from services.match import priced_markets, row_of_event

    row = row_of_event(football_table_cached(path, raw, source), event)
    return None if row is None else priced_markets(row, bookmaker, method)
