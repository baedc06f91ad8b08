"""Command line: `python -m analytics {score,odds,density,report,list,backtest,journal,batch} ...`, JSON on
stdout (batch writes Parquet).

Errors exit with code 2 and one line on stderr; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

from analytics.beliefs.completion import COMPLETIONS
from analytics.core.errors import InputError, bounded
from analytics.core.strict_json import dumps

LIVE_SOURCE_NAMES = ("polymarket", "kalshi", "football-data", "odds-api")   # data.live_markets.LIVE_SOURCES' keys

if TYPE_CHECKING:        # the numerics load when a command needs them: a refused flag answers at once
    from analytics.betting.slip import SlipSettings
    from analytics.options.orders import TicketSettings
    from analytics.scoring.discrete import Regularisation
    from analytics.scoring.pairs import ScoredPair

JsonObject = dict[str, Any]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        raise SystemExit(_fail(f"{self.prog}: {message}"))


def _fail(message: str) -> int:
    print(f"error: {bounded(message)}", file=sys.stderr)
    return 2


def _add_market_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--market", required=True, help="market file: odds CSV, option chain CSV or probabilities")
    p.add_argument("--belief", required=True, help="belief file (any form of docs/formats.md)")
    p.add_argument("--method", default="shin", help="margin-removal method (default shin)")
    p.add_argument("--bookmaker", default=None, help="column prefix of a football-data file (default B365, or the "
                   "file's first bookmaker when it has no B365)")
    p.add_argument("--belief-bookmaker", default=None, help="bookmaker columns when the belief is a football-data file")
    p.add_argument("--format", default="decimal", dest="odds_format", help="odds format of the files")
    p.add_argument("--event", default=None, help="score one event of a multi-event market")
    p.add_argument("--completion", default="market", choices=COMPLETIONS,
                   help="how a partial belief (buckets, quantiles) is completed")
    p.add_argument("--spot", type=float, default=None, help="spot price, for an option chain market")
    p.add_argument("--asof", default=None, help="as-of date[THH:MM] (New York), for an option chain market")
    p.add_argument("--expiry", default=None, help="expiry YYYY-MM-DD, for an option chain market")
    p.add_argument("--rate", type=float, default=None, help="fallback risk-free rate (continuous, per year)")
    p.add_argument("--epsilon", type=float, default=None, help="explicit smoothing: floor the belief at epsilon")
    p.add_argument("--blend", type=float, default=None, help="explicit smoothing: market weight mixed into the belief")
    p.add_argument("--prices", default=None,
                   help="odds to bet at: 'best' (highest per outcome across the file's bookmakers) or a bookmaker")
    p.add_argument("--market-from", default=None, help="fair probabilities from a bookmaker or 'consensus'")
    p.add_argument("--books", default=None, help="bookmakers for best prices and consensus, e.g. B365,PS,WH")
    p.add_argument("--kelly-fraction", type=float, default=1.0,
                   help="options edge: share of the belief mixed with the market for the position (default 1)")
    p.add_argument("--gamma", type=float, default=1.0,
                   help="options edge: your CRRA risk aversion; renyi_bits is D_(1/gamma)(p||q) (default 1)")
    p.add_argument("--market-gamma", type=float, default=None,
                   help="options edge: the market's risk aversion in a power pricing kernel (real-world adjustment)")
    p.add_argument("--bankroll", type=float, default=None,
                   help="currency to trade with: adds the order ticket (chains) or the bet slip (odds)")
    p.add_argument("--contract-size", type=int, default=100, help="order ticket: shares per contract (default 100)")
    p.add_argument("--commission-per-contract", type=float, default=0.65,
                   help="order ticket: commission per contract, currency (default 0.65)")
    p.add_argument("--commission-per-order", type=float, default=0.0,
                   help="order ticket: commission per order line, currency (default 0)")
    p.add_argument("--max-legs", type=int, default=6, help="order ticket: most order lines, 0 for no limit (default 6)")
    p.add_argument("--max-loss", type=float, default=None,
                   help="order ticket: largest worst-case loss, fraction of the bankroll (default: never ruined)")
    p.add_argument("--commission", type=float, default=0.05,
                   help="exchange commission on net winnings, a fraction (default 0.05, Betfair's base rate)")
    p.add_argument("--stake-unit", type=float, default=0.01, help="bet slip: stakes are multiples of this (0.01)")
    p.add_argument("--max-stake", type=float, default=None, help="bet slip: largest stake on one bet (currency)")
    p.add_argument("--max-total-stake", type=float, default=None,
                   help="odds markets: the stakes on one event sum to at most this fraction of the bankroll (0-1)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="market-disagreement", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    score = sub.add_parser("score", help="score a belief against a market")
    _add_market_flags(score)
    report = sub.add_parser("report", help="write a report (.html, .pdf, .json, .csv)")
    _add_market_flags(report)
    report.add_argument("--out", required=True, help="output path; its suffix picks the format")
    odds = sub.add_parser("odds", help="odds to fair probabilities")
    odds.add_argument("--format", default="decimal", dest="odds_format")
    odds.add_argument("--method", default="shin")
    odds.add_argument("odds", nargs="+")
    density = sub.add_parser("density", help="option chain to market density")
    density.add_argument("--chain", required=True)
    density.add_argument("--spot", type=float, default=None)
    density.add_argument("--asof", default=None)
    density.add_argument("--expiry", default=None)
    density.add_argument("--rate", type=float, default=None)
    track = sub.add_parser("backtest", help="did the disagreement pay? a belief's track record over resolved events")
    track.add_argument("--market", required=True, help="market odds file (e.g. a football-data season)")
    track.add_argument("--bookmaker", default="B365", help="market bookmaker columns (default B365)")
    track.add_argument("--belief", required=True, help="belief file (per-event beliefs, or an odds file)")
    track.add_argument("--belief-bookmaker", default=None, help="bookmaker columns when the belief is an odds file")
    track.add_argument("--results", default=None, help="results file event,outcome (default: the market file's)")
    track.add_argument("--closing-bookmaker", default=None, help="closing columns for closing-line value, e.g. PSC")
    track.add_argument("--method", default="shin", help="margin-removal method (default shin)")
    track.add_argument("--format", default="decimal", dest="odds_format", help="odds format of the files")
    track.add_argument("--kelly-fraction", type=float, default=1.0, help="share of the Kelly stakes (default 1)")
    track.add_argument("--keep", choices=("first", "last"), default=None,
                       help="an event listed twice (market or results file): keep its first or last row (default: "
                            "refuse, naming it)")
    journal = sub.add_parser("journal", help="save, list, resolve and export beliefs in a database")
    actions = journal.add_subparsers(dest="action", required=True, parser_class=_Parser)
    add = actions.add_parser("add", help="score a belief and save it with its market")
    _add_market_flags(add)
    add.add_argument("--note", default="", help="your note")
    add.add_argument("--tag", action="append", default=[], help="a tag (repeat for several)")
    shown = actions.add_parser("list", help="entries, newest first")
    shown.add_argument("--tag", default=None)
    shown.add_argument("--unresolved", action="store_true")
    shown.add_argument("--market", default=None, help="entries whose market or event contains this text")
    settle = actions.add_parser("resolve", help="record what happened and the realised growth")
    settle.add_argument("id", type=int)
    settle.add_argument("--outcome", default=None, help="the outcome that happened (named outcomes)")
    settle.add_argument("--price", type=float, default=None, help="the price at expiry (a price belief)")
    settle.add_argument("--force", action="store_true",
                        help="resolve an entry that is resolved already (the earlier outcome stays in its history)")
    out = actions.add_parser("export", help="every entry to .csv (a table) or .json (a backup 'import' restores)")
    out.add_argument("--out", required=True)
    restore = actions.add_parser("import", help="restore a .json export exactly (ids, times, outcomes, history)")
    restore.add_argument("file", help="a file written by 'journal export --out F.json'")
    for action in (add, shown, settle, out, restore):
        action.add_argument("--db", default=None, help="SQLAlchemy URL (default: $MARKET_JOURNAL_URL, else an SQLite "
                                                       "file in your data directory)")
    batch = sub.add_parser("batch", help="densities or scores over a whole dataset of quotes")
    jobs = batch.add_subparsers(dest="job", required=True, parser_class=_Parser)
    for job, what in (("densities", "one row per underlying, as-of and expiry"), ("scores", "a belief against each")):
        task = jobs.add_parser(job, help=what)
        task.add_argument("--input", required=True, help="quotes: a .csv or .parquet file, or a folder of them")
        task.add_argument("--out", required=True, help="output .parquet")
        task.add_argument("--workers", type=int, default=None, help="local processes (default: every core)")
        task.add_argument("--scheduler", default=None, help="a Dask scheduler address, e.g. tcp://10.0.0.5:8786")
        task.add_argument("--connect-timeout", type=float, default=10.0,
                          help="seconds to reach the Dask scheduler (default 10)")
        if job == "scores":
            task.add_argument("--belief", required=True, help="belief file (any price form)")
    fetch = sub.add_parser("fetch", help="a live market, in a readers' file form (Polymarket, Kalshi, football-data, "
                           "The Odds API)")
    fetch.add_argument("source", choices=LIVE_SOURCE_NAMES, help=" | ".join(LIVE_SOURCE_NAMES))
    fetch.add_argument("id", help="the event: a Polymarket event slug, a Kalshi event ticker, a football-data "
                       "league code (E0, SP1, ... or ALL), or an Odds API sport key (soccer_epl, ...; needs "
                       "MARKET_ODDS_API_KEY)")
    fetch.add_argument("--out", default=None, help="write the market to this .csv file")
    board = sub.add_parser("dashboard", help="serve the dashboard (Streamlit) on the bundled data")
    board.add_argument("--port", "--server.port", dest="port", type=int, default=8501, help="port (default 8501)")
    board.add_argument("--address", "--server.address", dest="address", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1)")
    watching = sub.add_parser("watch", help="fetch a live market every few seconds and keep each change in the "
                              "journal's database")
    watching.add_argument("source", choices=LIVE_SOURCE_NAMES,
                          help="polymarket | kalshi | football-data")
    watching.add_argument("id", help="the event (slug, ticker or league code), as for fetch")
    watching.add_argument("--every", type=float, default=60.0, help="seconds from one fetch to the next (default 60)")
    watching.add_argument("--count", type=int, default=10, help="fetches in all (default 10)")
    watching.add_argument("--db", default=None, help="SQLAlchemy URL (default: $MARKET_JOURNAL_URL, else an SQLite "
                          "file in the user's data folder)")
    listing = sub.add_parser("list", help="events, bookmakers or expiries a file holds")
    listing.add_argument("file")
    return parser


def _regularisation(args: argparse.Namespace) -> Regularisation | None:
    from analytics.scoring.discrete import Regularisation

    if args.epsilon is not None and args.blend is not None:
        raise InputError("choose one smoothing: --epsilon or --blend")
    if args.epsilon is not None:
        return Regularisation("epsilon", args.epsilon)
    if args.blend is not None:
        return Regularisation("blend", args.blend)
    return None


def _ticket_settings(args: argparse.Namespace) -> TicketSettings | None:
    """The order ticket's settings when a bankroll is given (checked before any work)."""
    from analytics.options.orders import TicketSettings

    if getattr(args, "bankroll", None) is None:
        return None
    return TicketSettings(bankroll=args.bankroll, contract_size=args.contract_size,
                          commission_per_contract=args.commission_per_contract,
                          commission_per_order=args.commission_per_order,
                          max_legs=None if args.max_legs == 0 else args.max_legs, max_loss=args.max_loss)


