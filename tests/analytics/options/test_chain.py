"""Reading option chains: OCC symbols, expiry dates and the cleaning of one expiry's quotes."""

import numpy as np
import pytest

from analytics.core.errors import InputError
from analytics.options.chain import clean_expiry, parse_chain, years_to_expiry


def test_clean_expiry_keeps_one_root_and_two_sided_quotes():
    """SPXW beats SPX (more quotes); zero bids, crossed and one-sided quotes are dropped and counted; a
    strike quoted twice is averaged; calls and puts line up on the union of their strikes."""
    text = ("contractSymbol,strike,bid,ask\n"
            "SPXW260306C06800000,6800,50,52\nSPXW260306C06800000,6800,51,53\nSPXW260306P06800000,6800,40,41\n"
            "SPXW260306C06900000,6900,0,1\nSPXW260306P06900000,6900,90,89\nSPXW260306P06700000,6700,20,\n"
            "SPXW260306P06600000,6600,10,11\nSPX260306C06800000,6800,49,53\n")
    quotes = clean_expiry(parse_chain(text, "c.csv"), "2026-03-06")
    assert quotes.root == "SPXW"
    assert quotes.dropped == {"other root (duplicate strikes)": 1, "no two-sided quote": 1, "zero bid": 1,
                              "crossed (bid > ask)": 1}
    assert quotes.strikes.tolist() == [6600.0, 6800.0]
    assert quotes.call_mid[1] == pytest.approx(51.5) and quotes.call_spread[1] == pytest.approx(2.0)
    assert np.isnan(quotes.call_mid[0]) and quotes.put_mid.tolist() == [10.5, 40.5]


def test_chain_reader_occ_symbols_and_dates():
    text = ("contractSymbol,strike,bid,ask\nSPXW260306C06800000,6800,50.1,51.3\nSPXW260306P06800000,6800,40,41\n"
            "SPX260306C06800000,6800,50,52\n")
    chain = parse_chain(text, "c.csv")
    assert chain["expiry"].tolist() == ["2026-03-06"] * 3
    assert chain["root"].tolist() == ["SPXW", "SPXW", "SPX"]
    assert chain["type"].tolist() == ["call", "put", "call"]
    # 90 days from a date (16:00 New York) to 16:00 New York on the expiry date
    assert years_to_expiry("2025-12-20", "2026-03-20") == pytest.approx(90 / 365, abs=1e-12)


def test_a_contract_symbol_with_an_impossible_date_names_its_row():
    text = ("contractSymbol,strike,bid,ask\nSPY260320C00700000,700,1,2\nSPY261340C00700000,700,1,2\n")
    with pytest.raises(InputError, match=r"row 3 column 'contractSymbol': 'SPY261340C00700000' holds no real date"):
        parse_chain(text, "chain.csv")


def test_a_strike_that_is_not_a_positive_number_is_named_not_dropped():
    text = "contractSymbol,strike,bid,ask\nSPY260320C00700000,inf,1,2\n"
    with pytest.raises(InputError, match="row 2 column 'strike': 'inf' is not a positive finite number"):
        parse_chain(text, "chain.csv")


def test_an_expiry_beyond_the_strike_limit_is_refused_in_words():
    from analytics.options.chain import MAX_STRIKES

    rows = "".join(f"{k},1.0,1.2,call,2026-03-20\n" for k in range(1, MAX_STRIKES + 2))
    chain = parse_chain("strike,bid,ask,optionType,expiration\n" + rows, "wide.csv")
    with pytest.raises(InputError, match=f"expiry 2026-03-20 has {MAX_STRIKES + 1:,} strikes; the limit is "
                                         f"{MAX_STRIKES:,} per expiry"):
        clean_expiry(chain, "2026-03-20")
