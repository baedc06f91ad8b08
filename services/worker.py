"""Calls run in a separate Python process, one at a time, answered through futures. A page server's CPU-bound work
(conic solves, the order ticket's search) run on a thread of the server shares its GIL with the server's own threads:
measured under a browser's polls, a 0.37 s CPU job took 7 s of wall time. In its own process it takes its CPU time.

The process is started with `python -m services.worker MODULE...` (never by re-running the server's main script,
which multiprocessing's spawn would do under Streamlit), imports MODULEs once, then reads length-prefixed pickled
calls on its standard input and writes pickled `(ok, value)` answers on its standard output. It ends when its
input closes, so it never outlives the server."""

from __future__ import annotations

import importlib
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import IO, Any, TypeVar

Result = TypeVar("Result")

_LENGTH = struct.Struct("!Q")
# one BLAS thread: the calls' matrices are small, and idle BLAS threads spin on the cores the server and the
# browser need (the orders are the same on any thread count: tests/analytics/options/test_orders.py)
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def _read_message(stream: IO[bytes]) -> bytes | None:
    """One message, or None at the end of the stream (the other side is gone)."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    body = stream.read(size)
    return body if len(body) == size else None


def _write_message(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)) + payload)
    stream.flush()


class WorkerFailure(RuntimeError):
    """The worker process ended, or its answer could not be read, before a call was answered."""


class ProcessWorker:
    """One worker process (started on first use, started again if it dies) running submitted calls in the order
    they came; a call still waiting can be cancelled through its future. Calls and answers must pickle."""

    def __init__(self, preload: tuple[str, ...] = ()) -> None:
        self._preload = preload
        self._waiting: deque[tuple[Future[Any], Callable[[], Any]]] = deque()
        self._wake = threading.Condition()
        self._feeder: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def submit(self, call: Callable[[], Result]) -> Future[Result]:
        future: Future[Result] = Future()
        with self._wake:
            self._waiting.append((future, call))
            self._wake.notify()
        self.start()
        return future

    def start(self) -> None:
        """Start the feeding thread, which starts the process and imports the preloaded modules (idempotent): a
        page calls it when it opens, so its first call does not wait for the imports."""
        with self._wake:
            if self._feeder is None:
                self._feeder = threading.Thread(target=self._feed, name="process-worker-feeder", daemon=True)
                self._feeder.start()

    @property
    def pid(self) -> int | None:
        """The worker process's id, once started."""
        return None if self._process is None else self._process.pid

    def _running_process(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            # this interpreter, where the project is installed: the child imports what this process imports
            self._process = subprocess.Popen([sys.executable, "-m", "services.worker", *self._preload],
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             env={**os.environ, **ONE_THREAD})
        return self._process

    def _answer(self, call: Callable[[], Any]) -> tuple[bool, Any]:
        process = self._running_process()
        assert process.stdin is not None and process.stdout is not None
        cause: OSError | None = None
        try:
            _write_message(process.stdin, pickle.dumps(call, protocol=pickle.HIGHEST_PROTOCOL))
            answer = _read_message(process.stdout)
        except OSError as exc:          # a broken pipe: the process died
            answer, cause = None, exc
        if answer is None:
            process.kill()
            process.wait()
            raise WorkerFailure(f"the worker process ended before it answered (exit {process.returncode})") \
                from cause
        return pickle.loads(answer)

    def _feed(self) -> None:
        try:
            self._running_process()         # the imports start now; a failure here is met again by the first call
        except OSError:
            pass
        while True:
            with self._wake:
                while not self._waiting:
                    self._wake.wait()
                future, call = self._waiting.popleft()
            if not future.set_running_or_notify_cancel():
                continue                                    # cancelled while it waited
            try:
                ok, value = self._answer(call)
            except Exception as exc:                        # noqa: BLE001 - every failure belongs to its future
                future.set_exception(exc)
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    while (request := _read_message(requests)) is not None:
        try:
            answer: tuple[bool, Any] = (True, pickle.loads(request)())
        except Exception as exc:                            # noqa: BLE001 - sent back to the caller
            answer = (False, exc)
        try:
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
            if not answer[0]:
                pickle.loads(payload)                       # an exception that cannot be rebuilt goes as text
        except Exception:                                   # noqa: BLE001
            payload = pickle.dumps((False, WorkerFailure(f"{type(answer[1]).__name__}: {answer[1]}")))
        _write_message(answers, payload)


def main() -> None:
    for module in sys.argv[1:]:
        importlib.import_module(module)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr                                 # a stray print must not corrupt the answers
    _serve(requests, answers)


if __name__ == "__main__":
    main()
