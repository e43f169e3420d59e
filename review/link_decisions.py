"""Keep the analyst's decisions on follow-through links in the analysts' store (never rebuilt by the ETL).

In: a decision on one candidate of ``etl.linking`` — a fulfilment link (target figure → reported
figure), a commitment thread (earlier → later commitment), or a same-fact pair (first citation →
another citation) — confirmed, rejected, split (same-fact pairs only) or cleared (back to a
candidate). Out: table ``link_decisions`` of ``data/reviews.sqlite``, append-only like the
statuses (triggers refuse UPDATE and DELETE); the current decision of a pair is its latest entry
by ``changed_at``, ties broken by insertion order. Pairs are keyed by the ETL's stable fact IDs,
so a decision survives every re-run; an entry's ``entry_key`` hashes its content, so importing
an export twice adds nothing. Exported and imported with the other entries (``review.transfer``,
``python -m review export|import``) as ``kind=link`` lines (entity = the link kind, entity_id →
new_id = the pair, action = the decision).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from review.store import ReviewStore
from review.values import clean_text, entry_key, reviewer_name, utc_now

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


def checked(d: LinkDecision) -> LinkDecision:
    """Return the decision with its IDs and note cleaned; raise ValueError when it cannot be stored."""
    if d.link_kind not in LINK_KINDS:
        raise ValueError(f"link kind must be one of {LINK_KINDS}")
    if d.decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}")
    if d.decision == "split" and d.link_kind != "same_fact":
        raise ValueError("only a same-fact pair can be split")
    from_id, to_id = (clean_text(d.from_id) or "").strip(), (clean_text(d.to_id) or "").strip()
    if not from_id or not to_id:
        raise ValueError("a link needs both fact IDs")
    return LinkDecision(d.link_kind, from_id, to_id, d.decision, clean_text(d.note))


def insert(con: sqlite3.Connection, d: LinkDecision, reviewer: str, changed_at: str, recorded_at: str) -> int:
    """Insert one checked decision in the caller's transaction; return 1 if new, 0 if already there."""
    for stmt in DDL:
        con.execute(stmt)
    key = entry_key("link", d.link_kind, d.from_id, d.to_id, d.decision, d.note, reviewer, changed_at)
    cur = con.execute(
        "INSERT OR IGNORE INTO link_decisions (entry_key, link_kind, from_id, to_id, decision, note, reviewer, "
        "changed_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (key, d.link_kind, d.from_id, d.to_id, d.decision, d.note, reviewer, changed_at, recorded_at))
    return cur.rowcount


def record(decisions: Iterable[LinkDecision], reviewer: str, path: str | os.PathLike | None = None) -> int:
    """Append decisions in one transaction; return how many were saved."""
    reviewer = reviewer_name(reviewer)
    rows = [checked(d) for d in decisions]
    if not rows:
        return 0
    store = ReviewStore(path)
    with store.transaction() as con:
        now = utc_now()
        return sum(insert(con, d, reviewer, now, now) for d in rows)


def history(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Every decision ever recorded, oldest first."""
    df = ReviewStore(path).query(
        f"SELECT {', '.join(HISTORY_COLUMNS)} FROM link_decisions ORDER BY changed_at, seq")
    return pd.DataFrame(columns=HISTORY_COLUMNS) if df is None else df


def current(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The standing decision of each pair (its latest entry), without the pairs cleared back to candidates."""
    df = ReviewStore(path).query(f"""
        SELECT {', '.join(DECISION_COLUMNS)} FROM (
            SELECT *, row_number() OVER (PARTITION BY link_kind, from_id, to_id
                                         ORDER BY changed_at DESC, seq DESC) AS n
            FROM link_decisions)
        WHERE n = 1 AND decision != 'cleared' ORDER BY link_kind, from_id, to_id""")
    return pd.DataFrame(columns=DECISION_COLUMNS) if df is None else df
