"""Wire the stages: files -> read -> extract -> rows -> a new DuckDB file swapped in atomically.

In: paths (files or folders) and the database path. Out: ``LoadReport``. A run copies the
current database to a temporary file, applies its changes there, runs the data checks and
only then replaces the database with ``os.replace``: a failed or killed run leaves the
previous database intact. Unchanged files (same content hash) are not extracted again.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import gc
import itertools
import os
import shutil
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from filelock import FileLock, Timeout

from etl import derive, load
from etl.extract import extract
from etl.schema import TABLES
from etl.read import (MAX_FILE_BYTES, SUPPORTED_SUFFIXES, ReadError, ReadResult, read_file, sha256_bytes,
                      too_large_reason)


@dataclass
class FileOutcome:
    path: str
    outcome: str  # loaded / unchanged / duplicate / failed
    reason: str | None = None
    doc_id: str | None = None
    commitments: int = 0
    figures: int = 0
    sha: str | None = None


@dataclass
class LoadReport:
    files: list[FileOutcome] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    run_id: str = ""
    check_failures: list[str] = field(default_factory=list)
    damaged: tuple[str, Path] | None = None  # (what was wrong, where the damaged file was put) when rebuilt

    def count(self, outcome: str) -> int:
        return sum(f.outcome == outcome for f in self.files)

    @property
    def ok(self) -> bool:
        return not self.check_failures and self.count("failed") == 0


def collect(paths: list[str | Path]) -> list[Path]:
    """Expand folders into the supported files below them, in a stable order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")
                          and f.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            out.append(p)
    seen: set[str] = set()
    unique = []
    real_dirs: dict[Path, str] = {}
    for p in out:
        # A folder's real path once, then only symlinked files need one of their own.
        parent = real_dirs.get(p.parent) or real_dirs.setdefault(p.parent, os.path.realpath(p.parent))
        real = os.path.realpath(p) if p.is_symlink() else os.path.join(parent, p.name)
        if real not in seen:
            seen.add(real)
            unique.append(p)
    return unique


def process_file(path: str, data: bytes | None = None) -> tuple[str, object]:
    """Read and extract one file; return ("ok", rows) or ("failed", reason). Runs in workers."""
    name = Path(path).name
    try:
        rr = read_file(path, data)
        ex = extract(rr.text)
        doc_id = load.doc_id_for(name)
        return "ok", load.document_rows(doc_id, name, str(path), rr, ex)
    except ReadError as exc:
        return "failed", exc.reason
    except RecursionError:
        return "failed", "document too deeply nested to parse"
    except MemoryError:
        return "failed", "out of memory while reading the file"
    except Exception as exc:  # an extractor bug must not lose the other files
        return "failed", f"extraction error: {type(exc).__name__}: {exc}"


def _process_path(path: str) -> tuple[str, object]:
    return process_file(path)


_HEADER_BYTES = 3 * 4096
"""A DuckDB file's headers, before its blocks."""


def damage(db_path: str | Path, thorough: bool = True) -> str | None:
    """Return what is wrong with the database file (truncated, not a DuckDB file, unreadable), or None.

    Quick (the dashboard's, every page): the file opens, holds its data's last block, and its
    documents can be counted. Thorough (before a load builds on it, and only an error reading
    counts): every column of every table is read, so every block's checksum is verified.
    """
    db_path = Path(db_path)
    if not db_path.exists():
        return None
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower() and "conflicting" in str(exc).lower():
            raise  # another process holds it: busy, not damaged
        return _first_line(exc)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'").fetchall()]
        if not thorough:  # without reading the data: its last block must be in the file
            size = db_path.stat().st_size
            block_size = int(con.execute("PRAGMA database_size").fetchall()[0][2])
            last = max([con.execute("SELECT max(block_id) FROM pragma_storage_info(?)", [t]).fetchall()[0][0] or -1
                        for t in tables] or [-1])
            expected = _HEADER_BYTES + (last + 1) * block_size
            if size < expected:
                return f"truncated: the file holds {size:,} bytes, its data reach byte {expected:,}"
        if "documents" in tables:
            con.execute("SELECT count(*) FROM documents").fetchall()
        if thorough:
            for table in tables:
                con.execute(f'SELECT count(*), bit_xor(hash(*COLUMNS(*))) FROM "{table}"').fetchall()
    except duckdb.Error as exc:
        return _first_line(exc)
    finally:
        con.close()
    return None


