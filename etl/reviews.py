"""Keep what analysts record (statuses, corrections, meetings) in a store the ETL never rebuilds.

In: status changes, corrections and review dates from the review page or an import file.
Out: the SQLite file at ``$COMMITMENTS_REVIEWS_DB`` (default ``data/reviews.sqlite``) and
DataFrames read from it: ``current_statuses``, ``commitment_corrections``,
``figure_corrections`` (the contract the dashboard reads), ``history``, ``no_longer_extracted``.

Durability: SQLite in WAL mode, ``synchronous=FULL``, a busy timeout, one short
``BEGIN IMMEDIATE`` transaction per save on a connection opened for that save, so two threads
or two processes saving at once both persist. Status changes and corrections are append-only
(triggers refuse UPDATE and DELETE); the current value is the latest entry by ``changed_at``
(UTC, ISO 8601), ties broken by insertion order. Every entry has an ``entry_key`` hashed from
its content, which makes ``import_file`` idempotent. Facts are referred to by the ETL's
stable IDs (``commitment_id``, ``figure_id``, ``agency_id``); a snapshot of each reviewed
fact's text and document is kept so that a fact the ETL no longer extracts can still be shown.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import math
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd

from etl.schema import DEADLINE_BASES, MONEY_KINDS
from etl.status import DEFAULT_STATUS, parse_status

REPO_ROOT = Path(__file__).resolve().parents[1]
REVIEWS_DB_ENV = "COMMITMENTS_REVIEWS_DB"
DEFAULT_REVIEWS_DB = "data/reviews.sqlite"  # under the repository, whatever the working directory
FACTS_DB_ENV = "COMMITMENTS_DB"
DEFAULT_FACTS_DB = "data/commitments.duckdb"
BUSY_TIMEOUT_S = 30.0
SCHEMA_VERSION = 1

ENTITIES = ("commitment", "figure")
RESOLUTIONS = ("dismissed", "relinked", "reopened")
CORRECTION_ACTIONS = ("set", "clear")

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
# Columns of an export file (CSV header order); JSONL lines carry the non-empty ones.
EXPORT_COLUMNS = ["kind", "commitment_id", "figure_id", "entity", "entity_id", "status", "old_status", "note",
                  "reviewer", "changed_at", "evidence_url", "evidence_doc_id", "field", "action", "value",
                  "old_value", "reason", "review_date", "doc_id", "file_name", "title", "text", "detail", "new_id"]
KINDS = ("review", "snapshot", "status", "correction", "resolution")


# --------------------------------------------------------------------------------------
# Correctable fields: one rule per field (entity, field) -> how to check and coerce a value.


def _to_bool(v) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    text = str(v).strip().lower()
    if text in ("true", "1", "yes", "y", "是", "t"):
        return True
    if text in ("false", "0", "no", "n", "否", "f"):
        return False
    raise ValueError(f"not a yes/no value: {v!r}")


def _to_agency_ids(v) -> list[str]:
    if isinstance(v, str):
        v = json.loads(v) if v.strip().startswith("[") else [p for p in v.replace(";", ",").split(",")]
    ids = [str(x).strip() for x in v if str(x).strip()]
    if not ids:
        raise ValueError("at least one lead agency is needed (mark it 'not a commitment' otherwise)")
    return list(dict.fromkeys(ids))


DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))
"""Dates read from a file or typed in (review dates, corrected deadlines) must fall in this range."""


def _to_date_text(v) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        v = v.date()
    elif not isinstance(v, dt.date):
        v = dt.date.fromisoformat(str(v).strip()[:10])
    if not DATE_RANGE[0] <= v <= DATE_RANGE[1]:
        raise ValueError(f"date {v.isoformat()} is outside {DATE_RANGE[0].year}–{DATE_RANGE[1].year}")
    return v.isoformat()


def _to_amount(v) -> float:
    x = float(v)
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"amount must be a finite number ≥ 0, got {v!r}")
    return x


def _to_year(v) -> int:
    y = int(float(v))
    if not 1949 <= y <= 2100:
        raise ValueError(f"year out of range: {v!r}")
    return y


def _choice(options: tuple[str, ...]):
    def check(v) -> str:
        text = str(v).strip()
        if text not in options:
            raise ValueError(f"{v!r} is not one of {', '.join(options)}")
        return text
    return check


CORRECTABLE: dict[tuple[str, str], Any] = {
    ("commitment", "lead_agency_ids"): _to_agency_ids,
    ("commitment", "deadline_date"): _to_date_text,
    ("commitment", "deadline_basis"): _choice(DEADLINE_BASES),
    ("commitment", "is_rejected"): _to_bool,
    ("figure", "amount_yuan"): _to_amount,
    ("figure", "money_kind"): _choice(MONEY_KINDS),
    ("figure", "figure_year"): _to_year,
    ("figure", "is_target"): _to_bool,
    ("figure", "is_rejected"): _to_bool,
}


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


@dataclass
class ImportReport:
    added: dict[str, int] = field(default_factory=dict)
    already_present: int = 0
    errors: list[str] = field(default_factory=list)
    unknown: dict[str, list[str]] = field(default_factory=dict)  # entity -> IDs the facts database does not hold
    unchecked: str | None = None  # why the IDs could not be checked (no facts database)

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------------------
# Normalising what is stored (the same values give the same entry_key, whatever the format)


def utc_now() -> str:
    return iso_utc(dt.datetime.now(dt.timezone.utc))


def iso_utc(value) -> str:
    """Return a timestamp as UTC ISO 8601 with microseconds (naive values are taken as UTC).

    >>> iso_utc("2024-05-01T10:00:00+08:00")
    '2024-05-01T02:00:00.000000+00:00'
    >>> iso_utc("2024-05-01")
    '2024-05-01T00:00:00.000000+00:00'
    """
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        ts = value
    elif isinstance(value, dt.date):
        ts = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("empty timestamp")
        ts = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.timezone.utc)
    return ts.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far ahead of this machine's clock an imported timestamp may be (another machine's clock)."""


