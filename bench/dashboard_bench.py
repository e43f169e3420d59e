"""Time the dashboard's queries and pages over facts databases of growing size.

In: facts databases (see ``bench.facts``). Out: per query and size the median and p95 of
repeated runs, and per page the time of a full ``AppTest`` run.

The queries timed are the ones the pages really issue: every page is run once in ``AppTest``
with each function of ``dashboard.queries.QUERY_FUNCTIONS`` wrapped to record its calls, and
the recorded calls are then replayed against each database (result caches cleared before
each run), together with every query function called with default and filtered arguments.
Without ``dashboard/queries.py``, equivalent SQL over the schema is timed instead (labelled so).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
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
DB_ENV = "COMMITMENTS_DB"
REVIEWS_ENV = "COMMITMENTS_REVIEWS_DB"

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
    """Point the dashboard at ``db`` (and at a reviews file that does not exist: no corrections)."""
    saved = {k: os.environ.get(k) for k in (DB_ENV, REVIEWS_ENV)}
    os.environ[DB_ENV] = str(db)
    os.environ[REVIEWS_ENV] = str(Path(db).with_name("no-reviews.sqlite"))
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


def _short(value) -> str:
    """A short readable form of a recorded argument (Filters show only their non-default fields)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        default = type(value)()
        changed = [f"{f.name}={getattr(value, f.name)!r}" for f in dataclasses.fields(value)
                   if f.name != "as_of" and getattr(value, f.name) != getattr(default, f.name)]
        return f"{type(value).__name__}({', '.join(changed)})"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _label(name: str, args: tuple, kwargs: dict) -> str:
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def query_functions() -> dict[str, Callable]:
    """The dashboard's public query functions (``QUERY_FUNCTIONS``, else every public function)."""
    queries = _queries_module()
    declared = getattr(queries, "QUERY_FUNCTIONS", None)
    if declared:
        return {fn.__name__: fn for fn in declared}
    return _public_functions(queries)


def record_page_calls(db: Path, timeout: float = 120) -> tuple[list[Call], dict[str, float], dict[str, str]]:
    """Run every page once in AppTest over ``db``; return the query calls made, page seconds, page errors.

    Only the outermost calls are kept (a query function calling another is timed as one).
    """
    from streamlit.testing.v1 import AppTest

    queries = _queries_module()
    originals = query_functions()
    calls: list[Call] = []
    seen: set[str] = set()
    depth = [0]

    def wrap(name: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def recorder(*args, **kwargs):
            if depth[0] == 0:
                label = _label(name, args, kwargs)
                if label not in seen:
                    seen.add(label)
                    calls.append(Call(name, fn, args, kwargs, label))
            depth[0] += 1
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
        return recorder

    page_seconds: dict[str, float] = {}
    errors: dict[str, str] = {}
    for name, fn in originals.items():
        setattr(queries, name, wrap(name, fn))
    try:
        with database_env(db):
            for page in page_files():
                _clear_caches()
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


def default_calls(db: Path) -> list[Call]:
    """Every query function called as a page would on first view, plus a few filtered variants.

    Document and commitment IDs are those with the most facts in ``db`` (present in every
    larger facts database, whose copy 0 keeps the original IDs).
    """
    from dashboard.filters_state import Filters

    con = duckdb.connect(str(db), read_only=True)
    try:
        doc_id = con.execute("SELECT doc_id FROM figures GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchall()[0][0]
        commitment_id = con.execute("SELECT commitment_id FROM commitments ORDER BY commitment_id LIMIT 1").fetchall()[0][0]
        agency_id = con.execute("SELECT agency_id FROM commitment_agencies WHERE role = 'lead' "
                                "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchall()[0][0]
    finally:
        con.close()
    by_name = {"doc_id": doc_id, "commitment_id": commitment_id}
    calls = []
    variants = [Filters(), Filters(agency_ids=(agency_id,)), Filters(keyword="人工智能")]
    for name, fn in query_functions().items():
        params = list(inspect.signature(fn).parameters.values())
        if params and params[0].name in by_name:
            args_list = [(by_name[params[0].name],)]
        elif params and params[0].name == "f":
            args_list = [(v,) for v in variants]
        elif not params:
            args_list = [()]
        else:
            continue
        calls += [Call(name, fn, args, {}, _label(name, args, {})) for args in args_list]
    return calls


def _clear_caches(results_only: bool = False) -> None:
    """Forget the dashboard's cached results (``results_only``: keep its cached review corrections,
    which a running dashboard reloads only when the reviews file changes)."""
    queries = sys.modules.get("dashboard.queries")
    with contextlib.suppress(Exception):
        if results_only and hasattr(queries, "_cached"):
            queries._cached.clear()
        elif hasattr(queries, "clear_cache"):
            queries.clear_cache()
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


def time_calls(calls: list[Call], db: Path, repeats: int) -> dict[str, list[float]]:
    """Run each call ``repeats`` times against ``db``, caches cleared before each run; seconds per label."""
    out: dict[str, list[float]] = {}
    with database_env(db):
        for call in calls:
            _clear_caches()
            call.fn(*call.args, **call.kwargs)  # warm-up: imports, the OS file cache
            xs = []
            for _ in range(repeats):
                _clear_caches(results_only=True)
                t0 = time.perf_counter()
                call.fn(*call.args, **call.kwargs)
                xs.append(time.perf_counter() - t0)
            out[call.label or call.name] = xs
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