_quick: dict[tuple[str, int, int], str | None] = {}


def damage_seen(db_path: str | Path) -> str | None:
    """``damage(db_path, thorough=False)``, remembered per file version (for the dashboard's every page)."""
    try:
        st = Path(db_path).stat()
    except OSError:
        return None
    key = (str(db_path), st.st_mtime_ns, st.st_size)
    if key not in _quick:
        if len(_quick) > 16:
            _quick.clear()
        _quick[key] = damage(db_path, thorough=False)
    return _quick[key]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200] if text else ''}"


def set_aside(db_path: Path, when: dt.datetime) -> Path:
    """Move a damaged database (and its WAL) aside, named with the time; return the new path."""
    target = db_path.with_name(f"{db_path.name}.damaged-{when.strftime('%Y%m%dT%H%M%S')}")
    n = 1
    while target.exists():
        target = target.with_name(f"{db_path.name}.damaged-{when.strftime('%Y%m%dT%H%M%S')}-{n}")
        n += 1
    os.replace(db_path, target)
    wal = Path(str(db_path) + ".wal")
    if wal.exists():
        os.replace(wal, Path(str(target) + ".wal"))
    return target


def _existing(db_path: Path) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(doc_id -> (sha, file_name), sha -> doc_id) of the current database."""
    if not db_path.exists():
        return {}, {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("SELECT doc_id, content_sha256, file_name FROM documents").fetchall()
    finally:
        con.close()
    return {d: (s, f) for d, s, f in rows}, {s: d for d, s, _ in rows}


def _schema_matches(db_path: Path) -> bool:
    """True when the database's tables have exactly the declared columns (or there is no database)."""
    if not db_path.exists():
        return True
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for table in TABLES.values():
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table.name]).fetchall()]
            if cols != table.column_names:
                return False
        return True
    finally:
        con.close()


