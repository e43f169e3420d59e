"""Open the facts database for the dashboard: one read-only in-memory DuckDB per file version, cursors, a cache.

In: ``$COMMITMENTS_DB`` (default ``data/commitments.duckdb``) and the analysts' store. Out:
``cursor()`` (a cursor on an in-memory DuckDB with the facts attached read-only and the
corrections applied, ``dashboard.data.corrections``), ``run(statement, params)`` (a
``Statement`` run and cached on the files' ``Stamp``), ``by_ids`` and ``execute``.

Per version of the files (their ``Stamp``) the process keeps one in-memory DuckDB; each query
runs on a cursor of it, so a query pays no connect. A new ETL file (the ETL swaps it in with
``os.replace``) or a saved correction gives a new stamp and a new database. Results are cached
with ``st.cache_data`` keyed on the stamp, the statement's name and its parameters, so a new ETL
run or a saved correction shows on the next interaction.
"""

from __future__ import annotations

import os
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import duckdb
import pandas as pd
import streamlit as st

from dashboard.data import corrections
from etl import derive
from review import store as review_store

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = "data/commitments.duckdb"
RETRIES = 40
RETRY_SECONDS = 0.05
CACHED_ROWS_MAX = 10_000
"""Lists asked for with more rows than this (downloads) are fetched each time, not cached."""
BY_ID_MAX = 1_000
"""Up to this many IDs (a page), ``by_ids`` fetches rows by ID (one parameter each: the primary key's
index); beyond (a whole list, for a download), by a join with the IDs registered as a frame, which
binds faster than thousands of parameters."""
SEARCH_PATH = "SET search_path = 'facts.main,memory.main'"


# ---------------------------------------------------------------------------------------------
# Files, stamps, connections
# ---------------------------------------------------------------------------------------------

def db_path() -> Path:
    """Return the database path: ``$COMMITMENTS_DB``, else ``data/commitments.duckdb`` in the repo."""
    env = os.environ.get("COMMITMENTS_DB")
    return Path(env) if env else REPO_ROOT / DEFAULT_DB


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@dataclass(frozen=True)
class Stamp:
    """Which database and reviews file, as of which modification: the cache key of every query."""

    db: str
    db_mtime_ns: int
    reviews: str
    reviews_mtime_ns: int
    reviews_wal_mtime_ns: int = 0


def stamp() -> Stamp:
    """Return the current stamp (a changed file gives a new stamp, hence fresh query results)."""
    db, reviews = db_path(), review_store.reviews_path()
    return Stamp(str(db), _mtime_ns(db), str(reviews), _mtime_ns(reviews),
                 _mtime_ns(reviews.with_name(reviews.name + "-wal")))


class NoDatabase(Exception):
    """The database file does not exist (or is not a facts database)."""


