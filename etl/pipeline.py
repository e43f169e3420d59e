"""Wire the stages: files -> read -> extract -> rows -> a new DuckDB file swapped in atomically.

In: paths (files or folders) and the database path. Out: ``LoadReport``. A run copies the
current database to a temporary file, applies its changes there, runs the data checks and
only then replaces the database with ``os.replace``: a failed or killed run leaves the
previous database intact. Unchanged files (same content hash) are not extracted again.

The stages live in their own modules: ``damage`` (a damaged file set aside), ``stored`` (what the
database holds: hashes, schema, stored texts), ``workers`` (reading processes), ``writer``
(batched writes), ``changes`` (the run and change log), ``checks`` (the data checks) and
``swap`` (the writer lock, the temporary copy and its swap).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from etl import changes, derive, load, stored, swap
from etl.checks import DataCheckError
from etl.damage import damage, set_aside
from etl.read import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, sha256_bytes, too_large_reason
from etl.workers import extracted
from etl.writer import Writer, cyclic_gc_paused


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



NOTHING_FOUND = "no commitments, figures or metadata found"


def _nothing_found(rows: dict[str, list[dict]]) -> str | None:
    """Say so when a loaded text gave nothing this tool looks for (a novel, a menu page)."""
    doc = rows["documents"][0]
    if rows["commitments"] or rows["figures"]:
        return None
    if any(doc.get(k) for k in ("issuer_name", "issue_date", "proposal_no", "addressee")):
        return None
    return NOTHING_FOUND


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
    lock = swap.writer_lock(db_path, on_wait)
    try:
        with cyclic_gc_paused():
            return _load_locked(paths, db_path, progress, workers, isolate)
    finally:
        lock.release()




def _load_locked(paths, db_path: Path, progress, workers, isolate: bool = False) -> LoadReport:
    t0 = time.perf_counter()
    started = dt.datetime.now()
    files = collect(paths)
    report = LoadReport(run_id=started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6])
    problem = damage(db_path)
    if problem:
        report.damaged = (problem, set_aside(db_path, started))
    existing, by_sha = stored.hashes(db_path)
    carried: list[tuple] = []  # stored documents to re-extract because the schema changed
    upgrade = not stored.schema_matches(db_path)
    if upgrade:
        run_ids = {load.doc_id_for(p.name) for p in files}
        carried = [r for r in stored.documents(db_path) if r[0] not in run_ids]
        existing, by_sha = {}, {}

    outcomes, todo = _decide(files, existing, by_sha)
    done = 0
    total = len(files)
    for i, o in enumerate(outcomes):
        if o is not None and progress:
            done += 1
            progress(done, total, o)

    n_workers = workers if workers is not None else (min(os.cpu_count() or 1, 8) if len(todo) >= 16 else 1)
    # Start the workers first (they fork before DuckDB opens a file), then copy the database.
    results = extracted(todo, n_workers, isolate)
    tmp = swap.temp_path(db_path)
    swap.clean_stale(db_path)
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
            writer = Writer(con, existing, report.run_id, dt.datetime.now())
            texts: dict[str, tuple[str, str]] | None = None  # text hash -> (doc_id, file name), read when needed
            for i, path, res in itertools.chain([first] if first else [], results):
                status, payload = res
                if status != "ok":
                    outcomes[i] = FileOutcome(str(path), "failed", str(payload))
                else:
                    rows = payload
                    doc = rows["documents"][0]
                    if texts is None:
                        texts = stored.text_hashes(con)
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
            outcomes += _add_carried(writer, carried)
            writer.flush()
            con.execute("RESET threads")  # the derived tables are built with every core
            if upgrade:
                changes.carry_history(con, db_path, report.run_id)
            if upgrade or any(o is not None and o.outcome == "loaded" for o in outcomes) or not derive.is_current(con):
                derive.rebuild(con)
            report.files = [o for o in outcomes if o is not None]
            report.seconds = time.perf_counter() - t0
            changes.record_run(con, report, started)
            report.check_failures = writer.failures(cold=not copied)
            if report.check_failures:
                raise DataCheckError(report.check_failures)
            for t in ("documents", "commitments", "figures", "agencies"):
                report.rows[t] = con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            con.execute("CHECKPOINT")
        finally:
            con.close()
        swap.replace(tmp, db_path)
    finally:
        results.close()  # stops the workers if the run failed part-way
        swap.discard(tmp)
    report.seconds = time.perf_counter() - t0
    return report


def _decide(files: list[Path], existing: dict[str, tuple[str, str]], by_sha: dict[str, str]
            ) -> tuple[list[FileOutcome | None], list[tuple[int, Path]]]:
    """Decide what to extract: hashes first, so unchanged files cost a read and a hash only.

    Return each file's outcome when its size or hash decides it (too large, empty, unreadable,
    unchanged, the same content as another), None for the others; and those, (index, path).
    """
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
    return outcomes, todo


def _add_carried(writer: Writer, carried: list[tuple]) -> list[FileOutcome]:
    """Write the stored documents this run does not bring, extracted again from their stored text
    (the schema changed); return their outcomes."""
    outcomes: list[FileOutcome] = []
    for row in carried:
        status, payload = stored.reextract(row)
        if status == "ok":
            writer.add(payload)
            outcomes.append(FileOutcome(row[2] or row[1], "loaded", "re-extracted from the stored text "
                                        "(the database schema changed)", row[0], len(payload["commitments"]),
                                        len(payload["figures"]), row[3]))
        else:
            outcomes.append(FileOutcome(row[2] or row[1], "failed", str(payload), row[0]))
    return outcomes
