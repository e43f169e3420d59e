"""Read and extract files in other processes while the writer writes.

In: the files to extract, (index, path) each, and how many processes. Out: (index, path,
("ok", rows) or ("failed", reason)) in order (``extracted``). Reading processes are forked (or,
for a server's uploads, fresh interpreters), die with their parent and have their memory capped;
one that dies fails only the file it was reading. ``process_file`` is what each does with a file.
"""

from __future__ import annotations

import collections
import gc
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from etl import load
from etl.extract import extract
from etl.read import ReadError, read_file


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
    gc.enable()  # forked from a load that paused it (``cyclic_gc_paused``): a reader collects its own cycles
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
    cmd = [sys.executable, "-c", "from etl.workers import _serve; _serve()", str(os.getpid()), str(_memory_mb())]
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


def extracted(todo: list[tuple[int, Path]], n_workers: int, isolate: bool = False):
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