def _market_columns(spec: str) -> set[str]:
    """The market's column names (lower case) off its header line: a file's first line (empty when it cannot be
    opened: the market reader names the problem), or a live market's answer, fetched here once for the whole
    command (services.scoring.market_text keeps it; a failed fetch is its one line, before any work)."""
    from analytics.core.text import csv_columns

    if spec.startswith("live:"):
        from services.scoring import market_text

        return csv_columns(market_text(spec)[0])
    try:
        with open(spec, encoding="utf-8-sig", errors="replace") as f:
            return csv_columns(f.readline(65536))
    except OSError:
        return set()


def _odds_file_kind(path: str) -> str | None:
    """The kind of odds file (analytics.betting.odds_files.detect_kind) read off its header line, or None."""
    from analytics.betting.odds_files import detect_kind

    return detect_kind(_market_columns(path))


def _chosen_bookmaker(args: argparse.Namespace) -> str:
    """--bookmaker as given, else the file's default (odds_files.default_bookmaker: Bet365, or the first bookmaker
    of a file without Bet365, such as The Odds API's)."""
    from analytics.betting.odds_files import default_bookmaker, football_bookmakers

    return args.bookmaker or default_bookmaker(football_bookmakers(_market_columns(args.market)))


def _slip_settings(args: argparse.Namespace) -> SlipSettings | None:
    """The bet slip's settings when a bankroll is given; the slip names the bookmaker the odds are taken from."""
    from analytics.betting.slip import SlipSettings

    if getattr(args, "bankroll", None) is None:
        return None
    venue = args.prices if args.prices and args.prices != "best" else args.bookmaker
    if _odds_file_kind(args.market) in ("betfair-match", "betfair-racing"):
        venue = "Betfair exchange"
    return SlipSettings(bankroll=args.bankroll, stake_unit=args.stake_unit, max_stake=args.max_stake, bookmaker=venue)


