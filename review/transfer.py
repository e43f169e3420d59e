"""Move the analysts' store to and from files: JSON lines or CSV, written and read back the same.

In: a ``ReviewStore`` and a file name (``.jsonl``/``.json``/``.ndjson`` or ``.csv``). Out: the
file (``export_file``: every meeting, snapshot, status, correction, resolution and link
decision, written atomically; CSV is UTF-8 with BOM, formula-like cells neutralised) or an
``ImportReport`` (``import_file``: the entries not already present, in one transaction; nothing
is imported if any line is invalid; importing the same file again adds nothing).
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from review import link_decisions
from review.facts import unknown_ids
from review.store import (ReviewStore, Snapshot, insert_correction, insert_resolution, insert_review, insert_status,
                          status_before, upsert_snapshot)
from review.values import (CORRECTION_ACTIONS, CORRECTABLE, ENTITIES, RESOLUTIONS, canonical_json, claimed_time,
                           clean_text, date_text, iso_utc, parse_status, required, reviewer_name, utc_now)

# Columns of an export file (CSV header order); JSONL lines carry the non-empty ones.
EXPORT_COLUMNS = ["kind", "commitment_id", "figure_id", "entity", "entity_id", "status", "old_status", "note",
                  "reviewer", "changed_at", "evidence_url", "evidence_doc_id", "field", "action", "value",
                  "old_value", "reason", "review_date", "doc_id", "file_name", "title", "text", "detail", "new_id"]
KINDS = ("review", "snapshot", "status", "correction", "resolution")


@dataclass
class ImportReport:
    added: dict[str, int] = field(default_factory=dict)
    already_present: int = 0
    errors: list[str] = field(default_factory=list)
    unknown: dict[str, list[str]] = field(default_factory=dict)  # entity -> IDs the facts database does not hold
    unchecked: str | None = None  # why the IDs could not be checked (no facts database)

    @property
    def ok(self) -> bool:
        return not self.errors



def export_records(store: ReviewStore) -> list[dict]:
    """Return every entry as export records (meetings, snapshots, statuses, corrections, resolutions)."""
    out: list[dict] = []
    for r in store.rows("SELECT * FROM review_meetings ORDER BY review_date"):
        out.append({"kind": "review", "review_date": r["review_date"], "reviewer": r["reviewer"],
                    "note": r["note"], "changed_at": r["recorded_at"]})
    for r in store.rows("SELECT * FROM snapshots ORDER BY entity, entity_id"):
        rec = {"kind": "snapshot", "entity": r["entity"], "entity_id": r["entity_id"], "doc_id": r["doc_id"],
               "file_name": r["file_name"], "title": r["title"], "text": r["text"],
               "detail": json.loads(r["detail_json"]) if r["detail_json"] else {}, "changed_at": r["updated_at"]}
        rec["commitment_id" if r["entity"] == "commitment" else "figure_id"] = r["entity_id"]
        out.append(rec)
    for r in store.rows("SELECT * FROM status_changes ORDER BY changed_at, seq"):
        out.append({"kind": "status", **{k: r[k] for k in (
            "commitment_id", "status", "old_status", "note", "reviewer", "changed_at", "evidence_url",
            "evidence_doc_id")}})
    for r in store.rows("SELECT * FROM corrections ORDER BY changed_at, seq"):
        rec = {"kind": "correction", "entity": r["entity"], "entity_id": r["entity_id"], "field": r["field"],
               "action": r["action"], "value": None if r["value_json"] is None else json.loads(r["value_json"]),
               "old_value": None if r["old_value_json"] is None else json.loads(r["old_value_json"]),
               "reason": r["reason"], "reviewer": r["reviewer"], "changed_at": r["changed_at"]}
        rec["commitment_id" if r["entity"] == "commitment" else "figure_id"] = r["entity_id"]
        out.append(rec)
    for r in store.rows("SELECT * FROM resolutions ORDER BY changed_at, seq"):
        out.append({"kind": "resolution", **{k: r[k] for k in (
            "entity", "entity_id", "action", "new_id", "note", "reviewer", "changed_at")}})
    out += _link_records(store)  # decisions on follow-through links (kind=link)
    return out


def export_file(store: ReviewStore, path: str | os.PathLike) -> int:
    """Write every entry to ``path`` (.jsonl/.json or .csv, written atomically); return the line count."""
    path = Path(path)
    fmt = file_format(path)
    records = export_records(store)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt == "jsonl":
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                for rec in records:
                    fh.write(json.dumps({k: v for k, v in rec.items() if v is not None or k == "note"},
                                        ensure_ascii=False)
                             + "\n")
        else:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
                w.writeheader()
                for rec in records:
                    w.writerow({k: _csv_cell(k, rec.get(k)) for k in EXPORT_COLUMNS})
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return len(records)

def import_records(store: ReviewStore, records: Iterable[dict]) -> ImportReport:
    """Add records not already present, all in one transaction; nothing is added if any line is invalid."""
    report = ImportReport(added={k: 0 for k in KINDS})
    records, links = _link_partition(list(records), report)  # decisions on follow-through links (kind=link)
    prepared = []
    for n, rec in enumerate(records, start=1):
        try:
            prepared.append(_prepare_record(rec))
        except (ValueError, TypeError, KeyError, OverflowError, json.JSONDecodeError) as exc:
            report.errors.append(f"line {n}: {exc}")
        except RecursionError:
            report.errors.append(f"line {n}: a value nested too deeply")
    if report.errors:
        return report
    order = {k: i for i, k in enumerate(KINDS)}
    prepared.sort(key=lambda p: (order[p[0]], p[1].get("changed_at") or ""))
    with store.transaction() as con:
        now = utc_now()
        for kind, r in prepared:
            if kind == "review":
                n = insert_review(con, r["review_date"], r["reviewer"], r["note"], r["changed_at"] or now)
            elif kind == "snapshot":
                n = upsert_snapshot(con, r["snapshot"], r["changed_at"] or now, only_if_newer=True)
            elif kind == "status":
                old = r["old_status"] or status_before(con, r["commitment_id"], r["changed_at"])
                n = insert_status(con, r["commitment_id"], old, r["status"], r["note"], r["reviewer"],
                                   r["changed_at"], r["evidence_url"], r["evidence_doc_id"], now)
            elif kind == "correction":
                n = insert_correction(con, r["entity"], r["entity_id"], r["field"], r["action"], r["value"],
                                       r["old_value"], r["reason"], r["reviewer"], r["changed_at"], now)
            else:
                n = insert_resolution(con, r["entity"], r["entity_id"], r["action"], r["new_id"], r["note"],
                                       r["reviewer"], r["changed_at"], now)
            report.added[kind] += n
            if not n and kind != "snapshot":
                report.already_present += 1
        _link_import(con, links, report, now)
    return report


def import_file(store: ReviewStore, path: str | os.PathLike, facts_db: str | os.PathLike | None = None) -> ImportReport:
    """Import a file written by ``export_file`` (or by hand, same columns); idempotent.

    Entries naming a commitment or figure the facts database does not hold are imported
    (they show as no longer extracted) and counted in ``report.unknown``.
    """
    records = read_records(path)
    report = import_records(store, records)
    if report.ok:
        report.unknown, report.unchecked = unknown_ids(records, facts_db)
    return report


# --------------------------------------------------------------------------------------
# Files


def file_format(path: str | os.PathLike) -> str:
    """Return 'jsonl' or 'csv' from a file name; raise ValueError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise ValueError(f"unknown file type {suffix or '(none)'}: use .jsonl, .json or .csv")


