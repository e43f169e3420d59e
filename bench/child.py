"""Run one measured step in its own process and print its result as one JSON line.

``python -m bench.child load LIST DB WORKERS``: ``etl.pipeline.load_paths`` over the files
named in LIST (one path a line). ``python -m bench.child floor LIST WORKERS``: read and decode
the same files (``etl.read.read_file``, in a pool of WORKERS) and, apart, the raw floor of
reading the bytes and ``bytes.decode``. ``python -m bench.child page NAME DB TIMEOUT``: one
AppTest run of the dashboard page NAME over DB. Run as children so each step starts cold,
its memory is its own, and an overrunning one can be killed.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def _paths(list_file: str) -> list[str]:
    return [ln for ln in Path(list_file).read_text(encoding="utf-8").splitlines() if ln]


def _usage() -> dict[str, float]:
    """Peak RSS of this process and of its largest worker, and the CPU seconds of both."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"self_maxrss_bytes": me.ru_maxrss * 1024, "children_maxrss_bytes": kids.ru_maxrss * 1024,
            "cpu_seconds": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}


def load(list_file: str, db: str, workers: str) -> dict:
    from etl.pipeline import load_paths

    paths = _paths(list_file)
    t0 = time.perf_counter()
    report = load_paths(paths, db, workers=int(workers) if workers != "auto" else None)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "files": len(paths), "loaded": report.count("loaded"),
            "unchanged": report.count("unchanged"), "duplicate": report.count("duplicate"),
            "failed": report.count("failed"), "rows": report.rows, "check_failures": report.check_failures,
            **_usage()}


def _read_one(path: str) -> int:
    from etl.read import read_file

    return len(read_file(path).text)


def _raw_one(path: str) -> int:
    data = Path(path).read_bytes()
    try:
        return len(data.decode("utf-8"))
    except UnicodeDecodeError:
        return len(data.decode("gb18030"))


def floor(list_file: str, workers: str) -> dict:
    paths = _paths(list_file)
    n = int(workers)
    t0 = time.perf_counter()
    if n > 1:
        with ProcessPoolExecutor(max_workers=n) as pool:
            chars = sum(pool.map(_read_one, paths, chunksize=max(1, len(paths) // (n * 16))))
    else:
        chars = sum(map(_read_one, paths))
    read_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    raw_chars = sum(map(_raw_one, paths))
    raw_seconds = time.perf_counter() - t0
    return {"read_seconds": read_seconds, "chars": chars, "raw_seconds": raw_seconds, "raw_chars": raw_chars,
            "bytes": sum(Path(p).stat().st_size for p in paths), **_usage()}


def page(name: str, db: str, timeout: str) -> dict:
    """Open the dashboard at ``?page=name`` over ``db`` in AppTest; return the seconds and errors of
    the second run (the first imports the modules, as a running server already has; the caches
    are cleared between the two, as after a new ETL run)."""
    from bench import dashboard_bench

    with dashboard_bench.database_env(Path(db)):
        try:
            dashboard_bench.open_page(name, float(timeout))
        except RuntimeError as exc:
            return {"seconds": float(timeout), "error": f"timed out: {str(exc)[:150]}"}
        dashboard_bench._clear_caches()
        t0 = time.perf_counter()
        try:
            at = dashboard_bench.open_page(name, float(timeout))
        except RuntimeError as exc:  # AppTest's time limit
            return {"seconds": time.perf_counter() - t0, "error": f"timed out: {str(exc)[:150]}"}
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "error": dashboard_bench._errors(at) or None}


def main(argv: list[str]) -> int:
    step, *args = argv
    result = {"load": load, "floor": floor, "page": page}[step](*args)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