def _scored_pairs(args: argparse.Namespace) -> list[ScoredPair]:
    from analytics.options.edge import EdgeSettings
    from services.scoring import MarketRequest, score_files

    args.bookmaker = _chosen_bookmaker(args)      # after the checks of --out and --db: they answer first

    request = MarketRequest(method=args.method, bookmaker=args.bookmaker, odds_format=args.odds_format,
                            spot=args.spot, asof=args.asof, expiry=args.expiry, rate=args.rate,
                            belief_bookmaker=args.belief_bookmaker, prices=args.prices, market_from=args.market_from,
                            books=tuple(b.strip() for b in (args.books or "").split(",") if b.strip()),
                            commission=args.commission)
    if not (0 <= args.commission < 1):
        raise InputError(f"--commission {args.commission!r} must be a fraction of net winnings in [0, 1)")
    edge = EdgeSettings(kelly_fraction=args.kelly_fraction, gamma=args.gamma, market_gamma=args.market_gamma,
                        ticket=_ticket_settings(args), slip=_slip_settings(args),
                        max_total_stake=getattr(args, "max_total_stake", None))
    return score_files(args.market, args.belief, request, event=args.event, completion=args.completion,
                       regularisation=_regularisation(args), edge=edge)


def _single_or_results(records: list[dict[str, Any]]) -> dict[str, Any]:
    if len(records) == 1:
        record = dict(records[0])
        record.pop("event", None)
        record.pop("belief", None)
        return record
    return {"results": records}


