"""One report model rendered four ways: JSON and CSV (every number, schema-versioned), a self-contained
HTML file (plotly.js inlined once; the numbers are plain HTML tables) and a PDF (figures rendered by
kaleido with the system Chromium, laid out by fpdf2). User text is escaped in HTML and PDF and
neutralised in CSV (a cell starting with any of FORMULA_STARTS cannot become a formula)."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import threading
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from analytics.betting.market import DiscreteMarket
from analytics.core.errors import InputError
from analytics.core.strict_json import dumps, strict
from analytics.scoring.continuous import ContinuousMarket, ContinuousScore
from analytics.scoring.discrete import HEADLINE_LABEL, DiscreteScore
from analytics.scoring.pairs import ScoredPair
from reporting.figures import (
    contribution_bars,
    cumulative_kl_curve,
    density_overlay,
    log_ratio_curve,
    market_vs_belief_bars,
    payoff_chart,
)
from reporting.formatting import fmt_value
from reporting.tables import edge_summary, legs_table, outcome_table, quantile_table, views_table

SCHEMA_VERSION = 1
HEADLINE_CAVEAT = (f"The headline figure is the {HEADLINE_LABEL}: the expected log-growth per bet of a Kelly bettor "
                   "who holds the belief and bets at fair prices. It is subjective: if the market is right the same "
                   "bettor loses KL(market || belief) per bet.")
MARGIN_CAVEAT = "Fair market probabilities depend on the margin-removal method, which is stated with each market."
RISK_NEUTRAL_CAVEAT = ("Option-implied distributions are risk-neutral: they carry risk premia, so part of any KL "
                       "against them is the price of risk, not disagreement.")
PLOTLY_BASIC = Path(__file__).with_name("assets") / "plotly-basic.min.js"


def caveats_for(pairs: Sequence[ScoredPair]) -> tuple[str, ...]:
    """The caveats that apply to these markets only: the margin one for priced outcomes, the risk-neutral one
    for option densities."""
    continuous = any(isinstance(pair.market, ContinuousMarket) for pair in pairs)
    discrete = any(isinstance(pair.market, DiscreteMarket) for pair in pairs)
    return (HEADLINE_CAVEAT, *((MARGIN_CAVEAT,) if discrete else ()),
            *((RISK_NEUTRAL_CAVEAT,) if continuous else ()))
HEADLINE_KEYS = (("kl_bits", "KL(belief || market)", "bits"), ("kl_nats", "KL(belief || market)", "nats"),
                 ("reverse_kl_bits", "KL(market || belief)", "bits"), ("js_bits", "Jensen-Shannon divergence", "bits"),
                 ("js_distance_bits", "Jensen-Shannon distance", "base 2"),
                 ("kelly_growth_fair_nats", "Kelly growth at fair prices", "nats per bet"),
                 ("kelly_growth_tradable_nats", "Kelly growth at tradable prices", "nats per bet"),
                 ("cash_fraction", "Cash kept at tradable prices", "fraction of wealth"),
                 ("total_variation", "Total variation", "probability"),
                 ("hellinger_squared", "Squared Hellinger distance", "[0, 1]"))


@dataclass(frozen=True, eq=False)
class ReportSection:
    event: str
    belief: str
    record: dict[str, Any]
    table: pd.DataFrame
    figures: tuple[go.Figure, ...]
    market_method: str
    market_diagnostics: dict[str, Any]
    extra_tables: tuple[pd.DataFrame, ...] = ()     # an option chain's edge: the sandwich and the legs


@dataclass(frozen=True, eq=False)
class Report:
    title: str
    created_utc: str
    inputs: dict[str, Any]
    sections: tuple[ReportSection, ...]
    caveats: tuple[str, ...] = ()


def build_report(pairs: Sequence[ScoredPair], *, market_source: str, belief_source: str, method: str,
                 title: str = "Market disagreement report", settings: Mapping[str, Any] | None = None,
                 bankroll: float = 1.0, kelly_fraction: float = 1.0, figures: bool = True) -> Report:
    """The report model from scored pairs (analytics.scoring.pairs.ScoredPair). `settings` are the screen's
    choices to record with the inputs (bookmaker, bankroll, the view's numbers...); the stakes in the outcome
    tables are for `bankroll` at `kelly_fraction`, as the screen shows them. `figures=False` leaves the charts
    out (a page that only needs the numbers, or the fingerprint, skips building them)."""
    sections = []
    for pair in pairs:
        score, market = pair.score, pair.market
        event, belief = market.event or "market", pair.belief.name or "belief"
        if isinstance(score, ContinuousScore) and isinstance(market, ContinuousMarket):
            density = market.density
            charts = (density_overlay(score, quoted_range=market.quoted_range), cumulative_kl_curve(score),
                      log_ratio_curve(score), *((payoff_chart(score),) if score.edge is not None else ())) \
                if figures else ()
            sections.append(ReportSection(
                event=event, belief=belief, record=pair.record(),
                table=quantile_table(score),
                extra_tables=(*(() if score.views is None else (views_table(score.views),)),
                              *(() if score.edge is None else (edge_summary(score.edge),
                                                               legs_table(score.edge, bankroll)))),
                figures=charts,
                market_method=density.method, market_diagnostics=dict(density.diagnostics)))
        elif isinstance(score, DiscreteScore) and isinstance(market, DiscreteMarket):
            sections.append(ReportSection(
                event=event, belief=belief, record=pair.record(),
                table=outcome_table(score, bankroll, kelly_fraction),
                extra_tables=() if score.views is None else (views_table(score.views),),
                figures=(market_vs_belief_bars(score), contribution_bars(score)) if figures else (),
                market_method=market.distribution.method, market_diagnostics=dict(market.distribution.diagnostics)))
        else:
            raise TypeError(f"a {type(score).__name__} cannot score a {type(market).__name__}")
    inputs = {"market_file": str(market_source), "belief_file": str(belief_source), "margin_method": method,
              **(settings or {})}
    return Report(title, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), inputs, tuple(sections),
                  caveats_for(pairs))


def report_dict(report: Report) -> dict[str, Any]:
    return strict({
        "schema_version": SCHEMA_VERSION, "title": report.title, "created_utc": report.created_utc,
        "inputs": report.inputs, "caveats": list(report.caveats),
        "results": [{**s.record, "event": s.event, "belief": s.belief, "market_method": s.market_method,
                     "market_diagnostics": s.market_diagnostics,
                     "outcomes": s.table.to_dict(orient="records")} for s in report.sections],
    })


def report_fingerprint(report: Report) -> str:
    """What the report says, without when it was made: two reports with the same fingerprint show the same
    numbers for the same inputs (the pages keep a prepared PDF only while the fingerprint holds)."""
    content = {**report_dict(report), "created_utc": None}
    return hashlib.sha256(dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


def report_json(report: Report) -> str:
    return dumps(report_dict(report), indent=2)


# what a spreadsheet may read as the start of a formula (OWASP's list, their full-width twins, and the blanks and
# line breaks a spreadsheet skips before one)
FORMULA_STARTS = frozenset("=+-@\t\r\n \u3000\uff1d\uff0b\uff0d\uff20")


def _safe_cell(value: Any) -> Any:
    """Numbers stay numbers; text that a spreadsheet could run as a formula gets a leading quote."""
    value = strict(value)
    if isinstance(value, (int, float)) or value is None:
        return value
    text = str(value)
    if text and text[0] in FORMULA_STARTS and text not in ("-inf",):
        return "'" + text
    return text


def table_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows of one table as CSV under `columns` (default: the first row's keys; a header alone when there are no
    rows), every text cell made safe for spreadsheets."""
    out = io.StringIO()
    header = list(columns) if columns is not None else list(rows[0]) if rows else []
    if header:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_safe_cell(row.get(c)) for c in header])
    return out.getvalue()


