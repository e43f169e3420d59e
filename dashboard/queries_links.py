"""The Targets page's SQL: targets with their ranked candidates, threads of restated commitments,
and the analyst's decisions on them (``review.link_decisions``) joined to the facts.

In: the facts database (through ``dashboard.data.connection.cursor``: read-only, corrected views) and the
analysts' store. Out: DataFrames. Every statement is paged or by ID (a page of targets, the
candidates of those targets), so the page costs the same at a million figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.data import connection
from etl import links
from review import link_decisions

PAGE_TARGETS = 20
"""Targets shown per page."""
PAGE_THREADS = 20
SAME_FACT_SHOWN = 5
"""Citations of a same-fact group listed at first: its first citation, those the analyst split, then the
others by ID; the whole group when the analyst asks (a fact cited in dozens of documents is one row each)."""

_SQL = {
    "target_count": "SELECT count(*) AS n FROM fig_eff WHERE is_target",
    "target_page": """
        WITH ranked AS (SELECT target_id, count(*) AS n_candidates FROM link_fulfilment GROUP BY target_id),
        page AS (
            SELECT f.figure_id, f.doc_id, f.span_text, f.year, f.agency_current_id, f.deadline_date, f.issue_date,
                   COALESCE(r.n_candidates, 0) AS n_candidates
            FROM fig_eff f LEFT JOIN ranked r ON r.target_id = f.figure_id
            WHERE f.is_target
            ORDER BY (r.n_candidates IS NULL), f.issue_date DESC NULLS LAST, f.doc_id, f.figure_id
            LIMIT $limit OFFSET $offset
        )
        SELECT p.figure_id AS target_id, p.doc_id, p.span_text, f.value, f.unit, f.qualifier, p.year,
               COALESCE(f.metric, '') AS metric, f.sentence, f.char_start, p.issue_date, p.deadline_date,
               p.agency_current_id AS agency_key, a.canonical_name AS agency_name, a.name_en AS agency_name_en,
               d.title, d.file_name, p.n_candidates
        FROM page p JOIN figures f USING (figure_id) JOIN documents d ON d.doc_id = p.doc_id
        LEFT JOIN agencies a ON a.agency_id = p.agency_current_id
        ORDER BY (p.n_candidates = 0), p.issue_date DESC NULLS LAST, p.doc_id, p.figure_id
    """,
    "same_fact_count": "SELECT count(DISTINCT group_id) AS n FROM link_same_facts",
    "same_fact_page": """
        WITH groups AS (
            SELECT group_id FROM link_same_facts WHERE is_first ORDER BY n_citations DESC, group_id
            LIMIT $limit OFFSET $offset
        ),
        members AS (
            SELECT s.group_id, s.figure_id, s.is_first, s.n_citations,
                   row_number() OVER (PARTITION BY s.group_id ORDER BY s.is_first DESC,
                                      list_contains($split_ids::VARCHAR[], s.figure_id) DESC, s.figure_id) AS pos
            FROM link_same_facts s JOIN groups g USING (group_id)
        ),
        shown AS (
            SELECT * FROM members WHERE pos <= $shown OR list_contains($whole::VARCHAR[], group_id)
        )
        SELECT s.group_id, s.figure_id, s.is_first, s.n_citations, f.span_text, f.figure_year AS year, f.sentence,
               f.doc_id, d.title, d.file_name, d.issue_date
        FROM shown s JOIN figures f USING (figure_id) JOIN documents d ON d.doc_id = f.doc_id
        ORDER BY s.n_citations DESC, s.group_id, s.is_first DESC, d.issue_date NULLS LAST, s.figure_id
    """,
    "thread_count": "SELECT count(*) AS n FROM link_threads",
    "thread_page": """
        WITH page AS (
            SELECT * FROM link_threads
            ORDER BY deadline_move = 'slipped' DESC, score DESC, to_commitment_id, from_commitment_id
            LIMIT $limit OFFSET $offset
        )
        SELECT p.from_commitment_id, p.to_commitment_id, p.score, p.from_deadline_date, p.to_deadline_date,
               p.deadline_move, p.reason
        FROM page p
        ORDER BY p.deadline_move = 'slipped' DESC, p.score DESC, p.to_commitment_id, p.from_commitment_id
    """,
}

_BY_IDS = {
    "candidates": """
        SELECT l.target_id, l.figure_id, l.rank, l.score, l.reason
        FROM link_fulfilment l WHERE l.target_id IN ({ids}) ORDER BY l.target_id, l.rank
    """,
    "reported": """
        SELECT r.figure_id, r.span_text, r.value, r.unit, r.qualifier, r.year, r.metric, r.is_cumulative,
               r.sentence, r.doc_id, r.char_start
        FROM reported_figures r WHERE r.figure_id IN ({ids})
    """,
    "documents": "SELECT doc_id, title, file_name, issue_date FROM documents WHERE doc_id IN ({ids})",
    "targets": """
        SELECT f.figure_id AS target_id, f.doc_id, f.span_text, f.value, f.unit, f.qualifier, f.figure_year AS year,
               COALESCE(f.metric, '') AS metric, f.sentence, f.char_start, d.title, d.file_name, d.issue_date,
               ff.deadline_date, ff.agency_current_id AS agency_key, a.canonical_name AS agency_name,
               a.name_en AS agency_name_en
        FROM figures f JOIN documents d USING (doc_id) LEFT JOIN fact_figures ff USING (figure_id)
        LEFT JOIN agencies a ON a.agency_id = ff.agency_current_id
        WHERE f.figure_id IN ({ids})
    """,
    "commitments": """
        SELECT c.commitment_id, c.item_label, c.text, c.doc_id, c.char_start, c.deadline_date, c.lead_agency_names
        FROM eff_commitments c WHERE c.commitment_id IN ({ids})
    """,
}


def _query(name: str, **params) -> pd.DataFrame:
    with connection.cursor() as cur:
        return cur.execute(_SQL[name], connection.used_params(_SQL[name], params)).df()


def _by_ids(name: str, ids) -> pd.DataFrame:
    """Rows by primary key; their documents' title, file name and date looked up by ID in turn (an
    index lookup each, where a join would scan the documents)."""
    with connection.cursor() as cur:
        frame = connection.by_ids(cur, _BY_IDS[name], ids)
        if name in ("reported", "commitments") and len(frame):
            docs = connection.by_ids(cur, _BY_IDS["documents"], frame["doc_id"].dropna())
            frame = frame.merge(docs, on="doc_id", how="left")
        elif name in ("reported", "commitments"):
            frame = frame.assign(title=None, file_name=None, issue_date=None)
        return frame


def target_count() -> int:
    return int(_query("target_count").iloc[0, 0])


def target_page(limit: int = PAGE_TARGETS, offset: int = 0) -> pd.DataFrame:
    """One page of targets: those with candidates first, newest document first."""
    return _query("target_page", limit=limit, offset=offset)


def thread_count() -> int:
    return int(_query("thread_count").iloc[0, 0])


def thread_page(limit: int = PAGE_THREADS, offset: int = 0) -> pd.DataFrame:
    """One page of proposed threads: slipped deadlines first, closest wording first."""
    return _query("thread_page", limit=limit, offset=offset)


def decisions() -> pd.DataFrame:
    """The analyst's standing decisions (``review.link_decisions.current``) in the store."""
    return link_decisions.current()


