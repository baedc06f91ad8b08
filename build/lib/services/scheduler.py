"""Is a Dask scheduler there? Checked before any work, and before the numerics load, so a wrong --scheduler is
one line within the timeout (a silent port once kept `batch` waiting for minutes, an HTTP server made the client
allocate exabytes)."""

from __future__ import annotations

import socket
import struct
import time

from analytics.core.errors import InputError

CONNECT_TIMEOUT = 10.0      # seconds to reach a Dask scheduler and hear it introduce itself
_ANSWERED: set[str] = set()  # addresses a scheduler answered at in this process: the command line checks before
#                             the numerics load, run_batch checks for other callers; one probe serves both


def check_scheduler(address: str, timeout: float) -> None:
    """A Dask scheduler answers at `address` (tcp://host:port) within `timeout` seconds: a scheduler introduces
    itself as soon as a connection opens (a short framed message naming its pickle protocol). Nothing listening,
    silence, or another kind of server is one InputError naming the address."""
    if address in _ANSWERED:
        return
    target = address.removeprefix("tcp://")
    if "://" in target:           # tls://, ucx://, inproc://: left to the client, with its own timeout
        return
    host, _, port_text = target.rpartition(":")
    if not host or not port_text.isdigit():
        raise InputError(f"--scheduler {address!r}: expected tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786")
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((host.strip("[]"), int(port_text)), timeout=timeout) as connection:
            received = b""
            while len(received) < 8 or len(received) < 8 + min(struct.unpack("<Q", received[:8])[0], 1 << 16):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                connection.settimeout(left)
                more = connection.recv(65536)
                if not more:
                    break
                received += more
    except ConnectionRefusedError:
        raise InputError(f"--scheduler {address}: nothing listens there (connection refused)") from None
    except TimeoutError:
        raise InputError(f"--scheduler {address}: no Dask scheduler answered within {timeout:g} s") from None
    except OSError as exc:
        raise InputError(f"--scheduler {address}: cannot be reached ({exc.strerror or exc})") from None
    if b"pickle-protocol" not in received:
        raise InputError(f"--scheduler {address}: something answered, but not a Dask scheduler")
    _ANSWERED.add(address)
