"""Read the facts database for the dashboard: every SQL statement, with bound parameters.

In: ``Filters`` and a few page controls. Out: DataFrames (one row per chart mark or table row).

- The database is ``$COMMITMENTS_DB`` (default ``data/commitments.duckdb``), opened read-only
  for one query and closed again, with a retry while the ETL swaps a new file in.
- Every fact is read through an *effective* layer: the analysts' corrections
  (``etl.reviews.figure_corrections()`` / ``commitment_corrections()``) are registered into
  the connection and LEFT JOINed with COALESCE; rejected rows are dropped; ``is_corrected``
  says which rows an analyst changed. Without ``etl.reviews`` the corrections are empty.
- Results are cached with ``st.cache_data`` keyed on the database file's and the reviews
  file's (``$COMMITMENTS_REVIEWS_DB``, default ``data/reviews.sqlite``) modification times,
  so a new ETL run or a saved correction shows on the next interaction.

SQL is assembled only from the constant fragments below; user input always travels as
named parameters (``$agency_ids``, ``$keyword`` …).
"""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboard.filters_state import Filters, keyword_pattern

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "data/commitments.duckdb"
DEFAULT_REVIEWS = "data/reviews.sqlite"
SPENDING_KINDS = ("fiscal", "fund")
"""Public money: what the headline numbers add up (never subsidy rates or economic figures)."""
RETRIES = 40
RETRY_SECONDS = 0.05

FIGURE_CORRECTION_COLUMNS = {"figure_id": "string", "amount_yuan": "float64", "money_kind": "string",
                             "figure_year": "Int64", "is_target": "boolean", "is_rejected": "boolean"}
COMMITMENT_CORRECTION_COLUMNS = {"commitment_id": "string", "lead_agency_ids": "object",
                                 "deadline_date": "datetime64[ns]", "deadline_basis": "string",
                                 "is_rejected": "boolean"}


# ---------------------------------------------------------------------------------------------
# Files, stamps, connections
# ---------------------------------------------------------------------------------------------

def db_path() -> Path:
    """Return the database path: ``$COMMITMENTS_DB``, else ``data/commitments.duckdb`` in the repo."""
    env = os.environ.get("COMMITMENTS_DB")
    return Path(env) if env else REPO_ROOT / DEFAULT_DB


def reviews_path() -> Path:
    """Return the reviews file: ``$COMMITMENTS_REVIEWS_DB``, else ``data/reviews.sqlite`` in the repo."""
    env = os.environ.get("COMMITMENTS_REVIEWS_DB")
    return Path(env) if env else REPO_ROOT / DEFAULT_REVIEWS


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
    db, reviews = db_path(), reviews_path()
    return Stamp(str(db), _mtime_ns(db), str(reviews), _mtime_ns(reviews),
                 _mtime_ns(reviews.with_name(reviews.name + "-wal")))


class NoDatabase(Exception):
    """The database file does not exist (or is not a facts database)."""


def _open_read_only(path: str) -> duckdb.DuckDBPyConnection:
    """Open ``path`` read-only, retrying while another process holds it or swaps it in."""
    last: Exception | None = None
    for attempt in range(RETRIES):
        if not Path(path).exists():
            raise NoDatabase(path)
        try:
            return duckdb.connect(path, read_only=True)
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
                 ) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    """Return (figure corrections, commitment corrections, warning) from ``etl.reviews``."""
    del reviews, reviews_mtime_ns, wal_mtime_ns  # cache key only
    warning = None
    try:
        from etl import reviews as etl_reviews

        figures = etl_reviews.figure_corrections()
        commitments = etl_reviews.commitment_corrections()
    except (ImportError, AttributeError):
        figures = commitments = None
    except Exception as exc:  # a broken reviews file must not take the dashboard down
        figures = commitments = None
        warning = f"{type(exc).__name__}: {exc}"
    return (_normalize(figures, FIGURE_CORRECTION_COLUMNS),
            _normalize(commitments, COMMITMENT_CORRECTION_COLUMNS), warning)


def corrections_warning() -> str | None:
    """Return why the corrections could not be read, or None."""
    s = stamp()
    return _corrections(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns)[2]