def _csv_cell(key: str, value) -> str:
    if value is None:
        return ""
    if key in ("value", "old_value", "detail"):
        return neutralise(canonical_json(value))
    return neutralise(str(value))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection)."""


def neutralise(text: str) -> str:
    """Prefix ``'`` to a CSV cell a spreadsheet would run as a formula (and to one starting with ``'``,
    so that ``restore`` gives back exactly what was written).

    >>> neutralise("=1+1"), neutralise("-1"), neutralise("'a"), neutralise("a=b")
    ("'=1+1", "'-1", "''a", 'a=b')
    >>> all(restore(neutralise(t)) == t for t in ("=1+1", "'", "''=x", "@a", "\tb", "plain", ""))
    True
    """
    return "'" + text if text.startswith(FORMULA_STARTS + ("'",)) else text


def restore(text: str) -> str:
    """Undo ``neutralise`` on a cell read from a CSV export."""
    return text[1:] if text.startswith("'") else text


_CSV_FIELD_LIMIT = 2**31 - 1
"""CSV fields of any length (a long note): the csv module's default stops at 131,072 characters."""


def read_records(path: str | os.PathLike) -> list[dict]:
    """Read an export file (JSON lines, a JSON array, or CSV) into records."""
    path = Path(path)
    fmt = file_format(path)
    if fmt == "jsonl":
        text = path.read_text(encoding="utf-8-sig")
        stripped = text.lstrip()
        if stripped.startswith("["):
            return list(_json(stripped, "the file"))
        out = []
        # split on "\n" only: a note may hold U+2028 or U+0085, which JSON leaves unescaped
        for n, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                out.append(_json(line, f"line {n}"))
        return out
    out = []
    previous = csv.field_size_limit(_CSV_FIELD_LIMIT)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except csv.Error as exc:
        raise ValueError(f"not a readable CSV: {exc}") from None
    finally:
        csv.field_size_limit(previous)
    for n, row in enumerate(rows, start=2):
        rec = {k: restore(v) for k, v in row.items() if k is not None and isinstance(v, str) and v != ""}
        for k in ("value", "old_value", "detail"):
            if k in rec:
                try:
                    rec[k] = _json(rec[k], f"line {n} {k}")
                except ValueError:
                    pass  # written by hand without JSON quoting: keep the text, the field rule checks it
        out.append(rec)
    return out


