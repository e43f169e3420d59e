"""Keep what analysts record (statuses, corrections, meetings) in a store the ETL never rebuilds.

In: status changes, corrections and review dates from the review page or an import file
(``review.transfer``). Out: the SQLite file at ``$COMMITMENTS_REVIEWS_DB`` (default
``data/reviews.sqlite``; ``reviews_path`` is the one place that resolves it) and DataFrames read
from it: ``current_statuses``, ``commitment_corrections``, ``figure_corrections`` (the contract
the dashboard reads), ``history``, ``no_longer_extracted``.

Durability: SQLite in WAL mode, ``synchronous=FULL``, a busy timeout, one short
``BEGIN IMMEDIATE`` transaction per save on a connection opened for that save, so two threads
or two processes saving at once both persist. Status changes and corrections are append-only
(triggers refuse UPDATE and DELETE); the current value is the latest entry by ``changed_at``
(UTC, ISO 8601), ties broken by insertion order. Every entry has an ``entry_key`` hashed from
its content, which makes importing idempotent. Facts are referred to by the ETL's stable IDs
(``commitment_id``, ``figure_id``, ``agency_id``); a snapshot of each reviewed fact's text and
document is kept so that a fact the ETL no longer extracts can still be shown.

Nothing outside ``review/`` opens the file: pages, the meeting pack and the CLI go through
``ReviewStore`` (``transaction``/``query``/``rows`` and the ``insert_*`` statement helpers are
for the other modules of this package).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd

from review.values import (CORRECTABLE, DEFAULT_STATUS, ENTITIES, RESOLUTIONS, canonical_json, clean_text,
                           date_text, entry_key, iso_utc, parse_status, reviewer_name, utc_now)

REPO_ROOT = Path(__file__).resolve().parents[1]
REVIEWS_DB_ENV = "COMMITMENTS_REVIEWS_DB"
DEFAULT_REVIEWS_DB = "data/reviews.sqlite"  # under the repository, whatever the working directory
BUSY_TIMEOUT_S = 30.0
SCHEMA_VERSION = 1

StoreError = sqlite3.Error
"""What a save or a read of the store raises when SQLite fails (a locked or damaged file)."""

# The columns of the frames other modules rely on (see the module docstring).
CURRENT_STATUS_COLUMNS = ["commitment_id", "status", "note", "reviewer", "changed_at"]
COMMITMENT_CORRECTION_COLUMNS = ["commitment_id", "lead_agency_ids", "deadline_date", "deadline_basis", "is_rejected"]
FIGURE_CORRECTION_COLUMNS = ["figure_id", "amount_yuan", "money_kind", "figure_year", "is_target", "is_rejected"]
HISTORY_COLUMNS = ["seq", "commitment_id", "old_status", "status", "note", "reviewer", "changed_at",
                   "evidence_url", "evidence_doc_id"]
CORRECTION_LOG_COLUMNS = ["seq", "entity", "entity_id", "field", "action", "value", "old_value", "reason",
                          "reviewer", "changed_at"]
ORPHAN_COLUMNS = ["entity", "entity_id", "doc_id", "file_name", "title", "text", "status", "last_changed_at",
                  "n_status_changes", "n_corrections"]

# --------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class StatusChange:
    """One status to record; ``seen_status`` is what the reviewer saw before changing it."""

    commitment_id: str
    status: str
    note: str | None = None
    evidence_url: str | None = None
    evidence_doc_id: str | None = None
    seen_status: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """What a reviewed fact looked like, kept so it can be shown after the ETL drops it."""

    entity: str
    entity_id: str
    doc_id: str | None = None
    file_name: str | None = None
    title: str | None = None
    text: str | None = None
    detail: dict = field(default_factory=dict)


@dataclass
class SaveResult:
    saved: int = 0
    conflicts: list[str] = field(default_factory=list)  # saved over a status someone else had changed



def reviews_path(path: str | os.PathLike | None = None) -> Path:
    """Return the store's path: ``path``, else ``$COMMITMENTS_REVIEWS_DB``, else data/reviews.sqlite."""
    return Path(path or os.environ.get(REVIEWS_DB_ENV) or REPO_ROOT / DEFAULT_REVIEWS_DB)



