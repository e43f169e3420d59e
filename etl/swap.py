"""One load writes a database at a time, into a copy that replaces the database whole.

In: the database path. Out: its writer lock (``writer_lock``; ``LoadBusyError`` after
``LOCK_WAIT_S``), the path of the run's temporary copy beside it (``temp_path``), the copy
swapped in (``replace``) or removed (``discard``), and the copies of killed runs removed
(``clean_stale``, by the process id in their names).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout


LOCK_WAIT_S = 1800.0
"""How long a load waits for another load of the same database to finish before refusing."""


class LoadBusyError(Exception):
    """Another load kept the database's writer lock for longer than ``LOCK_WAIT_S``."""


def lock_path(db_path: str | Path) -> Path:
    """The writer lock beside the database: one load at a time, across processes and threads."""
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.lock")


def writer_lock(db_path: str | Path, on_wait: Callable[[str], None] | None = None, wait_s: float | None = None):
    """Hold the database's writer lock (``filelock``: an OS lock, released if the process dies).

    A second writer waits, telling ``on_wait`` why, and raises ``LoadBusyError`` after ``wait_s``.
    Each call opens its own lock file handle, so two threads of one process exclude each other too.
    """
    path = lock_path(db_path)
    lock = FileLock(str(path), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait(f"another load is writing {Path(db_path).name}; waiting for it to finish …")
        limit = LOCK_WAIT_S if wait_s is None else wait_s
        try:
            lock.acquire(timeout=limit)
        except Timeout:
            raise LoadBusyError(f"another load has been writing {Path(db_path).name} for over {limit:.0f} s "
                                f"(lock {path.name}); nothing was loaded, try again when it has finished") from None
    return lock


def temp_path(db_path: Path) -> Path:
    """The run's copy of the database, beside it, named with this process's id (``clean_stale`` reads it)."""
    return db_path.with_name(f".{db_path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")


def replace(tmp: Path, db_path: Path) -> None:
    """Swap the finished copy in (atomic), and make the rename durable."""
    os.replace(tmp, db_path)
    _fsync_dir(db_path.parent)


def discard(tmp: Path) -> None:
    """Remove the copy (and its WAL) if it is still there: the run failed or it was swapped in."""
    if tmp.exists():
        tmp.unlink()
    wal = Path(str(tmp) + ".wal")
    if wal.exists():
        wal.unlink()


def clean_stale(db_path: Path) -> None:
    """Remove temporary files left by killed runs (their process is gone)."""
    for p in db_path.parent.glob(f".{db_path.name}.*.tmp*"):
        try:
            token = p.name.split(".")[-2] if p.name.endswith(".tmp") else p.name.split(".")[-3]
            pid = int(token.split("-")[0])
        except (ValueError, IndexError):
            continue
        if pid != os.getpid() and not _alive(pid):
            p.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(str(path), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
