"""Time the dashboard's queries and pages over facts databases of growing size.

In: facts databases (see ``bench.facts``). Out: per query call and size the seconds of repeated
runs (median and p95 are taken by ``bench.report``), and per page the seconds of full runs.

The calls timed are the ones the pages really make: every page is run once in ``AppTest`` with
each function of ``dashboard.queries.QUERY_FUNCTIONS`` wrapped to record its calls; to those are
added every query function called with default and with agency-filtered arguments. Each call is
replayed against each database with the result cache cleared before each run (the cached review
corrections are kept, as in a running dashboard). A page run is ``AppTest`` of
``dashboard/app.py`` opened at ``?page=<name>`` in a child process (``bench.child page``), so a
page that overruns its time limit can be stopped without disturbing the next measurement.
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

from bench import measure
from bench.report import EXPORT_PREFIX

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard"
APP = DASHBOARD / "app.py"
DB_ENV = "COMMITMENTS_DB"
REVIEWS_ENV = "COMMITMENTS_REVIEWS_DB"
PAGE_ROWS = 200
"""Rows of a list a page shows at a time (``dashboard.ui.PAGE_ROWS``)."""
CALL_BUDGET_SECONDS = 15.0
"""Past this much time on one call, stop repeating it (after at least three runs, or one if one run
took longer than this)."""


@dataclass
class Call:
    name: str
    fn: Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""


def have_dashboard() -> bool:
    return (DASHBOARD / "queries.py").exists() and APP.exists()


def page_names() -> list[str]:
    """The pages ``dashboard/app.py`` can open: one file each in ``views/`` or ``pages/``."""
    names: list[str] = []
    for folder in ("views", "pages"):
        names += [p.stem for p in sorted((DASHBOARD / folder).glob("*.py")) if not p.name.startswith("_")]
    return list(dict.fromkeys(names))


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
    return {name: fn for name, fn in vars(queries).items()
            if inspect.isfunction(fn) and not name.startswith("_") and fn.__module__ == queries.__name__}


def open_page(name: str, timeout: float):
    """Run ``dashboard/app.py`` at ``?page=name`` once in AppTest; return the AppTest."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params["page"] = name
    return at.run()


def _errors(at) -> str:
    return "; ".join(str(e.value)[:200] for e in list(at.exception) + list(at.error))


def record_page_calls(db: Path, pages: list[str], timeout: float = 120) -> tuple[list[Call], dict[str, str]]:
    """Open every page once in AppTest over ``db``; return the query calls made and page errors.

    Only the outermost calls are kept (a query function calling another is timed as one).
    """
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

    errors: dict[str, str] = {}
    for name, fn in originals.items():
        setattr(queries, name, wrap(name, fn))
    try:
        with database_env(db):
            for page in pages:
                _clear_caches()
                try:
                    at = open_page(page, timeout)
                except RuntimeError as exc:  # AppTest's time limit
                    errors[page] = str(exc)[:200]
                    continue
                if _errors(at):
                    errors[page] = _errors(at)
    finally:
        for name, fn in originals.items():
            setattr(queries, name, fn)
    _clear_caches()
    return calls, errors