def _claimed_time(value) -> str:
    """An imported ``changed_at`` as stored; refuse one beyond now plus ``CLOCK_SKEW``.

    A status dated 9999-12-31 would otherwise stay current whatever is saved after it.

    >>> _claimed_time("9999-12-31")
    Traceback (most recent call last):
    ...
    ValueError: changed_at 9999-12-31 is in the future (later than now plus 5 minutes)
    """
    try:
        stamp = iso_utc(value)
    except (OverflowError, ValueError) as exc:
        raise ValueError(f"changed_at {str(value)[:40]!r} is not a valid time ({exc})") from None
    if stamp > iso_utc(dt.datetime.now(dt.timezone.utc) + CLOCK_SKEW):
        raise ValueError(f"changed_at {str(value)[:40]} is in the future (later than now plus "
                         f"{CLOCK_SKEW.total_seconds() / 60:.0f} minutes)")
    return stamp


def _text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    s = str(v)
    return s if s.strip() else None


def _reviewer(v) -> str:
    s = (_text(v) or "").strip()
    if not s:
        raise ValueError("a reviewer name is needed")
    return s


def _key(*parts) -> str:
    raw = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def _dumps(v) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def reviews_path(path: str | os.PathLike | None = None) -> Path:
    """Return the store's path: ``path``, else ``$COMMITMENTS_REVIEWS_DB``, else data/reviews.sqlite."""
    return Path(path or os.environ.get(REVIEWS_DB_ENV) or REPO_ROOT / DEFAULT_REVIEWS_DB)