def command_score(args: argparse.Namespace) -> JsonObject | None:
    pairs = _scored_pairs(args)
    records = [pair.record() for pair in pairs]
    from analytics.match.scores import ScoreBelief

    if any(isinstance(pair.belief.spec, ScoreBelief) for pair in pairs):
        from services.match import whole_match
        from services.scoring import market_text

        text, source = market_text(args.market)
        for record, pair in zip(records, pairs, strict=True):
            if isinstance(pair.belief.spec, ScoreBelief):
                record.update(whole_match(text, source, pair.market.event, pair.belief.spec, args.bookmaker,
                                          args.method) or {})
    return _single_or_results(records)


def command_report(args: argparse.Namespace) -> JsonObject | None:
    from data.files import check_output, write_atomic
    from reporting.report import REPORT_SUFFIXES, build_report, render

    target = check_output(args.out, REPORT_SUFFIXES, inputs=(args.market, args.belief), what="report")
    pairs = _scored_pairs(args)          # settles the bookmaker the settings name
    settings = {"bookmaker": args.bookmaker, "bet at": args.prices or "the market's bookmaker",
                "market probabilities": args.market_from or "the market's bookmaker",
                "books": args.books or "every bookmaker of the file", "kelly_fraction": args.kelly_fraction}
    report = build_report(pairs, market_source=args.market, belief_source=args.belief, method=args.method,
                          settings=settings)
    path = write_atomic(target, render(report, target.suffix))
    print(f"wrote {path}", file=sys.stderr)
    return None


