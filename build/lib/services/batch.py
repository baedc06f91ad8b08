"""Batch: market densities (and a belief's scores) for every underlying, as-of time and expiry of a dataset of
option quotes, on a local process pool or a Dask cluster (docs/formats.md, "Batch").

A partition is one underlying on one as-of time (one chain snapshot). The same function, `fit_partition`, runs
on every partition wherever it runs; the driver submits partitions in order with a bounded number in flight,
reads files one at a time, and keeps only the previous day's density per (underlying, expiry) for the surprise,
so memory stays bounded whatever the dataset's size. A partition whose fit fails yields rows with the error.
"""

from __future__ import annotations

import codecs
import os
import signal
import sys
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence

import numpy as np
import pandas as pd

from analytics.beliefs.reading import parse_beliefs
from analytics.beliefs.spec import NamedBelief
from analytics.core.errors import InputError, bounded
from analytics.core.text import check_text_head
from analytics.options.chain import chain_from_table, clean_expiry, expiries, years_to_expiry
from analytics.options.density import density_from_quotes
from analytics.options.summary import density_summary, surprise_bits
from analytics.scoring.continuous import ContinuousMarket, score_continuous_belief
from data.files import write_atomic
from data.rates import curve_for
from services.scheduler import CONNECT_TIMEOUT, check_scheduler

KEY_COLUMNS = ("underlying", "asof", "spot")


@dataclass(frozen=True)
class Partition:
    """One chain snapshot: its quotes (strings, lower-case columns, as a chain file reads) and where it came from."""

    underlying: str
    asof: str
    spot: float
    quotes: pd.DataFrame
    source: str
    error: str | None = None         # the file could not be read: the snapshot is one row with this error


def _dataset_files(path: Path) -> list[Path]:
    """A dataset's files: the file itself, or a folder's .csv and .parquet files in name order."""
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".parquet")) if path.is_dir() \
        else [path]
    if not files:
        raise InputError(f"no .csv or .parquet files in {path}")
    return files