def _stored_documents(db_path: Path) -> list[tuple]:
    """The stored documents (to re-extract them when the schema changed)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("SELECT doc_id, file_name, source_path, content_sha256, source_format, encoding, text, "
                           "original_text FROM documents ORDER BY doc_id").fetchall()
    finally:
        con.close()


def _reextract(row: tuple) -> tuple[str, object]:
    """Extract a stored document again from its stored text."""
    doc_id, file_name, source_path, sha, fmt, encoding, text, original = row
    try:
        rr = ReadResult(text, original or text, encoding, fmt, sha)
        return "ok", load.document_rows(doc_id, file_name, source_path, rr, extract(text))
    except Exception as exc:  # noqa: BLE001 - the other documents must still load
        return "failed", f"extraction error: {type(exc).__name__}: {exc}"


def _text_hashes(con) -> dict[str, tuple[str, str]]:
    """text_sha256 -> (doc_id, file_name) of the documents stored so far."""
    return {t: (d, f) for d, f, t in con.execute(
        "SELECT doc_id, file_name, text_sha256 FROM documents WHERE text_sha256 IS NOT NULL ORDER BY doc_id").fetchall()}


NOTHING_FOUND = "no commitments, figures or metadata found"


def _nothing_found(rows: dict[str, list[dict]]) -> str | None:
    """Say so when a loaded text gave nothing this tool looks for (a novel, a menu page)."""
    doc = rows["documents"][0]
    if rows["commitments"] or rows["figures"]:
        return None
    if any(doc.get(k) for k in ("issuer_name", "issue_date", "proposal_no", "addressee")):
        return None
    return NOTHING_FOUND


def _snapshots(con, doc_ids: list[str]) -> dict[str, dict[str, dict[str, str]]]:
    """Return, per document, its stored commitments and figures (id -> summary), in two queries."""
    out = {d: {"commitment": {}, "figure": {}} for d in doc_ids}
    if not doc_ids:
        return out
    for doc_id, cid, text in con.execute("SELECT doc_id, commitment_id, text FROM commitments "
                                         "WHERE list_contains($ids, doc_id)", {"ids": doc_ids}).fetchall():
        out[doc_id]["commitment"][cid] = text
    for doc_id, fid, span, ftype in con.execute("SELECT doc_id, figure_id, span_text, figure_type FROM figures "
                                                "WHERE list_contains($ids, doc_id)", {"ids": doc_ids}).fetchall():
        out[doc_id]["figure"][fid] = f"{ftype} {span}"
    return out


BATCH_DOCS = 256
"""Documents written to DuckDB at a time while the workers go on extracting (bounds memory)."""


class _Writer:
    """Buffer extracted rows and write them in batches: replaced documents are snapshotted
    (for the change log) and deleted in bulk, then every table gets one insert per batch.

    Each document's offsets are checked in Python as it arrives (``load.check_offsets``); the
    SQL checks run once, over the documents written, in ``failures`` (a check per batch
    would rescan the growing tables forty times in a 10,000-document load)."""

    def __init__(self, con, existing: dict, run_id: str, now: dt.datetime):
        self.con, self.existing, self.run_id, self.now = con, existing, run_id, now
        self.pending: list[dict[str, list[dict]]] = []
        self.doc_ids: list[str] = []  # every document written, in order
        self.offset_failures: list[str] = []

    def add(self, rows: dict[str, list[dict]]) -> None:
        self.offset_failures += load.check_offsets(rows)
        self.pending.append(rows)
        self.doc_ids.append(rows["documents"][0]["doc_id"])
        if len(self.pending) >= BATCH_DOCS:
            self.flush()

    def flush(self) -> None:
        """Write the pending documents; raise ``DataCheckError`` if their rows fail a check."""
        if not self.pending:
            return
        con = self.con
        ids = [r["documents"][0]["doc_id"] for r in self.pending]
        replaced = [d for d in ids if d in self.existing]
        con.execute("BEGIN")
        before = _snapshots(con, replaced)
        load.delete_documents(con, replaced)
        batch: dict[str, list[dict]] = {t: [] for t in load.DOC_TABLES}
        agencies: list[dict] = []
        changes: list[dict] = []
        for doc_id, rows in zip(ids, self.pending):
            for t in load.DOC_TABLES:
                batch[t] += rows[t]
            agencies += rows["agencies"]
            changes += _changes(self.run_id, self.now, doc_id, before.get(doc_id), rows)
        for t in load.DOC_TABLES:
            load.insert_rows(con, t, batch[t])
        load.upsert_agencies(con, agencies)
        load.insert_rows(con, "etl_changes", changes)
        con.execute("COMMIT")
        self.pending = []

    def failures(self, cold: bool) -> list[str]:
        """The data checks of the written rows (every row when ``cold``: nothing was stored before)
        and the checks over whole tables (unique IDs, references, the run log)."""
        scope = None if cold else self.doc_ids
        return self.offset_failures + load.check_documents(self.con, scope, whole_tables=True, offsets=False)


WORKER_MEMORY_MB_ENV = "COMMITMENTS_WORKER_MEMORY_MB"
DEFAULT_WORKER_MEMORY_MB = 2048
"""Address space a reading process may add (``RLIMIT_AS``): one hostile file cannot take the machine."""

_PR_SET_PDEATHSIG = 1


def _worker_init(parent_pid: int, memory_mb: int) -> None:
    """Start a reading process: it dies with the process that started it, and its memory is capped."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the executor's own checks remain
        pass
    if parent_pid and os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the signal was set up
    gc.enable()  # forked from a load that paused it (``_GcPause``): a reader collects its own cycles
    if memory_mb > 0:
        try:
            import resource

            with open("/proc/self/statm") as fh:
                vm_bytes = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            cap = vm_bytes + memory_mb * 2**20
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard == resource.RLIM_INFINITY or cap < hard:
                resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        except (OSError, ValueError, ImportError):
            pass


def _memory_mb() -> int:
    try:
        return int(os.environ.get(WORKER_MEMORY_MB_ENV, DEFAULT_WORKER_MEMORY_MB))
    except ValueError:
        return DEFAULT_WORKER_MEMORY_MB


def _pool(n_workers: int) -> ProcessPoolExecutor:
    """Reading processes forked from this one (the CLI's): they die with it, memory capped."""
    import multiprocessing

    return ProcessPoolExecutor(max_workers=n_workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_init, initargs=(os.getpid(), _memory_mb()))


