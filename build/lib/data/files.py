"""Reading user files from disk with limits, and the one writer of every file the program writes: outputs are
checked before any work starts and written to a temporary file beside the target, renamed into place only when
complete (a failure leaves the old file, or none, never a truncated one). Parsing is analytics' job."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from analytics.core.errors import InputError


def read_text_file(path: str | Path, limit: int | None = None) -> str:
    """The file's text; a missing, oversized (beyond `limit` bytes, default the 20 MiB of every file) or binary
    file is an InputError naming it."""
    from analytics.core.text import MAX_TEXT_BYTES, check_size, decode_text  # pandas: only when a file is read

    limit = MAX_TEXT_BYTES if limit is None else limit
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError("no such file", source=name)
    if not p.is_file():
        raise InputError("is not a file", source=name)
    check_size(p.stat().st_size, name, limit)
    return decode_text(p.read_bytes(), name, limit)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_output(path: str | Path, suffixes: Iterable[str], *, inputs: Iterable[str | Path] = (),
                 what: str = "output") -> Path:
    """The path an output will be written to, checked before any work: its suffix names one of `suffixes` (the
    format), it is not one of `inputs` (nothing the user gave is overwritten), it is a regular file or nothing yet
    (not a folder, not a device such as /dev/full), and its folder exists and takes a new file. An InputError
    naming the path otherwise."""
    target = Path(path)
    if target.exists() or target.is_symlink():
        mode = target.stat().st_mode if target.exists() else 0
        if stat.S_ISDIR(mode):
            raise InputError(f"is a folder; the {what} is a file", source=str(path))
        if not stat.S_ISREG(mode):
            raise InputError(f"is not a regular file (a device, a pipe or a broken link); the {what} is a file",
                             source=str(path))
    allowed = tuple(s.lower() for s in suffixes)
    if target.suffix.lower() not in allowed:
        raise InputError(f"the {what}'s suffix picks its format: {' or '.join(allowed)}, not "
                         f"{target.suffix or 'none'}", source=str(path))
    for given in inputs:
        if _same_file(target, Path(given)):
            raise InputError(f"the {what} is {given}, which this command reads; choose another file",
                             source=str(path))
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"folder {folder} does not exist", source=str(path))
    try:           # the real test of a folder: a new file in it (permissions, read-only mounts, quotas)
        handle, probe = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".check")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(f"cannot write in {folder}: {plain_os_error(exc)}", source=str(path)) from None
    return target


def plain_os_error(exc: OSError) -> str:
    """An operating-system failure in plain words."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    return exc.strerror or type(exc).__name__


def write_atomic(path: str | Path, content: bytes | str | Callable[[Path], None]) -> Path:
    """Write `content` (bytes, text as UTF-8, or a function that writes a file at the path it is given) to a
    temporary file in the target's folder, flush it to disk, and rename it over the target. On any failure the
    temporary file is removed and the target is as it was; an InputError names the target and the cause."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    partial = Path(temporary)
    try:
        if callable(content):
            os.close(handle)
            content(partial)
        else:
            with os.fdopen(handle, "wb") as stream:      # closes the handle, written or not
                stream.write(content.encode("utf-8") if isinstance(content, str) else content)
        with partial.open("rb+") as stream:
            os.fsync(stream.fileno())
        os.chmod(partial, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(partial, target)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            kept = "the file there is as it was" if target.exists() else "no file was left"
            raise InputError(f"not written ({plain_os_error(exc)}); {kept}", source=str(target)) from None
        raise
    return target