# --------------------------------------------------------------------------------------
# Schema

_DDL = [
    """CREATE TABLE IF NOT EXISTS status_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_key TEXT NOT NULL UNIQUE,
        commitment_id TEXT NOT NULL,
        old_status TEXT NOT NULL,
        status TEXT NOT NULL,
        note TEXT,
        reviewer TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        evidence_url TEXT,
        evidence_doc_id TEXT,
        recorded_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS status_changes_by_commitment ON status_changes (commitment_id, changed_at, seq)",
    """CREATE TABLE IF NOT EXISTS corrections (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_key TEXT NOT NULL UNIQUE,
        entity TEXT NOT NULL CHECK (entity IN ('commitment', 'figure')),
        entity_id TEXT NOT NULL,
        field TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('set', 'clear')),
        value_json TEXT,
        old_value_json TEXT,
        reason TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS corrections_by_entity ON corrections (entity, entity_id, field, changed_at, seq)",
    """CREATE TABLE IF NOT EXISTS review_meetings (
        review_date TEXT PRIMARY KEY,
        reviewer TEXT,
        note TEXT,
        recorded_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS snapshots (
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        doc_id TEXT,
        file_name TEXT,
        title TEXT,
        text TEXT,
        detail_json TEXT,
        first_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (entity, entity_id))""",
    """CREATE TABLE IF NOT EXISTS resolutions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_key TEXT NOT NULL UNIQUE,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('dismissed', 'relinked', 'reopened')),
        new_id TEXT,
        note TEXT,
        reviewer TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL)""",
]
for _table in ("status_changes", "corrections", "resolutions"):
    for _op in ("UPDATE", "DELETE"):
        _DDL.append(f"CREATE TRIGGER IF NOT EXISTS {_table}_no_{_op.lower()} BEFORE {_op} ON {_table} "
                    f"BEGIN SELECT RAISE(ABORT, '{_table} is append-only'); END")

_ready: set[str] = set()
_ready_lock = threading.Lock()


# --------------------------------------------------------------------------------------
# The store


