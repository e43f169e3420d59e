"""The command line: ``python -m etl load|extract|evaluate|reviews`` (a thin layer over the library).

``reviews`` is an alias of ``python -m review`` (the analysts' store, ``review/cli.py``).

Exit codes: 0 ok, 1 some files failed, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_DB = "data/commitments.duckdb"


def _progress(done: int, total: int, outcome) -> None:
    width = 24
    filled = int(width * done / max(total, 1))
    bar = "#" * filled + "-" * (width - filled)
    name = shown(outcome.path)
    msg = outcome.outcome if not outcome.reason else f"{outcome.outcome}: {printable(outcome.reason)}"
    sys.stderr.write(f"[{bar}] {done}/{total} {name[:40]:<40} {msg[:80]}\n")
    sys.stderr.flush()


def shown(path) -> str:
    """A file's name as printed: control characters (ANSI/OSC escapes) shown escaped."""
    from etl.read import safe_name

    return safe_name(path)


def printable(text: str) -> str:
    r"""Text with every non-printable character escaped, so no escape sequence reaches the terminal.

    >>> printable("a\x1b]0;x\x07b")
    'a\\x1b]0;x\\x07b'
    """
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for ch in str(text))


def _waiting(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def cmd_load(args) -> int:
    from etl.checks import DataCheckError
    from etl.pipeline import NOTHING_FOUND, load_paths
    from etl.swap import LoadBusyError

    paths = args.paths or ["seeds"]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(printable(m) for m in missing)}", file=sys.stderr)
        return 2
    try:
        report = load_paths(paths, args.db, progress=None if args.quiet else _progress, workers=args.workers,
                            on_wait=_waiting)
    except (DataCheckError, LoadBusyError) as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        return 1
    if report.damaged:
        problem, moved = report.damaged
        print(f"warning: {printable(args.db)} was damaged ({printable(problem)}); it was set aside as "
              f"{printable(moved)} and a new database was built from the files of this run", file=sys.stderr)
    print(f"\nLoaded into {args.db} in {report.seconds:.2f} s (run {report.run_id})")
    print(f"  documents loaded: {report.count('loaded')}  unchanged: {report.count('unchanged')}  "
          f"duplicate: {report.count('duplicate')}  failed: {report.count('failed')}")
    for o in report.files:
        if o.outcome in ("failed", "duplicate") or o.reason == NOTHING_FOUND:
            print(f"  {o.outcome:<9} {shown(o.path)}: {printable(o.reason)}")
    print("  rows: " + ", ".join(f"{t} {n}" for t, n in report.rows.items()))
    return 1 if report.count("failed") else 0


def cmd_extract(args) -> int:
    from etl.extract import extract, to_answer_json
    from etl.read import ReadError, read_file

    status = 0
    out = []
    for f in args.files:
        try:
            rr = read_file(f)
        except ReadError as exc:
            print(f"error: {printable(exc)}", file=sys.stderr)
            status = 1
            continue
        out.append(to_answer_json(Path(f).name, extract(rr.text)))
    for obj in out:
        print(json.dumps(obj, ensure_ascii=False) if args.json else summary(obj))
    return status


def _money(yuan: float) -> str:
    if abs(yuan) >= 1e8:
        return f"{yuan / 1e8:,.2f} 亿元".replace(".00 ", " ")
    if abs(yuan) >= 1e4:
        return f"{yuan / 1e4:,.2f} 万元".replace(".00 ", " ")
    return f"{yuan:,.2f} 元".replace(".00 ", " ")


