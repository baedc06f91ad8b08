"""`batch densities` over a generated dataset of known-truth chains: the same rows on a local pool, a Dask cluster
and the single-chain command; day-to-day surprise against its closed form; a failed fit is a row, not a crash."""

import json
import math
import os
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from services.batch import run_batch
from tests.conftest import run_cli

EXPIRIES = ("2026-06-18", "2026-09-18")


def chain_rows(spot: float, sigma: float, asof: str, expiry: str, rate: float = 0.02) -> list[dict]:
    """Black-Scholes quotes at 41 strikes with a 1-cent half spread."""
    t = ((date.fromisoformat(expiry) - date.fromisoformat(asof)).days) / 365
    forward, discount = spot * math.exp(rate * t), math.exp(-rate * t)
    rows = []
    for k in np.linspace(0.6 * spot, 1.6 * spot, 41):
        d1 = (math.log(forward / k) + sigma**2 * t / 2) / (sigma * math.sqrt(t))
        call = discount * (forward * norm.cdf(d1) - k * norm.cdf(d1 - sigma * math.sqrt(t)))
        for kind, price in (("call", call), ("put", call - discount * (forward - k))):
            price = round(price, 2)
            if price >= 0.02:
                rows.append({"strike": round(k, 2), "bid": price - 0.01, "ask": price + 0.01, "optionType": kind,
                             "expiration": expiry, "contractSymbol": f"X{kind[0]}{k:.2f}"})
    return rows


