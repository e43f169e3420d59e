"""Read the facts database for the dashboard: every SQL statement, with bound parameters.

In: ``Filters`` and a few page controls. Out: DataFrames (one row per chart mark or table row).

- The database is ``$COMMITMENTS_DB`` (default ``data/commitments.duckdb``). Per version of the
  files (their ``Stamp``) the process keeps one in-memory DuckDB with the database attached
  read-only; each query runs on a cursor of it, so a query pays no connect. A new ETL file (the
  ETL swaps it in with ``os.replace``) or a saved correction gives a new stamp and a new one.
- Charts and filters read the ETL's derived tables (``fact_commitments``, ``fact_figures``,
  see ``etl/derive.py``): one row per fact with its document's columns and agency keys.
- The analysts' corrections (``review.store.figure_corrections()`` /
  ``commitment_corrections()``) are copied into the in-memory database; the few rows they
  touch are derived again there with the ETL's own definitions, and the views ``com_eff`` /
  ``fig_eff`` put them in place of the ETL's rows (rejected rows dropped; ``is_corrected`` says
  which rows an analyst changed). ``eff_commitments`` / ``eff_figures`` do the same for the
  loaded tables' text columns. A store that cannot be read gives no corrections (and a warning).
- Row lists are paged in SQL (``limit``/``offset``; ``None`` for every row, as exports do).
- Results are cached with ``st.cache_data`` keyed on the stamp, so a new ETL run or a saved
  correction shows on the next interaction.

SQL is assembled only from the constant fragments below (which fragments, by which filters are
set); user input always travels as named parameters (``$agency_ids``, ``$keyword`` …).
"""

from __future__ import annotations

import os
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard.filters_state import Filters, keyword_pattern
from etl import derive
from etl.schema import MONEY_KINDS
from review import link_decisions
from review import store as review_store
from review.values import CLOSED_STATUSES

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "data/commitments.duckdb"
SUMMED_KINDS = tuple(k for k in MONEY_KINDS if k != "subsidy_rate")
"""Money kinds a chart or headline sums, each on its own (fiscal spending, funds' size, financing, economic
figures): one is never added to another. Subsidy rates are per recipient and never summed."""
DEFAULT_KIND = "fiscal"
"""The kind the headline and the charts show first: public spending."""
SPENDING_KINDS = (DEFAULT_KIND,)
RETRIES = 40
RETRY_SECONDS = 0.05
CACHED_ROWS_MAX = 10_000
"""Lists asked for with more rows than this (downloads) are fetched each time, not cached."""
DOCUMENT_CHOICES_MAX = 1000
"""Up to this many documents the sidebar lists them all; beyond, it offers a title search."""

FIGURE_CORRECTION_COLUMNS = {"figure_id": "string", "amount_yuan": "float64", "money_kind": "string",
                             "figure_year": "Int64", "is_target": "boolean", "is_rejected": "boolean"}
COMMITMENT_CORRECTION_COLUMNS = {"commitment_id": "string", "lead_agency_ids": "object",
                                 "deadline_date": "datetime64[ns]", "deadline_basis": "string",
                                 "is_rejected": "boolean"}
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


def _normalize(frame: pd.DataFrame | None, columns: dict[str, str]) -> pd.DataFrame:
    """Return the corrections with exactly ``columns`` (missing ones empty), typed, one row per ID."""
    frame = pd.DataFrame() if frame is None else frame
    out = pd.DataFrame(index=range(len(frame)))
    for name, dtype in columns.items():
        values = frame[name].tolist() if name in frame.columns else [None] * len(frame)
        if name == "lead_agency_ids":
            out[name] = pd.Series([_id_list(v) for v in values], dtype="object")
        elif dtype.startswith("datetime"):
            out[name] = pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce")
        else:
            out[name] = pd.Series([None if _missing(v) else v for v in values], dtype="object").astype(dtype)
    key = next(iter(columns))
    out = out[out[key].notna()]
    return out.drop_duplicates(subset=[key], keep="last").reset_index(drop=True)


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _id_list(value) -> list[str] | None:
    if value is None or isinstance(value, str) or _missing(value) is True:
        return [value] if isinstance(value, str) and value else None
    return [str(v) for v in list(value)]


@st.cache_data(show_spinner=False, max_entries=16)
def _corrections(reviews: str, reviews_mtime_ns: int, wal_mtime_ns: int = 0
                 ) -> tuple[pd.DataFrame, pd.DataFrame, str | None, str]:
    """Return (figure corrections, commitment corrections, warning, their fingerprint) from the review store."""
    warning = None
    try:
        figures = review_store.figure_corrections(reviews)
        commitments = review_store.commitment_corrections(reviews)
    except Exception as exc:  # a broken reviews file must not take the dashboard down
        figures = commitments = None
        warning = f"{type(exc).__name__}: {exc}"
    figures = _normalize(figures, FIGURE_CORRECTION_COLUMNS)
    commitments = _normalize(commitments, COMMITMENT_CORRECTION_COLUMNS)
    return figures, commitments, warning, _corrections_digest(figures, commitments)


def _corrections_digest(figures: pd.DataFrame, commitments: pd.DataFrame) -> str:
    """Return a fingerprint of the corrections (a status saved without a correction keeps it)."""
    import hashlib

    digest = hashlib.sha256()
    for frame in (figures, commitments):
        digest.update(frame.to_json(orient="split", date_format="iso", default_handler=str).encode("utf-8"))
    return digest.hexdigest()


@st.cache_data(show_spinner=False, max_entries=16)
def _closed(reviews: str, reviews_mtime_ns: int, wal_mtime_ns: int = 0) -> pd.DataFrame:
    """Return [commitment_id, status] of the commitments whose current status closes them (completed, dropped).

    What the deadline state needs from the review store (``deadline_state_sql``): the
    other statuses never change it. Empty when the store cannot be read.
    """
    del reviews_mtime_ns, wal_mtime_ns  # cache key only
    try:
        current = review_store.current_statuses(reviews)
    except Exception:  # no store, or a broken one: nothing is closed (the review page says why)
        current = None
    if current is None or current.empty:
        return pd.DataFrame({"commitment_id": pd.Series([], dtype="string"), "status": pd.Series([], dtype="string")})
    closed = current[current["status"].isin(CLOSED_STATUSES)]
    return pd.DataFrame({"commitment_id": closed["commitment_id"].astype("string").to_numpy(),
                         "status": closed["status"].astype("string").to_numpy()})


def corrections_warning() -> str | None:
    """Return why the corrections could not be read, or None."""
    s = stamp()
    return _corrections(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns)[2]


_CORRECTION_TABLES = (
    """
    CREATE TABLE memory.main.figure_corrections AS
    SELECT CAST(figure_id AS VARCHAR) AS figure_id, CAST(amount_yuan AS DOUBLE) AS amount_yuan,
           CAST(money_kind AS VARCHAR) AS money_kind, CAST(figure_year AS INTEGER) AS figure_year,
           CAST(is_target AS BOOLEAN) AS is_target, CAST(is_rejected AS BOOLEAN) AS is_rejected
    FROM figure_frame
    """,
    """
    CREATE TABLE memory.main.commitment_corrections AS
    SELECT CAST(commitment_id AS VARCHAR) AS commitment_id, CAST(lead_agency_ids AS VARCHAR[]) AS lead_agency_ids,
           CAST(deadline_date AS DATE) AS deadline_date, CAST(deadline_basis AS VARCHAR) AS deadline_basis,
           CAST(is_rejected AS BOOLEAN) AS is_rejected
    FROM commitment_frame
    """,
)

_EFFECTIVE_VIEWS = (
    """
    CREATE VIEW memory.main.eff_figures AS
    SELECT f.figure_id, f.doc_id, f.commitment_id, f.figure_type, f.span_text, f.value, f.unit,
           COALESCE(r.amount_yuan, f.amount_yuan) AS amount_yuan, f.qualifier,
           COALESCE(r.money_kind, f.money_kind) AS money_kind,
           COALESCE(r.figure_year, f.figure_year) AS figure_year,
           COALESCE(r.is_target, f.is_target) AS is_target, f.is_breakdown, f.is_cumulative,
           f.metric, f.agency_id, f.agency_ids, f.char_start, f.char_end,
           f.sentence, f.sentence_start, f.sentence_end,
           (r.amount_yuan IS NOT NULL OR r.money_kind IS NOT NULL OR r.figure_year IS NOT NULL
            OR r.is_target IS NOT NULL) IS TRUE AS is_corrected
    FROM figures f LEFT JOIN figure_corrections r USING (figure_id)
    WHERE NOT COALESCE(r.is_rejected, FALSE)
    """,
    """
    CREATE VIEW memory.main.eff_commitments AS
    WITH corrected_names AS (
        SELECT u.commitment_id, list(COALESCE(a.canonical_name, u.id) ORDER BY u.pos) AS names
        FROM (SELECT commitment_id, unnest(lead_agency_ids) AS id, generate_subscripts(lead_agency_ids, 1) AS pos
              FROM commitment_corrections WHERE lead_agency_ids IS NOT NULL) u
        LEFT JOIN agencies a ON a.agency_id = u.id
        GROUP BY u.commitment_id
    ),
    joined AS (
        SELECT c.*, r.lead_agency_ids AS r_leads, r.deadline_date AS r_date, r.deadline_basis AS r_basis,
               r.is_rejected AS r_rejected, n.names AS r_names
        FROM commitments c LEFT JOIN commitment_corrections r USING (commitment_id)
        LEFT JOIN corrected_names n USING (commitment_id)
    )
    SELECT commitment_id, doc_id, item_label, task_no, section_path, text, char_start, char_end,
           CASE WHEN r_leads IS NOT NULL THEN r_leads ELSE lead_agency_ids END AS lead_agency_ids,
           CASE WHEN r_leads IS NOT NULL THEN COALESCE(r_names, []) ELSE lead_agency_names END AS lead_agency_names,
           CASE WHEN r_basis IS NOT NULL THEN r_date ELSE COALESCE(r_date, deadline_date) END AS deadline_date,
           year(CASE WHEN r_basis IS NOT NULL THEN r_date ELSE COALESCE(r_date, deadline_date) END) AS deadline_year,
           COALESCE(r_basis, deadline_basis) AS deadline_basis,
           CASE WHEN r_basis IS NOT NULL OR r_date IS NOT NULL THEN NULL ELSE deadline_text END AS deadline_text,
           (r_leads IS NOT NULL) AS is_lead_corrected,
           (r_leads IS NOT NULL OR r_date IS NOT NULL OR r_basis IS NOT NULL) AS is_corrected
    FROM joined
    WHERE NOT COALESCE(r_rejected, FALSE)
    """,
)