def _serve() -> None:
    """The isolated reader: read pickled paths on stdin, write pickled results on stdout."""
    import pickle

    parent, memory_mb = int(sys.argv[1]), int(sys.argv[2])
    _worker_init(parent, memory_mb)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but results on the channel
    while True:
        try:
            path = pickle.load(sys.stdin.buffer)
        except EOFError:
            return
        pickle.dump(_process_path(path), out)
        out.flush()


def _isolated_results(todo: list[tuple[int, Path]]):
    """Yield (index, path, result), each file read in a fresh interpreter (not forked from a
    server with threads), its memory capped; one that dies fails its file and a new one goes on."""
    import pickle
    import subprocess

    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    cmd = [sys.executable, "-c", "from etl.pipeline import _serve; _serve()", str(os.getpid()), str(_memory_mb())]
    proc = None
    try:
        for i, path in todo:
            if proc is None:
                proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=root)
            try:
                pickle.dump(str(path), proc.stdin)
                proc.stdin.flush()
                res = pickle.load(proc.stdout)
            except (EOFError, BrokenPipeError, pickle.UnpicklingError):
                proc.kill()
                proc.wait()
                proc = None
                res = ("failed", WORKER_DIED)
            yield i, path, res
    finally:
        if proc is not None:
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


WORKER_DIED = "the reading process stopped while reading this file (out of memory, or killed)"