def command_odds(args: argparse.Namespace) -> JsonObject | None:
    from analytics.betting.margin import METHOD_NOTES, remove_margin
    from analytics.betting.odds_formats import to_decimal

    decimal = to_decimal(args.odds, args.odds_format)
    fair = remove_margin(1.0 / decimal, args.method)
    return {
        "probabilities": fair.probabilities.tolist(),
        "overround": float(fair.overround),
        "method": fair.method,
        "params": {k: float(v) for k, v in fair.params.items()},
        "decimal_odds": decimal.tolist(),
        "fair_decimal_odds": (1.0 / fair.probabilities).tolist(),
        "method_note": METHOD_NOTES[fair.method],
    }


def command_density(args: argparse.Namespace) -> JsonObject | None:
    from data.chains import densities_from_file, density_record

    found = densities_from_file(args.chain, asof=args.asof, spot=args.spot, rate=args.rate, expiry=args.expiry)
    if args.expiry:
        record = density_record(found[0])
        record.pop("expiry")
        return record
    return {"expiries": [density_record(cd) for cd in found]}


def command_fetch(args: argparse.Namespace) -> JsonObject | None:
    """The live market as JSON (source, address, time, outcomes with their fair probabilities), and with --out the
    readers' CSV form written whole (temporary file, then renamed)."""
    from data.files import check_output, write_atomic
    from data.live_markets import fetch_live
    from data.market_files import default_odds_request, markets_from_text

    target = check_output(args.out, (".csv",), what="market file") if args.out else None
    live = fetch_live(f"live:{args.source}:{args.id}")
    markets = markets_from_text(live.text, live.name, default_odds_request(live.text), "multiplicative")
    written = str(write_atomic(target, live.text)) if target is not None else None
    return {"source": live.source, "url": live.url, "fetched_utc": live.fetched_utc, "out": written,
            "events": [{"event": m.event, "probabilities": dict(zip(m.labels, m.distribution.probabilities.tolist(),
                                                                    strict=True)),
                        "odds": None if m.odds is None else dict(zip(m.labels, m.odds.tolist(), strict=True))}
                       for m in markets]}


def command_watch(args: argparse.Namespace) -> JsonObject | None:
    """Snapshots of a live market stored as they change (services.watch); progress on stderr, a summary on stdout."""
    from data.journal import connect
    from services.watch import check_watch, watch

    check_watch(args.source, args.every, args.count)      # before the database is opened or anything fetched
    engine = connect(args.db)

    def progress(seconds: float) -> None:
        print(f"watch {args.source} {args.id}: next fetch in {seconds:.1f} s", file=sys.stderr)
        time.sleep(seconds)

    return watch(engine, args.source, args.id, every=args.every, count=args.count, sleep=progress).record()


def dashboard_command(port: int, address: str) -> list[str]:
    """`streamlit run` of the installed dashboard with the settings of dashboard/streamlit_config.toml as flags (an
    installed package has no .streamlit folder beside the working directory)."""
    import importlib.util
    import tomllib
    from pathlib import Path

    # the dashboard runs as its own process: only its folder is needed here, never its code (the layers point down)
    spec = importlib.util.find_spec("dashboard")
    if spec is None or spec.origin is None:
        raise InputError("the dashboard is not installed with this package")
    folder = Path(spec.origin).resolve().parent
    settings = tomllib.loads((folder / "streamlit_config.toml").read_text(encoding="utf-8"))
    flags = [f"--{section}.{key}={str(value).lower() if isinstance(value, bool) else value}"
             for section, values in settings.items() for key, value in values.items()
             if (section, key) not in (("server", "port"), ("server", "address"))]
    return [sys.executable, "-m", "streamlit", "run", str(folder / "app.py"), *flags, f"--server.port={port}",
            f"--server.address={address}"]


def command_dashboard(args: argparse.Namespace) -> JsonObject | None:
    """Serve the dashboard: this process becomes Streamlit's (Ctrl-C stops it)."""
    if not 1 <= args.port <= 65535:
        raise InputError(f"--port {args.port} is not a port (1 to 65535)")
    command = dashboard_command(args.port, args.address)
    print(f"serving the dashboard at http://{args.address}:{args.port}", file=sys.stderr)
    os.execv(command[0], command)
    return None


def command_list(args: argparse.Namespace) -> JsonObject | None:
    from data.catalog import describe_file

    return describe_file(args.file)