class ReviewStore:
    """The analysts' database; every method opens, uses and closes its own connection."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = reviews_path(path)

    # connections ---------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        con.execute("PRAGMA synchronous = FULL")
        return con

    def _ensure(self) -> None:
        key = str(self.path.resolve())
        with _ready_lock:  # held throughout: threads of one process create the file one at a time
            if key in _ready and self.path.exists():
                return
            self._create()
            _ready.add(key)

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self._connect()
        try:
            for attempt in range(100):  # another process may hold the file while it switches to WAL
                try:
                    if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                        con.execute("PRAGMA journal_mode = WAL")
                    break
                except sqlite3.OperationalError:
                    if attempt == 99:
                        raise
                    time.sleep(0.1)
            con.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _DDL:
                    con.execute(stmt)
                if con.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside BEGIN IMMEDIATE; COMMIT on success (durable on return)."""
        self._ensure()
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            _after_commit(con, self.path)
        finally:
            con.close()

    def query(self, sql: str, params: dict | tuple = ()) -> pd.DataFrame | None:
        """Run a read query; None when the store does not exist yet (reading never creates it)."""
        if not self.path.exists():
            return None
        con = self._connect()
        try:
            cur = con.execute(sql, params)
            cols = [d[0] for d in cur.description]
            df = pd.DataFrame(cur.fetchall(), columns=cols, dtype=object)  # text keeps None, not NaN
            if "seq" in df:
                df["seq"] = df["seq"].astype("int64")
            return df
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
        finally:
            con.close()

    def rows(self, sql: str) -> list[sqlite3.Row]:
        """Return the rows of a read query by column name; none when the store or its table is not there yet."""
        if not self.path.exists():
            return []
        con = self._connect()
        con.row_factory = sqlite3.Row
        try:
            return con.execute(sql).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise
        finally:
            con.close()

    # writing -------------------------------------------------------------------------

    def record_statuses(self, changes: Iterable[StatusChange], reviewer: str, *,
                        snapshots: Iterable[Snapshot] = (), review_date: dt.date | None = None) -> SaveResult:
        """Append status changes in one transaction; return how many were saved and any conflicts.

        ``changed_at`` is taken inside the transaction, so the latest entry is also the last
        committed one. A change whose ``seen_status`` differs from the stored current status
        is still saved (both entries stay in the history) and reported in ``conflicts``.
        """
        reviewer = reviewer_name(reviewer)
        rows = []
        for c in changes:
            cid = clean_text(c.commitment_id)
            if not cid:
                raise ValueError("a status change needs a commitment_id")
            rows.append((cid.strip(), parse_status(c.status), clean_text(c.note), clean_text(c.evidence_url),
                         clean_text(c.evidence_doc_id), None if c.seen_status is None else parse_status(c.seen_status)))
        result = SaveResult()
        if not rows and review_date is None:
            return result
        with self.transaction() as con:
            now = utc_now()
            for cid, status, note, url, doc, seen in rows:
                current = _current_status(con, cid)
                if seen is not None and seen != current:
                    result.conflicts.append(cid)
                old = seen if seen is not None else current
                result.saved += insert_status(con, cid, old, status, note, reviewer, now, url, doc, now)
            for snap in snapshots:
                upsert_snapshot(con, snap, now)
            if review_date is not None:
                insert_review(con, review_date, reviewer, None, now)
        return result

    def record_correction(self, entity: str, entity_id: str, values: dict[str, Any], reason: str, reviewer: str, *,
                          old_values: dict[str, Any] | None = None, clear: Iterable[str] = (),
                          snapshot: Snapshot | None = None) -> int:
        """Record corrected values of one fact (and fields returned to the ETL's value); return rows added.

        ``values`` maps a correctable field to its corrected value; ``clear`` names fields whose
        correction is withdrawn. A deadline is corrected as a pair: ``deadline_date`` alone
        implies ``deadline_basis='explicit'``; ``deadline_basis='none'`` removes the deadline.
        """
        if entity not in ENTITIES:
            raise ValueError(f"entity must be one of {ENTITIES}")
        entity_id = (clean_text(entity_id) or "").strip()
        if not entity_id:
            raise ValueError("a correction needs the fact's ID")
        reason = (clean_text(reason) or "").strip()
        if not reason:
            raise ValueError("a correction needs a reason")
        reviewer = reviewer_name(reviewer)
        entries = _correction_entries(entity, values, clear)
        if not entries:
            raise ValueError("nothing to correct")
        old_values = old_values or {}
        with self.transaction() as con:
            now = utc_now()
            added = 0
            for fld, action, value in entries:
                added += insert_correction(con, entity, entity_id, fld, action, value, old_values.get(fld),
                                            reason, reviewer, now, now)
            if snapshot is not None:
                upsert_snapshot(con, snapshot, now)
        return added

    def record_review(self, review_date: dt.date, reviewer: str | None = None, note: str | None = None) -> bool:
        """Record that a review meeting took place on ``review_date``; False if already recorded."""
        with self.transaction() as con:
            return bool(insert_review(con, review_date, clean_text(reviewer), clean_text(note), utc_now()))

    def resolve(self, entity: str, entity_id: str, action: str, reviewer: str, *, note: str | None = None,
                new_id: str | None = None) -> None:
        """Resolve a fact the ETL no longer extracts: dismiss it, relink it to ``new_id``, or reopen it.

        Relinking carries the current status (and the current corrections) over to ``new_id``,
        as new entries that say where they came from; the old history stays as it is.
        """
        if action not in RESOLUTIONS:
            raise ValueError(f"action must be one of {RESOLUTIONS}")
        if action == "relinked" and not clean_text(new_id):
            raise ValueError("relinking needs the new ID")
        reviewer = reviewer_name(reviewer)
        with self.transaction() as con:
            now = utc_now()
            insert_resolution(con, entity, entity_id, action, clean_text(new_id), clean_text(note), reviewer, now, now)
            if action != "relinked":
                return
            carried = f"carried over from {entity_id} (no longer extracted)" + (f": {note}" if clean_text(note) else "")
            if entity == "commitment":
                row = con.execute("SELECT status, note, evidence_url, evidence_doc_id FROM status_changes "
                                  "WHERE commitment_id = ? ORDER BY min(changed_at, recorded_at) DESC, seq DESC LIMIT 1",
                                  (entity_id,)).fetchone()
                if row is not None:
                    status, old_note, url, doc = row
                    full = carried if not old_note else f"{old_note} [{carried}]"
                    insert_status(con, new_id, _current_status(con, new_id), status, full, reviewer, now, url,
                                   doc, now)
            for fld, action_, value in _latest_corrections(con, entity, entity_id):
                if action_ == "set":
                    insert_correction(con, entity, new_id, fld, "set", value, None, carried, reviewer, now, now)

    # reading -------------------------------------------------------------------------

    def current_statuses(self) -> pd.DataFrame:
        df = self.query(
            "SELECT commitment_id, status, note, reviewer, changed_at FROM ("
            " SELECT *, row_number() OVER (PARTITION BY commitment_id ORDER BY min(changed_at, recorded_at) DESC, seq DESC) AS rn"
            " FROM status_changes) WHERE rn = 1 ORDER BY commitment_id")
        if df is None:
            df = pd.DataFrame(columns=CURRENT_STATUS_COLUMNS)
        return _with_ts(df[CURRENT_STATUS_COLUMNS], "changed_at")

    def history(self, commitment_id: str | None = None, since: Any = None, until: Any = None) -> pd.DataFrame:
        """Return status changes (oldest first), for one commitment or all, optionally in [since, until)."""
        where, params = ["1 = 1"], {}
        if commitment_id is not None:
            where.append("commitment_id = :cid")
            params["cid"] = commitment_id
        if since is not None:
            where.append("changed_at >= :since")
            params["since"] = iso_utc(since)
        if until is not None:
            where.append("changed_at < :until")
            params["until"] = iso_utc(until)
        df = self.query(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM status_changes WHERE {' AND '.join(where)} "
                        "ORDER BY min(changed_at, recorded_at), seq", params)
        if df is None:
            df = pd.DataFrame(columns=HISTORY_COLUMNS)
        return _with_ts(df, "changed_at")

    def correction_log(self, entity: str | None = None, entity_id: str | None = None,
                       since: Any = None, until: Any = None) -> pd.DataFrame:
        """Return every correction entry (oldest first) with values decoded from JSON."""
        where, params = ["1 = 1"], {}
        for name, value in (("entity", entity), ("entity_id", entity_id)):
            if value is not None:
                where.append(f"{name} = :{name}")
                params[name] = value
        if since is not None:
            where.append("changed_at >= :since")
            params["since"] = iso_utc(since)
        if until is not None:
            where.append("changed_at < :until")
            params["until"] = iso_utc(until)
        df = self.query("SELECT seq, entity, entity_id, field, action, value_json AS value, old_value_json AS old_value,"
                        f" reason, reviewer, changed_at FROM corrections WHERE {' AND '.join(where)}"
                        " ORDER BY changed_at, seq", params)
        if df is None:
            return _with_ts(pd.DataFrame(columns=CORRECTION_LOG_COLUMNS), "changed_at")
        for col in ("value", "old_value"):
            df[col] = [None if v is None else json.loads(v) for v in df[col]]
        return _with_ts(df, "changed_at")

    def commitment_corrections(self) -> pd.DataFrame:
        return self._corrections_frame("commitment", "commitment_id", COMMITMENT_CORRECTION_COLUMNS)

    def figure_corrections(self) -> pd.DataFrame:
        return self._corrections_frame("figure", "figure_id", FIGURE_CORRECTION_COLUMNS)

    def _corrections_frame(self, entity: str, id_col: str, columns: list[str]) -> pd.DataFrame:
        df = self.query(
            "SELECT entity_id, field, action, value_json FROM ("
            " SELECT *, row_number() OVER (PARTITION BY entity_id, field ORDER BY min(changed_at, recorded_at) DESC, seq DESC) AS rn"
            " FROM corrections WHERE entity = :entity) WHERE rn = 1 ORDER BY entity_id, field", {"entity": entity})
        rows: dict[str, dict] = {}
        for eid, fld, action, value_json in ([] if df is None else df.itertuples(index=False)):
            if action != "set" or fld not in columns:
                continue
            value = json.loads(value_json) if value_json is not None else None
            if fld == "is_rejected" and not value:
                continue
            rows.setdefault(eid, {id_col: eid})[fld] = value
        if entity == "commitment":
            for row in rows.values():  # the deadline is corrected as a pair
                if "deadline_basis" in row and row["deadline_basis"] == "none":
                    row["deadline_date"] = None
        out = pd.DataFrame(list(rows.values()), columns=columns)
        out["is_rejected"] = out["is_rejected"].map(lambda v: v is True).astype(bool)
        return _typed_corrections(out, entity)

    def review_dates(self) -> list[dt.date]:
        df = self.query("SELECT review_date FROM review_meetings ORDER BY review_date")
        return [] if df is None else [dt.date.fromisoformat(d) for d in df["review_date"]]

    def previous_review_date(self, before: dt.date) -> dt.date | None:
        """Return the latest recorded review date strictly before ``before``."""
        earlier = [d for d in self.review_dates() if d < before]
        return earlier[-1] if earlier else None

    def snapshots(self, entity: str | None = None) -> pd.DataFrame:
        cols = ["entity", "entity_id", "doc_id", "file_name", "title", "text", "detail", "first_seen_at", "updated_at"]
        df = self.query("SELECT entity, entity_id, doc_id, file_name, title, text, detail_json AS detail, "
                        "first_seen_at, updated_at FROM snapshots"
                        + (" WHERE entity = :entity" if entity else "") + " ORDER BY entity, entity_id",
                        {"entity": entity} if entity else {})
        if df is None:
            return pd.DataFrame(columns=cols)
        df["detail"] = [json.loads(v) if v else {} for v in df["detail"]]
        return df

    def resolutions(self) -> pd.DataFrame:
        cols = ["seq", "entity", "entity_id", "action", "new_id", "note", "reviewer", "changed_at"]
        df = self.query(f"SELECT {', '.join(cols)} FROM resolutions ORDER BY changed_at, seq")
        return _with_ts(pd.DataFrame(columns=cols) if df is None else df, "changed_at")

    def tracked_ids(self, entity: str = "commitment") -> set[str]:
        """Return the IDs of facts that have a status or a correction."""
        ids = set()
        if entity == "commitment":
            df = self.query("SELECT DISTINCT commitment_id FROM status_changes")
            ids |= set() if df is None else set(df["commitment_id"])
        df = self.query("SELECT DISTINCT entity_id FROM corrections WHERE entity = :e", {"e": entity})
        ids |= set() if df is None else set(df["entity_id"])
        return ids

    def no_longer_extracted(self, present_commitment_ids: Iterable[str],
                            present_figure_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Return reviewed facts missing from the facts DB and not yet resolved, with their snapshot.

        ``present_figure_ids=None`` skips figures (only commitments are checked).
        """
        present = {"commitment": set(present_commitment_ids),
                   "figure": None if present_figure_ids is None else set(present_figure_ids)}
        res = self.resolutions()
        resolved = {}
        for r in res.itertuples(index=False):
            resolved[(r.entity, r.entity_id)] = r.action
        snaps = self.snapshots()
        snap = {(s.entity, s.entity_id): s for s in snaps.itertuples(index=False)}
        current = self.current_statuses().set_index("commitment_id")
        hist = self.history()
        log = self.correction_log()
        rows = []
        for entity in ENTITIES:
            if present[entity] is None:
                continue
            for eid in sorted(self.tracked_ids(entity) - present[entity]):
                if resolved.get((entity, eid)) in ("dismissed", "relinked"):
                    continue
                s = snap.get((entity, eid))
                n_status = int((hist["commitment_id"] == eid).sum()) if entity == "commitment" else 0
                mine = log[(log["entity"] == entity) & (log["entity_id"] == eid)]
                last = max([t for t in (current["changed_at"].get(eid) if entity == "commitment" else None,
                                        mine["changed_at"].max() if len(mine) else None) if t is not None and not pd.isna(t)],
                           default=None)
                rows.append({
                    "entity": entity, "entity_id": eid,
                    "doc_id": getattr(s, "doc_id", None), "file_name": getattr(s, "file_name", None),
                    "title": getattr(s, "title", None), "text": getattr(s, "text", None),
                    "status": current["status"].get(eid, DEFAULT_STATUS) if entity == "commitment" else None,
                    "last_changed_at": last, "n_status_changes": n_status, "n_corrections": len(mine),
                })
        return pd.DataFrame(rows, columns=ORPHAN_COLUMNS)


_checked: dict[tuple, str | None] = {}


def store_problem(path: str | os.PathLike | None = None, lang: str = "en") -> str | None:
    """One line saying the review store is damaged and what to do, or None when it reads well.

    SQLite's ``quick_check`` runs once per version of the file (its stamp). The store is never
    replaced automatically: the analysts' entries may still be read from it by hand.
    """
    p = reviews_path(path)
    if not p.exists():
        return None
    key = (str(p), *store_stamp(p), p.stat().st_size)
    if key not in _checked:
        reason = None
        try:
            con = sqlite3.connect(f"file:{p}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
            try:
                rows = con.execute("PRAGMA quick_check(1)").fetchall()
                if rows and rows[0][0] != "ok":
                    reason = str(rows[0][0])[:200]
            finally:
                con.close()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                reason = str(exc)
        except sqlite3.DatabaseError as exc:
            reason = str(exc)
        if len(_checked) > 16:
            _checked.clear()
        _checked[key] = reason
    reason = _checked[key]
    if reason is None:
        return None
    if lang == "zh":
        return (f"审阅记录库 {p} 已损坏({reason}),不会被自动替换。请将其移走,再用最近一次导出恢复:"
                f"python -m etl reviews import 导出文件")
    return (f"The review store {p} is damaged ({reason}); it is never replaced automatically. Move it aside and "
            f"restore your last export: python -m etl reviews import EXPORT_FILE")


def _after_commit(con: sqlite3.Connection, path: Path) -> None:
    """Fold the WAL into the main file when no reader is in the way, and bump its mtime.

    Readers that cache on the main file's modification time (the dashboard's queries) would
    otherwise not notice a save that still sits in ``-wal``.
    """
    try:
        con.execute("PRAGMA wal_checkpoint(PASSIVE)")
        os.utime(path, None)
    except (sqlite3.Error, OSError):
        pass  # the save is committed; a missed refresh of a cache is not worth failing it


def store_stamp(path: str | os.PathLike | None = None) -> tuple[int, int]:
    """Return (main file mtime_ns, WAL mtime_ns): changes whenever a save is committed."""
    p = reviews_path(path)
    out = []
    for f in (p, Path(str(p) + "-wal")):
        try:
            out.append(f.stat().st_mtime_ns)
        except OSError:
            out.append(0)
    return out[0], out[1]


# --------------------------------------------------------------------------------------
# Statement helpers (run inside a write transaction)


def _current_status(con: sqlite3.Connection, cid: str) -> str:
    row = con.execute("SELECT status FROM status_changes WHERE commitment_id = ? "
                      "ORDER BY min(changed_at, recorded_at) DESC, seq DESC LIMIT 1", (cid,)).fetchone()
    return row[0] if row else DEFAULT_STATUS


def status_before(con: sqlite3.Connection, cid: str, changed_at: str) -> str:
    row = con.execute("SELECT status FROM status_changes WHERE commitment_id = ? AND min(changed_at, recorded_at) < ? "
                      "ORDER BY min(changed_at, recorded_at) DESC, seq DESC LIMIT 1", (cid, changed_at)).fetchone()
    return row[0] if row else DEFAULT_STATUS


def status_entry_key(cid, status, note, reviewer, changed_at, url, doc) -> str:
    return entry_key("status", cid, status, note, reviewer, changed_at, url, doc)


def insert_status(con, cid, old, status, note, reviewer, changed_at, url, doc, recorded_at) -> int:
    cur = con.execute(
        "INSERT OR IGNORE INTO status_changes (entry_key, commitment_id, old_status, status, note, reviewer,"
        " changed_at, evidence_url, evidence_doc_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (status_entry_key(cid, status, note, reviewer, changed_at, url, doc), cid, old, status, note, reviewer,
         changed_at, url, doc, recorded_at))
    return cur.rowcount


def insert_correction(con, entity, eid, fld, action, value, old_value, reason, reviewer, changed_at,
                       recorded_at) -> int:
    value_json = None if action == "clear" else canonical_json(value)
    cur = con.execute(
        "INSERT OR IGNORE INTO corrections (entry_key, entity, entity_id, field, action, value_json, old_value_json,"
        " reason, reviewer, changed_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (entry_key("correction", entity, eid, fld, action, value_json, reason, reviewer, changed_at), entity, eid, fld,
         action, value_json, None if old_value is None else canonical_json(old_value), reason, reviewer, changed_at,
         recorded_at))
    return cur.rowcount


def insert_review(con, review_date, reviewer, note, recorded_at) -> int:
    cur = con.execute("INSERT OR IGNORE INTO review_meetings (review_date, reviewer, note, recorded_at) "
                      "VALUES (?, ?, ?, ?)", (date_text(review_date), reviewer, note, recorded_at))
    return cur.rowcount


def insert_resolution(con, entity, eid, action, new_id, note, reviewer, changed_at, recorded_at) -> int:
    cur = con.execute(
        "INSERT OR IGNORE INTO resolutions (entry_key, entity, entity_id, action, new_id, note, reviewer,"
        " changed_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (entry_key("resolution", entity, eid, action, new_id, note, reviewer, changed_at), entity, eid, action, new_id,
         note, reviewer, changed_at, recorded_at))
    return cur.rowcount


def upsert_snapshot(con, snap: Snapshot, at: str, only_if_newer: bool = False) -> int:
    if snap.entity not in ENTITIES:
        raise ValueError(f"snapshot entity must be one of {ENTITIES}")
    row = con.execute("SELECT updated_at FROM snapshots WHERE entity = ? AND entity_id = ?",
                      (snap.entity, snap.entity_id)).fetchone()
    detail = canonical_json(snap.detail or {})
    if row is None:
        con.execute("INSERT INTO snapshots (entity, entity_id, doc_id, file_name, title, text, detail_json,"
                    " first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (snap.entity, snap.entity_id, snap.doc_id, snap.file_name, snap.title, snap.text, detail, at, at))
        return 1
    if only_if_newer and row[0] >= at:
        return 0
    con.execute("UPDATE snapshots SET doc_id = ?, file_name = ?, title = ?, text = ?, detail_json = ?, updated_at = ?"
                " WHERE entity = ? AND entity_id = ?",
                (snap.doc_id, snap.file_name, snap.title, snap.text, detail, at, snap.entity, snap.entity_id))
    return 1


def _latest_corrections(con, entity: str, eid: str) -> list[tuple[str, str, Any]]:
    rows = con.execute(
        "SELECT field, action, value_json FROM (SELECT *, row_number() OVER (PARTITION BY field "
        "ORDER BY min(changed_at, recorded_at) DESC, seq DESC) AS rn FROM corrections WHERE entity = ? AND entity_id = ?) WHERE rn = 1",
        (entity, eid)).fetchall()
    return [(f, a, None if v is None else json.loads(v)) for f, a, v in rows]


def _correction_entries(entity: str, values: dict[str, Any], clear: Iterable[str]) -> list[tuple[str, str, Any]]:
    """Check and coerce corrected values; return (field, action, value) entries."""
    values = dict(values)
    clear = list(dict.fromkeys(clear))
    if entity == "commitment":
        if "deadline_date" in values or "deadline_basis" in values:
            basis = values.get("deadline_basis") or ("explicit" if clean_text(values.get("deadline_date")) else "none")
            values["deadline_basis"] = basis
            values["deadline_date"] = None if basis == "none" else values.get("deadline_date")
            if basis != "none" and date_text(values["deadline_date"]) is None:
                raise ValueError(f"deadline basis {basis!r} needs a deadline date")
        if "deadline_date" in clear or "deadline_basis" in clear:
            clear = list(dict.fromkeys(clear + ["deadline_date", "deadline_basis"]))
    out = []
    for fld, value in values.items():
        rule = CORRECTABLE.get((entity, fld))
        if rule is None:
            raise ValueError(f"{entity} field {fld!r} cannot be corrected")
        if fld == "deadline_date" and value is None:
            out.append((fld, "set", None))
            continue
        if value is None:
            raise ValueError(f"{fld}: a corrected value is needed (or withdraw the correction)")
        out.append((fld, "set", rule(value)))
    for fld in clear:
        if (entity, fld) not in CORRECTABLE:
            raise ValueError(f"{entity} field {fld!r} cannot be corrected")
        if fld not in values:
            out.append((fld, "clear", None))
    return out


def _with_ts(df: pd.DataFrame, col: str) -> pd.DataFrame:
    df = df.copy()
    df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601") if len(df) else pd.Series(
        [], dtype="datetime64[us, UTC]")
    return df


def _typed_corrections(df: pd.DataFrame, entity: str) -> pd.DataFrame:
    if entity == "commitment":
        df["deadline_date"] = pd.to_datetime(df["deadline_date"], format="ISO8601").astype("datetime64[us]")
        df["lead_agency_ids"] = [v if isinstance(v, list) else None for v in df["lead_agency_ids"]]
        df["deadline_basis"] = df["deadline_basis"].astype(object).where(df["deadline_basis"].notna(), None)
    else:
        df["amount_yuan"] = pd.to_numeric(df["amount_yuan"], errors="coerce").astype(float)
        df["money_kind"] = df["money_kind"].astype(object).where(df["money_kind"].notna(), None)
        df["figure_year"] = df["figure_year"].astype("Int64")
        df["is_target"] = df["is_target"].astype("boolean")
    return df.reset_index(drop=True)



# --------------------------------------------------------------------------------------
# The contract: module-level readers (path=None -> $COMMITMENTS_REVIEWS_DB or data/reviews.sqlite)


def current_statuses(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return the latest status entry per commitment: [commitment_id, status, note, reviewer, changed_at (UTC)]."""
    return ReviewStore(path).current_statuses()


def commitment_corrections(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return one row per corrected commitment: [commitment_id, lead_agency_ids, deadline_date, deadline_basis, is_rejected].

    None/NaT where a field is not corrected. ``deadline_date`` and ``deadline_basis`` are
    corrected together: when ``deadline_basis`` is not None both replace the ETL's values, and
    ``deadline_basis == 'none'`` (with no date) means the analyst removed the deadline.
    """
    return ReviewStore(path).commitment_corrections()


def figure_corrections(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Return one row per corrected figure: [figure_id, amount_yuan, money_kind, figure_year, is_target, is_rejected]."""
    return ReviewStore(path).figure_corrections()