_UNCORRECTED_FACTS = (
    "CREATE VIEW memory.main.com_eff AS SELECT * FROM facts.main.fact_commitments",
    "CREATE VIEW memory.main.fig_eff AS SELECT * FROM facts.main.fact_figures",
)

_CORRECTED_FACTS = (
    # Commitments: the corrected ones and those holding a corrected figure, derived again from the
    # corrected views (rejected ones are absent there); their place in lists does not change.
    """
    CREATE TABLE memory.main.com_touched AS
    SELECT commitment_id FROM commitment_corrections
    UNION SELECT commitment_id FROM figures
          WHERE figure_id IN (SELECT figure_id FROM figure_corrections) AND commitment_id IS NOT NULL
    """,
    "CREATE TABLE memory.main.com_fix AS SELECT x.*, b.list_order FROM (" + derive.commitments_select(
        "(SELECT * FROM eff_commitments WHERE commitment_id IN (SELECT commitment_id FROM com_touched))",
        "eff_figures") + ") x JOIN facts.main.fact_commitments b USING (commitment_id)",
    """
    CREATE VIEW memory.main.com_eff AS
    SELECT * FROM facts.main.fact_commitments
    WHERE commitment_id NOT IN (SELECT commitment_id FROM com_touched)
    UNION ALL BY NAME SELECT * FROM memory.main.com_fix
    """,
    # Figures: the corrected ones and those of a corrected commitment (their agency and deadline move with it).
    """
    CREATE TABLE memory.main.fig_touched AS
    SELECT figure_id FROM figure_corrections
    UNION SELECT figure_id FROM figures WHERE commitment_id IN (SELECT commitment_id FROM commitment_corrections)
    """,
    "CREATE TABLE memory.main.fig_fix AS " + derive.figures_select(
        "(SELECT * FROM eff_figures WHERE figure_id IN (SELECT figure_id FROM fig_touched))", "com_eff"),
    """
    CREATE VIEW memory.main.fig_eff AS
    SELECT * FROM facts.main.fact_figures WHERE figure_id NOT IN (SELECT figure_id FROM fig_touched)
    UNION ALL BY NAME SELECT * FROM memory.main.fig_fix
    """,
)


