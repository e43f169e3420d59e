"""Time the dashboard's queries and pages over facts databases of growing size.

In: facts databases (see ``bench.facts``). Out: per query and size the median and p95 of
repeated runs, and per page the time of a full ``AppTest`` run.

The queries timed are the ones the pages really issue: every page is run once in ``AppTest``
with each public function of ``dashboard.queries`` wrapped to record its calls, and the
recorded calls are then replayed against each database. When ``dashboard/queries.py`` does
not exist yet, a set of equivalent SQL over the schema is timed instead (and labelled so).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from bench import stats

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard"
DB_ENV_VARS = ("COMMITMENTS_DB", "DASHBOARD_DB", "ETL_DB", "DB", "DB_PATH")
"""Environment variables a page may read its database path from; all are set while timing."""

EQUIVALENT_SQL: dict[str, tuple[str, list]] = {
    # What an overview, a money page, a commitments table, a search and a reader would ask.
    "overview_counts": ("""
        SELECT d.doc_type, count(DISTINCT d.doc_id) AS documents, count(DISTINCT c.commitment_id) AS commitments
        FROM documents d LEFT JOIN commitments c USING (doc_id) GROUP BY d.doc_type ORDER BY d.doc_type""", []),
    "money_by_year": ("""
        SELECT coalesce(figure_year, d.issue_year) AS year, money_kind, sum(amount_yuan) AS amount_yuan, count(*) AS n
        FROM figures f JOIN documents d USING (doc_id)
        WHERE figure_type = 'money' GROUP BY ALL ORDER BY year""", []),
    "money_by_agency": ("""
        SELECT a.canonical_name, sum(f.amount_yuan) AS amount_yuan, count(*) AS n
        FROM figures f JOIN agencies a USING (agency_id)
        WHERE f.figure_type = 'money' GROUP BY ALL ORDER BY amount_yuan DESC LIMIT 20""", []),
    "targets_by_metric": ("""
        SELECT metric, unit, count(*) AS n, sum(value) AS total
        FROM figures WHERE is_target GROUP BY ALL ORDER BY n DESC LIMIT 30""", []),
    "commitments_by_deadline": ("""
        SELECT deadline_year, deadline_basis, count(*) AS n FROM commitments GROUP BY ALL ORDER BY ALL""", []),
    "commitments_of_agency": ("""
        SELECT c.commitment_id, c.text, c.deadline_date, d.title
        FROM commitment_agencies l JOIN commitments c USING (commitment_id) JOIN documents d USING (doc_id)
        WHERE l.agency_id = (SELECT agency_id FROM commitment_agencies GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)
          AND l.role = 'lead'
        ORDER BY c.deadline_date NULLS LAST LIMIT 200""", []),
    "figure_search": ("""
        SELECT figure_id, doc_id, span_text, sentence FROM figures
        WHERE sentence ILIKE '%' || ? || '%' ORDER BY amount_yuan DESC NULLS LAST LIMIT 100""", ["人工智能"]),
    "document_reader": ("""
        SELECT d.title, d.text, list(f.char_start ORDER BY f.char_start) AS starts
        FROM documents d LEFT JOIN figures f USING (doc_id)
        WHERE d.doc_id = (SELECT max(doc_id) FROM documents) GROUP BY d.title, d.text""", []),
    "changes_latest_run": ("""
        SELECT entity, change, count(*) AS n FROM etl_changes
        WHERE run_id = (SELECT max(run_id) FROM etl_runs) GROUP BY ALL""", []),
}


@dataclass
class Call:
    name: str
    fn: Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""


def have_dashboard() -> bool:
    return (DASHBOARD / "queries.py").exists()


def page_files() -> list[Path]:
    """The dashboard's entry script and its pages, as AppTest runs them."""
    if not DASHBOARD.exists():
        return []
    files = [p for p in (DASHBOARD / "app.py",) if p.exists()]
    files += sorted((DASHBOARD / "pages").glob("*.py")) if (DASHBOARD / "pages").exists() else []
    return files


@contextlib.contextmanager
def database_env(db: Path):
    """Point the dashboard at ``db`` through the environment variables it may read."""
    saved = {k: os.environ.get(k) for k in DB_ENV_VARS}
    for k in DB_ENV_VARS:
        os.environ[k] = str(db)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _queries_module():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("dashboard.queries")


