"""Render benchmark results as a Markdown table with the targets marked met / not met.

In: the ETL steps, the dashboard timings and the run's settings. Out: Markdown text. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench import stats
from bench.etl_bench import EtlStep

TARGETS = {
    "cold_seconds": 60.0,  # cold ETL of 10,000 documents
    "peak_rss_bytes": 2 * 1024 ** 3,
    "floor_ratio": 10.0,
    "rerun_seconds": 5.0,
    "query_p95_seconds": 0.100,  # at 1M figures
    "page_seconds": 1.0,  # at 1M figures
}
TARGET_DOCS = 10_000
TARGET_FIGURES = 1_000_000


@dataclass
class DashboardResult:
    source: str  # what was timed, in words
    figures: dict[int, int] = field(default_factory=dict)  # requested size -> figures in the database
    queries: dict[int, dict[str, list[float]]] = field(default_factory=dict)  # size -> label -> seconds
    pages: dict[str, list[float]] = field(default_factory=dict)  # page -> seconds at the largest size
    page_errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    page_timeout: float = 0.0


EXPORT_PREFIX = "export: "
"""Labels of calls that fetch a whole list for a download (reported without the query target)."""


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def _mb(n: float) -> str:
    return f"{n / 2 ** 20:,.0f} MiB"


def _ms(s: float) -> str:
    return f"{s * 1000:,.1f}"


def render(settings: dict, steps: dict[str, EtlStep], dash: DashboardResult | None, analysis: str = "") -> str:
    out: list[str] = ["# Benchmark results", ""]
    out.append("Written by `python -m bench` (`make bench`); every figure below is from one run of it.")
    out.append("")
    out.append("| setting | value |")
    out.append("| --- | --- |")
    for k, v in settings.items():
        out.append(f"| {k} | {v} |")
    out.append("")
    if steps:
        out += _etl(steps, settings)
    if dash is not None:
        out += _dashboard(dash)
    if analysis.strip():
        out += [analysis.strip(), ""]
    return "\n".join(out) + "\n"


def _etl(steps: dict[str, EtlStep], settings: dict) -> list[str]:
    colds = sorted((int(k.split("_")[1]) for k in steps if k.startswith("cold_")))
    small, big = colds[0], colds[-1]
    at_target = big == TARGET_DOCS
    cold, fl = steps[f"cold_{big}"], steps[f"floor_{big}"]
    ratio = cold.seconds / fl.seconds if fl.seconds else float("inf")
    raw = fl.output.get("raw_seconds", 0.0)
    out = ["## ETL", ""]
    out.append("| measure | value | target | |")
    out.append("| --- | --- | --- | --- |")
    for n in colds:
        s = steps[f"cold_{n}"]
        target = f"< {TARGETS['cold_seconds']:.0f} s" if n == TARGET_DOCS else ""
        ok = s.seconds < TARGETS["cold_seconds"] if n == TARGET_DOCS else None
        out.append(f"| cold load, {n:,} documents ({s.bytes / 1e6:,.1f} MB) | {s.seconds:,.2f} s · {s.docs_per_s:,.0f} docs/s · "
                   f"{s.mb_per_s:,.2f} MB/s · {s.cores_busy:.2f} cores busy | {target} | {_met(ok)} |")
    out.append(f"| peak memory of the {big:,}-document load (process + workers, summed) | {_mb(cold.peak_rss_bytes)} "
               f"(largest single process {_mb(max(cold.output.get('self_maxrss_bytes', 0), cold.output.get('children_maxrss_bytes', 0)))}) "
               f"| < 2 GiB | {_met(cold.peak_rss_bytes < TARGETS['peak_rss_bytes'] if at_target else None)} |")
    out.append(f"| read-and-decode floor, {big:,} documents (`etl.read.read_file`, same workers) | {fl.seconds:,.2f} s · "
               f"{fl.docs_per_s:,.0f} docs/s · {fl.mb_per_s:,.2f} MB/s | | |")
    out.append(f"| ETL / floor | {ratio:,.1f}× | < {TARGETS['floor_ratio']:.0f}× | "
               f"{_met(ratio < TARGETS['floor_ratio'] if at_target else None)} |")
    if raw:
        out.append(f"| raw floor: bytes read + `bytes.decode`, one process | {raw:,.2f} s · "
                   f"{fl.bytes / 1e6 / raw:,.0f} MB/s (ETL is {cold.seconds / raw:,.0f}× this) | | |")
    rr = steps["rerun"]
    out.append(f"| unchanged re-run, {rr.docs:,} documents | {rr.seconds:,.2f} s | < {TARGETS['rerun_seconds']:.0f} s | "
               f"{_met(rr.seconds < TARGETS['rerun_seconds'] if at_target else None)} |")
    add = steps["add"]
    out.append(f"| {add.docs} new documents added to the {big:,}-document database (whole folder re-run) | "
               f"{add.seconds:,.2f} s | | |")
    if small != big:
        s_small = steps[f"cold_{small}"]
        growth = cold.seconds / s_small.seconds
        per_doc = growth / (big / small)
        out.append(f"| growth {small:,} → {big:,} documents (×{big / small:.0f} documents) | ×{growth:,.1f} time; "
                   f"time per document ×{per_doc:.2f} | linear (≈ ×{big / small:.0f}) | "
                   f"{_met(per_doc < 1.25)} |")
    out.append("")
    out.append("Times are wall-clock seconds of the whole command (interpreter start, reading, extraction in "
               "workers, writing DuckDB, the data checks and the atomic swap). \"Cores busy\" is CPU seconds of the "
               "process and its workers over wall seconds.")
    out.append("")
    return out


def _dashboard(dash: DashboardResult) -> list[str]:
    sizes = sorted(dash.queries)
    big = sizes[-1] if sizes else 0
    out = ["## Dashboard", "", f"Queries timed: {dash.source}. Median / p95 in milliseconds.", ""]
    head = " | ".join(f"{dash.figures.get(s, s):,} figures" for s in sizes)
    out.append(f"| query | {head} | p95 < 100 ms at {big:,} | |")
    out.append("| --- | " + " | ".join("---" for _ in sizes) + " | --- | --- |")
    labels = list(dict.fromkeys(label for s in sizes for label in dash.queries[s]))
    for label in labels:
        cells = []
        for s in sizes:
            xs = dash.queries[s].get(label)
            runs = f" (n={len(xs)})" if xs and len(xs) < max(len(v) for v in dash.queries[s].values()) else ""
            cells.append(f"{_ms(stats.median(xs))} / {_ms(stats.p95(xs))}{runs}" if xs else "")
        xs = dash.queries[big].get(label)
        is_export = label.startswith(EXPORT_PREFIX)  # a download's query: no target, timed to be known
        ok = stats.p95(xs) < TARGETS["query_p95_seconds"] if xs and big == TARGET_FIGURES and not is_export else None
        out.append(f"| `{label}` | " + " | ".join(cells) + f" | | {_met(ok)} |")
    out.append("")
    if dash.pages:
        out.append(f"| page (`?page=`; one AppTest run of `dashboard/app.py` at {dash.figures.get(big, big):,} figures) "
                   f"| median s | runs | < 1 s | |")
        out.append("| --- | --- | --- | --- | --- |")
        for page, xs in dash.pages.items():
            err = dash.page_errors.get(page, "")
            timed_out = "timed out" in err
            ok = (not timed_out and stats.median(xs) < TARGETS["page_seconds"]) if big == TARGET_FIGURES else None
            shown = f"> {dash.page_timeout:.0f} (stopped)" if timed_out else f"{stats.median(xs):.2f}"
            note = f" (error: {err[:160]})" if err and not timed_out else ""
            out.append(f"| `{page}`{note} | {shown} | {len(xs)} | | {_met(ok)} |")
        out.append("")
    for note in dash.notes:
        out.append(f"- {note}")
    if dash.notes:
        out.append("")
    return out