def _read_table(file: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One dataset file as a table of strings with lower-case, stripped column names (only `columns`, when given).
    A file that is not UTF-8 CSV or Parquet is an InputError naming it; datasets may exceed the 20 MiB limit of a
    single file, so no size limit applies here."""
    wanted = None if columns is None else {c.lower() for c in columns}
    try:
        if file.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            names = pq.read_schema(file).names
            kept = names if wanted is None else [n for n in names if str(n).strip().lower() in wanted]
            frame = pd.read_parquet(file, columns=kept)
            frame = frame.astype(object).where(frame.notna(), "").astype(str)
        elif file.suffix.lower() == ".csv":
            with file.open("rb") as handle:
                check_text_head(handle.read(65536), file.name, "CSV")
            frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8",
                                usecols=None if wanted is None else (lambda c: str(c).strip().lower() in wanted))
        else:
            raise InputError(f"{file.name}: a dataset is .csv or .parquet")
    except InputError:
        raise
    except UnicodeDecodeError:
        raise InputError(f"{file.name}: is not UTF-8 text; expected CSV") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{file.name}: is empty; a quotes dataset needs the columns {', '.join(KEY_COLUMNS)}") \
            from None
    except Exception as exc:  # noqa: BLE001 - pandas and pyarrow raise many kinds for a malformed file
        reason = bounded(" ".join(str(exc).split()), 160)
        raise InputError(f"{file.name}: cannot be read as {file.suffix.lower()[1:].upper()} ({reason})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _checked_frame(file: Path) -> pd.DataFrame:
    frame = _read_table(file)
    missing = [c for c in KEY_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{file.name}: a quotes dataset needs the columns {', '.join(KEY_COLUMNS)} beside the "
                         f"chain's; missing {missing}")
    return frame


def _check_utf8(file: Path) -> None:
    """The whole file decodes as UTF-8 (read a MiB at a time): a file that does not is named before any fit."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError(f"{file.name}: is not UTF-8 text; expected CSV") from None


@dataclass(frozen=True)
class DatasetPlan:
    """What the dataset holds, read from its key columns before any fit: each file with its (underlying, asof)
    snapshots in order (so a file that cannot be read later is still known snapshot by snapshot)."""

    files: tuple[tuple[Path, tuple[tuple[str, str], ...]], ...]

    @property
    def snapshots(self) -> int:
        return sum(len(keys) for _, keys in self.files)


def plan_dataset(path: str | Path) -> DatasetPlan:
    """Every file of the dataset and its snapshots, reading only the key columns (for the time left, the number
    of workers worth starting, and the rows of a file that fails to read later)."""
    files = []
    for file in _dataset_files(Path(path)):
        if file.suffix.lower() == ".csv":
            _check_utf8(file)
        keys = _read_table(file, ["underlying", "asof"])
        if not {"underlying", "asof"} <= set(keys.columns):
            raise InputError(f"{file.name}: a quotes dataset needs the columns {', '.join(KEY_COLUMNS)}")
        pairs = keys[["underlying", "asof"]].drop_duplicates().sort_values(["underlying", "asof"])
        files.append((file, tuple(zip(pairs["underlying"].astype(str), pairs["asof"].astype(str), strict=True))))
    return DatasetPlan(tuple(files))


def partitions(path: str | Path, plan: DatasetPlan | None = None) -> Iterator[Partition]:
    """Every (underlying, as-of) snapshot of the dataset, in order, a file at a time. A file that cannot be read
    now (changed or removed since the plan was made) yields each of its planned snapshots with the error."""
    for file, keys in (plan or plan_dataset(path)).files:
        try:
            frame = _checked_frame(file)
        except (InputError, OSError) as exc:
            reason = str(exc) if isinstance(exc, InputError) else f"{file.name}: cannot be read ({exc.strerror})"
            for underlying, asof in keys:
                yield Partition(underlying, asof, float("nan"), pd.DataFrame(), file.name, reason)
            continue
        for (underlying, asof), rows in frame.groupby(["underlying", "asof"], sort=True):
            spots = pd.to_numeric(rows["spot"], errors="coerce").dropna().unique()
            spot = float(spots[0]) if spots.size else float("nan")
            yield Partition(str(underlying), str(asof), spot, rows.drop(columns=list(KEY_COLUMNS)), file.name)


def fit_partition(part: Partition, beliefs: Sequence[NamedBelief] = ()) -> list[dict[str, Any]]:
    """One row per expiry of a snapshot: the density's summary (and, with a belief file, its scores), or the
    error; and each density's grid and pdf for the driver's surprise (dropped before writing)."""
    base = {"underlying": part.underlying, "asof": part.asof, "source": part.source}
    if part.error is not None:
        return [{**base, "expiry": None, "error": part.error}]
    try:
        chain = chain_from_table(part.quotes.reset_index(drop=True), part.source)
        held = expiries(chain)
    except InputError as exc:
        return [{**base, "expiry": None, "error": str(exc)}]
    rows = []
    for expiry in held:
        row: dict[str, Any] = {**base, "expiry": expiry}
        try:
            asof = part.asof.replace(" ", "T")[:16] if len(part.asof) > 10 else part.asof
            fitted = density_from_quotes(clean_expiry(chain, expiry), years_to_expiry(asof, expiry),
                                         spot=part.spot if np.isfinite(part.spot) else None, source=part.source,
                                         curve=curve_for(asof))
            row.update(density_summary(fitted), error=None, _x=fitted.density.x, _pdf=fitted.density.pdf)
            for belief in beliefs:
                score = score_continuous_belief(belief.spec, ContinuousMarket(expiry, fitted.density))
                prefix = f"{belief.name}_" if belief.name else ""
                row.update({f"{prefix}kl_bits": score.kl_nats / np.log(2),
                            f"{prefix}reverse_kl_bits": score.reverse_kl_nats / np.log(2)})
        except (InputError, ArithmeticError, ValueError) as exc:
            row["error"] = str(exc).splitlines()[0][:500]
        rows.append(row)
    return rows


class _Executor(Protocol):
    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any: ...


class Progress:
    """A progress bar on stderr: snapshots and chains done, chains per second and the time left (rewritten in place
    on a terminal, a line at most every half second otherwise)."""

    def __init__(self, stream: Any = sys.stderr) -> None:
        self.start, self.done, self.chains, self.stream, self.last = time.perf_counter(), 0, 0, stream, 0.0

    def step(self, chains: int, snapshots_total: int) -> None:
        """One snapshot done, holding `chains` expiries, of `snapshots_total`."""
        self.done += 1
        self.chains += chains
        now = time.perf_counter()
        if now - self.last < 0.5 and self.done < snapshots_total:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        left = (snapshots_total - self.done) * elapsed / self.done
        filled = int(30 * min(self.done / max(snapshots_total, 1), 1.0))
        bar = "[" + "#" * filled + "." * (30 - filled) + "]"
        end = "\r" if getattr(self.stream, "isatty", lambda: False)() else "\n"
        print(f"batch: {bar} {self.done}/{snapshots_total} snapshots, {self.chains} chains, "
              f"{self.chains / elapsed:.1f} chains/s, about {left:.0f} s left", end=end, file=self.stream, flush=True)


def run_batch(path: str | Path, out: str | Path, *, workers: int | None = None, scheduler: str | None = None,
              belief_text: str | None = None, progress: Progress | None = None,
              connect_timeout: float = CONNECT_TIMEOUT) -> pd.DataFrame:
    """Fit (and score) every snapshot of the dataset and write one row per (underlying, asof, expiry), Parquet or
    CSV by the output's suffix. Ctrl-C stops the workers and writes nothing."""
    beliefs = parse_beliefs(belief_text, "belief") if belief_text else []      # read once, before any fit
    plan = plan_dataset(path)
    total = plan.snapshots
    if scheduler:
        check_scheduler(scheduler, connect_timeout)
    count = worker_count(workers, total, progress.stream if progress else sys.stderr)
    results: list[dict[str, Any]] = []
    previous: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    progress = progress or Progress()
    with _executor(count, scheduler, connect_timeout) as executor:
        for chunk in _mapped(executor, _chunks(partitions(path, plan), CHUNK), beliefs, window=2 * count):
            for rows in chunk:
                progress.step(len(rows), total)
            for row in (row for rows in chunk for row in rows):
                x, pdf = row.pop("_x", None), row.pop("_pdf", None)
                row["surprise_bits"] = None
                if x is not None:
                    today = (np.asarray(x), np.asarray(pdf))
                    key = (row["underlying"], row["expiry"])
                    if key in previous:
                        row["surprise_bits"] = surprise_bits(today, previous[key])
                    previous[key] = today
                results.append(row)
    frame = pd.DataFrame(results)
    write_atomic(out, lambda partial: write_rows(frame, partial, Path(out).suffix))
    return frame


def worker_count(asked: int | None, snapshots: int, stream: Any = sys.stderr) -> int:
    """Local processes worth starting: as asked (default every core), but no more than the cores or the chunks of
    work (a warning says so when asked for more than the cores)."""
    cores = os.cpu_count() or 1
    chunks = max(1, -(-snapshots // CHUNK))
    if asked is not None and asked > cores:
        print(f"batch: --workers {asked} is more than this machine's {cores} cores; using {min(cores, chunks)}",
              file=stream)
    return max(1, min(asked or cores, cores, chunks))


def write_rows(frame: pd.DataFrame, path: Path, suffix: str) -> None:
    """The result rows as Parquet, or CSV when `suffix` is .csv (the output's own suffix picks the format)."""
    if suffix.lower() == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)


class DaskExecutor:
    """Context for a distributed Client (closed on exit) with the submit() the driver uses."""

    def __init__(self, address: str, timeout: float = CONNECT_TIMEOUT) -> None:
        from distributed import Client

        try:
            self.client = Client(address, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--scheduler {address}: the Dask client could not connect in {timeout:g} s "
                             f"({type(exc).__name__})") from None

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.client.close()


class InlineExecutor:
    """One worker: the partitions run in this process, one after another (no pool to feed)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        done: Future[Any] = Future()
        done.set_result(fn(*args))
        return done

    def __enter__(self) -> InlineExecutor:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the driver, which stops them (no traceback from every process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _executor(count: int, scheduler: str | None, timeout: float = CONNECT_TIMEOUT) -> Any:
    if scheduler:
        return DaskExecutor(scheduler, timeout)
    return InlineExecutor() if count == 1 else ProcessPoolExecutor(max_workers=count, initializer=_ignore_interrupt)


CHUNK = 8     # snapshots per task: fewer, larger hand-offs leave the driver's core to the workers


def _chunks(parts: Iterator[Partition], size: int) -> Iterator[list[Partition]]:
    chunk: list[Partition] = []
    for part in parts:
        chunk.append(part)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def fit_partitions(parts: list[Partition], beliefs: Sequence[NamedBelief] = ()) -> list[list[dict[str, Any]]]:
    """fit_partition over a few snapshots (one task)."""
    return [fit_partition(part, beliefs) for part in parts]


def _mapped(executor: _Executor, chunks: Iterator[list[Partition]], beliefs: Sequence[NamedBelief],
            window: int) -> Iterator[list[list[dict[str, Any]]]]:
    """fit_partitions over the chunks in order, at most `window` in flight (results come back in order)."""
    pending: deque[Future[Any]] = deque()
    try:
        for chunk in chunks:
            pending.append(executor.submit(fit_partitions, chunk, beliefs))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:          # Ctrl-C or a failure: the queued work is dropped, not run to its end
        for future in pending:
            future.cancel()
        raise