def _decided(kind: str, decision: str) -> pd.DataFrame:
    d = decisions()
    return d[(d["link_kind"] == kind) & (d["decision"] == decision)]


def candidates(target_ids) -> pd.DataFrame:
    """The ranked candidates of these targets, each with its reported figure, and the analyst's decision.

    A confirmed link the ETL no longer proposes is listed too (rank empty): the decision is the analyst's.
    """
    ids = [str(i) for i in target_ids]
    cols = ["target_id", "figure_id", "rank", "score", "reason"]
    ranked = _by_ids("candidates", ids) if ids else pd.DataFrame(columns=cols)
    d = decisions()
    d = d[(d["link_kind"] == "fulfilment") & d["from_id"].isin(ids)]
    extra = d[~d.set_index(["from_id", "to_id"]).index.isin(ranked.set_index(["target_id", "figure_id"]).index)]
    if len(extra):
        ranked = pd.concat([ranked, pd.DataFrame({"target_id": extra["from_id"], "figure_id": extra["to_id"],
                                                  "rank": None, "score": None, "reason": ""})], ignore_index=True)
    if ranked.empty:
        return ranked.assign(decision=pd.Series(dtype=object))
    reported = _by_ids("reported", ranked["figure_id"])
    out = ranked.merge(reported, on="figure_id", how="left")
    status = {(r.from_id, r.to_id): r.decision for r in d.itertuples()}
    out["decision"] = [status.get((t, f)) for t, f in zip(out["target_id"], out["figure_id"])]
    return out


