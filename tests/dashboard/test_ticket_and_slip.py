"""The order ticket on the Options page and the bet slip on the Betting page (AppTest, the real app): what they
show matches analytics.options.orders and analytics.betting.slip, the downloads hold the same orders, and the
settings move them."""


import pytest
from streamlit.testing.v1 import AppTest

from dashboard.state import typed_belief_key
from tests.conftest import ROOT
from tests.dashboard.pages import margin_method, with_trades

APP = str(ROOT / "dashboard/app.py")


def options_with_a_view(median: float) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/options.py").run()
    at.radio(key="belief_kind").set_value("A view (median and range)").run()
    key = f"view_median:SPY_20260211_chain.csv:{at.selectbox(key='expiry').value}"
    with_trades(at.number_input(key=key).set_value(median).run())
    assert not at.exception and not at.error, (at.exception, at.error)
    return at




def test_the_options_page_shows_a_ticket_of_whole_contracts_and_the_settings_move_it():
    at = options_with_a_view(720.0)
    assert "Order ticket" in [s.value for s in at.subheader]
    table = next(df.value for df in at.dataframe if "symbol" in df.value.columns)
    assert len(table) >= 1 and (table["contracts"] == table["contracts"].round()).all()
    assert table["symbol"].str.startswith("SPY26").all()
    assert len(table) <= 6
    with_trades(at.number_input(key="options_max_legs").set_value(2).run())
    fewer = next(df.value for df in at.dataframe if "symbol" in df.value.columns)
    assert len(fewer) <= 2
    with_trades(at.number_input(key="options_commission_contract").set_value(1000.0).run())
    assert any("No orders" in i.value for i in at.info)
    assert not at.exception and not at.error


def test_the_betting_page_shows_a_slip_in_whole_units_with_full_kelly_beside():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    key = typed_belief_key(str(at.selectbox(key="bundle").value), str(at.selectbox(key="event").value))
    at.session_state[key] = [60.0, 20.0, 20.0]
    at.run()
    at.number_input(key="stake_unit").set_value(5.0).run()
    slip = next(df.value for df in at.dataframe if "bookmaker" in df.value.columns and "stake" in df.value.columns)
    assert len(slip) >= 1 and ((slip["stake"] / 5.0).round() * 5.0 == slip["stake"]).all()
    caption = next(c.value for c in at.caption if c.value.startswith("Bet slip at"))
    assert "full Kelly" in caption
    assert at.slider(key="kelly_fraction").value == 1.0
    assert not at.exception and not at.error