def _quoted(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _open_instance(s: Stamp) -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB with the database attached read-only and the effective views made."""
    figures, commitments, _, _ = _corrections(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns)
    con = duckdb.connect(":memory:")
    try:
        # The path is ours (the environment or the default), quoted as an SQL literal: ATTACH takes no parameters.
        _retrying(s.db, lambda: con.execute(f"ATTACH {_quoted(s.db)} AS facts (READ_ONLY)"))
        con.execute(SEARCH_PATH)
        con.register("figure_frame", figures)
        con.register("commitment_frame", commitments)
        for sql in _CORRECTION_TABLES:
            con.execute(sql)
        con.unregister("figure_frame")
        con.unregister("commitment_frame")
        for sql in _EFFECTIVE_VIEWS:
            con.execute(sql)
        if _has_fact_tables(con):
            for sql in (_CORRECTED_FACTS if len(figures) or len(commitments) else _UNCORRECTED_FACTS):
                con.execute(sql)
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
    key = (s.db, s.db_mtime_ns, _corrections(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns)[3])
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
        cur.register("review_closed", _closed(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns))
        yield cur
    finally:
        cur.close()
        with _INSTANCES_LOCK:
            db.users -= 1
            if db.retired and db.users == 0:
                db.con.close()


_PARAM = re.compile(r"\$([a-z_0-9]+)")


def _used_params(sql: str, params: dict) -> dict:
    """Return the parameters ``sql`` names (DuckDB rejects unused ones)."""
    names = set(_PARAM.findall(sql))
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items() if k in names}


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(s: Stamp, name: str, params: tuple) -> pd.DataFrame:
    return _compute(s, name, params)


def _compute(s: Stamp, name: str, params: tuple) -> pd.DataFrame:
    values = dict(params)
    with cursor(s) as cur:
        by_id = values.get("limit") is not None and values["limit"] <= CACHED_ROWS_MAX  # a page: its text by ID
        if name in _PAGED and (by_id or name not in ("commitment_rows", "figure_rows")):
            return _PAGED[name](cur, values)
        sql = _statement(name, values)
        return cur.execute(sql, _used_params(sql, values)).df()


def _execute(cur, name: str, values: dict) -> pd.DataFrame:
    sql = _statement(name, values)
    return cur.execute(sql, _used_params(sql, values)).df()


def by_ids(cur, template: str, ids, params: dict | None = None) -> pd.DataFrame:
    """Run ``template`` for these IDs, its ``{ids}`` filled with one parameter name per ID.

    An ``IN`` of constants uses the primary key's index: a page of rows is found by ID without
    scanning the table. Only parameter names go into the SQL; the IDs are bound.
    """
    ids = list(dict.fromkeys(str(i) for i in ids))
    names = [f"$id{i}" for i in range(len(ids))] or ["NULL"]
    sql = template.format(ids=", ".join(names))
    return cur.execute(sql, {**(params or {}), **{f"id{i}": v for i, v in enumerate(ids)}}).df()


def _by_ids(cur, name: str, ids) -> pd.DataFrame:
    return by_ids(cur, _BY_IDS[name], ids)


def _commitment_page(cur, values: dict) -> pd.DataFrame:
    """One page of ``commitment_rows``: the page from the derived table, then the text of those rows by ID."""
    page = _execute(cur, "commitment_page", values)
    ids = page["commitment_id"].tolist()
    text = _by_ids(cur, "commitment_text", ids)
    titles = _by_ids(cur, "document_titles", page["doc_id"].tolist())[["doc_id", "title"]]
    out = page.merge(text, on="commitment_id", how="left").merge(titles, on="doc_id", how="left")
    return out[COMMITMENT_ROW_COLUMNS]


def _figure_page(cur, values: dict) -> pd.DataFrame:
    """One page of ``figure_rows``: the page from the derived table, then the sentences of those rows by ID."""
    page = _execute(cur, "figure_page", values)
    detail = _by_ids(cur, "figure_text", page["figure_id"].tolist())
    titles = _by_ids(cur, "document_titles", detail["doc_id"].tolist())[["doc_id", "title", "issue_date"]]
    out = page.merge(detail, on="figure_id", how="left").merge(titles, on="doc_id", how="left")
    money = out["figure_type"] == "money"
    out["amount_yuan"] = out["amount"].where(money)
    out["amount_yiyuan"] = (out["amount_yuan"] / 1e8).round(6)
    return out[FIGURE_ROW_COLUMNS]


def _timeline(cur, values: dict) -> pd.DataFrame:
    """Dated commitments per lead agency × day × status; per month (then per year) when there are too many marks.

    Up to three texts per mark (the newest documents') when the marks are few enough to hover over.
    """
    frame = _execute(cur, "deadline_timeline", {**values, "max_marks": TIMELINE_MARKS})
    if frame.empty or len(frame) > TIMELINE_HOVER_MARKS or (frame["granularity"] != "day").any():
        return frame.assign(items=[[] for _ in range(len(frame))])
    keys = ["lead_key", "deadline_date", "deadline_bucket"]
    latest = _execute(cur, "timeline_items", values)
    groups = [_listed(group) for group in latest["latest_ids"]]
    ids = [i for group in groups for i in group]
    text = dict(_by_ids(cur, "commitment_text", ids)[["commitment_id", "text"]].itertuples(index=False))
    latest["items"] = [[text[i] for i in group if i in text] for group in groups]
    out = frame.merge(latest[keys + ["items"]], on=keys, how="left")
    out["items"] = [v if isinstance(v, list) else [] for v in out["items"]]
    return out


def _listed(value) -> list:
    """A list cell as a list: a missing one (SQL NULL, pandas NA) is empty."""
    if value is None or value is pd.NA or isinstance(value, (str, float)):
        return []
    return list(value)


TIMELINE_MARKS = 2000
"""Past this many agency × day marks the timeline groups deadlines by month; past this many by month, by year."""
TIMELINE_HOVER_MARKS = 300
"""Up to this many marks, each mark's hover lists its commitments (the newest three)."""

_PAGED = {"commitment_rows": _commitment_page, "figure_rows": _figure_page, "deadline_timeline": _timeline}
"""Statements run in more than one step: row lists when paged (a page of IDs, then their text by
ID), and the timeline."""

COMMITMENT_ROW_COLUMNS = [
    "commitment_id", "item_label", "text", "lead_agency_names", "lead_agency_ids", "lead_keys", "title", "issue_date",
    "deadline_date", "deadline_year", "deadline_basis", "deadline_text", "deadline_bucket", "figures_text", "doc_id",
    "char_start", "char_end", "is_corrected", "first_lead_key", "first_lead_name", "first_lead_short", "first_lead_en"]
FIGURE_ROW_COLUMNS = [
    "figure_id", "agency_key", "agency_name", "short_name", "agency_name_en", "year", "year_basis", "span_text",
    "amount_yuan", "amount_yiyuan", "value", "unit", "qualifier", "money_kind", "is_target", "metric", "sentence",
    "title", "issue_date", "doc_id", "commitment_id", "char_start", "char_end", "is_corrected"]

DOCUMENT_TITLES_BY_ID = "SELECT doc_id, title, file_name, issue_date FROM documents WHERE doc_id IN ({ids})"
"""A template for ``by_ids``: documents' titles, file names and issue dates."""

_BY_IDS = {
    "commitment_text": """
        SELECT commitment_id, item_label, text, lead_agency_names, lead_agency_ids, deadline_basis, deadline_text, char_end
        FROM eff_commitments WHERE commitment_id IN ({ids})
    """,
    "figure_text": """
        SELECT figure_id, figure_type, span_text, value, unit, qualifier, metric, sentence, doc_id, commitment_id,
               char_start, char_end
        FROM figures WHERE figure_id IN ({ids})
    """,
    "document_titles": DOCUMENT_TITLES_BY_ID,
}


def _run(name: str, params: dict) -> pd.DataFrame:
    """Run the named statement with ``params`` (cached on the files' stamps)."""
    s = stamp()
    if s.db_mtime_ns == 0:
        raise NoDatabase(s.db)
    params = {**params, **_link_params(s)}  # the analyst's splits of same-fact groups (see below)
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    if "limit" in params and (params["limit"] is None or params["limit"] > CACHED_ROWS_MAX):
        return _compute(s, name, frozen)  # a whole list, for a download: caching would pickle it twice
    return _cached(s, name, frozen)


def clear_cache() -> None:
    """Forget every cached result and close the open databases (for benchmarks and tests)."""
    _cached.clear()
    _corrections.clear()
    _closed.clear()
    with _INSTANCES_LOCK:
        _close_instances()


# ---------------------------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    state: str  # ok / missing / empty / busy / broken / outdated
    path: str
    reason: str = ""


_REQUIRED_TABLES = ("documents", "agencies", "commitments", "commitment_agencies", "figures",
                    "agency_mentions", "sections")


def database_status() -> Status:
    """Say whether the database is there, readable, written by this ETL and holds documents."""
    s = stamp()
    if s.db_mtime_ns == 0:
        return Status("missing", s.db)
    try:
        tables = _run("tables", {})
    except NoDatabase:
        return Status("missing", s.db)
    except duckdb.IOException as exc:
        state = "busy" if "lock" in str(exc).lower() else "broken"
        return Status(state, s.db, str(exc).splitlines()[0])
    except duckdb.Error as exc:
        return Status("broken", s.db, str(exc).splitlines()[0])
    have = set(tables["table_name"])
    missing = [t for t in _REQUIRED_TABLES if t not in have]
    if missing:
        return Status("broken", s.db, "missing tables: " + ", ".join(missing))
    derived = [t for t in derive.DERIVED if t not in have]
    if derived:
        return Status("outdated", s.db, "missing tables: " + ", ".join(derived))
    present = _run("derived_columns", {"tables": list(derive.DERIVED)})
    lacking = [f"{t}.{c}" for t in derive.DERIVED for c in derive.TABLES[t].column_names
               if not ((present["table_name"] == t) & (present["column_name"] == c)).any()]
    if lacking:  # written by an older ETL: the next load re-derives them
        return Status("outdated", s.db, "missing columns: " + ", ".join(lacking))
    if int(_run("document_count_all", {}).iloc[0, 0]) == 0:
        return Status("empty", s.db)
    from etl.pipeline import damage_seen  # a truncated file still opens: ask the ETL's own check
    if damaged := damage_seen(s.db):
        return Status("broken", s.db, damaged)
    return Status("ok", s.db)


# ---------------------------------------------------------------------------------------------
# SQL: the filters, as WHERE fragments chosen by which filters are set
# ---------------------------------------------------------------------------------------------

def deadline_state_sql(status: str, deadline: str, upcoming: str, no_deadline: str = "no_deadline") -> str:
    """Return the SQL deadline state of a commitment: the one definition every page counts with.

    ``status`` and ``deadline`` are SQL expressions (the status may be NULL: not assessed);
    ``$as_of`` is a bound parameter. Completed or dropped gives the status itself; no deadline
    gives ``no_deadline``; past the deadline is ``'overdue'`` (``review.values.OVERDUE_RULE``); otherwise the
    SQL ``upcoming`` says how soon (the review's due-soon window, the pages' 30/90 days).

    >>> print(deadline_state_sql("s", "d", "'open'"))  # doctest: +NORMALIZE_WHITESPACE
    CASE WHEN s IN ('completed', 'dropped') THEN s WHEN d IS NULL THEN 'no_deadline'
         WHEN d < $as_of::DATE THEN 'overdue' ELSE 'open' END
    """
    closed = ", ".join(f"'{c}'" for c in CLOSED_STATUSES)
    return (f"CASE WHEN {status} IN ({closed}) THEN {status} WHEN {deadline} IS NULL THEN '{no_deadline}'\n"
            f"     WHEN {deadline} < $as_of::DATE THEN 'overdue' ELSE {upcoming} END")



def _bucket(x: str) -> str:
    """The deadline status of alias ``x`` at ``$as_of``: ``deadline_state_sql`` (the one meaning of
    overdue, also the review's), then due within 30 / 90 days or later.

    ``{x}_closed`` is the commitment's row in ``review_closed`` (completed or dropped), joined by ``_filtered``.
    """
    d = f"{x}.deadline_date"
    upcoming = (f"CASE WHEN {d} <= $as_of::DATE + 30 THEN 'due_30' "
                f"WHEN {d} <= $as_of::DATE + 90 THEN 'due_90' ELSE 'later' END")
    return deadline_state_sql(f"{x}_closed.status", d, upcoming, no_deadline="none")


def _document_conditions(p: dict, x: str) -> list[str]:
    """Conditions on a document's columns (alias ``x`` has jurisdiction, doc_type, doc_id, issue_year)."""
    out = []
    if p["jurisdictions"]:
        out.append(f"list_contains($jurisdictions::VARCHAR[], {x}.jurisdiction)")
    if p["doc_types"]:
        out.append(f"list_contains($doc_types::VARCHAR[], {x}.doc_type)")
    if p["doc_ids"]:
        out.append(f"list_contains($doc_ids::VARCHAR[], {x}.doc_id)")
    if p["issue_year_min"] is not None:
        out.append(f"{x}.issue_year >= $issue_year_min::INTEGER")
    if p["issue_year_max"] is not None:
        out.append(f"{x}.issue_year <= $issue_year_max::INTEGER")
    return out


def _deadline_conditions(p: dict, x: str) -> list[str]:
    out = []
    if p["buckets"]:
        out.append(f"list_contains($buckets::VARCHAR[], {_bucket(x)})")
    if p["bases"]:
        out.append(f"list_contains($bases::VARCHAR[], COALESCE({x}.deadline_basis, 'none'))")
    if p["due_year_min"] is not None:
        out.append(f"{x}.deadline_year >= $due_year_min::INTEGER")
    if p["due_year_max"] is not None:
        out.append(f"{x}.deadline_year <= $due_year_max::INTEGER")
    return out


def _keyword(p: dict, column: str) -> str:
    """A text match: ``contains`` (fast) unless the keyword has letters with a case (then ILIKE)."""
    word = p["keyword_text"]
    if word.lower() != word.upper():
        return f"{column} ILIKE $keyword::VARCHAR ESCAPE '\\'"
    return f"contains({column}, $keyword_text::VARCHAR)"


def _any_of(list_column: str, keys: list[str]) -> str:
    """The list column holds one of the keys (``list_contains`` per key: faster than ``list_has_any``)."""
    if not keys:
        return "FALSE"
    return "(" + " OR ".join(f"list_contains({list_column}, {k}::VARCHAR)" for k in keys) + ")"


def _where(conditions: list[str]) -> str:
    return ("WHERE " + "\n      AND ".join(conditions)) if conditions else ""


def _filtered(p: dict) -> str:
    """Return the WITH clause of the filtered facts: ``com_f``, ``fig_f`` and ``doc_ff``."""
    merge = p["merge"]
    lead_col = "lead_current_ids" if merge else "lead_ids"
    any_col = "any_current_ids" if merge else "any_ids"
    key_col = "agency_current_id" if merge else "agency_id"

    com = _document_conditions(p, "c") + _deadline_conditions(p, "c")
    fig = _document_conditions(p, "f")
    if p["year_min"] is not None:
        fig.append("f.year >= $year_min::INTEGER")
    if p["year_max"] is not None:
        fig.append("f.year <= $year_max::INTEGER")
    if p["buckets"] or p["bases"] or p["due_year_min"] is not None or p["due_year_max"] is not None:
        fig += ["f.in_commitment"] + _deadline_conditions(p, "f")
    if p["agency_ids"]:
        keys = [f"$key{i}" for i in range(len(p["agency_keys"]))]  # one parameter per selected agency key
        if p["agency_role"] == "any":
            com.append(_any_of(f"c.{any_col}", keys))
            fig.append(_any_of(f"f.{any_col}", keys))
        else:
            com.append(_any_of(f"c.{lead_col}", keys))
            fig.append(f"f.{key_col} IN ({', '.join(keys)})" if keys else "FALSE")
    matches = ""
    if p["keyword_text"]:  # the text is searched once per statement, then looked up by ID
        matches = f"""
kw_com AS MATERIALIZED (SELECT commitment_id FROM commitments WHERE {_keyword(p, 'text')}),
kw_fig AS MATERIALIZED (SELECT figure_id FROM figures WHERE {_keyword(p, 'sentence')}),"""
        com.append("c.commitment_id IN (SELECT commitment_id FROM kw_com)")
        fig.append("(f.figure_id IN (SELECT figure_id FROM kw_fig) "
                   "OR (f.in_commitment AND f.commitment_id IN (SELECT commitment_id FROM kw_com)))")
    docs = _document_conditions(p, "d")
    if p["fact_filters"]:
        docs.append("d.doc_id IN (SELECT doc_id FROM com_f UNION SELECT doc_id FROM fig_f)")
    return f"""
WITH{matches}
com_f AS (
    SELECT c.commitment_id, c.doc_id, c.char_start, c.issue_date, c.issue_year, c.deadline_date, c.deadline_year,
           COALESCE(c.deadline_basis, 'none') AS deadline_basis, c.{lead_col} AS lead_keys, {_bucket("c")} AS deadline_bucket, c.figures_text, c.list_order, c.change_times,
           c.is_corrected
    FROM com_eff c LEFT JOIN review_closed c_closed ON c_closed.commitment_id = c.commitment_id
    {_where(com)}
),
fig_f AS (
    SELECT f.figure_id, f.doc_id, f.commitment_id, f.figure_type, f.money_kind, f.is_target, f.is_breakdown,
           f.is_cumulative, f.metric_key, f.amount, f.span_text, f.year, f.year_basis, f.{key_col} AS agency_key, f.is_corrected
    FROM fig_eff f LEFT JOIN review_closed f_closed ON f_closed.commitment_id = f.commitment_id
    {_where(fig)}
),
doc_ff AS (
    SELECT d.doc_id, d.title, d.doc_type, d.jurisdiction, d.issue_date, d.issue_year, d.issuer_id, d.issuer_name,
           d.proposal_no, d.valid_from, d.valid_until, d.file_name, d.char_count
    FROM documents d
    {_where(docs)}
)"""


def _fig_selection(p: dict) -> str:
    """The figures one chart draws: a type, reported or target, never 其中 parts, some money kinds; running
    totals (累计…) alone when ``$cumulative``, else never (they are not one year's amount)."""
    column = "money_kind" if p.get("figure_type") == "money" else "metric_key"  # counts: one metric (stage)
    kinds = f"\n      AND list_contains($kinds::VARCHAR[], {column})" if p["kinds"] else ""
    return f""",
fig_all AS (
    SELECT * FROM fig_f
    WHERE figure_type = $figure_type AND is_target = $is_target
      AND NOT is_breakdown  -- 其中… and 首期… parts of a figure already counted
      AND is_cumulative = $cumulative::BOOLEAN{kinds}
),
fig_sel AS (SELECT * FROM fig_all WHERE {_not_a_repeat("fig_all")})"""


def _not_a_repeat(selection: str) -> str:
    """A condition keeping a figure unless it repeats a first citation that is in ``selection``.

    A figure the analyst split from its group (``review.link_decisions``) counts on its own; a repeat
    whose first citation is filtered out (or rejected) counts, so a view never loses the fact.
    """
    return f"""figure_id NOT IN (
        SELECT s.figure_id FROM link_same_facts s
        WHERE NOT s.is_first AND NOT list_contains($split_ids::VARCHAR[], s.figure_id)
          AND s.first_figure_id IN (SELECT figure_id FROM {selection}))"""


_PAGE = "LIMIT $limit OFFSET $offset"
_PICKED = ("(len($picks::VARCHAR[]) = 0 OR list_contains($picks::VARCHAR[], "
           "COALESCE(agency_key, '') || '|' || COALESCE(CAST(year AS VARCHAR), '')))")
"""The bars picked in a chart ("<agency_key>|<year>"), or every row when none is."""

_SUMMED = "figure_type = 'money' AND NOT is_breakdown"
"""Money that adds up within one kind: never the 其中 / 首期 parts of a figure already counted."""

_EACH_LEAD = "unnest(CASE WHEN len(lead_keys) = 0 THEN [NULL] ELSE lead_keys END)"
"""One row per lead agency of a commitment (one with NULL when it names none): the timeline and the
bars per agency count a commitment once for each of its lead agencies."""

_FILTERED_SQL = {
    "headline": f"""
        , com_stats AS (
            SELECT count(*) AS commitments,
                   count(*) FILTER (WHERE deadline_bucket IN ('due_30', 'due_90')) AS due_90,
                   count(*) FILTER (WHERE deadline_bucket = 'overdue') AS overdue,
                   count(*) FILTER (WHERE deadline_bucket = 'none') AS no_deadline
            FROM com_f
        )
        SELECT (SELECT count(*) FROM doc_ff) AS documents, s.commitments,
               (SELECT count(DISTINCT k) FROM (SELECT unnest(lead_keys) AS k
                                               FROM (SELECT DISTINCT lead_keys FROM com_f))) AS lead_agencies,
               s.due_90, s.overdue, s.no_deadline
        FROM com_stats s
    """,
    "money_by_kind": f"""
        SELECT money_kind, is_target, is_cumulative, sum(amount) AS amount_yuan, count(*) AS n_figures
        FROM fig_f WHERE {_SUMMED} AND list_contains($summed::VARCHAR[], money_kind)
          AND {_not_a_repeat("fig_f")}  -- one fact cited twice counts once
        GROUP BY ALL ORDER BY money_kind, is_target, is_cumulative
    """,
    "money_by_year": f"""
        SELECT year, is_target, sum(amount) AS amount_yuan, count(*) AS n_figures
        FROM fig_f WHERE {_SUMMED} AND NOT is_cumulative AND money_kind = $kind::VARCHAR
          AND {_not_a_repeat("fig_f")}
        GROUP BY year, is_target ORDER BY year, is_target
    """,
    "counts_by_year": """
        SELECT year, is_target, metric_key, sum(amount) AS total, count(*) AS n_figures
        FROM fig_f WHERE figure_type = 'count' AND NOT is_breakdown AND NOT is_cumulative
        GROUP BY ALL ORDER BY year, is_target, metric_key
    """,
    "count_metrics": """
        SELECT metric_key, count(*) AS n_figures, sum(amount) AS total
        FROM fig_f WHERE figure_type = 'count' AND NOT is_breakdown AND NOT is_cumulative AND is_target = $is_target
        GROUP BY metric_key ORDER BY n_figures DESC, total DESC, metric_key
    """,
    "figures_by_agency_year": """
        , grouped AS (
            SELECT agency_key, year, sum(amount) AS total, count(*) AS n_figures, bool_or(is_corrected) AS is_corrected,
                   max_by({'figure_id': figure_id, 'doc_id': doc_id, 'span_text': span_text, 'amount': amount},
                          amount, 5) AS top
            FROM fig_sel GROUP BY agency_key, year
        ),
        examples AS (
            SELECT g.agency_key, g.year,
                   list(t.span_text || ' · ' || COALESCE(d.title, '') ORDER BY t.amount DESC, t.figure_id) AS examples
            FROM (SELECT agency_key, year, unnest(top) AS t FROM grouped) g
            LEFT JOIN documents d ON d.doc_id = g.t.doc_id
            GROUP BY g.agency_key, g.year
        )
        SELECT g.agency_key, la.canonical_name, la.short_name, la.name_en, g.year, g.total, g.n_figures,
               g.is_corrected, e.examples
        FROM grouped g LEFT JOIN agencies la ON la.agency_id = g.agency_key
        LEFT JOIN examples e ON e.agency_key IS NOT DISTINCT FROM g.agency_key AND e.year IS NOT DISTINCT FROM g.year
        ORDER BY g.agency_key, g.year
    """,
    "figure_count": f"""
        SELECT count(*) AS n FROM fig_sel
        WHERE {_PICKED}
    """,
    "figure_page": f"""
        , page AS (
            SELECT figure_id, agency_key, year, year_basis, amount, money_kind, is_target, is_corrected FROM fig_sel
            WHERE {_PICKED}
            ORDER BY amount DESC NULLS LAST, figure_id
            {_PAGE}
        )
        SELECT p.*, la.canonical_name AS agency_name, la.short_name, la.name_en AS agency_name_en
        FROM page p LEFT JOIN agencies la ON la.agency_id = p.agency_key
        ORDER BY p.amount DESC NULLS LAST, p.figure_id
    """,
    "figure_rows": f"""
        , page AS (
            SELECT figure_id, agency_key, year, year_basis, amount, money_kind, is_target, is_corrected FROM fig_sel
            WHERE {_PICKED}
            ORDER BY amount DESC NULLS LAST, figure_id
            {_PAGE}
        )
        SELECT p.figure_id, p.agency_key, la.canonical_name AS agency_name, la.short_name,
               la.name_en AS agency_name_en, p.year, p.year_basis, f.span_text,
               CASE WHEN f.figure_type = 'money' THEN p.amount END AS amount_yuan,
               round(CASE WHEN f.figure_type = 'money' THEN p.amount END / 1e8, 6) AS amount_yiyuan,
               f.value, f.unit, f.qualifier, p.money_kind, p.is_target, f.metric, f.sentence, d.title, d.issue_date,
               f.doc_id, f.commitment_id, f.char_start, f.char_end, p.is_corrected
        FROM page p JOIN figures f USING (figure_id) JOIN documents d ON d.doc_id = f.doc_id
        LEFT JOIN agencies la ON la.agency_id = p.agency_key
        ORDER BY p.amount DESC NULLS LAST, p.figure_id
    """,
    "commitment_count": "SELECT count(*) AS n FROM com_f",
    "commitment_page": f"""
        , page AS (
            SELECT * FROM com_f ORDER BY list_order {_PAGE}
        )
        SELECT p.commitment_id, p.lead_keys, p.issue_date, p.deadline_date, p.deadline_year, p.deadline_bucket,
               p.figures_text, p.doc_id, p.char_start, p.is_corrected, p.lead_keys[1] AS first_lead_key,
               la.canonical_name AS first_lead_name, la.short_name AS first_lead_short, la.name_en AS first_lead_en
        FROM page p LEFT JOIN agencies la ON la.agency_id = p.lead_keys[1]
        ORDER BY p.list_order
    """,
    "commitment_rows": f"""
        , page AS (SELECT * FROM com_f ORDER BY list_order {_PAGE})
        SELECT p.commitment_id, c.item_label, c.text, c.lead_agency_names, c.lead_agency_ids, p.lead_keys,
               d.title, p.issue_date, p.deadline_date, p.deadline_year, c.deadline_basis, c.deadline_text,
               p.deadline_bucket, p.figures_text, p.doc_id, p.char_start, c.char_end, p.is_corrected,
               p.lead_keys[1] AS first_lead_key, la.canonical_name AS first_lead_name,
               la.short_name AS first_lead_short, la.name_en AS first_lead_en
        FROM page p JOIN eff_commitments c USING (commitment_id) JOIN documents d ON d.doc_id = p.doc_id
        LEFT JOIN agencies la ON la.agency_id = p.lead_keys[1]
        ORDER BY p.list_order
    """,
    "deadline_timeline": f"""
        , per_leads AS (  -- the lists first (few distinct), then one row per lead agency, as deadlines_by_agency
            SELECT lead_keys, deadline_date, deadline_bucket, count(*) AS n
            FROM com_f WHERE deadline_date IS NOT NULL
            GROUP BY ALL
        ),
        by_day AS (
            SELECT lead_key, deadline_date, deadline_bucket, sum(n) AS n
            FROM (SELECT {_EACH_LEAD} AS lead_key, deadline_date, deadline_bucket, n FROM per_leads) GROUP BY ALL
        ),
        by_month AS (
            SELECT lead_key, CAST(date_trunc('month', deadline_date) AS DATE) AS deadline_date, deadline_bucket,
                   sum(n) AS n
            FROM by_day GROUP BY ALL
        ),
        by_year AS (
            SELECT lead_key, CAST(date_trunc('year', deadline_date) AS DATE) AS deadline_date, deadline_bucket,
                   sum(n) AS n
            FROM by_month GROUP BY ALL
        ),
        marks AS (SELECT (SELECT count(*) FROM by_day) AS days, (SELECT count(*) FROM by_month) AS months),
        marked AS (
            SELECT *, 'day' AS granularity FROM by_day WHERE (SELECT days FROM marks) <= $max_marks
            UNION ALL
            SELECT *, 'month' AS granularity FROM by_month
            WHERE (SELECT days FROM marks) > $max_marks AND (SELECT months FROM marks) <= $max_marks
            UNION ALL
            SELECT *, 'year' AS granularity FROM by_year WHERE (SELECT months FROM marks) > $max_marks
        )
        SELECT g.lead_key, la.canonical_name AS lead_name, la.short_name AS lead_short,
               la.name_en AS lead_en, g.deadline_date, g.deadline_bucket, CAST(g.n AS BIGINT) AS n,
               g.granularity
        FROM marked g LEFT JOIN agencies la ON la.agency_id = g.lead_key
        ORDER BY g.deadline_date, g.lead_key NULLS LAST, g.deadline_bucket
    """,
    "timeline_items": f"""
        SELECT lead_key, deadline_date, deadline_bucket,
               max_by(commitment_id, -list_order, 3) AS latest_ids  -- list order: newest document first, never NULL
        FROM (SELECT {_EACH_LEAD} AS lead_key, deadline_date, deadline_bucket, commitment_id, list_order
              FROM com_f WHERE deadline_date IS NOT NULL)
        GROUP BY ALL
    """,
    "deadlines_by_agency": f"""
        , per_leads AS (  -- the lists first (few distinct), then one row per lead agency
            SELECT lead_keys, deadline_bucket, count(*) AS n FROM com_f GROUP BY ALL
        )
        SELECT k.agency_key, la.canonical_name, la.short_name, la.name_en, k.deadline_bucket,
               CAST(sum(k.n) AS BIGINT) AS n_commitments
        FROM (SELECT {_EACH_LEAD} AS agency_key, deadline_bucket, n FROM per_leads) k
        LEFT JOIN agencies la ON la.agency_id = k.agency_key
        GROUP BY ALL ORDER BY k.agency_key, k.deadline_bucket
    """,
    "deadline_states": """
        SELECT deadline_bucket, deadline_basis, count(*) AS n_commitments
        FROM com_f GROUP BY ALL ORDER BY deadline_bucket, deadline_basis
    """,
    "deadlines_by_year": """
        SELECT deadline_year, deadline_bucket, count(*) AS n_commitments
        FROM com_f GROUP BY ALL ORDER BY deadline_year NULLS LAST, deadline_bucket
    """,
    "policy_terms": """
        SELECT doc_id, title, valid_from, valid_until,
               100.0 * least(greatest(date_diff('day', valid_from, $as_of::DATE), 0),
                             date_diff('day', valid_from, valid_until))
                     / nullif(date_diff('day', valid_from, valid_until), 0) AS term_elapsed_pct
        FROM doc_ff
        WHERE valid_from IS NOT NULL AND valid_until IS NOT NULL AND valid_until > valid_from
        ORDER BY valid_until < $as_of::DATE, valid_until, title, doc_id
        LIMIT $limit
    """,
    "policy_count": """
        SELECT count(*) AS n FROM doc_ff
        WHERE valid_from IS NOT NULL AND valid_until IS NOT NULL AND valid_until > valid_from
    """,
    "document_count": "SELECT count(*) AS n FROM doc_ff",
    "document_rows": f"""
        , page AS (SELECT * FROM doc_ff ORDER BY issue_date DESC NULLS LAST, title, doc_id {_PAGE}),
        nc AS (SELECT doc_id, count(*) AS n FROM com_eff WHERE doc_id IN (SELECT doc_id FROM page) GROUP BY doc_id),
        nf AS (SELECT doc_id, count(*) AS n FROM fig_eff WHERE doc_id IN (SELECT doc_id FROM page) GROUP BY doc_id)
        SELECT d.doc_id, d.title, d.doc_type, d.issuer_name, d.jurisdiction, d.issue_date, d.proposal_no,
               d.valid_from, d.valid_until, COALESCE(nc.n, 0) AS n_commitments, COALESCE(nf.n, 0) AS n_figures,
               d.char_count, d.file_name
        FROM page d LEFT JOIN nc USING (doc_id) LEFT JOIN nf USING (doc_id)
        ORDER BY d.issue_date DESC NULLS LAST, d.title, d.doc_id
    """,
}
"""Statements over the filtered facts: each follows ``_filtered`` (and ``_fig_selection`` where it reads ``fig_sel``)."""

_FIG_SELECTION_USERS = ("figures_by_agency_year", "figure_count", "figure_rows", "figure_page")

_SQL: dict[str, str] = {
    "tables": "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'facts'",
    "derived_columns": "SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_catalog = 'facts' AND list_contains($tables::VARCHAR[], table_name)",
    "document_count_all": "SELECT count(*) AS n FROM documents",
    "agencies_of": "SELECT agency_id, current_id FROM agencies WHERE list_contains($agency_ids::VARCHAR[], agency_id)",
    "filter_agencies": """
        WITH used AS (
            SELECT agency_id FROM fact_agencies
            UNION SELECT unnest(lead_agency_ids) FROM commitment_corrections
        )
        SELECT a.agency_id, a.current_id, a.canonical_name, a.short_name, a.name_en, a.is_registered
        FROM agencies a
        WHERE a.agency_id IN (SELECT agency_id FROM used)
           OR a.agency_id IN (SELECT b.current_id FROM agencies b JOIN used u USING (agency_id))
        ORDER BY a.canonical_name
    """,
    "filter_documents": """
        SELECT doc_id, title, doc_type, jurisdiction, issue_year, file_name
        FROM documents ORDER BY issue_date DESC NULLS LAST, title, doc_id LIMIT $limit
    """,
    "filter_kinds": """
        SELECT (SELECT list(DISTINCT jurisdiction ORDER BY jurisdiction) FROM documents
                WHERE jurisdiction IS NOT NULL) AS jurisdictions,
               (SELECT list(DISTINCT doc_type ORDER BY doc_type) FROM documents) AS doc_types,
               (SELECT count(*) FROM documents) AS n_documents
    """,
    "find_documents": """
        SELECT doc_id, title, file_name, issue_date FROM documents
        WHERE contains(lower(COALESCE(title, '') || ' ' || file_name), lower($text::VARCHAR))
        ORDER BY issue_date DESC NULLS LAST, title, doc_id LIMIT $limit
    """,
    "filter_bounds": """
        SELECT (SELECT min(issue_year) FROM documents) AS issue_min,
               (SELECT max(issue_year) FROM documents) AS issue_max,
               (SELECT min(deadline_year) FROM com_eff) AS due_min,
               (SELECT max(deadline_year) FROM com_eff) AS due_max,
               (SELECT min(year) FROM fig_eff) AS year_min,
               (SELECT max(year) FROM fig_eff) AS year_max
    """,
    "document": """
        SELECT doc_id, title, doc_type, issuer_name, jurisdiction, issue_date, proposal_no, addressee,
               co_agencies, valid_from, valid_until, file_name, source_format, encoding, char_count, warnings, text,
               original_text
        FROM documents WHERE doc_id = $doc_id
    """,
    "document_commitments": """
        SELECT commitment_id, item_label, text, char_start, char_end, lead_agency_names, deadline_date,
               deadline_basis, deadline_text, is_corrected
        FROM eff_commitments WHERE doc_id = $doc_id ORDER BY char_start
    """,
    "document_figures": """
        SELECT figure_id, figure_type, span_text, amount_yuan, value, unit, money_kind, figure_year, is_target,
               metric, char_start, char_end, sentence, commitment_id, is_corrected
        FROM eff_figures WHERE doc_id = $doc_id ORDER BY char_start
    """,
    "document_mentions": """
        SELECT m.agency_id, a.canonical_name, a.name_en, m.written_as, m.char_start, m.char_end
        FROM agency_mentions m LEFT JOIN agencies a USING (agency_id)
        WHERE m.doc_id = $doc_id ORDER BY m.char_start
    """,
    "commitment": """
        SELECT c.commitment_id, c.doc_id, c.item_label, c.section_path, c.text, c.char_start, c.char_end,
               c.lead_agency_ids, c.lead_agency_names, c.deadline_date, c.deadline_basis, c.deadline_text,
               c.is_corrected, d.title, d.issue_date, d.doc_type
        FROM eff_commitments c JOIN documents d USING (doc_id)
        WHERE c.commitment_id = $commitment_id
    """,
}


def _statement(name: str, params: dict) -> str:
    """Return the SQL of statement ``name`` for these parameters (fragments chosen by the filters set)."""
    if name in _SQL:
        return _SQL[name]
    head = _filtered(params)
    if name in _FIG_SELECTION_USERS:
        head += _fig_selection(params)
    return head + _FILTERED_SQL[name]


# ---------------------------------------------------------------------------------------------
# Public query functions (benchmarks time these)
# ---------------------------------------------------------------------------------------------

def _filter_params(f: Filters) -> dict:
    issue = f.issue_years or (None, None)
    due = f.deadline_years or (None, None)
    year = f.figure_years or (None, None)
    return {
        "merge": bool(f.merge), "agency_ids": list(f.agency_ids), "agency_role": f.agency_role,
        "jurisdictions": list(f.jurisdictions), "doc_types": list(f.doc_types), "doc_ids": list(f.doc_ids),
        "issue_year_min": issue[0], "issue_year_max": issue[1],
        "due_year_min": due[0], "due_year_max": due[1], "year_min": year[0], "year_max": year[1], "buckets": list(f.buckets), "bases": list(f.bases),
        "keyword": keyword_pattern(f.keyword), "keyword_text": f.keyword.strip(), "as_of": f.as_of,
        "fact_filters": f.has_fact_filters, "summed": list(SUMMED_KINDS),
        **_agency_keys(f.agency_ids, bool(f.merge)),
    }


def _agency_keys(agency_ids: tuple[str, ...], merge: bool) -> dict:
    """Return the keys the selected agencies are charted under (their current agency when merging).

    As ``agency_keys`` (the list) and ``key0``, ``key1`` … (one parameter each, for the SQL).
    """
    if not agency_ids:
        return {"agency_keys": []}
    frame = _run("agencies_of", {"agency_ids": list(agency_ids)})
    keys = sorted(set(frame["current_id" if merge else "agency_id"]))
    return {"agency_keys": keys, **{f"key{i}": k for i, k in enumerate(keys)}}


def _page(limit: int | None, offset: int) -> dict:
    return {"limit": None if limit is None else max(0, int(limit)), "offset": max(0, int(offset))}


@dataclass(frozen=True)
class Options:
    """What the sidebar offers: agencies, documents, jurisdictions, types and year bounds.

    ``documents`` lists every document when there are at most ``DOCUMENT_CHOICES_MAX``
    (``n_documents`` says how many there are); beyond that the sidebar searches titles.
    """

    agencies: pd.DataFrame
    documents: pd.DataFrame
    issue_years: tuple[int, int] | None
    deadline_years: tuple[int, int] | None
    jurisdictions: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    n_documents: int = 0
    figure_years: tuple[int, int] | None = None

    @property
    def all_documents_listed(self) -> bool:
        return self.n_documents <= DOCUMENT_CHOICES_MAX


def filter_options() -> Options:
    """Return the sidebar's choices (agencies that appear in any fact, documents, year bounds)."""
    bounds = _run("filter_bounds", {}).iloc[0]
    kinds = _run("filter_kinds", {}).iloc[0]

    def pair(lo, hi):
        return None if pd.isna(lo) or pd.isna(hi) else (int(lo), int(hi))

    def listed(v) -> tuple[str, ...]:
        return () if v is None or _missing(v) is True else tuple(str(x) for x in v)

    n_documents = int(kinds["n_documents"])
    documents = _run("filter_documents", {"limit": DOCUMENT_CHOICES_MAX if n_documents <= DOCUMENT_CHOICES_MAX else 0})
    return Options(_run("filter_agencies", {}), documents,
                   pair(bounds["issue_min"], bounds["issue_max"]), pair(bounds["due_min"], bounds["due_max"]),
                   listed(kinds["jurisdictions"]), listed(kinds["doc_types"]), n_documents,
                   pair(bounds["year_min"], bounds["year_max"]))


def find_documents(text: str, limit: int = 50) -> pd.DataFrame:
    """Return up to ``limit`` documents whose title or file name contains ``text`` (newest first)."""
    return _run("find_documents", {"text": text.strip(), "limit": int(limit)})


def document_titles(doc_ids) -> dict[str, str]:
    """Return doc_id -> title (else file name) for these documents."""
    if not doc_ids:
        return {}
    with cursor() as cur:
        frame = by_ids(cur, DOCUMENT_TITLES_BY_ID, doc_ids)
    return {r.doc_id: (r.title if isinstance(r.title, str) and r.title else r.file_name)
            for r in frame.itertuples(index=False)}


def headline_numbers(f: Filters) -> dict:
    """Return the Overview's counts: documents, commitments, lead agencies, deadlines (money: ``money_by_kind``)."""
    row = _run("headline", _filter_params(f)).iloc[0]
    return {k: (None if pd.isna(v) else int(v)) for k, v in row.items()}


def money_by_kind(f: Filters) -> pd.DataFrame:
    """Return money per kind × reported/target × running total: one total per kind (``SUMMED_KINDS``), never one
    of all kinds; cumulative figures (累计…, 截至…) apart from the rest, never added to them.

    Columns: money_kind, is_target, is_cumulative, amount_yuan, n_figures.
    """
    return _run("money_by_kind", _filter_params(f))


def _one_kind(kind: str) -> str:
    if kind not in SUMMED_KINDS:
        raise ValueError(f"money of kind {kind!r} is not summed; one of {', '.join(SUMMED_KINDS)}")
    return kind


def money_by_year(f: Filters, kind: str = DEFAULT_KIND) -> pd.DataFrame:
    """Return money of one kind by year and reported/target (kinds are never added together)."""
    return _run("money_by_year", {**_filter_params(f), "kind": _one_kind(kind)})


def counts_by_year(f: Filters) -> pd.DataFrame:
    """Return project counts by year × reported/target × metric (stage): counts add up only within one metric.

    新洽谈, 签约 and 注册 projects are stages of one funnel (``etl.derive.STAGES``), never one sum.
    """
    return _run("counts_by_year", _filter_params(f))


def count_metrics(f: Filters, is_target: bool = False) -> pd.DataFrame:
    """Return the metrics (stages) counts are written in: metric_key, n_figures, total; most figures first."""
    return _run("count_metrics", {**_filter_params(f), "is_target": bool(is_target)})


def _selection_params(f: Filters, figure_type: str, kinds, is_target: bool, cumulative: bool = False) -> dict:
    kinds = [k for k in (kinds or ()) if figure_type != "money" or k]
    return {**_filter_params(f), "figure_type": figure_type, "is_target": bool(is_target), "kinds": kinds,
            "cumulative": bool(cumulative)}


def funding_by_agency_year(f: Filters, kinds=SPENDING_KINDS, is_target: bool = False) -> pd.DataFrame:
    """Return money (yuan) of one kind per agency × year; one row per stacked bar segment.

    ``kinds`` holds one summed kind (``SUMMED_KINDS``; a string is taken as that one kind):
    fiscal spending, funds and financing are different things and a bar never adds them.
    Subsidy rates are listed by ``subsidy_rates``, never summed.
    """
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    if len(kinds) != 1:
        raise ValueError("money of different kinds is never added together: chart one kind at a time")
    return _run("figures_by_agency_year", _selection_params(f, "money", (_one_kind(kinds[0]),), is_target))


def counts_by_agency_year(f: Filters, is_target: bool = False, metric: str | None = None) -> pd.DataFrame:
    """Return project counts of one metric (stage) per agency × year (every metric when None: a list, not a sum)."""
    return _run("figures_by_agency_year", _selection_params(f, "count", (metric,) if metric else (), is_target))


def _figure_params(f: Filters, figure_type: str, kinds, is_target: bool, picks, cumulative: bool = False) -> dict:
    params = _selection_params(f, figure_type, tuple(kinds or ()), is_target, cumulative)
    return {**params, "picks": list(picks)}


def figure_rows(f: Filters, figure_type: str = "money", kinds=SPENDING_KINDS, is_target: bool = False,
                picks: tuple[str, ...] = (), limit: int | None = None, offset: int = 0,
                cumulative: bool = False) -> pd.DataFrame:
    """Return the figures behind a chart, largest first, with their sentences; ``picks`` narrows to bars.

    A pick is ``"<agency_key>|<year>"`` (empty strings for a missing agency or year), as
    ``charts.pick_of`` builds from a selected bar. ``limit``/``offset`` page the rows
    (``figure_count`` says how many there are); ``limit=None`` returns them all.
    """
    return _run("figure_rows", {**_figure_params(f, figure_type, kinds, is_target, picks, cumulative),
                                **_page(limit, offset)})


def figure_count(f: Filters, figure_type: str = "money", kinds=SPENDING_KINDS, is_target: bool = False,
                 picks: tuple[str, ...] = (), cumulative: bool = False) -> int:
    """Return how many rows ``figure_rows`` has for these arguments."""
    return int(_run("figure_count", _figure_params(f, figure_type, kinds, is_target, picks, cumulative)).iloc[0, 0])


def subsidy_rates(f: Filters, is_target: bool = False, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Return the subsidy rates (per recipient), one row per figure: never to be summed."""
    return figure_rows(f, "money", ("subsidy_rate",), is_target, (), limit, offset)


def commitment_rows(f: Filters, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Return the filtered commitments (newest document first) with deadline status and the figures inside.

    ``limit``/``offset`` page the rows (``commitment_count`` says how many there are).
    """
    return _run("commitment_rows", {**_filter_params(f), **_page(limit, offset)})


def commitment_count(f: Filters) -> int:
    """Return how many commitments the filters keep."""
    return int(_run("commitment_count", _filter_params(f)).iloc[0, 0])


def deadline_timeline(f: Filters) -> pd.DataFrame:
    """Return dated commitments grouped by lead agency × deadline date × status.

    A commitment counts once for each of its lead agencies (as ``deadlines_by_agency``; one
    without a lead counts under NULL). Columns: lead_key/name/short/en, deadline_date,
    deadline_bucket, n, granularity, items (up to three commitment texts, the newest documents').
    """
    return _run("deadline_timeline", _filter_params(f))


def deadlines_by_agency(f: Filters) -> pd.DataFrame:
    """Return commitment counts per lead agency × deadline status (once per lead agency)."""
    return _run("deadlines_by_agency", _filter_params(f))


def deadline_states(f: Filters) -> pd.DataFrame:
    """Return commitment counts per deadline status × deadline basis (explicit, validity, reply_year, none).

    Tells a missed promise (a deadline written in the text) from a policy whose term ended.
    """
    return _run("deadline_states", _filter_params(f))


def deadlines_by_year(f: Filters) -> pd.DataFrame:
    """Return commitment counts per deadline year × deadline status."""
    return _run("deadlines_by_year", _filter_params(f))


def policy_terms(f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Return, for each policy with a stated term, the share of it elapsed at ``f.as_of``.

    Policies still in force come first, the next to expire first; ``limit`` keeps that many.
    """
    return _run("policy_terms", {**_filter_params(f), "limit": limit})


def policy_count(f: Filters) -> int:
    """Return how many policies in the filters state a term."""
    return int(_run("policy_count", _filter_params(f)).iloc[0, 0])


def document_rows(f: Filters, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Return the filtered documents (newest first) with their metadata and fact counts."""
    return _run("document_rows", {**_filter_params(f), **_page(limit, offset)})


def document_count(f: Filters) -> int:
    """Return how many documents the filters keep."""
    return int(_run("document_count", _filter_params(f)).iloc[0, 0])


def document(doc_id: str) -> dict | None:
    """Return one document's metadata and stored text, or None."""
    frame = _run("document", {"doc_id": doc_id})
    return None if frame.empty else frame.iloc[0].to_dict()


def document_facts(doc_id: str) -> dict[str, pd.DataFrame]:
    """Return a document's effective commitments, figures and agency mentions (all of them)."""
    return {"commitments": _run("document_commitments", {"doc_id": doc_id}),
            "figures": _run("document_figures", {"doc_id": doc_id}),
            "mentions": _run("document_mentions", {"doc_id": doc_id})}


def commitment(commitment_id: str) -> dict | None:
    """Return one effective commitment with its document's title, or None (absent or rejected)."""
    frame = _run("commitment", {"commitment_id": commitment_id})
    return None if frame.empty else frame.iloc[0].to_dict()


QUERY_FUNCTIONS = (filter_options, headline_numbers, money_by_kind, money_by_year, counts_by_year, funding_by_agency_year,
                   counts_by_agency_year, count_metrics, figure_rows, figure_count, subsidy_rates, commitment_rows, commitment_count,
                   deadline_timeline, deadlines_by_agency, deadline_states, deadlines_by_year, policy_terms, policy_count, document_rows,
                   document_count, document, document_facts, commitment, find_documents)
"""Every public query, for benchmarks (call ``clear_cache()`` first to time the database)."""


# ---------------------------------------------------------------------------------------------
# One fact counted once (etl.linking's same-fact groups, less the pairs the analyst split)
# ---------------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=16)
def _splits(reviews: str, reviews_mtime_ns: int, wal_mtime_ns: int = 0) -> tuple[str, ...]:
    """Return the figure IDs the analyst split from their same-fact group (cached on the store's stamp)."""
    del reviews_mtime_ns, wal_mtime_ns  # cache key only
    try:
        cur = link_decisions.current(reviews)
    except Exception:  # a broken reviews file must not take the dashboard down (corrections_warning says so)
        return ()
    return tuple(sorted(cur.loc[(cur["link_kind"] == "same_fact") & (cur["decision"] == "split"), "to_id"]))


def _link_params(s: Stamp) -> dict:
    return {"split_ids": list(_splits(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns))}


_FILTERED_SQL["merged_citations"] = """
    SELECT count(*) AS n_merged, COALESCE(sum(amount), 0) AS amount_merged
    FROM fig_all WHERE figure_id NOT IN (SELECT figure_id FROM fig_sel)
"""
_FIG_SELECTION_USERS = _FIG_SELECTION_USERS + ("merged_citations",)


def merged_citations(f: Filters, figure_type: str = "money", kinds=SPENDING_KINDS, is_target: bool = False) -> dict:
    """Return how many citations a chart's totals count once with an earlier citation of the same fact."""
    row = _run("merged_citations", _selection_params(f, figure_type, tuple(kinds), is_target)).iloc[0]
    return {"n_merged": int(row["n_merged"]), "amount_merged": float(row["amount_merged"])}


# Every reported figure (issue 15): the Figures page's statements
# ---------------------------------------------------------------------------------------------
# Filters, charts and pages read ``fact_reported_figures`` (etl/derive.py: one row per reported
# figure with its document's columns, its chart year and agency keys, its list order), so each
# statement is one scan of one table; a page's text comes from ``reported_figures`` by ID. Read
# with joins to documents, commitments and agencies instead, the agency filters and the row
# lists took 0.6–1.3 s at a million figures. A figure is charted under the agency its sentence
# names, else its commitment's first lead, else the issuer, and under its year, else the issue
# year. (Analysts' corrections of a commitment's leads do not move these figures.)

CUMULATIVE_CHOICES = ("all", "annual", "cumulative")
CHANGE_CHOICES = ("all", "level", "change")
TARGET_CHOICES = ("all", "reported", "target")
FIGURE_METRICS_MAX = 200
"""How many metrics (with their unit) the chart's metric choice offers, most figures first."""
FIGURE_SERIES_AGENCIES = 12
"""The chart draws this many agencies at most (those with most figures of the metric)."""


@dataclass(frozen=True)
class FigureQuery:
    """The Figures page's own filters (the sidebar's ``Filters`` apply as well).

    ``words`` must all occur in the metric (each normalised as metrics are); ``agencies`` are
    chart keys (current agencies when the sidebar merges predecessors); ``years`` is the year a
    figure is charted under; ``cumulative`` / ``change`` / ``target`` are ``"all"`` or one side.
    """

    words: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    cumulative: str = "all"
    change: str = "all"
    target: str = "all"

    def __post_init__(self):
        for name, allowed in (("cumulative", CUMULATIVE_CHOICES), ("change", CHANGE_CHOICES),
                              ("target", TARGET_CHOICES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, not {getattr(self, name)!r}")


def metric_words(text: str) -> tuple[str, ...]:
    """Return the words of a metric search, each normalised as the ETL normalises metrics.

    >>> metric_words(" 高新技術企業  累计服务 ")
    ('高新技术企业', '服务')
    """
    from etl.figures import normalise_metric

    words = (normalise_metric(w) for w in (text or "").split())
    return tuple(dict.fromkeys(w for w in words if w))


def _rfig_params(f: Filters, q: FigureQuery) -> dict:
    years = q.years or (None, None)
    return {**_filter_params(f), "units": list(q.units), "fig_kinds": list(q.kinds), "fig_agencies": list(q.agencies),
            "year_min": years[0], "year_max": years[1], "cumulative": q.cumulative, "change": q.change,
            "target": q.target, **{f"word{i}": w for i, w in enumerate(q.words)}, "n_words": len(q.words)}


_RFIG_FLAGS = {("cumulative", "annual"): "NOT f.is_cumulative", ("cumulative", "cumulative"): "f.is_cumulative",
               ("change", "level"): "NOT f.is_change", ("change", "change"): "f.is_change",
               ("target", "reported"): "NOT f.is_target", ("target", "target"): "f.is_target"}


def _rfig_base(p: dict) -> str:
    """Return ``WITH rf AS (…)``: the figures (``fact_reported_figures``) the filters keep, with their chart key.

    The sentence is searched once (the sidebar's keyword), then looked up by ID, as ``_filtered`` does.
    """
    merge = p["merge"]
    key = "f.agency_current_id" if merge else "f.agency_id"
    conditions = _document_conditions(p, "f")
    matches = ""
    if p["keyword_text"]:
        matches = f"""
kw_rf AS MATERIALIZED (SELECT figure_id FROM reported_figures WHERE {_keyword(p, 'sentence')}),"""
        conditions.append("f.figure_id IN (SELECT figure_id FROM kw_rf)")
    if p["buckets"] or p["due_year_min"] is not None or p["due_year_max"] is not None:
        conditions += ["f.in_commitment"] + _deadline_conditions(p, "f")
    conditions += [f"contains(f.metric, $word{i}::VARCHAR)" for i in range(p["n_words"])]
    if p["units"]:
        conditions.append("list_contains($units::VARCHAR[], f.unit)")
    if p["fig_kinds"]:
        conditions.append("list_contains($fig_kinds::VARCHAR[], f.kind)")
    conditions += [sql for (name, side), sql in _RFIG_FLAGS.items() if p[name] == side]
    if p["year_min"] is not None:
        conditions.append("f.year >= $year_min::INTEGER")
    if p["year_max"] is not None:
        conditions.append("f.year <= $year_max::INTEGER")
    if p["agency_ids"]:
        keys = [f"$key{i}" for i in range(len(p["agency_keys"]))]
        if p["agency_role"] == "any":
            conditions.append(_any_of("f." + ("any_current_ids" if merge else "any_ids"), keys))
        else:
            conditions.append(f"{key} IN ({', '.join(keys)})" if keys else "FALSE")
    if p["fig_agencies"]:
        conditions.append(f"list_contains($fig_agencies::VARCHAR[], COALESCE({key}, ''))")
    return f"""
WITH{matches}
rf AS NOT MATERIALIZED (  -- inlined where read twice (a page's places, then its rows): two scans, no copy
    SELECT f.figure_id, f.doc_id, f.value, f.unit, f.kind, f.metric, f.is_cumulative, f.is_change, f.is_target,
           f.year, f.year_basis, f.issue_date, f.list_order, {key} AS agency_key
    FROM fact_reported_figures f
    {_where(conditions)}
)"""


_RFIG_SQL = {  # name -> the statement after ``_rfig_base``
    "reported_figure_count": "SELECT count(*) AS n FROM rf",
    "reported_figure_page": f"""
        , keys AS (  -- the page's places first: a top-N over one integer column (unique: etl.derive numbers the rows)
            SELECT list_order FROM rf ORDER BY list_order {_PAGE}
        ),
        page AS (
            SELECT figure_id, doc_id, agency_key, year, year_basis, issue_date, list_order FROM rf
            WHERE list_order IN (SELECT list_order FROM keys)
        )
        SELECT p.*, la.canonical_name AS agency_name, la.short_name, la.name_en AS agency_name_en
        FROM page p LEFT JOIN agencies la ON la.agency_id = p.agency_key
        ORDER BY p.list_order
    """,
    "reported_figure_metrics": """
        SELECT metric, unit, any_value(kind) AS kind, count(*) AS n_figures,
               count(*) FILTER (WHERE NOT is_change) AS n_levels,
               count(DISTINCT year) FILTER (WHERE NOT is_change) AS n_years
        FROM rf WHERE metric <> ''
        GROUP BY metric, unit
        ORDER BY n_years DESC, n_levels DESC, n_figures DESC, metric, unit  -- a line over most years first
        LIMIT $limit
    """,
    "reported_figure_series": """
        , levels AS (  -- levels only: a change or rate is never charted with (or added to) a level
            SELECT * FROM rf WHERE NOT is_change AND metric = $metric::VARCHAR AND unit = $unit::VARCHAR
        ),
        top AS (
            SELECT agency_key FROM levels GROUP BY agency_key
            ORDER BY count(*) DESC, agency_key NULLS LAST LIMIT $max_agencies
        )
        SELECT l.agency_key, la.canonical_name, la.short_name, la.name_en, l.year, l.is_cumulative, l.is_target,
               arg_max(l.value, (l.issue_date, l.value, l.figure_id)) AS value,
               min(l.value) AS min_value, max(l.value) AS max_value, count(*) AS n_figures,
               arg_max(l.figure_id, (l.issue_date, l.value, l.figure_id)) AS figure_id
        FROM levels l LEFT JOIN agencies la ON la.agency_id = l.agency_key
        WHERE l.year IS NOT NULL
          AND (l.agency_key IN (SELECT agency_key FROM top)
               OR (l.agency_key IS NULL AND EXISTS (SELECT 1 FROM top WHERE agency_key IS NULL)))
        GROUP BY ALL
        ORDER BY l.is_cumulative, l.is_target, l.agency_key NULLS LAST, l.year
    """,
    "reported_figure_series_stats": """
        SELECT count(*) FILTER (WHERE NOT is_change AND unit = $unit::VARCHAR AND year IS NOT NULL) AS n_levels,
               count(*) FILTER (WHERE is_change) AS n_changes,  -- in any unit (同比增长25% of a count of 家)
               count(*) FILTER (WHERE NOT is_change AND unit = $unit::VARCHAR AND year IS NULL) AS n_no_year
        FROM rf WHERE metric = $metric::VARCHAR
    """,
}

_RFIG_CHOICES_SQL = """
    WITH per_unit AS (
        SELECT unit, any_value(kind) AS kind, count(*) AS n, min(year) AS year_min, max(year) AS year_max
        FROM fact_reported_figures GROUP BY unit
    )
    SELECT list(struct_pack(unit := unit, kind := kind, n := n) ORDER BY n DESC, unit) AS units,
           min(year_min) AS year_min, max(year_max) AS year_max, COALESCE(sum(n), 0) AS n_figures
    FROM per_unit
"""

_RFIG_AGENCIES_SQL = """
    , keys AS (SELECT agency_key, count(*) AS n FROM rf GROUP BY agency_key)
    SELECT k.agency_key, la.canonical_name, la.short_name, la.name_en, la.is_registered, k.n AS n_figures
    FROM keys k LEFT JOIN agencies la ON la.agency_id = k.agency_key
    ORDER BY k.n DESC, la.canonical_name NULLS LAST, k.agency_key NULLS LAST
    LIMIT $limit
"""

REPORTED_FIGURE_TEXT = """
    SELECT f.figure_id, f.span_text, f.value, f.unit, f.is_unit_known, f.qualifier, f.kind AS figure_kind, f.metric,
           f.is_cumulative, f.is_change, f.is_target, f.sentence, f.doc_id, f.commitment_id, f.char_start, f.char_end,
           f.sentence_start, f.sentence_end
    FROM reported_figures f WHERE f.figure_id IN ({ids})
"""
"""A template for ``by_ids``: a page of reported figures' own columns and sentences."""

REPORTED_FIGURE_ROW_COLUMNS = [
    "figure_id", "agency_key", "agency_name", "short_name", "agency_name_en", "year", "year_basis", "span_text",
    "value", "unit", "is_unit_known", "qualifier", "figure_kind", "metric", "is_cumulative", "is_change", "is_target",
    "sentence", "title", "issue_date", "doc_id", "commitment_id", "char_start", "char_end", "sentence_start",
    "sentence_end"]


def _rfig_statement(name: str, values: dict) -> str:
    return _rfig_base(values) + _RFIG_SQL[name]


def _rfig_run(cur, name: str, values: dict) -> pd.DataFrame:
    sql = _rfig_statement(name, values)
    return cur.execute(sql, _used_params(sql, values)).df()


def _rfig_page(cur, values: dict) -> pd.DataFrame:
    """One page of reported figures: the page's keys from the filters, then their text and titles by ID."""
    page = _rfig_run(cur, "reported_figure_page", values)
    detail = by_ids(cur, REPORTED_FIGURE_TEXT, page["figure_id"].tolist())
    titles = by_ids(cur, DOCUMENT_TITLES_BY_ID, page["doc_id"].tolist())[["doc_id", "title"]]
    out = (page.drop(columns=["doc_id"]).merge(detail, on="figure_id", how="left")
           .merge(titles, on="doc_id", how="left"))
    return out[REPORTED_FIGURE_ROW_COLUMNS]


def _rfig_choices(cur, values: dict) -> pd.DataFrame:
    del values  # over every reported figure: what the page's filters can choose from
    return cur.execute(_RFIG_CHOICES_SQL).df()


def _rfig_agencies(cur, values: dict) -> pd.DataFrame:
    sql = _rfig_base(values) + _RFIG_AGENCIES_SQL
    return cur.execute(sql, _used_params(sql, values)).df()


# Run through ``_cached``/``_compute`` like every statement (cached per stamp, cleared by ``clear_cache``):
# ``_compute`` hands a name of ``_PAGED`` its cursor and parameters.
_PAGED.update({name: (lambda n: lambda cur, values: _rfig_run(cur, n, values))(name) for name in _RFIG_SQL})
_PAGED.update({"reported_figure_rows": _rfig_page, "reported_figure_choices": _rfig_choices,
               "reported_figure_agencies": _rfig_agencies})


@dataclass(frozen=True)
class FigureChoices:
    """What the Figures page's filters offer: units (with kind and count), the year bounds, the total."""

    units: pd.DataFrame
    years: tuple[int, int] | None
    n_figures: int


def reported_figure_choices() -> FigureChoices:
    """Return the units, year bounds and number of every reported figure (the page's filter choices)."""
    row = _run("reported_figure_choices", {}).iloc[0]
    listed = row["units"]
    units = pd.DataFrame([] if listed is None or _missing(listed) is True else list(listed), columns=["unit", "kind", "n"])
    years = None if _missing(row["year_min"]) or _missing(row["year_max"]) else (int(row["year_min"]), int(row["year_max"]))
    return FigureChoices(units, years, int(row["n_figures"]))


def reported_figure_count(f: Filters, q: FigureQuery = FigureQuery()) -> int:
    """Return how many reported figures the sidebar's and the page's filters keep (the Overview's count)."""
    return int(_run("reported_figure_count", _rfig_params(f, q)).iloc[0, 0])


def reported_figure_rows(f: Filters, q: FigureQuery = FigureQuery(), limit: int | None = None,
                         offset: int = 0) -> pd.DataFrame:
    """Return the reported figures the filters keep, newest document first and in reading order within it.

    Columns: ``REPORTED_FIGURE_ROW_COLUMNS`` (value in the base unit of ``unit``; the chart key,
    year and basis as the chart places them). ``limit``/``offset`` page in SQL; ``None`` for all.
    """
    return _run("reported_figure_rows", {**_rfig_params(f, q), **_page(limit, offset)})


def reported_figure_metrics(f: Filters, q: FigureQuery = FigureQuery(), limit: int = FIGURE_METRICS_MAX
                            ) -> pd.DataFrame:
    """Return the metrics (each with one unit) of the filtered figures, those whose levels span most years
    first: metric, unit, kind, n_figures, n_levels, n_years. A metric written with two units is two
    choices (never one series)."""
    return _run("reported_figure_metrics", {**_rfig_params(f, q), "limit": int(limit)})


def reported_figure_series(f: Filters, q: FigureQuery, metric: str, unit: str,
                           max_agencies: int = FIGURE_SERIES_AGENCIES) -> pd.DataFrame:
    """Return one metric's levels by agency × year, running totals and targets apart; never a sum.

    One row per agency × year × is_cumulative × is_target: ``value`` is the figure of the newest
    document (the latest statement of that year's level), with ``min_value``/``max_value`` and
    ``n_figures`` of all figures there. Changes and rates (``is_change``) are left out; figures
    without a year are too. Only the ``max_agencies`` agencies with most figures are drawn.
    """
    return _run("reported_figure_series", {**_rfig_params(f, q), "metric": metric, "unit": unit,
                                           "max_agencies": int(max_agencies)})


def reported_figure_series_stats(f: Filters, q: FigureQuery, metric: str, unit: str) -> dict[str, int]:
    """Return how many of one metric's figures the chart draws and leaves out: n_levels and n_no_year (in
    ``unit``), n_changes (changes and rates of the metric, in any unit)."""
    row = _run("reported_figure_series_stats", {**_rfig_params(f, q), "metric": metric, "unit": unit}).iloc[0]
    return {k: int(v) for k, v in row.items()}


def reported_figure_agencies(f: Filters, q: FigureQuery = FigureQuery(), limit: int = 500) -> pd.DataFrame:
    """Return the agencies the filtered figures are charted under, most figures first (the page's agency choice).

    ``agency_key`` is null for figures of no agency (no sentence agency, commitment or issuer).
    """
    return _run("reported_figure_agencies", {**_rfig_params(f, q), "limit": int(limit)})


REPORTED_FIGURE_BY_ID = """
    SELECT f.figure_id, f.doc_id, f.span_text, f.metric, f.unit, f.value, f.kind AS figure_kind, f.char_start, f.char_end,
           f.sentence, f.sentence_start, f.sentence_end
    FROM reported_figures f WHERE f.figure_id = $figure_id
"""


_PAGED["reported_figure"] = lambda cur, values: cur.execute(REPORTED_FIGURE_BY_ID, _used_params(REPORTED_FIGURE_BY_ID, values)).df()


def reported_figure(figure_id: str) -> dict | None:
    """Return one reported figure with its offsets and sentence (for the reader), or None."""
    frame = _run("reported_figure", {"figure_id": str(figure_id)})
    return None if frame.empty else frame.iloc[0].to_dict()


QUERY_FUNCTIONS = QUERY_FUNCTIONS + (reported_figure_choices, reported_figure_count, reported_figure_rows,
                                     reported_figure_metrics, reported_figure_series, reported_figure_series_stats,
                                     reported_figure_agencies, reported_figure)