def summary(obj: dict) -> str:
    """The extraction of one file as a person reads it: metadata, then each commitment and figure.

    >>> print(summary({"file": "a.txt", "doc": {"doc_type": "other", "title": "T"}, "commitments": [],
    ...                "figures": [{"span": "2亿元", "value": 2e8, "unit": "元", "kind": "money", "metric": "资金",
    ...                             "year": 2021, "target": False, "cumulative": False, "change": False}]}))
    a.txt
      类型 other · 标题 T
      承诺 0 条
      数据 1 条
        2 亿元 · 资金 · 2021
    """
    doc = obj.get("doc") or {}
    meta = [(k, doc.get(v)) for k, v in (("类型", "doc_type"), ("标题", "title"), ("发文单位", "issuer"),
                                          ("辖区", "jurisdiction"), ("日期", "issue_date"), ("文号", "doc_no"),
                                          ("建议/提案号", "proposal_no"), ("答复对象", "addressee"))]
    lines = [obj["file"], "  " + " · ".join(f"{k} {v}" for k, v in meta if v)]
    commitments = obj.get("commitments") or []
    lines.append(f"  承诺 {len(commitments)} 条")
    for c in commitments:
        leads = "、".join(c.get("lead_agencies") or []) or "(未写明牵头单位)"
        due = f"{c['deadline']} ({c['deadline_basis']})" if c.get("deadline") else "无期限"
        lines.append(f"    {c.get('item') or '-'}#{c.get('task', 1)} {c.get('starts_with', '')}… | {leads} | {due}")
    figures = obj.get("figures")
    if figures is None:  # no figures section: money alone
        figures = [dict(m, value=m["yuan"], unit="元", kind=m.get("kind")) for m in obj.get("money") or []]
    lines.append(f"  数据 {len(figures)} 条")
    for f in figures:
        value = _money(float(f["value"])) if f.get("unit") == "元" else f"{f['value']:,} {f.get('unit', '')}"
        flags = [w for w, on in (("目标", f.get("target")), ("累计", f.get("cumulative")), ("变化", f.get("change")))
                 if on]
        parts = [value, f.get("metric") or "", str(f["year"]) if f.get("year") else ""] + flags
        lines.append("    " + " · ".join(p for p in parts if p))
    return "\n".join(lines)


def cmd_evaluate(args) -> int:
    from etl.evaluate import GoldSet, evaluate_set, gold_sets
    from etl.extract import extract, to_answer_json

    if args.gold:
        sets = [GoldSet(Path(args.gold).name, Path(args.gold), Path(args.docs or "seeds"))]
        if not sets[0].gold_dir.is_dir() or not list(sets[0].gold_dir.glob("*.json")):
            print(f"error: no answer-key files in {args.gold}", file=sys.stderr)
            return 2
    else:
        sets = [gs for gs in gold_sets() if gs.available() and (not args.set or gs.name in args.set)]
        if not sets:
            print("error: no answer key found (tests/golden, ../shared/corpus/gold)", file=sys.stderr)
            return 2
    reports = []
    for gs in sets:
        try:
            report = evaluate_set(gs, lambda name, text: to_answer_json(name, extract(text)))
        except OSError as exc:
            print(f"error: {gs.name}: {exc}", file=sys.stderr)
            return 1
        reports.append((gs, report))
        print(f"== {gs.name} ({gs.gold_dir})")
        print(report.table())
        if args.verbose:
            print(report.misses_by_document())
        print()
    for gs, report in reports:
        print(f"{gs.name:<18} {report.summary()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description=(
        "Turn government documents into commitments, money, project counts and targets in DuckDB."))
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("load", help="load files or folders into the database",
                       description="Load files or folders (default seeds/) into the database. The database is "
                                   "built in a new file and swapped in only when the whole run succeeded.")
    p.add_argument("paths", nargs="*", help="files or folders (default: seeds/)")
    p.add_argument("--db", default=DEFAULT_DB, help=f"database file (default {DEFAULT_DB})")
    p.add_argument("--workers", type=int, default=None, help="processes for extraction (default: all cores for large runs)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("extract", help="print what is extracted from files (a summary; --json: answer-key JSON)",
                       description="Print what is extracted from each file: its metadata, each commitment with "
                                   "its leads and deadline, each figure with its value and kind. --json prints the "
                                   "answer key's format instead (file, doc, commitments, money, counts, targets, "
                                   "figures), one object per line. No database.")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true", help="the answer key's JSON, one object per line")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("evaluate", help="score the extraction against every answer key",
                       description="Extract the documents the answer keys name and print precision, recall, F1 "
                                   "per section and every field's accuracy, for each gold set: the seeds "
                                   "(tests/golden), the corpus (../shared/corpus, when present) and the seeds "
                                   "printed full-width and in traditional characters.")
    p.add_argument("--gold", default=None, help="score one answer-key folder instead of every set")
    p.add_argument("--docs", default=None, help="with --gold: the folder holding its documents (default seeds/)")
    p.add_argument("--set", action="append", help="score only this set (seeds, corpus, seeds-fullwidth, "
                                                  "seeds-traditional); repeatable")
    p.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    p.set_defaults(func=cmd_evaluate)

    # ``reviews``: the review store's CLI (``python -m review``), kept here under the name analysts use.
    # The one import of ``review`` from ``etl`` (tests/test_architecture.py lists it): the library never does.
    from review import cli as review_cli

    review_cli.add_parser(sub)

    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