@dataclass(frozen=True)
class Progress:
    reported: float
    ratio: float | None
    met: bool


def progress(target: dict, reported: dict | None) -> Progress | None:
    """Reported ÷ target, and whether the target is met as its qualifier reads (超600家: 601, not 600)."""
    if reported is None or pd.isna(reported.get("value")) or pd.isna(target.get("value")):
        return None
    value, goal = float(reported["value"]), float(target["value"])
    return Progress(value, links.progress(goal, value), links.is_met(goal, target.get("qualifier") or "min", value))


def latest_confirmed(cands: pd.DataFrame) -> dict | None:
    """Of one target's candidates, the confirmed one from the latest document (the level it reached)."""
    ok = cands[cands["decision"] == "confirmed"]
    if ok.empty:
        return None
    ok = ok.assign(_d=pd.to_datetime(ok["issue_date"], errors="coerce")).sort_values(
        ["_d", "year", "figure_id"], ascending=[False, False, True], na_position="last")
    return ok.iloc[0].drop(labels=["_d"]).to_dict()


def commitments(ids) -> pd.DataFrame:
    ids = [str(i) for i in ids]
    return _by_ids("commitments", ids) if ids else pd.DataFrame(
        columns=["commitment_id", "item_label", "text", "doc_id", "char_start", "deadline_date",
                 "lead_agency_names", "title", "file_name", "issue_date"])


