"""The change log between runs: what each run saw and what it changed.

In: an open read-write connection (the run's copy of the database), the documents a batch
replaces and their new rows, the report of a finished run. Out: rows of ``etl_changes`` (a
document, commitment or figure added, changed or removed, per run), ``etl_files`` and
``etl_runs``; across a schema upgrade, the earlier runs' log carried over and only what differs
from the old database recorded as changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl import load
from etl.schema import TABLES


def snapshots(con, doc_ids: list[str]) -> dict[str, dict[str, dict[str, str]]]:
    """Return, per document, its stored commitments and figures (id -> summary), in two queries."""
    out = {d: {"commitment": {}, "figure": {}} for d in doc_ids}
    if not doc_ids:
        return out
    for doc_id, cid, text in con.execute("SELECT doc_id, commitment_id, text FROM commitments "
                                         "WHERE list_contains($ids, doc_id)", {"ids": doc_ids}).fetchall():
        out[doc_id]["commitment"][cid] = text
    for doc_id, fid, span, ftype in con.execute("SELECT doc_id, figure_id, span_text, figure_type FROM figures "
                                                "WHERE list_contains($ids, doc_id)", {"ids": doc_ids}).fetchall():
        out[doc_id]["figure"][fid] = f"{ftype} {span}"
    return out


def document_changes(run_id: str, now, doc_id: str, before: dict | None, rows: dict) -> list[dict]:
    """The ``etl_changes`` rows of one document written: added or changed, and its facts added or removed
    against ``before`` (its ``snapshots`` entry, None when it is new)."""
    out = []
    if before is None:
        out.append({"run_id": run_id, "changed_at": now, "entity": "document", "entity_id": doc_id,
                    "doc_id": doc_id, "change": "added", "summary": rows["documents"][0]["title"]})
        before = {"commitment": {}, "figure": {}}
    else:
        out.append({"run_id": run_id, "changed_at": now, "entity": "document", "entity_id": doc_id,
                    "doc_id": doc_id, "change": "changed", "summary": rows["documents"][0]["title"]})
    after = {"commitment": {r["commitment_id"]: r["text"] for r in rows["commitments"]},
             "figure": {r["figure_id"]: f"{r['figure_type']} {r['span_text']}" for r in rows["figures"]}}
    for entity in ("commitment", "figure"):
        for key, summary in after[entity].items():
            if key not in before[entity]:
                out.append({"run_id": run_id, "changed_at": now, "entity": entity, "entity_id": key,
                            "doc_id": doc_id, "change": "added", "summary": summary[:200]})
        for key, summary in before[entity].items():
            if key not in after[entity]:
                out.append({"run_id": run_id, "changed_at": now, "entity": entity, "entity_id": key,
                            "doc_id": doc_id, "change": "removed", "summary": summary[:200]})
    return out


_UPGRADE_CHANGES = """
INSERT INTO etl_changes
SELECT $run_id, now(), 'document', doc_id, doc_id, 'added', title FROM documents
 WHERE doc_id NOT IN (SELECT doc_id FROM old_db.documents)
UNION ALL
SELECT $run_id, now(), 'commitment', commitment_id, doc_id, 'added', left(text, 200) FROM commitments
 WHERE commitment_id NOT IN (SELECT commitment_id FROM old_db.commitments)
UNION ALL
SELECT $run_id, now(), 'commitment', commitment_id, doc_id, 'removed', left(text, 200) FROM old_db.commitments
 WHERE commitment_id NOT IN (SELECT commitment_id FROM commitments)
UNION ALL
SELECT $run_id, now(), 'figure', figure_id, doc_id, 'added', figure_type || ' ' || span_text FROM figures
 WHERE figure_id NOT IN (SELECT figure_id FROM old_db.figures)
UNION ALL
SELECT $run_id, now(), 'figure', figure_id, doc_id, 'removed', figure_type || ' ' || span_text FROM old_db.figures
 WHERE figure_id NOT IN (SELECT figure_id FROM figures)
"""


def carry_history(con, old_db: Path, run_id: str) -> None:
    """Across a schema upgrade keep the earlier runs' log, and record as changes only what
    differs from the old database (not every re-extracted fact as new)."""
    quoted = old_db.as_posix().replace("'", "''")  # our own file's path, quoted as an SQL literal
    con.execute(f"ATTACH '{quoted}' AS old_db (READ_ONLY)")
    try:
        for table in ("etl_runs", "etl_files", "etl_changes"):
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'old_db' AND table_name = ? "
                "ORDER BY ordinal_position", [table]).fetchall()]
            if cols == TABLES[table].column_names:
                con.execute(f"INSERT INTO {table} SELECT * FROM old_db.{table}")
        con.execute("DELETE FROM etl_changes WHERE run_id = $run_id", {"run_id": run_id})
        con.execute(_UPGRADE_CHANGES, {"run_id": run_id})
    finally:
        con.execute("DETACH old_db")


def record_run(con, report, started) -> None:
    """Log the run: an ``etl_files`` row per file it saw, its ``etl_runs`` row (``report``: its ``LoadReport``)."""
    load.insert_rows(con, "etl_files", [
        {"run_id": report.run_id, "path": o.path, "content_sha256": o.sha, "outcome": o.outcome,
         "reason": o.reason, "doc_id": o.doc_id, "commitments": o.commitments, "figures": o.figures}
        for o in report.files])
    load.insert_rows(con, "etl_runs", [{
        "run_id": report.run_id, "started_at": started, "finished_at": dt.datetime.now(),
        "files_seen": len(report.files), "loaded": report.count("loaded"),
        "unchanged": report.count("unchanged") + report.count("duplicate"),
        "failed": report.count("failed"), "seconds": report.seconds}])