def facts_path(path: str | os.PathLike | None = None) -> Path:
    """Return the facts DB's path: ``path``, else ``$COMMITMENTS_DB``, else data/commitments.duckdb."""
    return Path(path or os.environ.get(FACTS_DB_ENV) or REPO_ROOT / DEFAULT_FACTS_DB)


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
    def _write(self) -> Iterator[sqlite3.Connection]:
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

    def _read(self, sql: str, params: dict | tuple = ()) -> pd.DataFrame | None:
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

    # writing -------------------------------------------------------------------------

    def record_statuses(self, changes: Iterable[StatusChange], reviewer: str, *,
                        snapshots: Iterable[Snapshot] = (), review_date: dt.date | None = None) -> SaveResult:
        """Append status changes in one transaction; return how many were saved and any conflicts.

        ``changed_at`` is taken inside the transaction, so the latest entry is also the last
        committed one. A change whose ``seen_status`` differs from the stored current status
        is still saved (both entries stay in the history) and reported in ``conflicts``.
        """
        reviewer = _reviewer(reviewer)
        rows = []
        for c in changes:
            cid = _text(c.commitment_id)
            if not cid:
                raise ValueError("a status change needs a commitment_id")
            rows.append((cid.strip(), parse_status(c.status), _text(c.note), _text(c.evidence_url),
                         _text(c.evidence_doc_id), None if c.seen_status is None else parse_status(c.seen_status)))
        result = SaveResult()
        if not rows and review_date is None:
            return result
        with self._write() as con:
            now = utc_now()
            for cid, status, note, url, doc, seen in rows:
                current = _current_status(con, cid)
                if seen is not None and seen != current:
                    result.conflicts.append(cid)
                old = seen if seen is not None else current
                result.saved += _insert_status(con, cid, old, status, note, reviewer, now, url, doc, now)
            for snap in snapshots:
                _upsert_snapshot(con, snap, now)
            if review_date is not None:
                _insert_review(con, review_date, reviewer, None, now)
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
        entity_id = (_text(entity_id) or "").strip()
        if not entity_id:
            raise ValueError("a correction needs the fact's ID")
        reason = (_text(reason) or "").strip()
        if not reason:
            raise ValueError("a correction needs a reason")
        reviewer = _reviewer(reviewer)
        entries = _correction_entries(entity, values, clear)
        if not entries:
            raise ValueError("nothing to correct")
        old_values = old_values or {}
        with self._write() as con:
            now = utc_now()
            added = 0
            for fld, action, value in entries:
                added += _insert_correction(con, entity, entity_id, fld, action, value, old_values.get(fld),
                                            reason, reviewer, now, now)
            if snapshot is not None:
                _upsert_snapshot(con, snapshot, now)
        return added

    def record_review(self, review_date: dt.date, reviewer: str | None = None, note: str | None = None) -> bool:
        """Record that a review meeting took place on ``review_date``; False if already recorded."""
        with self._write() as con:
            return bool(_insert_review(con, review_date, _text(reviewer), _text(note), utc_now()))

    def resolve(self, entity: str, entity_id: str, action: str, reviewer: str, *, note: str | None = None,
                new_id: str | None = None) -> None:
        """Resolve a fact the ETL no longer extracts: dismiss it, relink it to ``new_id``, or reopen it.

        Relinking carries the current status (and the current corrections) over to ``new_id``,
        as new entries that say where they came from; the old history stays as it is.
        """
        if action not in RESOLUTIONS:
            raise ValueError(f"action must be one of {RESOLUTIONS}")
        if action == "relinked" and not _text(new_id):
            raise ValueError("relinking needs the new ID")
        reviewer = _reviewer(reviewer)
        with self._write() as con:
            now = utc_now()
            _insert_resolution(con, entity, entity_id, action, _text(new_id), _text(note), reviewer, now, now)
            if action != "relinked":
                return
            carried = f"carried over from {entity_id} (no longer extracted)" + (f": {note}" if _text(note) else "")
            if entity == "commitment":
                row = con.execute("SELECT status, note, evidence_url, evidence_doc_id FROM status_changes "
                                  "WHERE commitment_id = ? ORDER BY min(changed_at, recorded_at) DESC, seq DESC LIMIT 1",
                                  (entity_id,)).fetchone()
                if row is not None:
                    status, old_note, url, doc = row
                    full = carried if not old_note else f"{old_note} [{carried}]"
                    _insert_status(con, new_id, _current_status(con, new_id), status, full, reviewer, now, url,
                                   doc, now)
            for fld, action_, value in _latest_corrections(con, entity, entity_id):
                if action_ == "set":
                    _insert_correction(con, entity, new_id, fld, "set", value, None, carried, reviewer, now, now)

    # reading -------------------------------------------------------------------------

    def current_statuses(self) -> pd.DataFrame:
        df = self._read(
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
        df = self._read(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM status_changes WHERE {' AND '.join(where)} "
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
        df = self._read("SELECT seq, entity, entity_id, field, action, value_json AS value, old_value_json AS old_value,"
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
        df = self._read(
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
        df = self._read("SELECT review_date FROM review_meetings ORDER BY review_date")
        return [] if df is None else [dt.date.fromisoformat(d) for d in df["review_date"]]

    def previous_review_date(self, before: dt.date) -> dt.date | None:
        """Return the latest recorded review date strictly before ``before``."""
        earlier = [d for d in self.review_dates() if d < before]
        return earlier[-1] if earlier else None

    def snapshots(self, entity: str | None = None) -> pd.DataFrame:
        cols = ["entity", "entity_id", "doc_id", "file_name", "title", "text", "detail", "first_seen_at", "updated_at"]
        df = self._read("SELECT entity, entity_id, doc_id, file_name, title, text, detail_json AS detail, "
                        "first_seen_at, updated_at FROM snapshots"
                        + (" WHERE entity = :entity" if entity else "") + " ORDER BY entity, entity_id",
                        {"entity": entity} if entity else {})
        if df is None:
            return pd.DataFrame(columns=cols)
        df["detail"] = [json.loads(v) if v else {} for v in df["detail"]]
        return df

    def resolutions(self) -> pd.DataFrame:
        cols = ["seq", "entity", "entity_id", "action", "new_id", "note", "reviewer", "changed_at"]
        df = self._read(f"SELECT {', '.join(cols)} FROM resolutions ORDER BY changed_at, seq")
        return _with_ts(pd.DataFrame(columns=cols) if df is None else df, "changed_at")

    def tracked_ids(self, entity: str = "commitment") -> set[str]:
        """Return the IDs of facts that have a status or a correction."""
        ids = set()
        if entity == "commitment":
            df = self._read("SELECT DISTINCT commitment_id FROM status_changes")
            ids |= set() if df is None else set(df["commitment_id"])
        df = self._read("SELECT DISTINCT entity_id FROM corrections WHERE entity = :e", {"e": entity})
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

    # export / import -----------------------------------------------------------------

    def _rows(self, sql: str) -> list[sqlite3.Row]:
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

    def export_records(self) -> list[dict]:
        """Return every entry as export records (meetings, snapshots, statuses, corrections, resolutions)."""
        out: list[dict] = []
        for r in self._rows("SELECT * FROM review_meetings ORDER BY review_date"):
            out.append({"kind": "review", "review_date": r["review_date"], "reviewer": r["reviewer"],
                        "note": r["note"], "changed_at": r["recorded_at"]})
        for r in self._rows("SELECT * FROM snapshots ORDER BY entity, entity_id"):
            rec = {"kind": "snapshot", "entity": r["entity"], "entity_id": r["entity_id"], "doc_id": r["doc_id"],
                   "file_name": r["file_name"], "title": r["title"], "text": r["text"],
                   "detail": json.loads(r["detail_json"]) if r["detail_json"] else {}, "changed_at": r["updated_at"]}
            rec["commitment_id" if r["entity"] == "commitment" else "figure_id"] = r["entity_id"]
            out.append(rec)
        for r in self._rows("SELECT * FROM status_changes ORDER BY changed_at, seq"):
            out.append({"kind": "status", **{k: r[k] for k in (
                "commitment_id", "status", "old_status", "note", "reviewer", "changed_at", "evidence_url",
                "evidence_doc_id")}})
        for r in self._rows("SELECT * FROM corrections ORDER BY changed_at, seq"):
            rec = {"kind": "correction", "entity": r["entity"], "entity_id": r["entity_id"], "field": r["field"],
                   "action": r["action"], "value": None if r["value_json"] is None else json.loads(r["value_json"]),
                   "old_value": None if r["old_value_json"] is None else json.loads(r["old_value_json"]),
                   "reason": r["reason"], "reviewer": r["reviewer"], "changed_at": r["changed_at"]}
            rec["commitment_id" if r["entity"] == "commitment" else "figure_id"] = r["entity_id"]
            out.append(rec)
        for r in self._rows("SELECT * FROM resolutions ORDER BY changed_at, seq"):
            out.append({"kind": "resolution", **{k: r[k] for k in (
                "entity", "entity_id", "action", "new_id", "note", "reviewer", "changed_at")}})
        from etl import link_reviews  # decisions on follow-through links (kind=link)

        out += link_reviews.export_records(self)
        return out

    def export_file(self, path: str | os.PathLike) -> int:
        """Write every entry to ``path`` (.jsonl/.json or .csv, written atomically); return the line count."""
        path = Path(path)
        fmt = file_format(path)
        records = self.export_records()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if fmt == "jsonl":
                with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                    for rec in records:
                        fh.write(json.dumps({k: v for k, v in rec.items() if v is not None or k == "note"},
                                            ensure_ascii=False)
                                 + "\n")
            else:
                with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                    w = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
                    w.writeheader()
                    for rec in records:
                        w.writerow({k: _csv_cell(k, rec.get(k)) for k in EXPORT_COLUMNS})
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
        return len(records)

    def import_records(self, records: Iterable[dict]) -> ImportReport:
        """Add records not already present, all in one transaction; nothing is added if any line is invalid."""
        report = ImportReport(added={k: 0 for k in KINDS})
        from etl import link_reviews  # decisions on follow-through links (kind=link)

        records, link_decisions = link_reviews.partition(list(records), report)
        prepared = []
        for n, rec in enumerate(records, start=1):
            try:
                prepared.append(_prepare_record(rec))
            except (ValueError, TypeError, KeyError, OverflowError, json.JSONDecodeError) as exc:
                report.errors.append(f"line {n}: {exc}")
            except RecursionError:
                report.errors.append(f"line {n}: a value nested too deeply")
        if report.errors:
            return report
        order = {k: i for i, k in enumerate(KINDS)}
        prepared.sort(key=lambda p: (order[p[0]], p[1].get("changed_at") or ""))
        with self._write() as con:
            now = utc_now()
            for kind, r in prepared:
                if kind == "review":
                    n = _insert_review(con, r["review_date"], r["reviewer"], r["note"], r["changed_at"] or now)
                elif kind == "snapshot":
                    n = _upsert_snapshot(con, r["snapshot"], r["changed_at"] or now, only_if_newer=True)
                elif kind == "status":
                    old = r["old_status"] or _status_before(con, r["commitment_id"], r["changed_at"])
                    n = _insert_status(con, r["commitment_id"], old, r["status"], r["note"], r["reviewer"],
                                       r["changed_at"], r["evidence_url"], r["evidence_doc_id"], now)
                elif kind == "correction":
                    n = _insert_correction(con, r["entity"], r["entity_id"], r["field"], r["action"], r["value"],
                                           r["old_value"], r["reason"], r["reviewer"], r["changed_at"], now)
                else:
                    n = _insert_resolution(con, r["entity"], r["entity_id"], r["action"], r["new_id"], r["note"],
                                           r["reviewer"], r["changed_at"], now)
                report.added[kind] += n
                if not n and kind != "snapshot":
                    report.already_present += 1
            link_reviews.import_into(con, link_decisions, report, now)
        return report

    def import_file(self, path: str | os.PathLike, facts_db: str | os.PathLike | None = None) -> ImportReport:
        """Import a file written by ``export_file`` (or by hand, same columns); idempotent.

        Entries naming a commitment or figure the facts database does not hold are imported
        (they show as no longer extracted) and counted in ``report.unknown``.
        """
        records = read_records(path)
        report = self.import_records(records)
        if report.ok:
            report.unknown, report.unchecked = unknown_ids(records, facts_db)
        return report


def unknown_ids(records: list[dict], facts_db: str | os.PathLike | None = None) -> tuple[dict[str, list[str]], str | None]:
    """Return (entity -> IDs the records name that the facts database lacks, why unchecked or None)."""
    wanted: dict[str, set[str]] = {"commitment": set(), "figure": set()}
    for rec in records:
        if not isinstance(rec, dict):
            continue
        entity = _text(rec.get("entity"))
        eid = _text(rec.get("entity_id"))
        if entity in wanted and eid:
            wanted[entity].add(eid.strip())
        elif _text(rec.get("figure_id")) and _text(rec.get("kind")) != "status":
            wanted["figure"].add(str(rec["figure_id"]).strip())
        elif _text(rec.get("commitment_id")):
            wanted["commitment"].add(str(rec["commitment_id"]).strip())
    if not any(wanted.values()):
        return {}, None
    path = facts_path(facts_db)
    if not path.exists():
        return {}, f"no facts database at {path}: the IDs were not checked"
    try:
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            out = {}
            for entity, table in (("commitment", "commitments"), ("figure", "figures")):
                ids = sorted(wanted[entity])
                if not ids:
                    continue
                have = {r[0] for r in con.execute(f"SELECT {entity}_id FROM {table} WHERE list_contains(?, {entity}_id)",
                                                  [ids]).fetchall()}
                missing = [i for i in ids if i not in have]
                if missing:
                    out[entity] = missing
            return out, None
        finally:
            con.close()
    except Exception as exc:  # noqa: BLE001 - a damaged or busy facts database must not stop the import
        return {}, f"the facts database could not be read ({type(exc).__name__}): the IDs were not checked"


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


def _status_before(con: sqlite3.Connection, cid: str, changed_at: str) -> str:
    row = con.execute("SELECT status FROM status_changes WHERE commitment_id = ? AND min(changed_at, recorded_at) < ? "
                      "ORDER BY min(changed_at, recorded_at) DESC, seq DESC LIMIT 1", (cid, changed_at)).fetchone()
    return row[0] if row else DEFAULT_STATUS


def status_entry_key(cid, status, note, reviewer, changed_at, url, doc) -> str:
    return _key("status", cid, status, note, reviewer, changed_at, url, doc)


def _insert_status(con, cid, old, status, note, reviewer, changed_at, url, doc, recorded_at) -> int:
    cur = con.execute(
        "INSERT OR IGNORE INTO status_changes (entry_key, commitment_id, old_status, status, note, reviewer,"
        " changed_at, evidence_url, evidence_doc_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (status_entry_key(cid, status, note, reviewer, changed_at, url, doc), cid, old, status, note, reviewer,
         changed_at, url, doc, recorded_at))
    return cur.rowcount


def _insert_correction(con, entity, eid, fld, action, value, old_value, reason, reviewer, changed_at,
                       recorded_at) -> int:
    value_json = None if action == "clear" else _dumps(value)
    cur = con.execute(
        "INSERT OR IGNORE INTO corrections (entry_key, entity, entity_id, field, action, value_json, old_value_json,"
        " reason, reviewer, changed_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (_key("correction", entity, eid, fld, action, value_json, reason, reviewer, changed_at), entity, eid, fld,
         action, value_json, None if old_value is None else _dumps(old_value), reason, reviewer, changed_at,
         recorded_at))
    return cur.rowcount


def _insert_review(con, review_date, reviewer, note, recorded_at) -> int:
    cur = con.execute("INSERT OR IGNORE INTO review_meetings (review_date, reviewer, note, recorded_at) "
                      "VALUES (?, ?, ?, ?)", (_to_date_text(review_date), reviewer, note, recorded_at))
    return cur.rowcount


def _insert_resolution(con, entity, eid, action, new_id, note, reviewer, changed_at, recorded_at) -> int:
    cur = con.execute(
        "INSERT OR IGNORE INTO resolutions (entry_key, entity, entity_id, action, new_id, note, reviewer,"
        " changed_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (_key("resolution", entity, eid, action, new_id, note, reviewer, changed_at), entity, eid, action, new_id,
         note, reviewer, changed_at, recorded_at))
    return cur.rowcount


def _upsert_snapshot(con, snap: Snapshot, at: str, only_if_newer: bool = False) -> int:
    if snap.entity not in ENTITIES:
        raise ValueError(f"snapshot entity must be one of {ENTITIES}")
    row = con.execute("SELECT updated_at FROM snapshots WHERE entity = ? AND entity_id = ?",
                      (snap.entity, snap.entity_id)).fetchone()
    detail = _dumps(snap.detail or {})
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
            basis = values.get("deadline_basis") or ("explicit" if _text(values.get("deadline_date")) else "none")
            values["deadline_basis"] = basis
            values["deadline_date"] = None if basis == "none" else values.get("deadline_date")
            if basis != "none" and _to_date_text(values["deadline_date"]) is None:
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
# Files


def file_format(path: str | os.PathLike) -> str:
    """Return 'jsonl' or 'csv' from a file name; raise ValueError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise ValueError(f"unknown file type {suffix or '(none)'}: use .jsonl, .json or .csv")


def _csv_cell(key: str, value) -> str:
    if value is None:
        return ""
    if key in ("value", "old_value", "detail"):
        return neutralise(_dumps(value))
    return neutralise(str(value))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection)."""


def neutralise(text: str) -> str:
    """Prefix ``'`` to a CSV cell a spreadsheet would run as a formula (and to one starting with ``'``,
    so that ``restore`` gives back exactly what was written).

    >>> neutralise("=1+1"), neutralise("-1"), neutralise("'a"), neutralise("a=b")
    ("'=1+1", "'-1", "''a", 'a=b')
    >>> all(restore(neutralise(t)) == t for t in ("=1+1", "'", "''=x", "@a", "\tb", "plain", ""))
    True
    """
    return "'" + text if text.startswith(FORMULA_STARTS + ("'",)) else text


def restore(text: str) -> str:
    """Undo ``neutralise`` on a cell read from a CSV export."""
    return text[1:] if text.startswith("'") else text


_CSV_FIELD_LIMIT = 2**31 - 1
"""CSV fields of any length (a long note): the csv module's default stops at 131,072 characters."""


def read_records(path: str | os.PathLike) -> list[dict]:
    """Read an export file (JSON lines, a JSON array, or CSV) into records."""
    path = Path(path)
    fmt = file_format(path)
    if fmt == "jsonl":
        text = path.read_text(encoding="utf-8-sig")
        stripped = text.lstrip()
        if stripped.startswith("["):
            return list(_json(stripped, "the file"))
        out = []
        # split on "\n" only: a note may hold U+2028 or U+0085, which JSON leaves unescaped
        for n, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                out.append(_json(line, f"line {n}"))
        return out
    out = []
    previous = csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except csv.Error as exc:
        raise ValueError(f"not a readable CSV: {exc}") from None
    finally:
        csv.field_size_limit(previous)
    for n, row in enumerate(rows, start=2):
        rec = {k: restore(v) for k, v in row.items() if k is not None and isinstance(v, str) and v != ""}
        for k in ("value", "old_value", "detail"):
            if k in rec:
                try:
                    rec[k] = _json(rec[k], f"line {n} {k}")
                except ValueError:
                    pass  # written by hand without JSON quoting: keep the text, the field rule checks it
        out.append(rec)
    return out


MAX_JSON_DEPTH = 64
"""Deeper JSON than this in an import file is refused (no record needs more than three levels)."""


def _json(text: str, where: str):
    """Parse JSON from an import file; a clear ``ValueError`` for bad or absurdly nested JSON."""
    depth = deepest = 0
    in_string = escaped = False
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH:  # only then is the nesting worth measuring
        for ch in text:
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch in "[{":
                depth += 1
                deepest = max(deepest, depth)
                if deepest > MAX_JSON_DEPTH:
                    raise ValueError(f"{where}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
            elif ch in "]}":
                depth -= 1
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise ValueError(f"{where}: JSON nested too deeply") from None


def _prepare_record(rec: dict) -> tuple[str, dict]:
    """Check one import record and normalise it to what is stored (so keys match)."""
    if not isinstance(rec, dict):
        raise TypeError("each line must be a JSON object")
    kind = _text(rec.get("kind")) or ("status" if rec.get("status") is not None else None)
    if kind not in KINDS:
        raise ValueError(f"unknown kind {rec.get('kind')!r}; expected one of {', '.join(KINDS)}")
    changed = rec.get("changed_at")
    changed_at = _claimed_time(changed) if _text(changed) else None
    entity = _text(rec.get("entity"))
    eid = _text(rec.get("entity_id"))
    if kind in ("snapshot", "correction", "resolution") and not eid:
        if _text(rec.get("figure_id")) and entity in (None, "figure"):
            entity, eid = "figure", _text(rec.get("figure_id"))
        elif _text(rec.get("commitment_id")):
            entity, eid = entity or "commitment", _text(rec.get("commitment_id"))
    if kind in ("snapshot", "correction", "resolution"):
        if entity not in ENTITIES:
            raise ValueError(f"entity must be one of {ENTITIES}")
        if not eid:
            raise ValueError("missing entity_id / commitment_id / figure_id")
    if kind == "review":
        return kind, {"review_date": _to_date_text(rec.get("review_date")) or _require(None, "review_date"),
                      "reviewer": _text(rec.get("reviewer")), "note": _text(rec.get("note")),
                      "changed_at": changed_at}
    if kind == "snapshot":
        detail = rec.get("detail") or {}
        if isinstance(detail, str):
            detail = json.loads(detail)
        return kind, {"changed_at": changed_at, "snapshot": Snapshot(
            entity, eid, _text(rec.get("doc_id")), _text(rec.get("file_name")), _text(rec.get("title")),
            _text(rec.get("text")), detail)}
    reviewer = _reviewer(rec.get("reviewer"))
    changed_at = changed_at or _require(None, "changed_at")
    if kind == "status":
        cid = _require(_text(rec.get("commitment_id")), "commitment_id").strip()
        old = _text(rec.get("old_status"))
        return kind, {"commitment_id": cid, "status": parse_status(rec.get("status")),
                      "old_status": parse_status(old) if old else None, "note": _text(rec.get("note")),
                      "reviewer": reviewer, "changed_at": changed_at, "evidence_url": _text(rec.get("evidence_url")),
                      "evidence_doc_id": _text(rec.get("evidence_doc_id"))}
    if kind == "correction":
        fld = _require(_text(rec.get("field")), "field")
        action = _text(rec.get("action")) or "set"
        if action not in CORRECTION_ACTIONS:
            raise ValueError(f"action must be one of {CORRECTION_ACTIONS}")
        rule = CORRECTABLE.get((entity, fld))
        if rule is None:
            raise ValueError(f"{entity} field {fld!r} cannot be corrected")
        value = rec.get("value")
        if action == "set" and not (fld == "deadline_date" and value in (None, "")):
            value = rule(value)
        elif action == "set":
            value = None
        else:
            value = None
        return kind, {"entity": entity, "entity_id": eid, "field": fld, "action": action, "value": value,
                      "old_value": rec.get("old_value"), "reason": _require(_text(rec.get("reason")), "reason"),
                      "reviewer": reviewer, "changed_at": changed_at}
    action = _text(rec.get("action"))
    if action not in RESOLUTIONS:
        raise ValueError(f"resolution action must be one of {RESOLUTIONS}")
    return kind, {"entity": entity, "entity_id": eid, "action": action, "new_id": _text(rec.get("new_id")),
                  "note": _text(rec.get("note")), "reviewer": reviewer, "changed_at": changed_at}


def _require(value, name: str):
    if value is None:
        raise ValueError(f"missing {name}")
    return value


# --------------------------------------------------------------------------------------
# Snapshots from the facts DB (read-only, short-lived connection)


def facts_snapshots(entity: str, ids: Iterable[str], facts_db: str | os.PathLike | None = None) -> list[Snapshot]:
    """Read the current text and document of facts from the facts DB, for the store's snapshots."""
    import duckdb

    ids = list(dict.fromkeys(ids))
    db = facts_path(facts_db)
    if not ids or not db.exists():
        return []
    con = duckdb.connect(str(db), read_only=True)
    try:
        if entity == "commitment":
            df = con.execute(
                "SELECT c.commitment_id AS entity_id, c.doc_id, d.file_name, d.title, c.text, c.item_label,"
                " c.lead_agency_ids, c.lead_agency_names, CAST(c.deadline_date AS VARCHAR) AS deadline_date,"
                " c.deadline_basis FROM commitments c JOIN documents d USING (doc_id)"
                " WHERE list_contains($ids, c.commitment_id)", {"ids": ids}).df()
            extra = ["item_label", "lead_agency_ids", "lead_agency_names", "deadline_date", "deadline_basis"]
        else:
            df = con.execute(
                "SELECT f.figure_id AS entity_id, f.doc_id, d.file_name, d.title, f.sentence AS text, f.figure_type,"
                " f.span_text, f.amount_yuan, f.money_kind, f.figure_year, f.is_target, f.commitment_id"
                " FROM figures f JOIN documents d USING (doc_id) WHERE list_contains($ids, f.figure_id)",
                {"ids": ids}).df()
            extra = ["figure_type", "span_text", "amount_yuan", "money_kind", "figure_year", "is_target",
                     "commitment_id"]
    finally:
        con.close()
    out = []
    for r in df.to_dict("records"):
        detail = {k: _plain(r[k]) for k in extra}
        out.append(Snapshot(entity, r["entity_id"], r["doc_id"], r["file_name"], r["title"], r["text"], detail))
    return out


def _plain(v):
    if v is None:
        return None
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, float) and math.isnan(v):
        return None
    if pd.api.types.is_scalar(v) and pd.isna(v):
        return None
    return v.item() if hasattr(v, "item") else v


# --------------------------------------------------------------------------------------
# From an edited table to status changes (the review page's bulk editor)


def changes_from_table(before: pd.DataFrame, after: pd.DataFrame) -> list[StatusChange]:
    """Return a StatusChange for every row whose status or note was edited, or that gained evidence.

    Both frames have ``commitment_id``, ``status`` and ``note`` (and optionally ``evidence_url``,
    ``evidence_doc_id``), row for row; ``seen_status`` is the status the table showed.

    >>> b = pd.DataFrame({"commitment_id": ["c_1", "c_2"], "status": ["not_assessed", "on_track"], "note": [None, "ok"]})
    >>> a = b.assign(status=["delayed", "on_track"], note=[None, "ok "])
    >>> [(c.commitment_id, c.status, c.seen_status) for c in changes_from_table(b, a)]
    [('c_1', 'delayed', 'not_assessed')]
    """
    if len(before) != len(after):
        raise ValueError("the edited table must keep its rows")
    out = []
    for (_, b), (_, a) in zip(before.iterrows(), after.iterrows()):
        if b["commitment_id"] != a["commitment_id"]:
            raise ValueError("the edited table must keep its rows in order")
        old_note, new_note = (_text(b.get("note")) or "").strip(), (_text(a.get("note")) or "").strip()
        url, doc = _text(a.get("evidence_url")), _text(a.get("evidence_doc_id"))
        status = _text(a.get("status")) or DEFAULT_STATUS
        if status == (_text(b.get("status")) or DEFAULT_STATUS) and new_note == old_note and not url and not doc:
            continue
        out.append(StatusChange(a["commitment_id"], status, new_note or None, url.strip() if url else None, doc,
                                seen_status=_text(b.get("status")) or DEFAULT_STATUS))
    return out


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

