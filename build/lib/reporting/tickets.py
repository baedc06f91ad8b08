"""The order ticket and the bet slip as tables and as the files a person downloads (CSV and JSON): one place for
the page, the report and the command line's record (docs/formats.md, "Order ticket and bet slip")."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics.betting.slip import BetSlip
from analytics.core.strict_json import dumps
from analytics.options.orders import OrderTicket
from reporting.report import table_csv

TICKET_COLUMNS = ["symbol", "side", "contracts", "type", "strike", "expiry", "limit", "time_in_force", "premium",
                  "commission", "structure"]
SLIP_COLUMNS = ["event", "outcome", "bookmaker", "odds", "stake"]


def _ticket_rows(ticket: OrderTicket) -> list[dict[str, Any]]:
    return [{**order.as_record(), "structure": ticket.structures[order.structure].name} for order in ticket.orders]


def ticket_frame(ticket: OrderTicket) -> pd.DataFrame:
    """One row an order, its structure by name (premium positive when paid, currency)."""
    return pd.DataFrame(_ticket_rows(ticket), columns=TICKET_COLUMNS)


def ticket_csv(ticket: OrderTicket) -> bytes:
    """The ticket as the reports write CSV: every text cell safe for spreadsheets."""
    return table_csv(_ticket_rows(ticket), TICKET_COLUMNS).encode()


def ticket_json(ticket: OrderTicket) -> bytes:
    return dumps(ticket.as_record()).encode()


def slip_frame(slip: BetSlip) -> pd.DataFrame:
    return pd.DataFrame([bet.as_record() for bet in slip.bets], columns=SLIP_COLUMNS)


def slip_csv(slip: BetSlip) -> bytes:
    """The slip as the reports write CSV: event and outcome names come from files and live markets, so a name a
    spreadsheet would run as a formula gets a leading quote."""
    return table_csv([bet.as_record() for bet in slip.bets], SLIP_COLUMNS).encode()


def slip_json(slip: BetSlip) -> bytes:
    return dumps(slip.as_record()).encode()
