"""Keep the analyst's decisions on follow-through links in the analysts' store (never rebuilt by the ETL).

In: a decision on one candidate of ``etl.linking`` — a fulfilment link (target figure → reported
figure), a commitment thread (earlier → later commitment), or a same-fact pair (first citation →
another citation) — confirmed, rejected, split (same-fact pairs only) or cleared (back to a
candidate). Out: table ``link_decisions`` of ``data/reviews.sqlite``, append-only like the
statuses (triggers refuse UPDATE and DELETE); the current decision of a pair is its latest entry
by ``changed_at``, ties broken by insertion order. Pairs are keyed by the ETL's stable fact IDs,
so a decision survives every re-run; an entry's ``entry_key`` hashes its content, so importing
an export twice adds nothing. Exported and imported with the other entries by
``python -m etl reviews export|import`` as ``kind=link`` lines (entity = the link kind,
entity_id → new_id = the pair, action = the decision).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from etl import reviews

LINK_KINDS = ("fulfilment", "thread", "same_fact")
DECISIONS = ("confirmed", "rejected", "split", "cleared")
DECISION_COLUMNS = ["link_kind", "from_id", "to_id", "decision", "note", "reviewer", "changed_at"]
HISTORY_COLUMNS = ["seq"] + DECISION_COLUMNS

DDL = [
    """CREATE TABLE IF NOT EXISTS link_decisions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_key TEXT NOT NULL UNIQUE,
        link_kind TEXT NOT NULL CHECK (link_kind IN ('fulfilment', 'thread', 'same_fact')),
        from_id TEXT NOT NULL,
        to_id TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'rejected', 'split', 'cleared')),
        note TEXT,
        reviewer TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS link_decisions_by_pair ON link_decisions (link_kind, from_id, to_id, changed_at, seq)",
] + [f"CREATE TRIGGER IF NOT EXISTS link_decisions_no_{op.lower()} BEFORE {op} ON link_decisions "
     f"BEGIN SELECT RAISE(ABORT, 'link_decisions is append-only'); END" for op in ("UPDATE", "DELETE")]


@dataclass(frozen=True)
class LinkDecision:
    link_kind: str
    from_id: str
    to_id: str
    decision: str
    note: str | None = None


def _checked(d: LinkDecision) -> LinkDecision:
    if d.link_kind not in LINK_KINDS:
        raise ValueError(f"link kind must be one of {LINK_KINDS}")
    if d.decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}")
    if d.decision == "split" and d.link_kind != "same_fact":
        raise ValueError("only a same-fact pair can be split")
    from_id, to_id = (reviews._text(d.from_id) or "").strip(), (reviews._text(d.to_id) or "").strip()
    if not from_id or not to_id:
        raise ValueError("a link needs both fact IDs")
    return LinkDecision(d.link_kind, from_id, to_id, d.decision, reviews._text(d.note))


def _insert(con: sqlite3.Connection, d: LinkDecision, reviewer: str, changed_at: str, recorded_at: str) -> int:
    for stmt in DDL:
        con.execute(stmt)
    key = reviews._key("link", d.link_kind, d.from_id, d.to_id, d.decision, d.note, reviewer, changed_at)
    cur = con.execute(
        "INSERT OR IGNORE INTO link_decisions (entry_key, link_kind, from_id, to_id, decision, note, reviewer, "
        "changed_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (key, d.link_kind, d.from_id, d.to_id, d.decision, d.note, reviewer, changed_at, recorded_at))
    return cur.rowcount


def record(decisions: Iterable[LinkDecision], reviewer: str, path: str | os.PathLike | None = None) -> int:
    """Append decisions in one transaction; return how many were saved."""
    reviewer = reviews._reviewer(reviewer)
    rows = [_checked(d) for d in decisions]
    if not rows:
        return 0
    store = reviews.ReviewStore(path)
    with store._write() as con:
        now = reviews.utc_now()
        return sum(_insert(con, d, reviewer, now, now) for d in rows)


def history(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Every decision ever recorded, oldest first."""
    df = reviews.ReviewStore(path)._read(
        f"SELECT {', '.join(HISTORY_COLUMNS)} FROM link_decisions ORDER BY changed_at, seq")
    return pd.DataFrame(columns=HISTORY_COLUMNS) if df is None else df


def current(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The standing decision of each pair (its latest entry), without the pairs cleared back to candidates."""
    df = reviews.ReviewStore(path)._read(f"""
        SELECT {', '.join(DECISION_COLUMNS)} FROM (
            SELECT *, row_number() OVER (PARTITION BY link_kind, from_id, to_id
                                         ORDER BY changed_at DESC, seq DESC) AS n
            FROM link_decisions)
        WHERE n = 1 AND decision != 'cleared' ORDER BY link_kind, from_id, to_id""")
    return pd.DataFrame(columns=DECISION_COLUMNS) if df is None else df


# ---------------------------------------------------------------------------------------------
# Export and import, as lines of ``python -m etl reviews export|import``


def export_records(store: reviews.ReviewStore) -> list[dict]:
    """Return the decisions as export records (``kind=link``), oldest first."""
    return [{"kind": "link", "entity": r.link_kind, "entity_id": r.from_id, "new_id": r.to_id,
             "action": r.decision, "note": r.note, "reviewer": r.reviewer, "changed_at": r.changed_at}
            for r in history(store.path).itertuples(index=False)]


def partition(records: Iterable[dict], report: reviews.ImportReport) -> tuple[list[dict], list[tuple]]:
    """Split import records into the others and the checked link decisions (errors go to ``report``)."""
    others, decisions = [], []
    for n, rec in enumerate(records, start=1):
        if not (isinstance(rec, dict) and reviews._text(rec.get("kind")) == "link"):
            others.append(rec)
            continue
        try:
            d = _checked(LinkDecision(reviews._text(rec.get("entity")) or "", rec.get("entity_id"),
                                      rec.get("new_id"), reviews._text(rec.get("action")) or "", rec.get("note")))
            changed = reviews._require(reviews._text(rec.get("changed_at")), "changed_at")
            decisions.append((d, reviews._reviewer(rec.get("reviewer")), reviews.iso_utc(changed)))
        except (ValueError, TypeError) as exc:
            report.errors.append(f"line {n}: {exc}")
    return others, decisions


def import_into(con: sqlite3.Connection, decisions: list[tuple], report: reviews.ImportReport, now: str) -> None:
    """Insert checked decisions in the caller's transaction; count what was new and what was there."""
    added = 0
    for d, reviewer, changed_at in decisions:
        n = _insert(con, d, reviewer, changed_at, now)
        added += n
        report.already_present += 0 if n else 1
    if decisions or added:
        report.added["link"] = report.added.get("link", 0) + added
