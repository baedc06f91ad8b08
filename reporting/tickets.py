"""The order ticket and the bet slip as tables and as the files a person downloads (CSV and JSON): one place for
the page, the report and the command line's record (docs/formats.md, "Order ticket and bet slip")."""

from __future__ import annotations

import io

import pandas as pd

from analytics.betting.slip import BetSlip
from analytics.core.strict_json import dumps
from analytics.options.orders import OrderTicket

TICKET_COLUMNS = ["symbol", "side", "contracts", "type", "strike", "expiry", "limit", "time_in_force", "premium",
                  "commission", "structure"]
SLIP_COLUMNS = ["event", "outcome", "bookmaker", "odds", "stake"]


def ticket_frame(ticket: OrderTicket) -> pd.DataFrame:
    """One row an order, its structure by name (premium positive when paid, currency)."""
    rows = [{**order.as_record(), "structure": ticket.structures[order.structure].name} for order in ticket.orders]
    return pd.DataFrame(rows, columns=TICKET_COLUMNS)


def ticket_csv(ticket: OrderTicket) -> bytes:
    buffer = io.StringIO()
    ticket_frame(ticket).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode()


def ticket_json(ticket: OrderTicket) -> bytes:
    return dumps(ticket.as_record()).encode()


def slip_frame(slip: BetSlip) -> pd.DataFrame:
    return pd.DataFrame([bet.as_record() for bet in slip.bets], columns=SLIP_COLUMNS)


def slip_csv(slip: BetSlip) -> bytes:
    buffer = io.StringIO()
    slip_frame(slip).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode()


def slip_json(slip: BetSlip) -> bytes:
    return dumps(slip.as_record()).encode()
