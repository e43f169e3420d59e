"""The review store's command line: ``python -m review export|import FILE`` (a thin layer over ``review``).

``python -m etl reviews export|import FILE`` is the same command, registered on the ETL's CLI
by ``add_parser`` (the name analysts already use). Exit codes: 0 ok, 1 failure (unreadable or
invalid file, store locked), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys

from review import facts, transfer
from review.store import DEFAULT_REVIEWS_DB, REVIEWS_DB_ENV, ReviewStore


DESCRIPTION = ("Back up or move the analysts' review store (statuses with history, corrections, review "
               f"dates). The store is ${REVIEWS_DB_ENV} (default {DEFAULT_REVIEWS_DB}); the ETL never rebuilds it.")


def add_parser(subparsers) -> None:
    """Register the ``reviews`` command on a CLI's subparsers (``python -m etl reviews``)."""
    _add_commands(subparsers.add_parser(
        "reviews", help="export or import the analysts' statuses, corrections and review dates",
        description=DESCRIPTION))


def main(argv: list[str] | None = None) -> int:
    """Run ``python -m review export|import FILE``; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m review", description=DESCRIPTION)
    _add_commands(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return args.func(args)


def _add_commands(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=None,
                   help=f"review store file (default ${REVIEWS_DB_ENV} or {DEFAULT_REVIEWS_DB})")
    p.set_defaults(func=lambda args: _usage(p))
    sub = p.add_subparsers(dest="reviews_command")

    e = sub.add_parser("export", help="write every entry to FILE (.jsonl or .csv)",
                       description="Write every status change, correction, review date, snapshot and resolution "
                                   "to FILE: JSON lines for .jsonl/.json, CSV (UTF-8 with BOM) for .csv. Status "
                                   "lines carry commitment_id, status, note, reviewer, changed_at (ISO 8601, "
                                   "UTC); corrections carry kind \"correction\".")
    e.add_argument("file", help="output file (.jsonl, .json or .csv)")
    e.add_argument("--store", default=argparse.SUPPRESS, help="review store file")
    e.set_defaults(func=cmd_export)

    i = sub.add_parser("import", help="add the entries of FILE that are not already present",
                       description="Read FILE (.jsonl/.json or .csv, as written by `reviews export`) and add "
                                   "the entries not already in the store, in one transaction. Importing the same "
                                   "file again adds nothing. If any line is invalid nothing is imported.")
    i.add_argument("file", help="input file (.jsonl, .json or .csv)")
    i.add_argument("--store", default=argparse.SUPPRESS, help="review store file")
    i.add_argument("--db", default=None, help="facts database whose IDs the entries are checked against "
                                              f"(default ${facts.FACTS_DB_ENV} or {facts.DEFAULT_FACTS_DB})")
    i.set_defaults(func=cmd_import)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print("error: choose a subcommand: export FILE or import FILE", file=sys.stderr)
    return 2


def _bad_format(path: str) -> bool:
    """Say so on stderr and return True when ``path`` is neither JSON lines nor CSV (by its name)."""
    try:
        transfer.file_format(path)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return True
    return False


def cmd_export(args) -> int:
    if _bad_format(args.file):
        return 2
    store = ReviewStore(args.store)
    try:
        n = transfer.export_file(store, args.file)
    except (OSError, sqlite3.Error) as exc:
        print(f"error: cannot export: {exc}", file=sys.stderr)
        return 1
    print(f"Exported {n} entries from {store.path} to {args.file}")
    return 0


def cmd_import(args) -> int:
    if _bad_format(args.file):
        return 2
    store = ReviewStore(args.store)
    try:
        report = transfer.import_file(store, args.file, getattr(args, "db", None))
    except (OSError, ValueError, json.JSONDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"error: nothing imported: {exc}", file=sys.stderr)
        return 1
    if not report.ok:
        for err in report.errors[:50]:
            print(f"error: {err}", file=sys.stderr)
        if len(report.errors) > 50:
            print(f"error: … and {len(report.errors) - 50} more", file=sys.stderr)
        print(f"Nothing imported: {len(report.errors)} invalid lines in {args.file}", file=sys.stderr)
        return 1
    added = ", ".join(f"{k} {n}" for k, n in report.added.items())
    print(f"Imported into {store.path}: {added}; already present {report.already_present}")
    for entity, ids in report.unknown.items():
        print(f"warning: {len(ids)} {entity} IDs are not in the facts database (imported; shown as no longer "
              f"extracted), e.g. {', '.join(ids[:3])}", file=sys.stderr)
    if report.unchecked:
        print(f"warning: {report.unchecked}", file=sys.stderr)
    return 0