def dataset(days: int, underlyings=("AAA", "BBB"), sigma_of=lambda _u, d: 0.2 + 0.002 * d) -> pd.DataFrame:
    rows = []
    start = date(2026, 3, 2)
    for underlying in underlyings:
        for d in range(days):
            asof = (start + timedelta(days=d)).isoformat()
            for expiry in EXPIRIES:
                rows += [{**r, "underlying": underlying, "asof": asof, "spot": 100.0}
                         for r in chain_rows(100.0, sigma_of(underlying, d), asof, expiry)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def quotes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quotes")
    frame = dataset(50)                                          # 2 underlyings x 50 days x 2 expiries = 200 chains
    half = frame["underlying"] == "AAA"
    frame[half].to_parquet(folder / "aaa.parquet", index=False)  # a folder of files, Parquet and CSV
    frame[~half].to_csv(folder / "bbb.csv", index=False)
    return folder


def test_local_pool_and_dask_cluster_give_the_same_rows_as_the_single_chain_command(quotes, tmp_path):
    from distributed import LocalCluster

    local = run_batch(quotes, tmp_path / "local.parquet", workers=2)
    environment = dict(os.environ)
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            dask = run_batch(quotes, tmp_path / "dask.parquet", scheduler=cluster.scheduler_address)
    finally:
        # the cluster leaves OMP/MKL/OPENBLAS_NUM_THREADS=1 and PYTHONHASHSEED in this process's environment, which
        # every later test's subprocess would inherit (one BLAS thread moved an option position's growth by 3e-4)
        os.environ.clear()
        os.environ.update(environment)
    assert len(local) == 200 and local["error"].isna().all()
    pd.testing.assert_frame_equal(local, dask)
    assert set(local.columns) >= {"underlying", "asof", "expiry", "forward", "discount", "t_years", "mean", "sd",
                                  "skewness", "excess_kurtosis", "q01", "q50", "q99", "mass_below_lowest_strike",
                                  "mass_above_highest_strike", "surprise_bits", "error"}
    # one chain through the single-chain command
    one = dataset(1, ("AAA",)).drop(columns=["underlying", "asof", "spot"])
    chain = tmp_path / "one.csv"
    one.to_csv(chain, index=False)
    done = run_cli("density", "--chain", str(chain), "--spot", "100", "--asof", "2026-03-02", "--expiry",
                   EXPIRIES[0])
    single = json.loads(done.stdout)
    chosen = (local["underlying"] == "AAA") & (local["asof"] == "2026-03-02") & (local["expiry"] == EXPIRIES[0])
    row = local[chosen].iloc[0]
    assert row["forward"] == pytest.approx(single["forward"], rel=1e-12)
    assert row["mean"] == pytest.approx(single["mean"], rel=1e-9)
    assert row["q50"] == pytest.approx(single["quantiles"]["0.5"], rel=1e-9)


def test_surprise_is_zero_between_identical_days_and_the_lognormal_kl_otherwise(tmp_path):
    frame = dataset(3, ("AAA",), sigma_of=lambda _u, d: 0.2 if d < 2 else 0.3)
    day_one = frame[frame["asof"] == "2026-03-02"]
    frame = pd.concat([day_one, day_one.assign(asof="2026-03-03"), frame[frame["asof"] == "2026-03-04"]])
    path = tmp_path / "q.csv"
    frame.to_csv(path, index=False)
    out = run_batch(path, tmp_path / "o.parquet", workers=1).set_index(["asof", "expiry"])
    assert out.loc[("2026-03-02", EXPIRIES[0]), "surprise_bits"] is None or \
        pd.isna(out.loc[("2026-03-02", EXPIRIES[0]), "surprise_bits"])             # an expiry's first day
    assert out.loc[("2026-03-03", EXPIRIES[0]), "surprise_bits"] < 1e-9            # the same quotes, a day on
    # day 3: vol 0.3 against 0.2; log S_T normal with sd s and mean log F - s^2/2 (F moves by a day of carry)
    t2, t1 = (date(2026, 6, 18) - date(2026, 3, 4)).days / 365, (date(2026, 6, 18) - date(2026, 3, 2)).days / 365
    s_today, s_before = 0.3 * math.sqrt(t2), 0.2 * math.sqrt(t1)
    m_today = math.log(100) + 0.02 * t2 - s_today**2 / 2
    m_before = math.log(100) + 0.02 * t1 - s_before**2 / 2
    closed = (math.log(s_before / s_today) + (s_today**2 + (m_today - m_before) ** 2) / (2 * s_before**2) - 0.5)
    assert out.loc[("2026-03-04", EXPIRIES[0]), "surprise_bits"] == pytest.approx(closed / math.log(2), rel=0.02)


def test_a_chain_that_cannot_be_fitted_is_an_error_row_and_the_rest_complete(tmp_path):
    frame = dataset(2, ("AAA",))
    broken = frame[(frame["asof"] == "2026-03-03") & (frame["expiration"] == EXPIRIES[1])].head(6)
    keep = frame[~((frame["asof"] == "2026-03-03") & (frame["expiration"] == EXPIRIES[1]))]
    pd.concat([keep, broken]).to_csv(tmp_path / "q.csv", index=False)
    done = run_cli("batch", "densities", "--input", str(tmp_path / "q.csv"), "--out", str(tmp_path / "o.parquet"),
                   "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "chains/s" in done.stderr and "1 with an error" in done.stderr
    out = pd.read_parquet(tmp_path / "o.parquet")
    assert len(out) == 4
    failed = out[out["error"].notna()]
    assert list(failed["expiry"]) == [EXPIRIES[1]] and "usable" in failed["error"].iloc[0]
    assert out["error"].isna().sum() == 3


def test_batch_scores_a_belief_against_every_chain(tmp_path):
    """`batch scores`: the belief's KL per row is the single-chain score of the same fitted density."""
    from analytics.beliefs.reading import parse_beliefs
    from analytics.options.chain import chain_from_table, clean_expiry, years_to_expiry
    from analytics.options.density import density_from_quotes
    from analytics.scoring.continuous import ContinuousMarket, score_continuous_belief

    frame = dataset(2, ("AAA",))
    frame.to_csv(tmp_path / "q.csv", index=False)
    belief = json.dumps({"kind": "lognormal", "median": 102.0, "sigma": 0.15})
    (tmp_path / "b.json").write_text(belief)
    done = run_cli("batch", "scores", "--input", str(tmp_path / "q.csv"), "--belief", str(tmp_path / "b.json"),
                   "--out", str(tmp_path / "o.parquet"), "--workers", "2")
    assert done.returncode == 0, done.stderr
    out = pd.read_parquet(tmp_path / "o.parquet")
    assert len(out) == 4 and out["kl_bits"].notna().all()
    day = frame[(frame["asof"] == "2026-03-03")].drop(columns=["underlying", "asof", "spot"]).astype(str)
    chain = chain_from_table(day.rename(columns=str.lower).reset_index(drop=True), "x")
    fitted = density_from_quotes(clean_expiry(chain, EXPIRIES[0]), years_to_expiry("2026-03-03", EXPIRIES[0]),
                                 spot=100.0)
    [named] = parse_beliefs(belief, "b")
    want = score_continuous_belief(named.spec, ContinuousMarket(EXPIRIES[0], fitted.density)).kl_nats / math.log(2)
    row = out[(out["asof"] == "2026-03-03") & (out["expiry"] == EXPIRIES[0])].iloc[0]
    assert row["kl_bits"] == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize("name, raw, says", [
    ("binary.csv", b"underlying,asof\x00\x01\x02", "binary content"),
    ("latin1.csv", "underlying,asof,spot\nDAX,2026-03-02,\xe9\n".encode("latin-1"), "not UTF-8"),
    ("empty.csv", b"", "is empty"),
    ("broken.parquet", b"PAR1 not really parquet", "cannot be read as PARQUET"),
    ("ragged.csv", b'underlying,asof,spot\n"SPY,2026-03-02,1\n', "cannot be read as CSV"),
])
def test_a_dataset_file_that_cannot_be_read_is_one_line_naming_it(tmp_path, name, raw, says):
    (tmp_path / name).write_bytes(raw)
    done = run_cli("batch", "densities", "--input", str(tmp_path / name), "--out", str(tmp_path / "o.csv"))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert lines and name in lines[-1] and says in lines[-1], done.stderr


def test_a_parquet_dataset_without_the_key_columns_says_which_are_missing(tmp_path):
    pd.DataFrame({"strike": [100.0], "bid": [1.0], "ask": [1.2]}).to_parquet(tmp_path / "q.parquet")
    done = run_cli("batch", "densities", "--input", str(tmp_path / "q.parquet"), "--out", str(tmp_path / "o.csv"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "q.parquet" in done.stderr and "needs the columns underlying, asof, spot" in done.stderr, done.stderr


@pytest.mark.parametrize("bad, words", [
    ("folder", "is a folder"),
    ("/dev/full", "not a regular file"),
    ("missing/out.parquet", "does not exist"),
    ("input", "which this command reads"),
    ("out.txt", "suffix picks its format"),
])
def test_a_bad_out_is_refused_before_any_fit(quotes, tmp_path, bad, words):
    """A dataset that takes seconds to fit: a bad --out is one line, exit 2, at the start (nothing fitted)."""
    target = {"folder": str(tmp_path), "input": str(quotes / "bbb.csv"), "/dev/full": "/dev/full"}.get(
        bad, str(tmp_path / bad))
    source = quotes / "bbb.csv" if bad == "input" else quotes
    before = (quotes / "bbb.csv").read_bytes()
    started = time.perf_counter()
    done = run_cli("batch", "densities", "--input", str(source), "--out", target, "--workers", "1")
    elapsed = time.perf_counter() - started
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "batch: [" not in done.stderr     # no progress: no fit
    assert elapsed < 20                                  # the 100 chains alone take longer (make bench: the time)
    assert (quotes / "bbb.csv").read_bytes() == before


def test_the_out_suffix_picks_the_format(quotes, tmp_path):
    small = tmp_path / "small.csv"
    pd.read_csv(quotes / "bbb.csv").head(300).to_csv(small, index=False)
    done = run_cli("batch", "densities", "--input", str(small), "--out", str(tmp_path / "r.csv"), "--workers", "1")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "r.csv")
    assert {"forward", "surprise_bits", "error"} <= set(table.columns) and len(table) >= 1
    assert (tmp_path / "r.csv").read_bytes()[:4] != b"PAR1"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def _server(answer: bytes | None):
    """A loopback TCP server that accepts and sends `answer` at once (None: stays silent), closed after the test."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)
            if answer is not None:
                connection.sendall(answer)
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener, held


@pytest.mark.parametrize("answer, words", [
    (None, "no Dask scheduler answered within 2 s"),
    (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "something answered, but not a Dask scheduler"),
])
def test_a_scheduler_that_is_not_one_is_named_within_the_timeout(quotes, tmp_path, answer, words):
    listener, held = _server(answer)
    try:
        started = time.perf_counter()
        done = run_cli("batch", "densities", "--input", str(quotes), "--out", str(tmp_path / "o.parquet"),
                       "--scheduler", f"tcp://127.0.0.1:{listener.getsockname()[1]}", "--connect-timeout", "2")
        elapsed = time.perf_counter() - started
    finally:
        listener.close()
        for connection in held:
            connection.close()
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and elapsed < 15     # 2 s, plus starting Python twice over
    assert not (tmp_path / "o.parquet").exists()


def test_a_closed_port_is_named_at_once(quotes, tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = run_cli("batch", "densities", "--input", str(quotes), "--out", str(tmp_path / "o.parquet"),
                   "--scheduler", f"tcp://127.0.0.1:{port}")
    assert done.returncode == 2 and "nothing listens there (connection refused)" in done.stderr


def test_more_workers_than_cores_or_work_are_not_started(tmp_path):
    small = tmp_path / "three.csv"
    dataset(3, ("AAA",)).to_csv(small, index=False)                  # 3 snapshots: one chunk of work
    done = run_cli("batch", "densities", "--input", str(small), "--out", str(tmp_path / "o.parquet"),
                   "--workers", "512")
    assert done.returncode == 0, done.stderr
    assert f"--workers 512 is more than this machine's {os.cpu_count()} cores; using 1" in done.stderr
    assert len(pd.read_parquet(tmp_path / "o.parquet")) == 6


def test_a_file_that_changes_under_the_run_gives_error_rows_and_the_rest_is_kept(tmp_path):
    from services.batch import fit_partition, partitions, plan_dataset

    folder = tmp_path / "quotes"
    folder.mkdir()
    frame = dataset(2)
    frame[frame["underlying"] == "AAA"].to_csv(folder / "a.csv", index=False)
    frame[frame["underlying"] == "BBB"].to_csv(folder / "b.csv", index=False)
    plan = plan_dataset(folder)
    (folder / "b.csv").write_bytes(b"\xff\xfe not text any more")        # rewritten after the run began
    rows = [row for part in partitions(folder, plan) for row in fit_partition(part)]
    good = [r for r in rows if r["error"] is None]
    bad = [r for r in rows if r["error"] is not None]
    assert {r["underlying"] for r in good} == {"AAA"} and len(good) == 4
    assert [(r["underlying"], r["asof"]) for r in bad] == [("BBB", "2026-03-02"), ("BBB", "2026-03-03")]
    assert all("b.csv: is not UTF-8 text" in r["error"] for r in bad)


@pytest.mark.serial
def test_ctrl_c_stops_the_workers_and_writes_nothing(quotes, tmp_path):
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    # long enough (800 chains, about 10 s of fits) that the interrupt lands mid-run on a loaded machine too
    frame = pd.concat([pd.read_parquet(quotes / "aaa.parquet"), pd.read_csv(quotes / "bbb.csv")])
    long_run = tmp_path / "long" / "quotes.parquet"
    long_run.parent.mkdir()
    pd.concat([frame.assign(underlying=frame["underlying"] + str(i)) for i in range(4)]).to_parquet(long_run)
    out = tmp_path / "o.parquet"
    inherited = (signal.getsignal(signal.SIGINT), signal.pthread_sigmask(signal.SIG_BLOCK, []))

    def as_from_a_terminal() -> None:
        """Ctrl-C at its default and not blocked in the child, whatever this test process inherited or set."""
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    run = subprocess.Popen([sys.executable, "-m", "analytics", "batch", "densities", "--input", str(long_run),
                            "--out", str(out), "--workers", "2"], cwd=ROOT, stderr=subprocess.PIPE, text=True,
                           start_new_session=True, preexec_fn=as_from_a_terminal)  # noqa: PLW1509
    assert run.stderr is not None
    first = run.stderr.readline()                      # the progress bar has started: fits are running
    assert first.startswith("batch: ["), first
    os.killpg(run.pid, signal.SIGINT)                  # as a terminal's Ctrl-C: the whole process group
    rest = run.stderr.read()
    assert run.wait(60) == 130, (inherited, rest[-3000:])
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest, rest
    assert rest.strip().splitlines()[-1].startswith("error: interrupted") and "nothing was written" in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long"]