INFLIGHT_DOCS = 128
INFLIGHT_BYTES = 64 * 2**20
"""Files handed to the workers ahead of the writer: enough that they go on extracting while it
writes a batch (a quarter of a second), few enough (and small enough) to bound the memory held."""


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _results(todo: list[tuple[int, Path]], n_workers: int, isolate: bool = False):
    """Yield (index, path, result) in order, extracting in ``n_workers`` processes when above one
    (or in one when ``isolate``: an upload is read outside the server's process, its memory capped).

    A reading process that dies fails the file it was reading; the others go on in a new pool.
    """
    if isolate:
        yield from _isolated_results(todo)
        return
    if n_workers <= 1:
        for i, path in todo:
            yield i, path, _process_path(str(path))
        return
    n_workers = max(1, n_workers)
    chunks = _chunks(todo, max(1, min(CHUNK_FILES, len(todo) // (n_workers * 4))))  # small loads: every worker busy
    pos = 0
    while pos < len(chunks):
        pool = _pool(n_workers)
        inflight: collections.deque = collections.deque()
        inflight_files = inflight_bytes = 0
        broken = False
        try:
            while pos < len(chunks):
                while (pos + len(inflight) < len(chunks) and inflight_files < INFLIGHT_DOCS
                       and (not inflight or inflight_bytes < INFLIGHT_BYTES)):
                    items, size = chunks[pos + len(inflight)]
                    inflight.append((items, size, pool.submit(_process_paths, [str(p) for _, p in items])))
                    inflight_files += len(items)
                    inflight_bytes += size
                items, size, future = inflight[0]
                try:
                    results = future.result()
                except BrokenProcessPool:
                    broken = True
                    break
                inflight.popleft()
                inflight_files -= len(items)
                inflight_bytes -= size
                pos += 1
                for (i, path), res in zip(items, results):
                    yield i, path, res
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if broken:  # which file killed its reader? Those in flight again, one at a time
            for items, _, _ in list(inflight):
                pos += 1
                for i, path in items:
                    yield i, path, _alone(path)


CHUNK_FILES = 8
CHUNK_BYTES = 2 * 2**20
"""Files handed to a worker at once: a few small ones share one round trip (fewer messages for
the writer to receive), a large one goes alone."""


def _chunks(todo: list[tuple[int, Path]], per: int = CHUNK_FILES) -> list[tuple[list[tuple[int, Path]], int]]:
    """``todo`` cut into runs of at most ``per`` files and about ``CHUNK_BYTES`` (with their sizes)."""
    chunks: list[tuple[list[tuple[int, Path]], int]] = []
    items: list[tuple[int, Path]] = []
    size = 0
    for item in todo:
        n = _size(item[1])
        if items and (len(items) >= per or size + n > CHUNK_BYTES):
            chunks.append((items, size))
            items, size = [], 0
        items.append(item)
        size += n
    if items:
        chunks.append((items, size))
    return chunks


def _process_paths(paths: list[str]) -> list[tuple[str, object]]:
    return [_process_path(p) for p in paths]


def _alone(path: Path) -> tuple[str, object]:
    pool = _pool(1)
    try:
        return pool.submit(_process_path, str(path)).result()
    except BrokenProcessPool:
        return "failed", WORKER_DIED
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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


def load_paths(paths: list[str | Path], db_path: str | Path, progress: Callable[[int, int, FileOutcome], None] | None = None,
               workers: int | None = None, on_wait: Callable[[str], None] | None = None,
               isolate: bool = False) -> LoadReport:
    """Load files into the database at ``db_path`` (created if missing).

    One load writes a database at a time: a second one waits for the writer lock beside the
    database (``on_wait`` is told), then loads its files into what the first one left.
    Files are hashed first (unchanged ones cost a read and a hash only); the others are
    extracted in worker processes while the rows already extracted are written, in batches,
    into a copy of the database that replaces it only after the data checks pass. With
    ``isolate`` (a server's uploads) files are always read in a separate process.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock = writer_lock(db_path, on_wait)
    try:
        with _cyclic_gc_paused():
            return _load_locked(paths, db_path, progress, workers, isolate)
    finally:
        lock.release()


class _GcPause:
    """Pause Python's cycle collector while a load runs: the rows held for writing make every
    full collection walk a growing heap (8 of the 33 CPU seconds the writer spent on 10,000
    documents). Reference counting still frees what the load drops; one collection at the end
    takes any cycles. Loads in several threads of one process (a server) share one pause."""

    def __init__(self):
        self._lock = threading.Lock()
        self._depth = 0
        self._resume = False

    @contextlib.contextmanager
    def __call__(self):
        with self._lock:
            if self._depth == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._resume:
                    gc.enable()
                    gc.collect()


_cyclic_gc_paused = _GcPause()


def _load_locked(paths, db_path: Path, progress, workers, isolate: bool = False) -> LoadReport:
    t0 = time.perf_counter()
    started = dt.datetime.now()
    files = collect(paths)
    report = LoadReport(run_id=started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6])
    problem = damage(db_path)
    if problem:
        report.damaged = (problem, set_aside(db_path, started))
    existing, by_sha = _existing(db_path)
    carried: list[tuple] = []  # stored documents to re-extract because the schema changed
    upgrade = not _schema_matches(db_path)
    if upgrade:
        run_ids = {load.doc_id_for(p.name) for p in files}
        carried = [r for r in _stored_documents(db_path) if r[0] not in run_ids]
        existing, by_sha = {}, {}

    # Decide what to extract: hashes first, so unchanged files cost a read and a hash only.
    todo: list[tuple[int, Path]] = []
    outcomes: list[FileOutcome | None] = [None] * len(files)
    run_shas: dict[str, tuple[str, str]] = {}  # sha -> (doc_id, file name) of this run
    for i, path in enumerate(files):
        name = path.name
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                outcomes[i] = FileOutcome(str(path), "failed", too_large_reason(size))
                continue
            if size == 0:  # before hashing: two empty files are two failures, not a duplicate
                outcomes[i] = FileOutcome(str(path), "failed", "empty file")
                continue
            sha = sha256_bytes(path.read_bytes())
        except OSError as exc:
            outcomes[i] = FileOutcome(str(path), "failed", f"cannot read: {exc.strerror or exc}")
            continue
        doc_id = load.doc_id_for(name)
        if doc_id in existing and existing[doc_id][0] == sha:
            outcomes[i] = FileOutcome(str(path), "unchanged", None, doc_id, sha=sha)
        elif sha in by_sha and by_sha[sha] != doc_id:
            outcomes[i] = FileOutcome(str(path), "duplicate", f"same content as {existing[by_sha[sha]][1]}",
                                      by_sha[sha], sha=sha)
        elif sha in run_shas and run_shas[sha][0] != doc_id:
            outcomes[i] = FileOutcome(str(path), "duplicate", f"same content as {run_shas[sha][1]} of this run",
                                      run_shas[sha][0], sha=sha)
        else:
            run_shas[sha] = (doc_id, name)
            todo.append((i, path))
    done = 0
    total = len(files)
    for i, o in enumerate(outcomes):
        if o is not None and progress:
            done += 1
            progress(done, total, o)

    n_workers = workers if workers is not None else (min(os.cpu_count() or 1, 8) if len(todo) >= 16 else 1)
    # Start the workers first (they fork before DuckDB opens a file), then copy the database.
    results = _results(todo, n_workers, isolate)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    _clean_stale(db_path)
    try:
        first = next(results, None)
        copied = db_path.exists() and not upgrade
        if copied:
            shutil.copyfile(db_path, tmp)
        con = duckdb.connect(str(tmp))
        # Few checkpoints: each rewrites the growing key indexes (at DuckDB's default of 16 MB, 10 s
        # of a 10,000-document load). The file is new and swapped in only when complete.
        con.execute("SET checkpoint_threshold = '256MB'")
        if n_workers > 1:
            con.execute("SET threads = 1")  # the workers hold the cores while rows are written
        try:
            load.create_schema(con)
            if con.execute("SELECT count(*) FROM agencies").fetchall()[0][0] == 0:
                load.insert_rows(con, "agencies", load.registry_rows())
            writer = _Writer(con, existing, report.run_id, dt.datetime.now())
            texts: dict[str, tuple[str, str]] | None = None  # text hash -> (doc_id, file name), read when needed
            for i, path, res in itertools.chain([first] if first else [], results):
                status, payload = res
                if status != "ok":
                    outcomes[i] = FileOutcome(str(path), "failed", str(payload))
                else:
                    rows = payload
                    doc = rows["documents"][0]
                    if texts is None:
                        texts = _text_hashes(con)
                    earlier = texts.get(doc["text_sha256"])
                    if earlier is not None and earlier[0] != doc["doc_id"]:
                        outcomes[i] = FileOutcome(str(path), "duplicate", f"same text as {earlier[1]} (already loaded, "
                                                  f"read here from {doc['source_format']} {doc['encoding']})",
                                                  earlier[0], sha=doc["content_sha256"])
                    else:
                        texts[doc["text_sha256"]] = (doc["doc_id"], doc["file_name"])
                        writer.add(rows)
                        outcomes[i] = FileOutcome(str(path), "loaded", _nothing_found(rows), doc["doc_id"],
                                                  len(rows["commitments"]), len(rows["figures"]),
                                                  doc["content_sha256"])
                done += 1
                if progress:
                    progress(done, total, outcomes[i])
            for row in carried:
                status, payload = _reextract(row)
                if status == "ok":
                    writer.add(payload)
                    outcomes.append(FileOutcome(row[2] or row[1], "loaded", "re-extracted from the stored text "
                                                "(the database schema changed)", row[0], len(payload["commitments"]),
                                                len(payload["figures"]), row[3]))
                else:
                    outcomes.append(FileOutcome(row[2] or row[1], "failed", str(payload), row[0]))
            writer.flush()
            con.execute("RESET threads")  # the derived tables are built with every core
            if upgrade:
                _carry_history(con, db_path, report.run_id)
            if upgrade or any(o is not None and o.outcome == "loaded" for o in outcomes) or not derive.is_current(con):
                derive.rebuild(con)
            report.files = [o for o in outcomes if o is not None]
            report.seconds = time.perf_counter() - t0
            load.insert_rows(con, "etl_files", [
                {"run_id": report.run_id, "path": o.path, "content_sha256": o.sha, "outcome": o.outcome,
                 "reason": o.reason, "doc_id": o.doc_id, "commitments": o.commitments, "figures": o.figures}
                for o in report.files])
            load.insert_rows(con, "etl_runs", [{
                "run_id": report.run_id, "started_at": started, "finished_at": dt.datetime.now(),
                "files_seen": len(report.files), "loaded": report.count("loaded"),
                "unchanged": report.count("unchanged") + report.count("duplicate"),
                "failed": report.count("failed"), "seconds": report.seconds}])
            report.check_failures = writer.failures(cold=not copied)
            if report.check_failures:
                raise DataCheckError(report.check_failures)
            for t in ("documents", "commitments", "figures", "agencies"):
                report.rows[t] = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, db_path)
        _fsync_dir(db_path.parent)
    finally:
        results.close()  # stops the workers if the run failed part-way
        if tmp.exists():
            tmp.unlink()
        wal = Path(str(tmp) + ".wal")
        if wal.exists():
            wal.unlink()
    report.seconds = time.perf_counter() - t0
    return report


_UPGRADE_CHANGES = """
INSERT INTO etl_changes
SELECT $run_id, now(), 'document', doc_id, doc_id, 'added', title FROM documents
 WHERE doc_id NOT IN (SELECT doc_id FROM old_db.documents)
UNION ALL
SELECT $run_id, now(), 'commitment', commitment_id, doc_id, 'added', left(text, 200) FROM commitments
 WHERE commitment_id NOT IN (SELECT commitment_id FROM old_db.commitments)
UNION ALL
SELECT $run_id, now(), 'commitment', commitment_id, doc_id, 'removed', left(text, 200) FROM old_db.commitments
 WHERE commitment_id NOT IN (SELECT commitment_id FROM commitments)
UNION ALL
SELECT $run_id, now(), 'figure', figure_id, doc_id, 'added', figure_type || ' ' || span_text FROM figures
 WHERE figure_id NOT IN (SELECT figure_id FROM old_db.figures)
UNION ALL
SELECT $run_id, now(), 'figure', figure_id, doc_id, 'removed', figure_type || ' ' || span_text FROM old_db.figures
 WHERE figure_id NOT IN (SELECT figure_id FROM figures)
"""


def _carry_history(con, old_db: Path, run_id: str) -> None:
    """Across a schema upgrade keep the earlier runs' log, and record as changes only what
    differs from the old database (not every re-extracted fact as new)."""
    quoted = old_db.as_posix().replace("'", "''")  # our own file's path, quoted as an SQL literal
    con.execute(f"ATTACH '{quoted}' AS old_db (READ_ONLY)")
    try:
        for table in ("etl_runs", "etl_files", "etl_changes"):
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'old_db' AND table_name = ? "
                "ORDER BY ordinal_position", [table]).fetchall()]
            if cols == TABLES[table].column_names:
                con.execute(f"INSERT INTO {table} SELECT * FROM old_db.{table}")
        con.execute("DELETE FROM etl_changes WHERE run_id = $run_id", {"run_id": run_id})
        con.execute(_UPGRADE_CHANGES, {"run_id": run_id})
    finally:
        con.execute("DETACH old_db")


class DataCheckError(Exception):
    def __init__(self, failures: list[str]):
        self.failures = failures
        super().__init__("data checks failed; the previous database is kept: " + "; ".join(failures))


def _changes(run_id: str, now, doc_id: str, before: dict | None, rows: dict) -> list[dict]:
    out = []
    if before is None:
        out.append({"run_id": run_id, "changed_at": now, "entity": "document", "entity_id": doc_id,
                    "doc_id": doc_id, "change": "added", "summary": rows["documents"][0]["title"]})
        before = {"commitment": {}, "figure": {}}
    else:
        out.append({"run_id": run_id, "changed_at": now, "entity": "document", "entity_id": doc_id,
                    "doc_id": doc_id, "change": "changed", "summary": rows["documents"][0]["title"]})
    after = {"commitment": {r["commitment_id"]: r["text"] for r in rows["commitments"]},
             "figure": {r["figure_id"]: f"{r['figure_type']} {r['span_text']}" for r in rows["figures"]}}
    for entity in ("commitment", "figure"):
        for key, summary in after[entity].items():
            if key not in before[entity]:
                out.append({"run_id": run_id, "changed_at": now, "entity": entity, "entity_id": key,
                            "doc_id": doc_id, "change": "added", "summary": summary[:200]})
        for key, summary in before[entity].items():
            if key not in after[entity]:
                out.append({"run_id": run_id, "changed_at": now, "entity": entity, "entity_id": key,
                            "doc_id": doc_id, "change": "removed", "summary": summary[:200]})
    return out


def _clean_stale(db_path: Path) -> None:
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
