"""Time the ETL: cold loads at two sizes, the read-and-decode floor, a re-run, an addition.

In: the generated corpus paths, the extra documents, a work folder and a worker count.
Out: ``EtlResult`` per step. Every step runs in its own process (``bench.child``), so it starts
cold and its peak memory (summed over the process and its workers) is its own.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from bench import measure


@dataclass
class EtlStep:
    name: str
    docs: int
    bytes: int
    seconds: float
    peak_rss_bytes: int
    output: dict

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0

    @property
    def cores_busy(self) -> float:
        """CPU seconds over wall seconds: how many cores the step kept busy on average."""
        return self.output.get("cpu_seconds", 0.0) / self.seconds if self.seconds else 0.0


def _write_list(paths: list[Path], list_file: Path) -> Path:
    list_file.write_text("\n".join(str(p) for p in paths) + "\n", encoding="utf-8")
    return list_file


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def _remove_db(db: Path) -> None:
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)


def load(name: str, paths: list[Path], db: Path, workers: int, work: Path) -> EtlStep:
    listed = _write_list(paths, work / f"{name}.list")
    m = measure.run(measure.python_module("bench.child", "load", listed, db, workers), cwd=measure_root())
    if m.output.get("failed") or m.output.get("check_failures"):
        raise RuntimeError(f"{name}: {m.output.get('failed')} files failed, checks: {m.output.get('check_failures')}")
    return EtlStep(name, len(paths), _size(paths), m.seconds, m.peak_rss_bytes, m.output)


def floor(name: str, paths: list[Path], workers: int, work: Path) -> EtlStep:
    listed = _write_list(paths, work / f"{name}.list")
    m = measure.run(measure.python_module("bench.child", "floor", listed, workers), cwd=measure_root())
    return EtlStep(name, len(paths), _size(paths), m.output["read_seconds"], m.peak_rss_bytes, m.output)


def measure_root() -> Path:
    return Path(__file__).resolve().parent.parent


def run(corpus: list[Path], extra: list[Path], small: int, work: Path, workers: int,
        log=print) -> dict[str, EtlStep]:
    """Run every ETL step; return them by name. Leaves ``work/etl_<N>.duckdb`` for the dashboard part."""
    work.mkdir(parents=True, exist_ok=True)
    steps: dict[str, EtlStep] = {}
    sizes = sorted({small, len(corpus)})
    for n in sizes:
        db = work / f"etl_{n}.duckdb"
        _remove_db(db)
        log(f"  cold load of {n} documents ...")
        steps[f"cold_{n}"] = load(f"cold_{n}", corpus[:n], db, workers, work)
        log(f"    {steps[f'cold_{n}'].seconds:.2f} s")
        log(f"  read-and-decode floor of {n} documents ...")
        steps[f"floor_{n}"] = floor(f"floor_{n}", corpus[:n], workers, work)
        log(f"    {steps[f'floor_{n}'].seconds:.2f} s")
    n = len(corpus)
    db = work / f"etl_{n}.duckdb"
    log(f"  unchanged re-run of {n} documents ...")
    steps["rerun"] = load("rerun", corpus, db, workers, work)
    log(f"    {steps['rerun'].seconds:.2f} s")
    added = work / f"etl_{n}_plus.duckdb"
    _remove_db(added)
    shutil.copyfile(db, added)
    log(f"  {len(extra)} new documents added to the {n}-document database ...")
    steps["add"] = load("add", corpus + extra, added, workers, work)
    steps["add"].docs = len(extra)
    steps["add"].bytes = _size(extra)
    log(f"    {steps['add'].seconds:.2f} s")
    _remove_db(added)
    return steps