def _retrying(path: str, opener):
    """Return ``opener()``, retrying while another process holds ``path`` or swaps it in."""
    last: Exception | None = None
    for attempt in range(RETRIES):
        if not Path(path).exists():
            raise NoDatabase(path)
        try:
            return opener()
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():  # not a writer in the way: a broken file
                raise
            last = exc
            time.sleep(RETRY_SECONDS * (1 + attempt // 10))
    raise last  # type: ignore[misc]



def _quoted(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _open_instance(s: Stamp) -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB with the database attached read-only and the effective views made."""
    figures, commitments, _, _ = corrections.corrections(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns)
    con = duckdb.connect(":memory:")
    try:
        # The path is ours (the environment or the default), quoted as an SQL literal: ATTACH takes no parameters.
        _retrying(s.db, lambda: con.execute(f"ATTACH {_quoted(s.db)} AS facts (READ_ONLY)"))
        con.execute(SEARCH_PATH)
        corrections.make_views(con, figures, commitments, _has_fact_tables(con))
        return con
    except BaseException:
        con.close()
        raise


def _has_fact_tables(con) -> bool:
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_catalog = 'facts'").fetchall()}
    return set(derive.DERIVED) <= names


@dataclass
class _Database:
    """One stamp's in-memory database, and how many cursors are using it."""

    con: duckdb.DuckDBPyConnection
    users: int = 0
    retired: bool = False


_INSTANCES: dict[tuple, _Database] = {}
"""Open databases by (database file, its modification, the corrections' fingerprint)."""
_INSTANCES_LOCK = threading.Lock()


def _close_instances() -> None:
    """Retire the open databases: each closes now, or when its last cursor is done (another thread's query)."""
    for old in list(_INSTANCES):
        db = _INSTANCES.pop(old)
        db.retired = True
        if db.users == 0:
            db.con.close()


@contextmanager
def cursor(s: Stamp | None = None):
    """Yield a read-only cursor on the current files (one per query and thread: DuckDB's rule).

    The database is opened once per file version and set of corrections (a saved status
    keeps it; a new ETL file or a new correction opens another and retires the older ones).
    """
    s = s or stamp()
    if s.db_mtime_ns == 0:
        raise NoDatabase(s.db)
    key = (s.db, s.db_mtime_ns, corrections.corrections(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns)[3])
    with _INSTANCES_LOCK:
        db = _INSTANCES.get(key)
        if db is None:
            db = _Database(_open_instance(s))
            _close_instances()
            _INSTANCES[key] = db
        db.users += 1
        try:
            cur = db.con.cursor()
        except BaseException:
            db.users -= 1
            raise
    try:
        cur.execute(SEARCH_PATH)
        cur.register("review_closed", corrections.closed(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns))
        yield cur
    finally:
        cur.close()
        with _INSTANCES_LOCK:
            db.users -= 1
            if db.retired and db.users == 0:
                db.con.close()


_PARAM = re.compile(r"\$([a-z_0-9]+)")


def used_params(sql: str, params: dict) -> dict:
    """Return the parameters ``sql`` names (DuckDB rejects unused ones)."""
    names = set(_PARAM.findall(sql))
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items() if k in names}



def execute(cur, sql: str, values: dict) -> pd.DataFrame:
    """Run ``sql`` with the parameters of ``values`` it names."""
    return cur.execute(sql, used_params(sql, values)).df()


def by_ids(cur, template: str, ids, params: dict | None = None) -> pd.DataFrame:
    """Run ``template`` for these IDs, its ``{ids}`` filled with one parameter name per ID.

    An ``IN`` of constants uses the primary key's index: a page of rows is found by ID without
    scanning the table. Only parameter names go into the SQL; the IDs are bound. More than
    ``BY_ID_MAX`` IDs (a whole list, for a download) are registered as a frame and joined.
    """
    ids = list(dict.fromkeys(str(i) for i in ids))
    if len(ids) > BY_ID_MAX:
        cur.register("by_ids_frame", pd.DataFrame({"id": pd.Series(ids, dtype=object)}))
        try:
            return cur.execute(template.format(ids="SELECT id FROM by_ids_frame"), params or {}).df()
        finally:
            cur.unregister("by_ids_frame")
    names = [f"$id{i}" for i in range(len(ids))] or ["NULL"]
    sql = template.format(ids=", ".join(names))
    return cur.execute(sql, {**(params or {}), **{f"id{i}": v for i, v in enumerate(ids)}}).df()


@dataclass(frozen=True)
class Statement:
    """One query of the data layer: its name (the cache key, unique) and how it runs on a cursor."""

    name: str
    run: Callable[[Any, dict], pd.DataFrame] = field(compare=False, repr=False)


@st.cache_data(show_spinner=False, max_entries=512)
def results(s: Stamp, key: str, params: tuple, _statement: Statement) -> pd.DataFrame:
    """Return ``_statement`` run with ``params`` (cached on the stamp, ``key`` = its name, and the parameters)."""
    return compute(s, _statement, params)


def compute(s: Stamp, statement: Statement, params: tuple) -> pd.DataFrame:
    """Run ``statement`` with ``params`` on a cursor of the stamp's database (no cache)."""
    with cursor(s) as cur:
        return statement.run(cur, dict(params))


def run(statement: Statement, params: dict) -> pd.DataFrame:
    """Run ``statement`` with ``params`` on the current files (cached on their stamp).

    The analyst's splits of same-fact groups travel as ``$split_ids``. A whole list (``limit``
    None or above ``CACHED_ROWS_MAX``, a download) is fetched each time: caching would pickle it twice.
    """
    s = stamp()
    if s.db_mtime_ns == 0:
        raise NoDatabase(s.db)
    params = {**params, "split_ids": list(corrections.split_ids(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns))}
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    if "limit" in params and (params["limit"] is None or params["limit"] > CACHED_ROWS_MAX):
        return compute(s, statement, frozen)
    return results(s, statement.name, frozen, statement)


def clear() -> None:
    """Forget every cached result and correction and close the open databases (for benchmarks and tests)."""
    results.clear()
    corrections.corrections.clear()
    corrections.closed.clear()
    corrections.split_ids.clear()
    with _INSTANCES_LOCK:
        _close_instances()