def test_the_exchange_commission_is_shown_editable_and_moves_the_slip():
    """A Betfair file: the commission control starts at Betfair's 5 % base rate; the slip's odds are the back
    prices after it, 1 + (o - 1)(1 - c), and a lower commission raises them."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.selectbox(key="bundle").set_value("A-League 2023/24, Betfair Exchange match odds").run()
    assert at.number_input(key="exchange_commission").value == 5.0
    key = typed_belief_key(str(at.selectbox(key="bundle").value), str(at.selectbox(key="event").value))
    at.session_state[key] = [70.0, 15.0, 15.0]
    at.run()

    def slip_odds() -> dict[str, float]:
        slip = next(df.value for df in at.dataframe if "bookmaker" in df.value.columns and "stake" in df.value.columns)
        assert (slip["bookmaker"] == "Betfair exchange").all()
        return dict(zip(slip["outcome"], slip["odds"], strict=True))

    taken = slip_odds()
    at.number_input(key="exchange_commission").set_value(0.0).run()
    raw = slip_odds()
    for outcome, odds in taken.items():
        if outcome in raw:
            assert odds - 1 == pytest.approx((raw[outcome] - 1) * 0.95)
    assert not at.exception and not at.error


def test_the_betting_page_fetches_live_markets_and_falls_back_with_a_banner(monkeypatch):
    """'Fetch live' against a local server of recorded answers: a Polymarket event's and a Kalshi event's outcomes
    become the market, and with a key The Odds API's matches with their bookmaker (Betway, the recording's only one);
    a server that refuses gives one warning and the bundled snapshot, and nothing else breaks."""
    import threading

    from tests.data.test_live import closed_port
    from tests.data.test_live_markets import FED_CHAIR, ODDS_API_KEY, RecordedServer, _Handler

    srv = RecordedServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        for variable in ("MARKET_POLYMARKET_URL", "MARKET_KALSHI_URL", "MARKET_ODDS_API_URL"):
            monkeypatch.setenv(variable, f"http://127.0.0.1:{srv.server_address[1]}")
        monkeypatch.setenv("MARKET_ODDS_API_KEY", ODDS_API_KEY)
        monkeypatch.setenv("MARKET_LIVE_TIMEOUT", "2")
        at = AppTest.from_file(APP, default_timeout=120)
        at.run()
        at.radio(key="market_source").set_value("Fetch live").run()
        at.text_input(key="live_id:polymarket").set_value(FED_CHAIR).run()
        assert not at.exception and not at.error and not at.warning
        assert any(c.value.startswith("Live from") and "kept for 60 s" in c.value for c in at.caption)
        table = next(df.value for df in at.dataframe if "market q (%)" in df.value.columns)
        assert len(table) == 25 and "Kevin Warsh" in set(table.iloc[:, 0])
        at.selectbox(key="live_source").set_value("Kalshi").run()
        at.text_input(key="live_id:kalshi").set_value("KXELONMARS-99").run()
        assert not at.exception and not at.error and not at.warning
        table = next(df.value for df in at.dataframe if "market q (%)" in df.value.columns)
        assert list(table.iloc[:, 0]) == ["Yes", "No"]
        at.selectbox(key="live_source").set_value("The Odds API (bookmakers)").run()
        at.text_input(key="live_id:odds-api").set_value("soccer_epl").run()
        assert not at.exception and not at.error and not at.warning
        assert at.selectbox(key="bookmaker").options == ["BETWAY: a bookmaker of this market"]
        assert at.selectbox(key="event").value == "2024-08-19 Leicester City v Tottenham Hotspur"
        assert margin_method(at).value == "shin"       # bookmakers' odds: Shin, as for the season files
        margin_method(at).set_value("multiplicative").run()
        table = next(df.value for df in at.dataframe if "market q (%)" in df.value.columns)
        inverse = [1 / 5.0, 1 / 4.2, 1 / 1.6]             # Betway's Leicester, Draw, Tottenham in the recording
        assert list(table["market q (%)"]) == pytest.approx([100 * v / sum(inverse) for v in inverse], rel=1e-9)
        assert ODDS_API_KEY not in str([c.value for c in at.caption])
        at.selectbox(key="live_source").set_value("Kalshi").run()
    finally:
        srv.shutdown()
    monkeypatch.setenv("MARKET_KALSHI_URL", f"http://127.0.0.1:{closed_port()}")
    at.text_input(key="live_id:kalshi").set_value("KXOTHER-1").run()
    assert [w.value for w in at.warning if "Kalshi could not be reached" in w.value]
    assert any("Showing the bundled snapshot instead" in w.value and "South Korea" in w.value for w in at.warning)
    assert not at.exception and not at.error


def test_best_odds_and_a_consensus_on_an_uploaded_file_of_many_bookmakers():
    """The recorded MLB answer of The Odds API (13 bookmakers, two outcomes) written in the season files' columns
    and uploaded: the page offers the best odds across its bookmakers, and the odds the stakes are placed at are the
    highest of the 13 by hand."""
    import json

    from data.live_markets import odds_api_fixtures
    from tests.data.test_live_markets import MLB_AMERICAN

    answer = json.loads(MLB_AMERICAN.read_text())
    text = odds_api_fixtures(answer, "baseball_mlb", "american")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.radio(key="market_source").set_value("Upload an odds file").run()
    at.file_uploader(key="market_upload").set_value(("mlb.csv", text.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    at.radio(key="bet_at").set_value("the best odds across bookmakers").run()
    at.checkbox(key="market_consensus").check().run()
    assert not at.exception and not at.error

    def decimal(american: float) -> float:
        return 1 + (american / 100 if american > 0 else 100 / -american)

    event = answer[0]
    best = {"Home": 0.0, "Away": 0.0}
    for book in event["bookmakers"]:
        for o in book["markets"][0]["outcomes"]:
            side = "Home" if o["name"] == event["home_team"] else "Away"
            best[side] = max(best[side], decimal(o["price"]))
    assert at.selectbox(key="event").value == "2024-05-24 Pittsburgh Pirates v Atlanta Braves"
    table = next(df.value for df in at.dataframe if "market q (%)" in df.value.columns)
    odds_column = next(c for c in table.columns if "odds" in c.lower())
    assert dict(zip(table["outcome"], table[odds_column], strict=True)) == pytest.approx(best, rel=1e-9)
    assert table["market q (%)"].sum() == pytest.approx(100.0, abs=1e-9)
