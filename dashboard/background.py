"""Slow work a page starts and a later run shows: the page's own run stays short (the numbers the user just changed
appear at once) while the work runs in a worker process (services.worker: on a thread it shared the server's GIL and
took seconds); a fragment polls until it is done and then reruns the page, which finds the answer kept under the
same key."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import TypeVar

import numpy as np
import streamlit as st

from services.worker import ProcessWorker, WorkerFailure

Result = TypeVar("Result")

POLL_SECONDS = 0.1          # how often a waiting slot asks whether its work is done (a small fragment run)
KEPT = 32                   # answers kept for every session of the server (a view the user comes back to)
PRELOADED = ("analytics.scoring.continuous",)     # what the worker imports once, before the first call

_worker = ProcessWorker(PRELOADED)
_lock = threading.Lock()
_jobs: OrderedDict[Hashable, Future] = OrderedDict()


def content_digest(*parts: np.ndarray | str) -> str:
    """A key for work that depends on these values (a chain's text, a belief and a market on their grid)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else
                      np.ascontiguousarray(part, dtype=np.float64).tobytes())
    return digest.hexdigest()


def warm() -> None:
    """Start the worker process now (a page that will use it calls this when it opens): its imports take a second
    or two, better spent while the user reads the page than after the first change."""
    _worker.start()


def started(slot: str, key: Hashable, work: Callable[[], Result]) -> Future[Result]:
    """The job computing `work` for `key`, started if no session has started it. Each session keeps one job per
    slot: the slot's previous job is dropped if it has not begun (a view typed over is not worked out)."""
    previous = st.session_state.get(slot)
    with _lock:
        if previous is not None and previous != key:
            waiting = _jobs.get(previous)
            if waiting is not None and waiting.cancel():
                del _jobs[previous]
        job = _jobs.get(key)
        if job is None or job.cancelled():
            job = _worker.submit(work)
            _jobs[key] = job
        _jobs.move_to_end(key)
        while len(_jobs) > KEPT:
            _jobs.popitem(last=False)[1].cancel()
    st.session_state[slot] = key
    return job


def _forget(job: Future) -> None:
    with _lock:
        for key in [key for key, kept in _jobs.items() if kept is job]:
            del _jobs[key]


def show_when_done(job: Future[Result], show: Callable[[Result], None], waiting: str) -> None:
    """`show(result)` here once `job` is done; until then `waiting`, asked again every POLL_SECONDS. The poll that
    finds the answer draws it, then runs the whole page again, which draws it in place from the same job and stops
    the polling (only a run of the whole page can stop a fragment's timer)."""
    polling = not job.done()

    @st.fragment(run_every=POLL_SECONDS if polling else None)
    def slot() -> None:
        if not job.done():
            st.info(waiting, icon=":material/hourglass_top:")
            return
        if job.cancelled():     # other sessions' jobs pushed it out of the KEPT before it began: ask again
            st.rerun(scope="app")
        failure = job.exception()
        if isinstance(failure, WorkerFailure):
            st.error(f"This could not be worked out: {failure}. Change anything, or reload, to try again.")
            if not polling:
                _forget(job)        # the next run starts it anew (not this one: a worker that keeps dying loops)
        else:
            show(job.result())
        if polling:         # the answer is on the page; a run of the whole page stops the poll and draws it again
            st.rerun(scope="app")

    slot()