def _leaves(name: str, value: Any) -> Iterator[tuple[str, Any]]:
    """(name, scalar) for every scalar inside `value`: fields of an object as name.field, items of a list as
    name[i], so that no cell holds a structure (a Python or JSON text of one)."""
    if isinstance(value, dict):
        for field, item in value.items():
            yield from _leaves(f"{name}.{field}", item)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _leaves(f"{name}[{i}]", item)
    else:
        yield name, value


def report_csv(report: Report) -> str:
    """Long CSV: schema_version, event, belief, quantity, outcome, value. A figure per outcome has the outcome in
    its own column (prices.odds, Home); a list's items are numbered (legs[0].strike); every cell is one value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["schema_version", "event", "belief", "quantity", "outcome", "value"])
    for name, setting in report.inputs.items():       # what was scored and how: files, method, prices, stakes
        writer.writerow([SCHEMA_VERSION, "", "", f"input.{name}", "", _safe_cell(setting)])
    for s in report.sections:
        head = [SCHEMA_VERSION, _safe_cell(s.event), _safe_cell(s.belief)]
        for key, value in s.record.items():
            if key in ("event", "belief"):
                continue
            if isinstance(value, dict):
                for outcome, item in value.items():
                    for quantity, leaf in _leaves(key, item):
                        writer.writerow([*head, quantity, _safe_cell(outcome), _safe_cell(leaf)])
            elif isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list)) for v in value):
                for quantity, leaf in _leaves(key, value):
                    writer.writerow([*head, quantity, "", _safe_cell(leaf)])
            elif isinstance(value, (list, tuple)):
                for item in value:
                    writer.writerow([*head, key, "", _safe_cell(item)])
            else:
                writer.writerow([*head, key, "", _safe_cell(value)])
    return out.getvalue()


def _headline_rows(record: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f"{label} ({unit})", fmt_value(record.get(key))) for key, label, unit in HEADLINE_KEYS]


def diagnostic_rows(diagnostics: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """A market's diagnostics as (name, value) rows in words: nested records flattened ('params: z'), numbers to
    6 significant figures, ranges as 'a to b'."""
    rows: list[tuple[str, str]] = []
    for key, value in diagnostics.items():
        name = f"{prefix}{key}".replace("_", " ")
        if isinstance(value, Mapping):
            rows += diagnostic_rows(value, f"{name}: ") if value else [(name, "none")]
        elif isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, float) for v in value):
            rows.append((name, f"{value[0]:.6g} to {value[1]:.6g}"))
        elif isinstance(value, float):
            rows.append((name, fmt_value(value)))
        else:
            rows.append((name, str(strict(value))))
    return rows


def _html_start(title: str, created_utc: str, inputs: Mapping[str, Any]) -> list[str]:
    """The head of an HTML report (styles, plotly.js inlined once: it works offline), its title and inputs."""
    esc = html.escape
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>",
             "<style>body{font-family:DejaVu Sans,Arial,sans-serif;max-width:1100px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
             "text-align:right}td:first-child,th:first-child{text-align:left}.warn{color:#a60}</style>",
             f"<script>{PLOTLY_BASIC.read_text(encoding='utf-8')}</script></head><body>",
             f"<h1>{esc(title)}</h1><p>Created {esc(created_utc)} (UTC)</p><h2>Inputs</h2><table>"]
    parts += [f"<tr><td>{esc(k)}</td><td>{esc(str(v))}</td></tr>" for k, v in inputs.items()]
    parts.append("</table>")
    return parts


def track_record_html(summary: Mapping[str, Any], per_event: pd.DataFrame, figures: Sequence[go.Figure], *,
                      inputs: Mapping[str, Any], title: str = "Track record") -> str:
    """A backtest as a self-contained HTML report: the inputs, the totals, the charts and the match table."""
    esc = html.escape
    parts = _html_start(title, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), inputs)
    parts.append("<h2>Totals</h2><table><tr><th>quantity</th><th>value</th></tr>")
    def shown(value: Any) -> str:
        if isinstance(value, (list, tuple)):          # an interval: both ends
            return " to ".join(fmt_value(v) if isinstance(v, (float, type(None))) else str(v) for v in value)
        return fmt_value(value) if isinstance(value, float) else str(value)

    parts += [f"<tr><td>{esc(name.replace('_', ' '))}</td><td>{esc(shown(value))}</td></tr>"
              for name, value in summary.items() if not isinstance(value, dict)]
    parts.append("</table>")
    parts += [fig.to_html(full_html=False, include_plotlyjs=False) for fig in figures]
    parts.append(per_event.to_html(index=False, float_format=lambda v: f"{v:.5f}", escape=True, border=0, na_rep=""))
    parts.append("<h2>Caveats</h2><ul><li>Realised growth is the belief's log score minus the market's; one season is "
                 "a small sample, hence the interval and the test.</li></ul></body></html>")
    return "".join(parts)


def report_html(report: Report) -> str:
    esc = html.escape
    parts = _html_start(report.title, report.created_utc, report.inputs)
    for s in report.sections:
        parts.append(f"<h2>Market {esc(s.event)}, belief {esc(s.belief)}</h2>")
        parts.append(f"<p>Market method: {esc(s.market_method)}</p>")
        rows = diagnostic_rows(s.market_diagnostics)
        parts.append("<table><tr><th>market diagnostic</th><th>value</th></tr>" + "".join(
            f"<tr><td>{esc(name)}</td><td>{esc(value)}</td></tr>" for name, value in rows) + "</table>")
        parts.append("<table><tr><th>quantity</th><th>value</th></tr>")
        parts += [f"<tr><td>{esc(label)}</td><td class='num'>{esc(value)}</td></tr>"
                  for label, value in _headline_rows(s.record)]
        parts.append("</table>")
        if s.record.get("infinite_outcomes"):
            parts.append(f"<p class='warn'>Infinite surprise from: {esc(', '.join(s.record['infinite_outcomes']))}</p>")
        parts += [f"<p class='warn'>{esc(w)}</p>" for w in s.record.get("warnings", [])]
        for frame in (s.table, *s.extra_tables):
            parts.append(frame.to_html(index=False, float_format=lambda v: f"{v:.4f}", escape=True, border=0,
                                       na_rep=""))
        parts += [fig.to_html(full_html=False, include_plotlyjs=False) for fig in s.figures]
    parts.append("<h2>Caveats</h2><ul>" + "".join(f"<li>{esc(c)}</li>" for c in report.caveats) + "</ul>")
    parts.append("</body></html>")
    return "".join(parts)


_KALEIDO_LOCK = threading.Lock()    # one Chromium renderer at a time, for the length of one PDF


def figure_pngs(figures: Sequence[go.Figure], width: int = 900, height: int = 420) -> list[bytes]:
    """PNGs of figures through one kaleido render process (the system Chromium, MathJax off), started for these
    figures and stopped after them: a renderer left running holds about 1 GB in the server."""
    import kaleido

    with _KALEIDO_LOCK:
        try:
            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)   # plotly notes that kopts go unused with a server
                    return [fig.to_image(format="png", width=width, height=height, scale=2) for fig in figures]
            finally:
                kaleido.stop_sync_server(silence_warnings=True)
        except Exception as exc:  # noqa: BLE001 - kaleido raises many kinds when no browser is there
            raise InputError("PDF export needs Chromium to draw the figures and none could be started; the HTML, "
                             "JSON and CSV reports still work") from exc


def _pdf_font(pdf: Any) -> str:
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if font.exists():
        pdf.add_font("DejaVu", "", str(font))
        bold = font.with_name("DejaVuSans-Bold.ttf")
        pdf.add_font("DejaVu", "B", str(bold if bold.exists() else font))
        return "DejaVu"
    return "Helvetica"


PDF_CELL_LIMIT = 160      # characters of one PDF table cell; the JSON, CSV and HTML reports keep the whole text
PDF_TEXT_LIMIT = 4000     # characters of one paragraph (a caveat, an input): whole, but bounded


def _column_widths(headers: list[str], rows: list[list[str]]) -> tuple[float, ...]:
    """Relative PDF column widths: each column as wide as its longest word or value, so that a header breaks
    between words ('book maker' broke as 'bookmak/er' in equal columns)."""
    widest = [max([*(1.25 * len(word) for word in header.split()), *(len(row[i]) for row in rows)], default=1) + 3
              for i, header in enumerate(headers)]          # headings are bold: wider per character
    return tuple(float(w) for w in widest)


def report_pdf(report: Report) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    family = _pdf_font(pdf)

    def text(s: str, limit: int = PDF_CELL_LIMIT) -> str:
        # a table row cannot span pages: a 1000-character label would be "too high" for any layout
        s = s if len(s) <= limit else s[:limit] + "..."
        return s if family == "DejaVu" else s.encode("latin-1", "replace").decode("latin-1")

    drawn = iter(figure_pngs([fig for s in report.sections for fig in s.figures]))
    images = {id(s): [next(drawn) for _ in s.figures] for s in report.sections}
    pdf.add_page()
    pdf.set_font(family, size=16)
    pdf.multi_cell(0, 8, text(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9)
    pdf.multi_cell(0, 5, text(f"Created {report.created_utc} (UTC)"), new_x="LMARGIN", new_y="NEXT")
    for key, value in report.inputs.items():
        pdf.multi_cell(0, 5, text(f"{key}: {value}", PDF_TEXT_LIMIT), new_x="LMARGIN", new_y="NEXT")
    for s in report.sections:
        pdf.ln(3)
        pdf.set_font(family, size=13)
        pdf.multi_cell(0, 7, text(f"{s.event}: belief {s.belief}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=9)
        pdf.multi_cell(0, 5, text(f"Market method: {s.market_method}"), new_x="LMARGIN", new_y="NEXT")
        with pdf.table(col_widths=(70, 60), text_align=("LEFT", "RIGHT"), first_row_as_headings=True) as table:
            table.row([text("market diagnostic"), text("value")])
            for name, value in diagnostic_rows(s.market_diagnostics):
                table.row([text(name), text(value)])
        pdf.ln(2)
        with pdf.table(col_widths=(70, 40), text_align=("LEFT", "RIGHT"), first_row_as_headings=True) as table:
            table.row([text("quantity"), text("value")])
            for label, value in _headline_rows(s.record):
                table.row([text(label), text(value)])
        pdf.ln(2)
        for frame in (s.table, *s.extra_tables):
            cells = [[text("" if isinstance(v, float) and v != v else f"{v:.4f}" if isinstance(v, float) else str(v))
                      for v in row] for row in frame.itertuples(index=False)]
            headers = [text(str(c)) for c in frame.columns]
            pdf.set_font(family, size=7.5 if len(headers) > 6 else 9)      # a wide table: every value on one line
            with pdf.table(first_row_as_headings=True, text_align="RIGHT",
                           col_widths=_column_widths(headers, cells)) as table:
                table.row(headers)
                for row in cells:
                    table.row(row)
            pdf.set_font(family, size=9)
            pdf.ln(2)
        for png in images[id(s)]:
            pdf.image(io.BytesIO(png), w=180)
    pdf.ln(3)
    pdf.set_font(family, size=11)
    pdf.multi_cell(0, 6, text("Caveats"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=8)
    for c in report.caveats:
        pdf.multi_cell(0, 4.5, text(f"- {c}", PDF_TEXT_LIMIT), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


RENDERERS = {".json": report_json, ".csv": report_csv, ".html": report_html, ".htm": report_html}
REPORT_SUFFIXES = (*RENDERERS, ".pdf")


def render(report: Report, suffix: str) -> bytes:
    suffix = suffix.lower()
    if suffix == ".pdf":
        return report_pdf(report)
    if suffix not in RENDERERS:
        raise InputError(f"report format {suffix or '(none)'!r} unknown; use .html, .pdf, .json or .csv")
    return RENDERERS[suffix](report).encode("utf-8")
