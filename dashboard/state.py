"""Cached loading for the pages: upload bytes and file paths are the cache keys."""

from __future__ import annotations

import streamlit as st

from analytics.beliefs.spec import NamedBelief
from analytics.betting.market import DiscreteMarket
from analytics.betting.odds_files import OddsRequest
from analytics.core.text import decode_text
from data.files import read_text_file
from data.market_files import beliefs_from_text, markets_from_text


@st.cache_data(max_entries=32, show_spinner="Reading the market file...")
def markets_from_bytes(raw: bytes, source: str, odds_format: str, bookmaker: str, method: str) -> list[DiscreteMarket]:
    return markets_from_text(decode_text(raw, source), source, OddsRequest(odds_format=odds_format,
                                                                           bookmaker=bookmaker), method)


@st.cache_data(max_entries=32, show_spinner="Reading the market file...")
def markets_from_path(path: str, source: str, odds_format: str, bookmaker: str, method: str) -> list[DiscreteMarket]:
    return markets_from_text(read_text_file(path), source, OddsRequest(odds_format=odds_format,
                                                                        bookmaker=bookmaker), method)


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