def _public_functions(module) -> dict[str, Callable]:
    return {name: fn for name, fn in vars(module).items()
            if callable(fn) and not name.startswith("_") and getattr(fn, "__module__", None) == module.__name__
            and not inspect.isclass(fn)}


def _unwrapped(fn: Callable) -> Callable:
    """The function under a Streamlit cache decorator (so a replay runs the query, not the cache)."""
    return getattr(fn, "__wrapped__", fn)


def record_page_calls(db: Path, timeout: float = 120) -> tuple[list[Call], dict[str, float], dict[str, str]]:
    """Run every page once in AppTest over ``db``; return the query calls made, page seconds, page errors."""
    from streamlit.testing.v1 import AppTest

    queries = _queries_module()
    originals = _public_functions(queries)
    calls: list[Call] = []
    seen: set[str] = set()

    def wrap(name: str, fn: Callable) -> Callable:
        def recorder(*args, **kwargs):
            key = f"{name}{args!r}{sorted(kwargs.items())!r}"
            if key not in seen:
                seen.add(key)
                calls.append(Call(name, _unwrapped(fn), args, kwargs))
            return fn(*args, **kwargs)
        recorder.__wrapped__ = fn
        return recorder

    page_seconds: dict[str, float] = {}
    errors: dict[str, str] = {}
    for name, fn in originals.items():
        setattr(queries, name, wrap(name, fn))
    try:
        with database_env(db):
            for page in page_files():
                at = AppTest.from_file(str(page), default_timeout=timeout)
                t0 = time.perf_counter()
                at.run()
                page_seconds[page.name] = time.perf_counter() - t0
                if at.exception:
                    errors[page.name] = "; ".join(str(e.value)[:200] for e in at.exception)
    finally:
        for name, fn in originals.items():
            setattr(queries, name, fn)
    _clear_caches()
    return calls, page_seconds, errors


def _clear_caches() -> None:
    with contextlib.suppress(Exception):
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()


def time_pages(db: Path, repeats: int, timeout: float = 120) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Time full AppTest runs of each page over ``db`` (a fresh AppTest, caches cleared, each time)."""
    from streamlit.testing.v1 import AppTest

    out: dict[str, list[float]] = {}
    errors: dict[str, str] = {}
    with database_env(db):
        for page in page_files():
            for _ in range(repeats):
                _clear_caches()
                at = AppTest.from_file(str(page), default_timeout=timeout)
                t0 = time.perf_counter()
                at.run()
                out.setdefault(page.name, []).append(time.perf_counter() - t0)
                if at.exception:
                    errors[page.name] = "; ".join(str(e.value)[:200] for e in at.exception)
    return out, errors


def _rebind(value, old_db: Path, new_db: Path, con):
    """Swap a recorded argument that names or opens the recording database for the one timed now."""
    if isinstance(value, duckdb.DuckDBPyConnection):
        return con
    if isinstance(value, (str, Path)) and Path(value) == old_db:
        return type(value)(new_db)
    return value


def time_calls(calls: list[Call], recorded_db: Path, db: Path, repeats: int) -> dict[str, list[float]]:
    """Replay each recorded call against ``db``; return seconds per call label."""
    out: dict[str, list[float]] = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        with database_env(db):
            for call in calls:
                args = tuple(_rebind(a, recorded_db, db, con) for a in call.args)
                kwargs = {k: _rebind(v, recorded_db, db, con) for k, v in call.kwargs.items()}
                label = call.label or call.name
                n = 2
                while label in out:
                    label = f"{call.name} #{n}"
                    n += 1
                out[label] = stats.repeat(lambda: call.fn(*args, **kwargs), repeats)
    finally:
        con.close()
    return out


def equivalent_calls(con_holder: list) -> list[Call]:
    def run(sql: str, params: list):
        return con_holder[0].execute(sql, params).fetch_df()

    return [Call(name, run, (sql, params), label=name) for name, (sql, params) in EQUIVALENT_SQL.items()]


def time_equivalent_sql(db: Path, repeats: int) -> dict[str, list[float]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        holder = [con]
        return {c.label: stats.repeat(lambda c=c: c.fn(*c.args), repeats) for c in equivalent_calls(holder)}
    finally:
        con.close()