def command_backtest(args: argparse.Namespace) -> JsonObject | None:
    from services.scoring import MarketRequest
    from services.track import track_record

    request = MarketRequest(method=args.method, bookmaker=args.bookmaker, odds_format=args.odds_format,
                            belief_bookmaker=args.belief_bookmaker)
    return track_record(args.market, args.belief, request, results_path=args.results,
                        closing_bookmaker=args.closing_bookmaker, kelly_fraction=args.kelly_fraction,
                        keep=args.keep).record()


def command_batch(args: argparse.Namespace) -> JsonObject | None:
    from data.files import check_output, read_text_file

    if args.workers is not None and not 1 <= args.workers <= 512:
        raise InputError(f"--workers {args.workers} must lie between 1 and 512")
    if not os.path.exists(args.input):
        raise InputError("no such file or folder", source=args.input)
    target = check_output(args.out, BATCH_SUFFIXES, inputs=(args.input, *([args.belief] if args.job == "scores"
                                                                           else [])), what="--out")
    belief = read_text_file(args.belief) if args.job == "scores" else None
    if not 0 < args.connect_timeout <= 600:
        raise InputError(f"--connect-timeout {args.connect_timeout:g} must lie in (0, 600] seconds")
    if args.scheduler:              # before the numerics load: a wrong address answers within the timeout itself
        from services.scheduler import check_scheduler

        check_scheduler(args.scheduler, args.connect_timeout)
    from services.batch import run_batch  # after the checks: a bad flag is refused in the time of a start

    frame = run_batch(args.input, target, workers=args.workers, scheduler=args.scheduler, belief_text=belief,
                      connect_timeout=args.connect_timeout)
    failed = int(frame["error"].notna().sum()) if "error" in frame else 0
    print(f"wrote {target}: {len(frame)} rows, {failed} with an error", file=sys.stderr)
    return None


BATCH_SUFFIXES = (".parquet", ".csv")


def _entry_with_scores(entry: JsonObject, scores: JsonObject) -> JsonObject:
    """A saved entry (its own keys first) with every key of `score` it does not hold itself."""
    return {**entry, **{k: v for k, v in scores.items() if k not in entry and k != "event"}}


def command_journal(args: argparse.Namespace) -> JsonObject | None:
    from data.journal import connect, get_entry, list_entries, shown_url
    from services import journal as service

    engine = connect(args.db)
    if args.action == "add":
        pairs = _scored_pairs(args)
        ids = service.add_from_files(engine, pairs, args.belief, market_source=args.market, method=args.method,
                                     note=args.note, entry_tags=args.tag)
        saved = [_entry_with_scores(service.entry_record(get_entry(engine, i)), pair.record())
                 for i, pair in zip(ids, pairs, strict=True)]
        return saved[0] if len(saved) == 1 else {"entries": saved}
    if args.action == "list":
        return {"entries": [service.entry_record(e) for e in list_entries(engine, tag=args.tag,
                                                                           unresolved=args.unresolved,
                                                                           market=args.market)]}
    if args.action == "resolve":
        return service.entry_record(service.resolve(engine, args.id, outcome=args.outcome, price=args.price,
                                                    force=args.force))
    if args.action == "import":
        restored = service.import_file(engine, args.file)
        print(f"restored {len(restored)} entries into {shown_url(engine.url)}", file=sys.stderr)
        return {"restored": restored}
    path = service.export(engine, args.out)          # checks the path before it reads an entry
    print(f"wrote {path}", file=sys.stderr)
    return None


COMMANDS = {"backtest": command_backtest, "batch": command_batch, "journal": command_journal,
            "score": command_score, "odds": command_odds, "list": command_list, "report": command_report,
            "density": command_density, "fetch": command_fetch, "watch": command_watch,
            "dashboard": command_dashboard}


def run(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    handler = COMMANDS[args.command]
    result = handler(args)
    if result is not None:
        print(dumps(result, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:
        print("\nerror: interrupted; every output is written whole or not at all, and nothing was written",
              file=sys.stderr)
        return 130
    except InputError as exc:
        return _fail(str(exc))
    except (OSError, ValueError) as exc:
        return _fail(f"{type(exc).__name__}: {exc}".splitlines()[0])
    except Exception as exc:  # noqa: BLE001 - the contract is one line, never a traceback
        return _fail(f"internal error ({type(exc).__name__}: {exc})".splitlines()[0])

