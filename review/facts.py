"""Read the facts database for the store: what a reviewed fact looked like, and which IDs it still holds.

In: fact IDs and the facts DuckDB (``$COMMITMENTS_DB``, default ``data/commitments.duckdb``).
Out: ``Snapshot``s of facts (kept in the store so a fact the ETL drops can still be shown) and
the IDs an import names that the facts database lacks. Read-only, short-lived connections.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Iterable

import pandas as pd

from review.store import REPO_ROOT, Snapshot
from review.values import clean_text

FACTS_DB_ENV = "COMMITMENTS_DB"
DEFAULT_FACTS_DB = "data/commitments.duckdb"


def facts_path(path: str | os.PathLike | None = None) -> Path:
    """Return the facts DB's path: ``path``, else ``$COMMITMENTS_DB``, else data/commitments.duckdb."""
    return Path(path or os.environ.get(FACTS_DB_ENV) or REPO_ROOT / DEFAULT_FACTS_DB)



def unknown_ids(records: list[dict], facts_db: str | os.PathLike | None = None) -> tuple[dict[str, list[str]], str | None]:
    """Return (entity -> IDs the records name that the facts database lacks, why unchecked or None)."""
    wanted: dict[str, set[str]] = {"commitment": set(), "figure": set()}
    for rec in records:
        if not isinstance(rec, dict):
            continue
        entity = clean_text(rec.get("entity"))
        eid = clean_text(rec.get("entity_id"))
        if entity in wanted and eid:
            wanted[entity].add(eid.strip())
        elif clean_text(rec.get("figure_id")) and clean_text(rec.get("kind")) != "status":
            wanted["figure"].add(str(rec["figure_id"]).strip())
        elif clean_text(rec.get("commitment_id")):
            wanted["commitment"].add(str(rec["commitment_id"]).strip())
    if not any(wanted.values()):
        return {}, None
    path = facts_path(facts_db)
    if not path.exists():
        return {}, f"no facts database at {path}: the IDs were not checked"
    try:
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            out = {}
            for entity, table in (("commitment", "commitments"), ("figure", "figures")):
                ids = sorted(wanted[entity])
                if not ids:
                    continue
                have = {r[0] for r in con.execute(f"SELECT {entity}_id FROM {table} WHERE list_contains(?, {entity}_id)",
                                                  [ids]).fetchall()}
                missing = [i for i in ids if i not in have]
                if missing:
                    out[entity] = missing
            return out, None
        finally:
            con.close()
    except Exception as exc:  # noqa: BLE001 - a damaged or busy facts database must not stop the import
        return {}, f"the facts database could not be read ({type(exc).__name__}): the IDs were not checked"



def facts_snapshots(entity: str, ids: Iterable[str], facts_db: str | os.PathLike | None = None) -> list[Snapshot]:
    """Read the current text and document of facts from the facts DB, for the store's snapshots."""
    import duckdb

    ids = list(dict.fromkeys(ids))
    db = facts_path(facts_db)
    if not ids or not db.exists():
        return []
    con = duckdb.connect(str(db), read_only=True)
    try:
        if entity == "commitment":
            df = con.execute(
                "SELECT c.commitment_id AS entity_id, c.doc_id, d.file_name, d.title, c.text, c.item_label,"
                " c.lead_agency_ids, c.lead_agency_names, CAST(c.deadline_date AS VARCHAR) AS deadline_date,"
                " c.deadline_basis FROM commitments c JOIN documents d USING (doc_id)"
                " WHERE list_contains($ids, c.commitment_id)", {"ids": ids}).df()
            extra = ["item_label", "lead_agency_ids", "lead_agency_names", "deadline_date", "deadline_basis"]
        else:
            df = con.execute(
                "SELECT f.figure_id AS entity_id, f.doc_id, d.file_name, d.title, f.sentence AS text, f.figure_type,"
                " f.span_text, f.amount_yuan, f.money_kind, f.figure_year, f.is_target, f.commitment_id"
                " FROM figures f JOIN documents d USING (doc_id) WHERE list_contains($ids, f.figure_id)",
                {"ids": ids}).df()
            extra = ["figure_type", "span_text", "amount_yuan", "money_kind", "figure_year", "is_target",
                     "commitment_id"]
    finally:
        con.close()
    out = []
    for r in df.to_dict("records"):
        detail = {k: _plain(r[k]) for k in extra}
        out.append(Snapshot(entity, r["entity_id"], r["doc_id"], r["file_name"], r["title"], r["text"], detail))
    return out


def _plain(v):
    if v is None:
        return None
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, float) and math.isnan(v):
        return None
    if pd.api.types.is_scalar(v) and pd.isna(v):
        return None
    return v.item() if hasattr(v, "item") else v

