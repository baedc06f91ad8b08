"""The worker process the dashboard works out its trades in: answers come back through futures in order, in
another process; failures are the call's own exception; a waiting call can be cancelled; a dead worker is replaced
and the call it held fails with a clear error instead of waiting for ever."""

import math
import os
import signal
import time
from functools import partial

import pytest

from analytics.core.errors import InputError
from services.worker import ProcessWorker, WorkerFailure


def slow_square(value: float, seconds: float = 0.0) -> float:
    time.sleep(seconds)
    return value * value


def refuse(text: str) -> None:
    raise InputError(text, source="views.csv")


@pytest.fixture
def worker():
    made = ProcessWorker(("math",))
    yield made
    if made.pid is not None:
        os.kill(made.pid, signal.SIGKILL)


def test_calls_are_answered_in_another_process_in_the_order_they_came(worker):
    futures = [worker.submit(partial(slow_square, float(k))) for k in range(5)]
    assert [f.result(timeout=60) for f in futures] == [0.0, 1.0, 4.0, 9.0, 16.0]
    assert worker.submit(os.getpid).result(timeout=60) == worker.pid != os.getpid()
    assert worker.submit(partial(math.fsum, [0.1] * 10)).result(timeout=60) == 1.0


def test_a_failing_call_raises_its_own_error_and_the_worker_goes_on(worker):
    with pytest.raises(InputError, match="views.csv: no outcome 'H'"):
        worker.submit(partial(refuse, "no outcome 'H'")).result(timeout=60)
    assert worker.submit(partial(slow_square, 3.0)).result(timeout=60) == 9.0


def test_a_call_still_waiting_can_be_cancelled(worker):
    running = worker.submit(partial(slow_square, 2.0, 1.0))
    waiting = worker.submit(partial(slow_square, 5.0))
    assert waiting.cancel()
    assert running.result(timeout=60) == 4.0 and waiting.cancelled()


def test_a_worker_that_dies_is_named_and_replaced(worker):
    held = worker.submit(partial(slow_square, 2.0, 30.0))
    deadline = time.monotonic() + 30
    while not held.running():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    first = worker.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    with pytest.raises(WorkerFailure, match="ended before it answered"):
        held.result(timeout=60)
    assert worker.submit(partial(slow_square, 6.0)).result(timeout=60) == 36.0
    assert worker.pid not in (None, first)