def default_calls(db: Path) -> list[Call]:
    """Every query function called as on a first view, and with the busiest lead agency as filter.

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
    by_name = {"doc_id": (doc_id,), "commitment_id": (commitment_id,),
               "f": (Filters(), Filters(agency_ids=(agency_id,)))}
    calls = []
    for name, fn in query_functions().items():
        params = list(inspect.signature(fn).parameters.values())
        if any(p.default is inspect.Parameter.empty for p in params[1:]):  # needs more than a filter: see figure_calls
            continue
        if not params:
            choices: tuple = (None,)
        elif params[0].name in by_name:
            choices = by_name[params[0].name]
        else:
            continue
        # A list is timed as a page shows it (one page of rows); the full list is what an export fetches.
        kwargs = {"limit": PAGE_ROWS} if "limit" in inspect.signature(fn).parameters else {}
        for value in choices:
            args = () if value is None else (value,)
            calls.append(Call(name, fn, args, kwargs, _label(name, args, kwargs)))
        if kwargs and name in ("commitment_rows", "figure_rows"):  # what a download of the whole list fetches
            calls.append(Call(name, fn, (Filters(),), {}, EXPORT_PREFIX + _label(name, (Filters(),), {})))
    return calls + figure_calls(db, agency_id)


def figure_calls(db: Path, agency_id: str | None = None) -> list[Call]:
    """The Figures page's calls beyond a first view: a metric search, one page further on, the chart of the
    metric with most levels (by agency), an agency and a year range, and the reader's figure."""
    from dashboard.filters_state import Filters

    queries = _queries_module()
    if not hasattr(queries, "FigureQuery"):
        return []
    con = duckdb.connect(str(db), read_only=True)
    try:
        top = con.execute("SELECT metric, unit FROM reported_figures WHERE metric <> '' AND NOT is_change "
                          "GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1").fetchall()
        figure_id = con.execute("SELECT min(figure_id) FROM reported_figures").fetchall()[0][0]
    finally:
        con.close()
    if not top:
        return []
    metric, unit = top[0]
    word = metric[:2]
    q = queries.FigureQuery
    searched = q(words=(word,))
    narrowed = q(words=(word,), change="level", cumulative="annual", years=(2018, 2022))
    calls = [Call("reported_figure_count", queries.reported_figure_count, (Filters(), searched)),
             Call("reported_figure_rows", queries.reported_figure_rows, (Filters(), searched), {"limit": PAGE_ROWS}),
             Call("reported_figure_rows", queries.reported_figure_rows, (Filters(), q()),
                  {"limit": PAGE_ROWS, "offset": 10 * PAGE_ROWS}),
             Call("reported_figure_metrics", queries.reported_figure_metrics, (Filters(), searched)),
             Call("reported_figure_count", queries.reported_figure_count, (Filters(), narrowed)),
             Call("reported_figure_series", queries.reported_figure_series, (Filters(), q(), metric, unit)),
             Call("reported_figure_series_stats", queries.reported_figure_series_stats, (Filters(), q(), metric, unit)),
             Call("reported_figure", queries.reported_figure, (figure_id,))]
    if agency_id:
        by_agency = Filters(agency_ids=(agency_id,))
        calls += [Call("reported_figure_series", queries.reported_figure_series, (by_agency, q(), metric, unit)),
                  Call("reported_figure_rows", queries.reported_figure_rows, (by_agency, q(units=(unit,))),
                       {"limit": PAGE_ROWS})]
    for call in calls:
        call.label = _label(call.name, call.args, call.kwargs)
    return calls


def _clear_caches(results_only: bool = False) -> None:
    """Forget the dashboard's cached results (``results_only``: keep the open database and the cached review
    corrections, which a running dashboard keeps until the files change)."""
    queries = sys.modules.get("dashboard.queries")
    if results_only:
        with contextlib.suppress(Exception):
            queries._cached.clear()
        return
    with contextlib.suppress(Exception):
        queries.clear_cache()
    with contextlib.suppress(Exception):
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()


def time_calls(calls: list[Call], db: Path, repeats: int, budget: float = CALL_BUDGET_SECONDS,
               log=lambda msg: None) -> dict[str, list[float]]:
    """Run each call up to ``repeats`` times against ``db`` (fewer past ``budget`` seconds); seconds per label."""
    out: dict[str, list[float]] = {}
    with database_env(db):
        for call in calls:
            _clear_caches()
            t0 = time.perf_counter()
            call.fn(*call.args, **call.kwargs)  # warm-up: imports, the OS file cache
            first = time.perf_counter() - t0
            min_runs = 1 if first > budget else 3
            xs: list[float] = []
            start = time.perf_counter()
            while len(xs) < repeats and (len(xs) < min_runs or time.perf_counter() - start < budget):
                _clear_caches(results_only=True)
                t0 = time.perf_counter()
                call.fn(*call.args, **call.kwargs)
                xs.append(time.perf_counter() - t0)
            out[call.label or call.name] = xs
            if max(xs) > 1:
                log(f"    {call.label}: {min(xs):.1f} s")
    return out


def time_pages(db: Path, pages: list[str], repeats: int, timeout: float,
               log=lambda msg: None) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Time full AppTest runs of each page over ``db``, each in a fresh child process.

    A page is run ``repeats`` times, once only if its first run took over 10 s; a run that
    overruns ``timeout`` is recorded as ``timeout`` seconds with the error "timed out".
    """
    out: dict[str, list[float]] = {}
    errors: dict[str, str] = {}
    for page in pages:
        for _ in range(repeats):
            cmd = measure.python_module("bench.child", "page", page, db, timeout)
            try:
                m = measure.run(cmd, cwd=ROOT, timeout=timeout + 60)
                seconds, error = m.output["seconds"], m.output.get("error")
            except TimeoutError:
                seconds, error = timeout, f"timed out after {timeout:.0f} s"
            out.setdefault(page, []).append(seconds)
            if error:
                errors[page] = error
            log(f"    {page}: {seconds:.2f} s" + (f" ({error[:80]})" if error else ""))
            if error and "timed out" in error or seconds > 10:
                break
    return out, errors