MAX_JSON_DEPTH = 64
"""Deeper JSON than this in an import file is refused (no record needs more than three levels)."""


def _json(text: str, where: str):
    """Parse JSON from an import file; a clear ``ValueError`` for bad or absurdly nested JSON."""
    depth = deepest = 0
    in_string = escaped = False
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH:  # only then is the nesting worth measuring
        for ch in text:
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch in "[{":
                depth += 1
                deepest = max(deepest, depth)
                if deepest > MAX_JSON_DEPTH:
                    raise ValueError(f"{where}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
            elif ch in "]}":
                depth -= 1
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise ValueError(f"{where}: JSON nested too deeply") from None


def _prepare_record(rec: dict) -> tuple[str, dict]:
    """Check one import record and normalise it to what is stored (so keys match)."""
    if not isinstance(rec, dict):
        raise TypeError("each line must be a JSON object")
    kind = clean_text(rec.get("kind")) or ("status" if rec.get("status") is not None else None)
    if kind not in KINDS:
        raise ValueError(f"unknown kind {rec.get('kind')!r}; expected one of {', '.join(KINDS)}")
    changed = rec.get("changed_at")
    changed_at = claimed_time(changed) if clean_text(changed) else None
    entity = clean_text(rec.get("entity"))
    eid = clean_text(rec.get("entity_id"))
    if kind in ("snapshot", "correction", "resolution") and not eid:
        if clean_text(rec.get("figure_id")) and entity in (None, "figure"):
            entity, eid = "figure", clean_text(rec.get("figure_id"))
        elif clean_text(rec.get("commitment_id")):
            entity, eid = entity or "commitment", clean_text(rec.get("commitment_id"))
    if kind in ("snapshot", "correction", "resolution"):
        if entity not in ENTITIES:
            raise ValueError(f"entity must be one of {ENTITIES}")
        if not eid:
            raise ValueError("missing entity_id / commitment_id / figure_id")
    if kind == "review":
        return kind, {"review_date": date_text(rec.get("review_date")) or required(None, "review_date"),
                      "reviewer": clean_text(rec.get("reviewer")), "note": clean_text(rec.get("note")),
                      "changed_at": changed_at}
    if kind == "snapshot":
        detail = rec.get("detail") or {}
        if isinstance(detail, str):
            detail = json.loads(detail)
        return kind, {"changed_at": changed_at, "snapshot": Snapshot(
            entity, eid, clean_text(rec.get("doc_id")), clean_text(rec.get("file_name")), clean_text(rec.get("title")),
            clean_text(rec.get("text")), detail)}
    reviewer = reviewer_name(rec.get("reviewer"))
    changed_at = changed_at or required(None, "changed_at")
    if kind == "status":
        cid = required(clean_text(rec.get("commitment_id")), "commitment_id").strip()
        old = clean_text(rec.get("old_status"))
        return kind, {"commitment_id": cid, "status": parse_status(rec.get("status")),
                      "old_status": parse_status(old) if old else None, "note": clean_text(rec.get("note")),
                      "reviewer": reviewer, "changed_at": changed_at, "evidence_url": clean_text(rec.get("evidence_url")),
                      "evidence_doc_id": clean_text(rec.get("evidence_doc_id"))}
    if kind == "correction":
        fld = required(clean_text(rec.get("field")), "field")
        action = clean_text(rec.get("action")) or "set"
        if action not in CORRECTION_ACTIONS:
            raise ValueError(f"action must be one of {CORRECTION_ACTIONS}")
        rule = CORRECTABLE.get((entity, fld))
        if rule is None:
            raise ValueError(f"{entity} field {fld!r} cannot be corrected")
        value = rec.get("value")
        if action == "set" and not (fld == "deadline_date" and value in (None, "")):
            value = rule(value)
        elif action == "set":
            value = None
        else:
            value = None
        return kind, {"entity": entity, "entity_id": eid, "field": fld, "action": action, "value": value,
                      "old_value": rec.get("old_value"), "reason": required(clean_text(rec.get("reason")), "reason"),
                      "reviewer": reviewer, "changed_at": changed_at}
    action = clean_text(rec.get("action"))
    if action not in RESOLUTIONS:
        raise ValueError(f"resolution action must be one of {RESOLUTIONS}")
    return kind, {"entity": entity, "entity_id": eid, "action": action, "new_id": clean_text(rec.get("new_id")),
                  "note": clean_text(rec.get("note")), "reviewer": reviewer, "changed_at": changed_at}


# --------------------------------------------------------------------------------------
# Link decisions, as lines of kind=link (``review.link_decisions``)


def _link_records(store: ReviewStore) -> list[dict]:
    """Return the decisions as export records (``kind=link``), oldest first."""
    return [{"kind": "link", "entity": r.link_kind, "entity_id": r.from_id, "new_id": r.to_id,
             "action": r.decision, "note": r.note, "reviewer": r.reviewer, "changed_at": r.changed_at}
            for r in link_decisions.history(store.path).itertuples(index=False)]


def _link_partition(records: Iterable[dict], report: ImportReport) -> tuple[list[dict], list[tuple]]:
    """Split import records into the others and the checked link decisions (errors go to ``report``)."""
    others, decisions = [], []
    for n, rec in enumerate(records, start=1):
        if not (isinstance(rec, dict) and clean_text(rec.get("kind")) == "link"):
            others.append(rec)
            continue
        try:
            d = link_decisions.checked(link_decisions.LinkDecision(
                clean_text(rec.get("entity")) or "", rec.get("entity_id"), rec.get("new_id"),
                clean_text(rec.get("action")) or "", rec.get("note")))
            changed = required(clean_text(rec.get("changed_at")), "changed_at")
            decisions.append((d, reviewer_name(rec.get("reviewer")), iso_utc(changed)))
        except (ValueError, TypeError) as exc:
            report.errors.append(f"line {n}: {exc}")
    return others, decisions


def _link_import(con, decisions: list[tuple], report: ImportReport, now: str) -> None:
    """Insert checked decisions in the caller's transaction; count what was new and what was there."""
    added = 0
    for d, reviewer, changed_at in decisions:
        n = link_decisions.insert(con, d, reviewer, changed_at, now)
        added += n
        report.already_present += 0 if n else 1
    if decisions or added:
        report.added["link"] = report.added.get("link", 0) + added
