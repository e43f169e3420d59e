"""The benchmark in one command: ``python -m bench`` (``make bench``), a thin layer over the parts.

Generates the corpus, times the ETL (``bench.etl_bench``), builds facts databases and times the
dashboard (``bench.facts``, ``bench.dashboard_bench``), prints the table and writes it to
``bench/results.md`` (``bench.report``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FIGURES = "10000,100000,1000000"
DEFAULT_OUT = ROOT / "bench" / "results.md"
ANALYSIS = ROOT / "bench" / "analysis.md"
"""Hand-written reading of the last full run: appended to bench/results.md when it exists."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the ETL and the dashboard queries on a generated corpus; print the results "
                    "table and write it to bench/results.md. The full run (10,000 documents, up to 1M figures) "
                    "takes several minutes; --quick is a smaller run.")
    p.add_argument("--docs", type=int, default=None,
                   help="documents in the corpus for the large cold load (default 10000; 300 with --quick)")
    p.add_argument("--small", type=int, default=None,
                   help="documents in the small cold load, to show growth (default docs/10)")
    p.add_argument("--new", type=int, default=None,
                   help="new documents added to the large database (default 100; 10 with --quick)")
    p.add_argument("--figures", default=None,
                   help=f"comma-separated figure counts of the dashboard databases (default {DEFAULT_FIGURES}; "
                        "1000,10000,100000 with --quick)")
    p.add_argument("--repeats", type=int, default=None, help="runs of each query (default 30; 5 with --quick)")
    p.add_argument("--page-repeats", type=int, default=None,
                   help="AppTest runs of each page at the largest size (default 3; 1 with --quick)")
    p.add_argument("--pages", default=None,
                   help="comma-separated dashboard pages to open (default: every page in dashboard/views and dashboard/pages)")
    p.add_argument("--page-timeout", type=float, default=60.0,
                   help="seconds after which a page run is stopped and reported as timed out (default 60)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="ETL worker processes (default: cores)")
    p.add_argument("--seed", type=int, default=None, help="corpus RNG seed (default: bench.corpus.DEFAULT_SEED)")
    p.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench",
                   help="where the corpus and databases go (git-ignored; default data/bench)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file (default bench/results.md)")
    p.add_argument("--only", choices=("etl", "dashboard"), help="run one half only")
    p.add_argument("--quick", action="store_true", help="a smaller run (a few minutes): 300 documents, up to 100k figures")
    args = p.parse_args(argv)
    args.docs = args.docs or (300 if args.quick else 10_000)
    args.small = args.small or max(1, args.docs // 10)
    args.new = args.new if args.new is not None else (10 if args.quick else 100)
    args.figures = [int(x) for x in (args.figures or ("1000,10000,100000" if args.quick else DEFAULT_FIGURES)).split(",")]
    args.repeats = args.repeats or (5 if args.quick else 30)
    args.page_repeats = args.page_repeats or (1 if args.quick else 3)
    return args


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import duckdb

    from bench import corpus, dashboard_bench, etl_bench, facts, report

    t_start = time.perf_counter()
    data = args.data_dir
    work = data / "work"
    work.mkdir(parents=True, exist_ok=True)
    seed = args.seed if args.seed is not None else corpus.DEFAULT_SEED
    settings = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "commit": _git_commit(),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Linux {platform.release()}",
        "load average at start (1 min)": f"{os.getloadavg()[0]:.2f}",
        "python / duckdb": f"{platform.python_version()} / {duckdb.__version__}",
        "ETL workers": args.workers,
        "corpus": f"{args.docs:,} generated documents (seed {seed}), + {args.new} new",
    }

    _log(f"generating {args.docs} + {args.new} documents under {data} ...")
    t0 = time.perf_counter()
    docs = corpus.generate(args.docs, data / "corpus", seed=seed)
    extra = corpus.generate(args.new, data / "new", seed=seed, prefix="new", namespace="new") if args.new else []
    _log(f"  {time.perf_counter() - t0:.1f} s, {sum(p.stat().st_size for p in docs) / 1e6:.1f} MB")

    steps: dict = {}
    if args.only != "dashboard":
        _log("ETL:")
        steps = etl_bench.run(docs, extra, min(args.small, args.docs), work, args.workers, log=_log)

    dash = None
    if args.only != "etl":
        source = work / f"etl_{args.docs}.duckdb"
        if not source.exists():
            _log(f"  loading {args.docs} documents as the source of the facts databases ...")
            etl_bench.load("source", docs, source, args.workers, work)
        try:
            dash = _dashboard(args, source, work, facts, dashboard_bench, report)
        except Exception as exc:  # keep the ETL figures; say what broke
            dash = report.DashboardResult("`dashboard.queries`", notes=[f"the dashboard part failed: {type(exc).__name__}: {exc}"])
            _log(f"dashboard part failed: {exc!r}")

    settings["load average at end (1 min)"] = f"{os.getloadavg()[0]:.2f}"
    settings["benchmark wall time"] = f"{time.perf_counter() - t_start:,.0f} s"
    analysis = ANALYSIS.read_text(encoding="utf-8") if ANALYSIS.exists() and args.out == DEFAULT_OUT else ""
    text = report.render(settings, steps, dash, analysis)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    _log(f"written to {args.out}")
    return 0


def _dashboard(args, source: Path, work: Path, facts, dashboard_bench, report):
    dash = report.DashboardResult("`dashboard.queries`")
    if not dashboard_bench.have_dashboard():
        dash.notes.append("dashboard/queries.py or dashboard/app.py does not exist: nothing to time")
        return dash
    dbs: dict[int, Path] = {}
    for n in args.figures:
        db = work / f"facts_{n}.duckdb"
        _log(f"facts database with {n:,} figures ...")
        t0 = time.perf_counter()
        counts = facts.build(source, db, n)
        dash.figures[n] = counts["figures"]
        dbs[n] = db
        _log(f"  {time.perf_counter() - t0:.1f} s: {counts}")
    small, big = min(args.figures), max(args.figures)
    _log("recording the queries the pages make ...")
    pages = args.pages.split(",") if args.pages else dashboard_bench.page_names()
    recorded, errors = dashboard_bench.record_page_calls(dbs[small], pages)
    dash.page_errors.update({k: f"at {small:,} figures: {v}" for k, v in errors.items()})
    labels = {c.label for c in recorded}
    extra = [c for c in dashboard_bench.default_calls(dbs[small]) if c.label not in labels]
    calls = recorded + extra
    dash.source = (f"`dashboard.queries` functions, result cache cleared before each run: the {len(recorded)} distinct "
                   f"calls the {len(pages)} pages make when opened (recorded in AppTest), and "
                   f"{len(extra)} more: every query function with default filters and with the busiest lead agency "
                   f"as filter. Up to {args.repeats} runs each, fewer when a call takes over "
                   f"{dashboard_bench.CALL_BUDGET_SECONDS:.0f} s in all (n says how many)")
    for n, db in dbs.items():
        _log(f"timing {len(calls)} query calls at {n:,} figures ...")
        dash.queries[n] = dashboard_bench.time_calls(calls, db, args.repeats, log=_log)
    _log(f"timing page runs at {big:,} figures (each in its own process, limit {args.page_timeout:.0f} s) ...")
    dash.pages, errors = dashboard_bench.time_pages(dbs[big], pages, args.page_repeats, args.page_timeout,
                                                       log=_log)
    dash.page_errors.update(errors)
    dash.page_timeout = args.page_timeout
    return dash