def _year(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    return str(pd.Timestamp(value).year)


def confirmed_threads() -> list[list[dict]]:
    """Each chain of confirmed restatements: the first promise, then every restatement in order.

    Each step carries the commitment (text, document, deadline) and, after the first, how the deadline
    moved from the step before (``slipped: 2020 → 2022``).
    """
    pairs = _decided("thread", "confirmed")
    if pairs.empty:
        return []
    nxt: dict[str, list[str]] = {}
    for a, b in zip(pairs["from_id"], pairs["to_id"]):
        nxt.setdefault(a, []).append(b)
    later = set(pairs["to_id"])
    roots = sorted(a for a in nxt if a not in later) or sorted(nxt)[:1]
    info = {r["commitment_id"]: r for r in commitments(set(pairs["from_id"]) | later).to_dict("records")}
    chains = []
    for root in roots:
        chain, seen, todo = [], set(), [root]
        while todo:
            cid = todo.pop(0)
            if cid in seen:
                continue
            seen.add(cid)
            step = dict(info.get(cid, {"commitment_id": cid, "text": None}))
            if chain:
                before = chain[-1].get("deadline_date")
                after = step.get("deadline_date")
                step["move"] = move_text(before, after)
            chain.append(step)
            todo.extend(sorted(nxt.get(cid, [])))
        chains.append(chain)
    return chains


def move_text(before, after) -> str:
    """``slipped: 2020 → 2022``, ``brought forward: …``, ``same deadline`` or ``restated``."""
    b = None if before is None or pd.isna(before) else pd.Timestamp(before).date().isoformat()
    a = None if after is None or pd.isna(after) else pd.Timestamp(after).date().isoformat()
    reason = links.deadline_move(b, a)
    if reason.startswith("slipped"):
        return f"slipped: {_year(b)} → {_year(a)}"
    if reason.startswith("brought"):
        return f"brought forward: {_year(b)} → {_year(a)}"
    return reason


def slipped_deadlines() -> pd.DataFrame:
    """Every confirmed restatement whose deadline moved later: earlier and later commitment, both deadlines."""
    pairs = _decided("thread", "confirmed")
    cols = ["from_commitment_id", "to_commitment_id", "from_text", "to_text", "from_deadline_date",
            "to_deadline_date", "move", "from_title", "to_title", "to_issue_date"]
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    info = commitments(set(pairs["from_id"]) | set(pairs["to_id"])).set_index("commitment_id")
    rows = []
    for a, b in zip(pairs["from_id"], pairs["to_id"]):
        if a not in info.index or b not in info.index:
            continue
        da, db = info.at[a, "deadline_date"], info.at[b, "deadline_date"]
        move = move_text(da, db)
        if move.startswith("slipped"):
            rows.append((a, b, info.at[a, "text"], info.at[b, "text"], da, db, move, info.at[a, "title"],
                         info.at[b, "title"], info.at[b, "issue_date"]))
    return pd.DataFrame(rows, columns=cols)


def export_frame() -> pd.DataFrame:
    """Every confirmed link, one row each: fulfilment links with their progress, then thread steps."""
    d = decisions()
    rows = []
    fl = d[(d["link_kind"] == "fulfilment") & (d["decision"] == "confirmed")]
    if len(fl):
        tg = _by_ids("targets", fl["from_id"]).set_index("target_id")
        rp = _by_ids("reported", fl["to_id"]).set_index("figure_id")
        for r in fl.itertuples():
            t = tg.loc[r.from_id].to_dict() if r.from_id in tg.index else {}
            f = rp.loc[r.to_id].to_dict() if r.to_id in rp.index else None
            p = progress(t, f) if t else None
            rows.append({"link_kind": "fulfilment", "from_id": r.from_id, "to_id": r.to_id,
                         "from_text": t.get("sentence"), "from_span": t.get("span_text"),
                         "from_title": t.get("title"), "from_date": t.get("issue_date"),
                         "to_text": None if f is None else f.get("sentence"),
                         "to_span": None if f is None else f.get("span_text"),
                         "to_title": None if f is None else f.get("title"),
                         "to_date": None if f is None else f.get("issue_date"),
                         "progress_pct": None if p is None or p.ratio is None else round(100 * p.ratio, 1),
                         "is_met": None if p is None else p.met, "deadline_move": None,
                         "reviewer": r.reviewer, "changed_at": r.changed_at})
    for chain in confirmed_threads():
        for before, step in zip(chain, chain[1:]):
            rows.append({"link_kind": "thread", "from_id": before.get("commitment_id"),
                         "to_id": step.get("commitment_id"), "from_text": before.get("text"), "from_span": None,
                         "from_title": before.get("title"), "from_date": before.get("issue_date"),
                         "to_text": step.get("text"), "to_span": None, "to_title": step.get("title"),
                         "to_date": step.get("issue_date"), "progress_pct": None, "is_met": None,
                         "deadline_move": step.get("move"), "reviewer": None, "changed_at": None})
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)


EXPORT_COLUMNS = ["link_kind", "from_id", "to_id", "from_span", "from_text", "from_title", "from_date", "to_span",
                  "to_text", "to_title", "to_date", "progress_pct", "is_met", "deadline_move", "reviewer",
                  "changed_at"]


def same_fact_count() -> int:
    return int(_query("same_fact_count").iloc[0, 0])


def same_fact_page(limit: int = PAGE_THREADS, offset: int = 0, shown: int = SAME_FACT_SHOWN,
                   whole: tuple[str, ...] = ()) -> pd.DataFrame:
    """One page of same-fact groups (largest first): up to ``shown`` citations of each (every one of the
    groups in ``whole``), each with its sentence and the analyst's split; ``n_citations`` says how many."""
    d = _decided("same_fact", "split")
    frame = _query("same_fact_page", limit=limit, offset=offset, shown=int(shown), whole=list(whole),
                   split_ids=sorted(set(d["to_id"])))
    split = set(zip(d["from_id"], d["to_id"]))
    frame["is_split"] = [(g, f) in split for g, f in zip(frame["group_id"], frame["figure_id"])]
    return frame