_EFFECTIVE_VIEWS = (
    """
    CREATE OR REPLACE TEMP VIEW eff_figures AS
    SELECT f.figure_id, f.doc_id, f.commitment_id, f.figure_type, f.span_text, f.value, f.unit,
           COALESCE(r.amount_yuan, f.amount_yuan) AS amount_yuan, f.qualifier,
           COALESCE(r.money_kind, f.money_kind) AS money_kind,
           COALESCE(CAST(r.figure_year AS INTEGER), f.figure_year) AS figure_year,
           COALESCE(r.is_target, f.is_target) AS is_target, f.is_breakdown,
           f.metric, f.agency_id, f.agency_ids, f.char_start, f.char_end,
           f.sentence, f.sentence_start, f.sentence_end,
           (r.amount_yuan IS NOT NULL OR r.money_kind IS NOT NULL OR r.figure_year IS NOT NULL
            OR r.is_target IS NOT NULL) IS TRUE AS is_corrected
    FROM figures f LEFT JOIN figure_corrections r USING (figure_id)
    WHERE NOT COALESCE(r.is_rejected, FALSE)
    """,
    """
    CREATE OR REPLACE TEMP VIEW eff_commitments AS
    WITH corr AS (
        SELECT commitment_id, CAST(lead_agency_ids AS VARCHAR[]) AS lead_agency_ids,
               CAST(deadline_date AS DATE) AS deadline_date, CAST(deadline_basis AS VARCHAR) AS deadline_basis,
               CAST(is_rejected AS BOOLEAN) AS is_rejected
        FROM commitment_corrections
    ),
    corrected_names AS (
        SELECT u.commitment_id, list(COALESCE(a.canonical_name, u.id) ORDER BY u.pos) AS names
        FROM (SELECT commitment_id, unnest(lead_agency_ids) AS id, generate_subscripts(lead_agency_ids, 1) AS pos
              FROM corr WHERE lead_agency_ids IS NOT NULL) u
        LEFT JOIN agencies a ON a.agency_id = u.id
        GROUP BY u.commitment_id
    ),
    joined AS (
        SELECT c.*, r.lead_agency_ids AS r_leads, r.deadline_date AS r_date, r.deadline_basis AS r_basis,
               r.is_rejected AS r_rejected, n.names AS r_names
        FROM commitments c LEFT JOIN corr r USING (commitment_id)
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


@contextmanager
def _connect(s: Stamp):
    """Yield a short-lived read-only connection with the effective views registered."""
    figures, commitments, _ = _corrections(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns)
    con = _open_read_only(s.db)
    try:
        con.register("figure_corrections", figures)
        con.register("commitment_corrections", commitments)
        for sql in _EFFECTIVE_VIEWS:
            con.execute(sql)
        yield con
    finally:
        con.close()


_PARAM = re.compile(r"\$([a-z_]+)")


def _used_params(sql: str, params: dict) -> dict:
    """Return the parameters ``sql`` names (DuckDB rejects unused ones)."""
    names = set(_PARAM.findall(sql))
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items() if k in names}


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(s: Stamp, name: str, params: tuple) -> pd.DataFrame:
    sql = _SQL[name]
    with _connect(s) as con:
        return con.execute(sql, _used_params(sql, dict(params))).df()


def _run(name: str, params: dict) -> pd.DataFrame:
    """Run the named statement with ``params`` (cached on the files' stamps)."""
    s = stamp()
    if s.db_mtime_ns == 0:
        raise NoDatabase(s.db)
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _cached(s, name, frozen)


def clear_cache() -> None:
    """Forget every cached result (for benchmarks and tests)."""
    _cached.clear()
    _corrections.clear()


# ---------------------------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    state: str  # ok / missing / empty / busy / broken
    path: str
    reason: str = ""


_REQUIRED_TABLES = ("documents", "agencies", "commitments", "commitment_agencies", "figures",
                    "agency_mentions", "sections")


def database_status() -> Status:
    """Say whether the database is there, readable and holds documents."""
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
    missing = [t for t in _REQUIRED_TABLES if t not in set(tables["table_name"])]
    if missing:
        return Status("broken", s.db, "missing tables: " + ", ".join(missing))
    if int(_run("document_count", {}).iloc[0, 0]) == 0:
        return Status("empty", s.db)
    return Status("ok", s.db)


# ---------------------------------------------------------------------------------------------
# SQL
# ---------------------------------------------------------------------------------------------

_FILTERED = """
WITH
ag AS (
    SELECT agency_id, current_id, canonical_name, short_name, name_en,
           CASE WHEN $merge THEN current_id ELSE agency_id END AS agency_key
    FROM agencies
),
keymap AS (SELECT map(list(agency_id), list(agency_key)) AS m FROM ag),
sel AS (
    SELECT COALESCE(list(DISTINCT a.agency_key), []) AS keys
    FROM ag a WHERE list_contains($agency_ids::VARCHAR[], a.agency_id)
),
doc_f AS (
    SELECT d.doc_id, d.title, d.doc_type, d.jurisdiction, d.issue_date, d.issue_year, d.issuer_id,
           d.issuer_name, d.proposal_no, d.valid_from, d.valid_until, d.file_name, d.char_count
    FROM documents d
    WHERE (len($jurisdictions::VARCHAR[]) = 0 OR list_contains($jurisdictions::VARCHAR[], d.jurisdiction))
      AND (len($doc_types::VARCHAR[]) = 0 OR list_contains($doc_types::VARCHAR[], d.doc_type))
      AND (len($doc_ids::VARCHAR[]) = 0 OR list_contains($doc_ids::VARCHAR[], d.doc_id))
      AND ($issue_year_min::INTEGER IS NULL OR d.issue_year >= $issue_year_min::INTEGER)
      AND ($issue_year_max::INTEGER IS NULL OR d.issue_year <= $issue_year_max::INTEGER)
),
support AS (
    SELECT commitment_id, list(agency_id ORDER BY position) AS ids
    FROM commitment_agencies WHERE role = 'support' GROUP BY commitment_id
),
com_all AS (
    SELECT c.*, d.title, d.issue_date, d.issue_year, d.doc_type, d.jurisdiction, d.issuer_id,
           list_transform(COALESCE(c.lead_agency_ids, []), lambda x: COALESCE(keymap.m[x], x)) AS lead_keys,
           list_transform(COALESCE(c.lead_agency_ids, []) || COALESCE(s.ids, [])
                          || CASE WHEN d.issuer_id IS NULL THEN [] ELSE [d.issuer_id] END,
                          lambda x: COALESCE(keymap.m[x], x)) AS any_keys,
           CASE WHEN c.deadline_date IS NULL THEN 'none'
                WHEN c.deadline_date < $as_of::DATE THEN 'overdue'
                WHEN c.deadline_date <= $as_of::DATE + 30 THEN 'due_30'
                WHEN c.deadline_date <= $as_of::DATE + 90 THEN 'due_90'
                ELSE 'later' END AS deadline_bucket
    FROM eff_commitments c JOIN doc_f d USING (doc_id)
    LEFT JOIN support s USING (commitment_id)
    CROSS JOIN keymap
),
com_tagged AS (
    SELECT c.*,
           ((len($buckets::VARCHAR[]) = 0 OR list_contains($buckets::VARCHAR[], c.deadline_bucket))
            AND ($due_year_min::INTEGER IS NULL OR c.deadline_year >= $due_year_min::INTEGER)
            AND ($due_year_max::INTEGER IS NULL OR c.deadline_year <= $due_year_max::INTEGER)) IS TRUE AS passes_deadline,
           (len($agency_ids::VARCHAR[]) = 0
            OR list_has_any(CASE WHEN $agency_role = 'any' THEN c.any_keys ELSE c.lead_keys END, sel.keys)) AS passes_agency
    FROM com_all c CROSS JOIN sel
),
com_f AS (
    SELECT * FROM com_tagged
    WHERE passes_deadline AND passes_agency
      AND ($keyword::VARCHAR IS NULL OR text ILIKE $keyword::VARCHAR ESCAPE '\\')
),
fig_all AS (
    SELECT f.*, d.title, d.issue_date, d.issue_year, d.doc_type,
           COALESCE(f.figure_year, d.issue_year) AS year,
           CASE WHEN f.figure_year IS NOT NULL THEN 'stated' ELSE 'issue_year' END AS year_basis,
           CASE WHEN c.is_lead_corrected THEN c.lead_agency_ids[1]
                ELSE COALESCE(f.agency_id, c.lead_agency_ids[1], d.issuer_id) END AS attributed_id,
           c.text AS commitment_text, c.passes_deadline, c.any_keys AS commitment_keys,
           CASE WHEN f.figure_type = 'money' THEN f.amount_yuan ELSE f.value END AS amount
    FROM eff_figures f JOIN doc_f d USING (doc_id)
    LEFT JOIN com_tagged c USING (commitment_id)
),
fig_keyed AS (
    SELECT f.*, COALESCE(keymap.m[f.attributed_id], f.attributed_id) AS agency_key,
           list_transform(COALESCE(f.agency_ids, []) || COALESCE(f.commitment_keys, [])
                          || CASE WHEN f.attributed_id IS NULL THEN [] ELSE [f.attributed_id] END,
                          lambda x: COALESCE(keymap.m[x], x)) AS any_keys
    FROM fig_all f CROSS JOIN keymap
),
fig_f AS (
    SELECT f.* FROM fig_keyed f CROSS JOIN sel
    WHERE (len($agency_ids::VARCHAR[]) = 0
           OR (CASE WHEN $agency_role = 'any' THEN list_has_any(f.any_keys, sel.keys)
                    ELSE list_contains(sel.keys, f.agency_key) END) IS TRUE)
      AND (NOT $deadline_active OR f.passes_deadline IS TRUE)
      AND ($keyword::VARCHAR IS NULL OR f.sentence ILIKE $keyword::VARCHAR ESCAPE '\\'
           OR f.commitment_text ILIKE $keyword::VARCHAR ESCAPE '\\')
),
doc_ff AS (
    SELECT d.* FROM doc_f d
    WHERE NOT $fact_filters
       OR d.doc_id IN (SELECT doc_id FROM com_f)
       OR d.doc_id IN (SELECT doc_id FROM fig_f)
)
"""

_FIG_SELECTION = """,
fig_sel AS (
    SELECT * FROM fig_f
    WHERE figure_type = $figure_type
      AND is_target = $is_target
      AND NOT is_breakdown  -- 其中… parts of a figure already counted
      AND (len($kinds::VARCHAR[]) = 0 OR list_contains($kinds::VARCHAR[], money_kind))
)
"""

_SQL: dict[str, str] = {
    "tables": "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'",
    "document_count": "SELECT count(*) AS n FROM documents",
    "filter_agencies": """
        WITH used AS (
            SELECT unnest(lead_agency_ids) AS agency_id FROM eff_commitments
            UNION SELECT agency_id FROM commitment_agencies
            UNION SELECT issuer_id FROM documents
            UNION SELECT agency_id FROM eff_figures
        )
        SELECT a.agency_id, a.current_id, a.canonical_name, a.short_name, a.name_en, a.is_registered
        FROM agencies a
        WHERE a.agency_id IN (SELECT agency_id FROM used)
           OR a.agency_id IN (SELECT b.current_id FROM agencies b JOIN used u USING (agency_id))
        ORDER BY a.canonical_name
    """,
    "filter_documents": """
        SELECT doc_id, title, doc_type, jurisdiction, issue_year, file_name
        FROM documents ORDER BY issue_date DESC NULLS LAST, title
    """,
    "filter_bounds": """
        SELECT (SELECT min(issue_year) FROM documents) AS issue_min,
               (SELECT max(issue_year) FROM documents) AS issue_max,
               (SELECT min(deadline_year) FROM eff_commitments) AS due_min,
               (SELECT max(deadline_year) FROM eff_commitments) AS due_max
    """,
    "headline": _FILTERED + """
        SELECT
            (SELECT count(*) FROM doc_ff) AS documents,
            (SELECT count(*) FROM com_f) AS commitments,
            (SELECT count(DISTINCT k) FROM (SELECT unnest(lead_keys) AS k FROM com_f)) AS lead_agencies,
            (SELECT sum(amount_yuan) FROM fig_f WHERE figure_type = 'money' AND NOT is_target AND NOT is_breakdown
                AND list_contains($spending::VARCHAR[], money_kind)) AS money_reported_yuan,
            (SELECT sum(amount_yuan) FROM fig_f WHERE figure_type = 'money' AND is_target AND NOT is_breakdown
                AND list_contains($spending::VARCHAR[], money_kind)) AS money_target_yuan,
            (SELECT count(*) FROM com_f WHERE deadline_bucket IN ('due_30', 'due_90')) AS due_90,
            (SELECT count(*) FROM com_f WHERE deadline_bucket = 'overdue') AS overdue,
            (SELECT count(*) FROM com_f WHERE deadline_bucket = 'none') AS no_deadline
    """,
    "money_by_year": _FILTERED + """
        SELECT year, is_target, sum(amount_yuan) AS amount_yuan, count(*) AS n_figures
        FROM fig_f
        WHERE figure_type = 'money' AND NOT is_breakdown AND list_contains($spending::VARCHAR[], money_kind)
        GROUP BY year, is_target ORDER BY year, is_target
    """,
    "counts_by_year": _FILTERED + """
        SELECT year, is_target, sum(value) AS total, count(*) AS n_figures
        FROM fig_f WHERE figure_type = 'count' AND NOT is_breakdown
        GROUP BY year, is_target ORDER BY year, is_target
    """,
    "figures_by_agency_year": _FILTERED + _FIG_SELECTION + """
        SELECT f.agency_key, la.canonical_name, la.short_name, la.name_en, f.year,
               sum(f.amount) AS total, count(*) AS n_figures, bool_or(f.is_corrected) AS is_corrected,
               list(f.span_text || ' · ' || COALESCE(f.title, '') ORDER BY f.amount DESC, f.figure_id)[1:5] AS examples
        FROM fig_sel f LEFT JOIN agencies la ON la.agency_id = f.agency_key
        GROUP BY ALL
        ORDER BY f.agency_key, f.year
    """,
    "figure_rows": _FILTERED + _FIG_SELECTION + """
        SELECT f.figure_id, f.agency_key, la.canonical_name AS agency_name, la.short_name,
               la.name_en AS agency_name_en, f.year, f.year_basis, f.span_text, f.amount_yuan,
               round(f.amount_yuan / 1e8, 6) AS amount_yiyuan, f.value, f.unit, f.qualifier,
               f.money_kind, f.is_target, f.metric, f.sentence, f.title, f.issue_date, f.doc_id,
               f.commitment_id, f.char_start, f.char_end, f.is_corrected
        FROM fig_sel f LEFT JOIN agencies la ON la.agency_id = f.agency_key
        WHERE len($picks::VARCHAR[]) = 0
           OR list_contains($picks::VARCHAR[], COALESCE(f.agency_key, '') || '|' || COALESCE(CAST(f.year AS VARCHAR), ''))
        ORDER BY f.amount DESC NULLS LAST, f.figure_id
    """,
    "commitment_rows": _FILTERED + """
        , inside AS (
            SELECT commitment_id, string_agg(span_text, '、' ORDER BY char_start) AS figures_text
            FROM (SELECT DISTINCT commitment_id, span_text, char_start FROM eff_figures
                  WHERE commitment_id IS NOT NULL)
            GROUP BY commitment_id
        )
        SELECT c.commitment_id, c.item_label, c.text, c.lead_agency_names, c.lead_agency_ids, c.lead_keys,
               c.title, c.issue_date, c.deadline_date, c.deadline_year, c.deadline_basis, c.deadline_text,
               c.deadline_bucket, i.figures_text, c.doc_id, c.char_start, c.char_end, c.is_corrected,
               c.lead_keys[1] AS first_lead_key, la.canonical_name AS first_lead_name,
               la.short_name AS first_lead_short, la.name_en AS first_lead_en
        FROM com_f c LEFT JOIN inside i USING (commitment_id)
        LEFT JOIN agencies la ON la.agency_id = c.lead_keys[1]
        ORDER BY c.issue_date DESC NULLS LAST, c.doc_id, c.char_start
    """,
    "deadlines_by_agency": _FILTERED + """
        , per_lead AS (
            SELECT CASE WHEN len(lead_keys) = 0 THEN [NULL] ELSE lead_keys END AS keys, deadline_bucket
            FROM com_f
        )
        SELECT k.agency_key, la.canonical_name, la.short_name, la.name_en, k.deadline_bucket,
               count(*) AS n_commitments
        FROM (SELECT unnest(keys) AS agency_key, deadline_bucket FROM per_lead) k
        LEFT JOIN agencies la ON la.agency_id = k.agency_key
        GROUP BY ALL ORDER BY k.agency_key, k.deadline_bucket
    """,
    "deadlines_by_year": _FILTERED + """
        SELECT deadline_year, deadline_bucket, count(*) AS n_commitments
        FROM com_f GROUP BY ALL ORDER BY deadline_year NULLS LAST, deadline_bucket
    """,
    "policy_terms": _FILTERED + """
        SELECT doc_id, title, valid_from, valid_until,
               100.0 * least(greatest(date_diff('day', valid_from, $as_of::DATE), 0),
                             date_diff('day', valid_from, valid_until))
                     / nullif(date_diff('day', valid_from, valid_until), 0) AS term_elapsed_pct
        FROM doc_ff
        WHERE valid_from IS NOT NULL AND valid_until IS NOT NULL AND valid_until > valid_from
        ORDER BY valid_until, title
    """,
    "document_rows": _FILTERED + """
        , nc AS (SELECT doc_id, count(*) AS n FROM eff_commitments GROUP BY doc_id),
        nf AS (SELECT doc_id, count(*) AS n FROM eff_figures GROUP BY doc_id)
        SELECT d.doc_id, d.title, d.doc_type, d.issuer_name, d.jurisdiction, d.issue_date, d.proposal_no,
               d.valid_from, d.valid_until, COALESCE(nc.n, 0) AS n_commitments, COALESCE(nf.n, 0) AS n_figures,
               d.char_count, d.file_name
        FROM doc_ff d LEFT JOIN nc USING (doc_id) LEFT JOIN nf USING (doc_id)
        ORDER BY d.issue_date DESC NULLS LAST, d.title
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


# ---------------------------------------------------------------------------------------------
# Public query functions (benchmarks time these)
# ---------------------------------------------------------------------------------------------

def _filter_params(f: Filters) -> dict:
    issue = f.issue_years or (None, None)
    due = f.deadline_years or (None, None)
    return {
        "merge": bool(f.merge), "agency_ids": list(f.agency_ids), "agency_role": f.agency_role,
        "jurisdictions": list(f.jurisdictions), "doc_types": list(f.doc_types), "doc_ids": list(f.doc_ids),
        "issue_year_min": issue[0], "issue_year_max": issue[1],
        "due_year_min": due[0], "due_year_max": due[1], "buckets": list(f.buckets),
        "keyword": keyword_pattern(f.keyword), "as_of": f.as_of,
        "deadline_active": bool(f.buckets or f.deadline_years), "fact_filters": f.has_fact_filters,
        "spending": list(SPENDING_KINDS),
    }


@dataclass(frozen=True)
class Options:
    """What the sidebar offers: agencies, documents, jurisdictions, types and year bounds."""

    agencies: pd.DataFrame
    documents: pd.DataFrame
    issue_years: tuple[int, int] | None
    deadline_years: tuple[int, int] | None

    @property
    def jurisdictions(self) -> list[str]:
        return sorted(self.documents["jurisdiction"].dropna().unique().tolist())

    @property
    def doc_types(self) -> list[str]:
        return sorted(self.documents["doc_type"].dropna().unique().tolist())


def filter_options() -> Options:
    """Return the sidebar's choices (agencies that appear in any fact, documents, year bounds)."""
    bounds = _run("filter_bounds", {}).iloc[0]

    def pair(lo, hi):
        return None if pd.isna(lo) or pd.isna(hi) else (int(lo), int(hi))

    return Options(_run("filter_agencies", {}), _run("filter_documents", {}),
                   pair(bounds["issue_min"], bounds["issue_max"]), pair(bounds["due_min"], bounds["due_max"]))


def headline_numbers(f: Filters) -> dict:
    """Return the Overview's numbers: documents, commitments, lead agencies, money, deadlines."""
    row = _run("headline", _filter_params(f)).iloc[0]
    money = ("money_reported_yuan", "money_target_yuan")
    return {k: (None if pd.isna(v) else float(v) if k in money else int(v)) for k, v in row.items()}


def money_by_year(f: Filters) -> pd.DataFrame:
    """Return fiscal + fund money by year and reported/target (never subsidy rates)."""
    return _run("money_by_year", _filter_params(f))


def counts_by_year(f: Filters) -> pd.DataFrame:
    """Return project counts by year and reported/target."""
    return _run("counts_by_year", _filter_params(f))


def _selection_params(f: Filters, figure_type: str, kinds, is_target: bool) -> dict:
    kinds = [k for k in (kinds or ()) if figure_type != "money" or k]
    return {**_filter_params(f), "figure_type": figure_type, "is_target": bool(is_target), "kinds": kinds}


def funding_by_agency_year(f: Filters, kinds=SPENDING_KINDS, is_target: bool = False) -> pd.DataFrame:
    """Return money (yuan) per agency × year for the given kinds; one row per stacked bar segment.

    ``kinds`` must not mix subsidy rates with spending: pass ``("subsidy_rate",)`` alone to
    list the rates (which ``subsidy_rates`` does).
    """
    if "subsidy_rate" in kinds and len(kinds) > 1:
        raise ValueError("subsidy rates are per recipient and are never summed with spending")
    return _run("figures_by_agency_year", _selection_params(f, "money", tuple(kinds), is_target))


def counts_by_agency_year(f: Filters, is_target: bool = False) -> pd.DataFrame:
    """Return project counts per agency × year."""
    return _run("figures_by_agency_year", _selection_params(f, "count", (), is_target))


def figure_rows(f: Filters, figure_type: str = "money", kinds=SPENDING_KINDS, is_target: bool = False,
                picks: tuple[str, ...] = ()) -> pd.DataFrame:
    """Return the figures behind a chart, with their sentences; ``picks`` narrows to bars.

    A pick is ``"<agency_key>|<year>"`` (empty strings for a missing agency or year), as
    ``charts.pick_of`` builds from a selected bar.
    """
    params = _selection_params(f, figure_type, tuple(kinds) if figure_type == "money" else (), is_target)
    return _run("figure_rows", {**params, "picks": list(picks)})


def subsidy_rates(f: Filters, is_target: bool = False) -> pd.DataFrame:
    """Return the subsidy rates (per recipient), one row per figure: never to be summed."""
    return figure_rows(f, "money", ("subsidy_rate",), is_target)


def commitment_rows(f: Filters) -> pd.DataFrame:
    """Return the filtered commitments with deadline status and the figures inside each."""
    return _run("commitment_rows", _filter_params(f))


def deadlines_by_agency(f: Filters) -> pd.DataFrame:
    """Return commitment counts per lead agency × deadline status (once per lead agency)."""
    return _run("deadlines_by_agency", _filter_params(f))


def deadlines_by_year(f: Filters) -> pd.DataFrame:
    """Return commitment counts per deadline year × deadline status."""
    return _run("deadlines_by_year", _filter_params(f))


def policy_terms(f: Filters) -> pd.DataFrame:
    """Return, for each policy with a stated term, the share of it elapsed at ``f.as_of``."""
    return _run("policy_terms", _filter_params(f))


def document_rows(f: Filters) -> pd.DataFrame:
    """Return the filtered documents with their metadata and fact counts."""
    return _run("document_rows", _filter_params(f))


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


QUERY_FUNCTIONS = (filter_options, headline_numbers, money_by_year, counts_by_year, funding_by_agency_year,
                   counts_by_agency_year, figure_rows, subsidy_rates, commitment_rows, deadlines_by_agency,
                   deadlines_by_year, policy_terms, document_rows, document, document_facts, commitment)
"""Every public query, for benchmarks (call ``clear_cache()`` first to time the database)."""
