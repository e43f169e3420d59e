"""Store the follow-through candidates beside the facts: which later figures may fulfil a target,
which figures are one fact cited again, which commitments restate an earlier one.

In: a read-write DuckDB connection holding the loaded and derived tables (``etl.derive``).
Out: ``link_fulfilment``, ``link_same_facts`` and ``link_threads`` rebuilt in full (``rebuild``).

The rules are ``etl.links``' (same current agency, unit, later document, metric similarity by
rapidfuzz); this module applies them to a whole database at once. What makes that cheap:
metrics are compared once per distinct phrase within an (agency, unit) bucket, with
``rapidfuzz.process.cdist`` and a score cutoff; a target only needs, of each (metric, year) of
its bucket, the ``CANDIDATES_MAX`` latest-issued figures (the ranking breaks ties by the latest
document first), and a restated commitment only the earliest commitment of each wording from
two documents. Nothing here is a link: the analyst confirms them (``review.link_decisions``).
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from etl import links

_CURRENT = "current_of AS (SELECT map(list(agency_id), list(current_id)) AS m FROM agencies)"

FIGURE_METRIC = """
    spans AS (
        SELECT f.figure_id, min_by(r.metric, r.char_start) AS r_metric
        FROM figures f JOIN reported_figures r
          ON r.doc_id = f.doc_id AND r.char_start < f.char_end AND f.char_start < r.char_end
        WHERE f.metric IS NULL
        GROUP BY f.figure_id
    )"""
"""A fact figure's metric: its own, else that of the reported figure at its span (money has none of its own)."""

TARGETS_SQL = f"""
    WITH {FIGURE_METRIC}
    SELECT f.figure_id, CAST(ff.issue_date AS VARCHAR) AS issue_date, f.value, f.unit, f.qualifier,
           f.figure_year AS year, COALESCE(f.metric, s.r_metric) AS metric, ff.agency_current_id AS agency_key
    FROM figures f JOIN fact_figures ff USING (figure_id) LEFT JOIN spans s USING (figure_id)
    WHERE f.is_target AND COALESCE(f.metric, s.r_metric) IS NOT NULL AND ff.agency_current_id IS NOT NULL
"""
"""Targets: the facts' figures marked as targets, with the agency they are charted under (current)."""

REPORTED_SQL = f"""
    WITH {_CURRENT}
    SELECT r.figure_id, CAST(d.issue_date AS VARCHAR) AS issue_date, r.value, r.unit, r.year, r.metric,
           COALESCE(current_of.m[COALESCE(r.agency_id, d.issuer_id)], COALESCE(r.agency_id, d.issuer_id)) AS agency_key
    FROM reported_figures r JOIN documents d USING (doc_id) CROSS JOIN current_of
    WHERE NOT r.is_target AND NOT r.is_change AND COALESCE(r.agency_id, d.issuer_id) IS NOT NULL
"""
"""Reported levels: every figure a document states that is neither a target nor a change, under the
agency its sentence names, else the document's issuer (current)."""


def _clean_all(values) -> list[str]:
    return [links.clean(v) for v in values]


def similarity_matrix(a: list[str], b: list[str], cutoff: float) -> np.ndarray:
    """``links.metric_similarity`` for every pair of cleaned phrases (0 below ``cutoff``), by cdist."""
    if not a or not b:
        return np.zeros((len(a), len(b)))
    whole = process.cdist(a, b, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.float64)
    part = 0.9 * process.cdist(a, b, scorer=fuzz.partial_ratio, score_cutoff=cutoff / 0.9, dtype=np.float64)
    sim = np.maximum(whole, part)
    short_a = np.array([len(x) < 2 for x in a])
    short_b = np.array([len(x) < 2 for x in b])
    sim[short_a, :] = 0.0
    sim[:, short_b] = 0.0
    sim[sim < cutoff] = 0.0
    return sim


# ---------------------------------------------------------------------------------------------
# Fulfilment


def _metric_pairs(targets: pd.DataFrame, reported: pd.DataFrame) -> pd.DataFrame:
    """(agency_key, unit, target metric, reported metric, similarity) for every close pair in a bucket."""
    rows: list[tuple] = []
    t_buckets = targets.groupby(["agency_key", "unit"])["metric"].unique()
    r_buckets = reported.groupby(["agency_key", "unit"])["metric"].unique()
    for key, t_metrics in t_buckets.items():
        if key not in r_buckets.index:
            continue
        r_metrics = list(r_buckets[key])
        t_metrics = list(t_metrics)
        sim = similarity_matrix(_clean_all(t_metrics), _clean_all(r_metrics), links.METRIC_MIN)
        for i, j in zip(*np.nonzero(sim)):
            rows.append((key[0], key[1], t_metrics[i], r_metrics[j], float(sim[i, j])))
    return pd.DataFrame(rows, columns=["agency_key", "unit", "t_metric", "r_metric", "sim"])


FULFILMENT_SQL = """
    WITH latest AS (  -- of each (bucket, metric, year), the latest-issued figures: ties go to them
        SELECT * FROM rep
        QUALIFY row_number() OVER (PARTITION BY agency_key, unit, metric, year
                                   ORDER BY issue_date DESC NULLS LAST, figure_id) <= $limit
    ),
    joined AS (
        SELECT t.figure_id AS target_id, r.figure_id, p.sim AS metric_score, r.year, r.issue_date,
               round(p.sim - CASE WHEN r.year IS NULL THEN 5
                                  ELSE least(abs(r.year - COALESCE(t.year, r.year)), 10) END, 1) AS score
        FROM tgt t
        JOIN pairs p ON p.agency_key = t.agency_key AND p.unit = t.unit AND p.t_metric = t.metric
        JOIN latest r ON r.agency_key = p.agency_key AND r.unit = p.unit AND r.metric = p.r_metric
        WHERE t.issue_date IS NULL OR (r.issue_date IS NOT NULL AND r.issue_date > t.issue_date)
    )
    SELECT target_id, figure_id, score, metric_score,
           CAST(row_number() OVER (PARTITION BY target_id ORDER BY score DESC, issue_date DESC NULLS LAST,
                                   figure_id) AS INTEGER) AS rank,
           'metric ' || CAST(CAST(round(metric_score) AS INTEGER) AS VARCHAR) || ', same agency and unit'
               || CASE WHEN year IS NULL THEN '' ELSE ', year ' || CAST(year AS VARCHAR) END AS reason
    FROM joined
    QUALIFY rank <= $limit
"""


def fulfilment_frame(con: duckdb.DuckDBPyConnection, limit: int = links.CANDIDATES_MAX) -> pd.DataFrame:
    """Return the ranked fulfilment candidates of every target (``link_fulfilment`` rows)."""
    targets = con.execute(TARGETS_SQL).df()
    cols = ["target_id", "figure_id", "score", "metric_score", "rank", "reason"]
    if targets.empty:
        return pd.DataFrame(columns=cols)
    keys = sorted(set(targets["agency_key"]))  # only the buckets a target is in: read no other figure
    reported = con.execute(f"SELECT * FROM ({REPORTED_SQL}) WHERE metric IS NOT NULL AND list_contains($keys, agency_key)",
                           {"keys": keys}).df()
    pairs = _metric_pairs(targets, reported)
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    names = {"tgt": targets, "rep": reported, "pairs": pairs}
    try:
        for name, frame in names.items():
            con.register(name, frame)
        return con.execute(FULFILMENT_SQL, {"limit": limit}).df()[cols]
    finally:
        for name in names:
            con.unregister(name)


# ---------------------------------------------------------------------------------------------
# One fact cited again

SAME_FACT_SQL = f"""
    WITH {FIGURE_METRIC},
    levels AS (
        SELECT f.figure_id, CAST(d.issue_date AS VARCHAR) AS issue_date, round(f.value, 6) AS v, f.unit,
               f.figure_year AS year, f.is_cumulative, COALESCE(f.metric, s.r_metric) AS metric
        FROM figures f JOIN documents d USING (doc_id) LEFT JOIN spans s USING (figure_id)
        WHERE NOT f.is_target AND NOT f.is_breakdown AND f.figure_year IS NOT NULL
          AND COALESCE(f.metric, s.r_metric) IS NOT NULL
    )
    SELECT * FROM levels
    QUALIFY count(*) OVER (PARTITION BY v, unit, year, is_cumulative) > 1
    ORDER BY v, unit, year, is_cumulative, issue_date NULLS LAST, figure_id
"""
"""The charted figures (not targets, not 其中 parts) that share value, unit, year and cumulative flag."""


def same_fact_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return ``link_same_facts`` rows: each figure of a group, the group's first citation, its size.

    The grouping is ``links.same_fact_groups``' (the earliest citation takes every later one whose
    metric is alike), computed on each bucket's distinct metrics once.
    """
    rows = con.execute(SAME_FACT_SQL).df()
    out: list[tuple] = []
    for _, bucket in rows.groupby(["v", "unit", "year", "is_cumulative"], sort=False):
        ids = list(bucket["figure_id"])  # already ordered: earliest citation first
        metrics = list(bucket["metric"])
        distinct = list(dict.fromkeys(metrics))
        index = {m: i for i, m in enumerate(distinct)}
        cleaned = _clean_all(distinct)
        sim = similarity_matrix(cleaned, cleaned, links.SAME_FACT_MIN)
        m_idx = np.array([index[m] for m in metrics])
        pending = np.arange(len(ids))
        while len(pending):
            first = pending[0]
            close = sim[m_idx[first], m_idx[pending]] >= links.SAME_FACT_MIN
            close[0] = True
            group = pending[close]
            pending = pending[~close]
            if len(group) > 1:  # a first citation too short to compare keeps its row all zero
                for k in group:
                    out.append((ids[k], ids[first], ids[first], int(k == first), len(group)))
    frame = pd.DataFrame(out, columns=["figure_id", "group_id", "first_figure_id", "is_first", "n_citations"])
    frame["is_first"] = frame["is_first"].astype(bool)
    return frame


# ---------------------------------------------------------------------------------------------
# Restated commitments

COMMITMENTS_SQL = """
    SELECT c.commitment_id, c.doc_id, CAST(fc.issue_date AS VARCHAR) AS issue_date, c.text,
           fc.lead_current_ids AS leads, CAST(fc.deadline_date AS VARCHAR) AS deadline
    FROM commitments c JOIN fact_commitments fc USING (commitment_id)
    WHERE len(fc.lead_current_ids) > 0 AND fc.issue_date IS NOT NULL
"""


def thread_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return ``link_threads`` rows: for each commitment, the earlier commitment it best restates.

    ``links.thread_candidates``' rule (a lead in common, another document issued earlier, wording
    similarity ≥ ``THREAD_MIN``; the closest wording, then the earliest commitment). Wordings are
    compared once per distinct wording of a lead; of each wording only the earliest commitment of
    its two earliest documents can be the best earlier one.
    """
    rows = con.execute(COMMITMENTS_SQL).fetchall()
    cols = ["from_commitment_id", "to_commitment_id", "score", "from_deadline_date", "to_deadline_date",
            "deadline_move", "reason"]
    info = {r[0]: r for r in rows}
    wording: dict[str, str] = {}  # text -> its wording: a commitment restated word for word is cleaned once
    words = {}
    for r in rows:
        w = wording.get(r[3])
        if w is None:
            w = wording[r[3]] = links.wording(r[3])
        words[r[0]] = w
    by_lead: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        for lead in dict.fromkeys(r[4]):
            by_lead[lead].append(r[0])
    best: dict[str, tuple] = {}  # later id -> (sim, earlier issue_date, earlier id)
    for members in by_lead.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda cid: (info[cid][2], cid))
        distinct = list(dict.fromkeys(words[c] for c in members))
        w_index = {w: i for i, w in enumerate(distinct)}
        earliest: dict[int, list[str]] = defaultdict(list)  # wording -> earliest commitment of two documents
        for cid in members:
            slot = earliest[w_index[words[cid]]]
            if len(slot) < 2 and all(info[e][1] != info[cid][1] for e in slot):
                slot.append(cid)
        sim = process.cdist(distinct, distinct, scorer=fuzz.ratio, score_cutoff=links.THREAD_MIN, dtype=np.float64)
        firsts = {j: [(info[e][1], info[e][2], e) for e in slot] for j, slot in earliest.items()}  # (doc, date, id)
        close: dict[int, list[tuple[float, int]]] = {}  # wording -> (-score, wording) of the close ones, best first
        for cid in members:
            _, doc, date, *_ = info[cid]
            mine = best.get(cid)
            i = w_index[words[cid]]
            near = close.get(i)
            if near is None:
                near = close[i] = sorted((-round(float(sim[i, j]), 1), int(j))
                                         for j in np.nonzero(sim[i] >= links.THREAD_MIN)[0])
            for neg, j in near:
                if mine is not None and neg > mine[0]:
                    break  # every later wording scores lower than the best found
                for e_doc, e_date, e in firsts[j]:
                    if e_doc != doc and e_date < date:
                        key = (neg, e_date, e)
                        if mine is None or key < mine:
                            mine = key
                        break
            if mine is not None:
                best[cid] = mine
    out = []
    for later, (neg, _, earlier) in best.items():
        d_from, d_to = info[earlier][5], info[later][5]
        reason = links.deadline_move(d_from, d_to)
        move = reason.split(" ")[0] if reason.startswith(("slipped", "brought")) else (
            "same" if reason == "same deadline" else "unknown")
        out.append((earlier, later, -neg, d_from, d_to, "brought_forward" if move == "brought" else move, reason))
    frame = pd.DataFrame(out, columns=cols).sort_values(["from_commitment_id", "to_commitment_id"])
    for c in ("from_deadline_date", "to_deadline_date"):
        frame[c] = pd.to_datetime(frame[c]).dt.date
    return frame


# ---------------------------------------------------------------------------------------------


def rebuild(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rebuild every candidate table from the loaded and derived tables; return their row counts."""
    frames = {"link_fulfilment": fulfilment_frame(con), "link_same_facts": same_fact_frame(con),
              "link_threads": thread_frame(con)}
    counts = {}
    for table, frame in frames.items():
        con.execute(f"DELETE FROM {table}")
        if len(frame):
            con.register("link_frame", frame)
            try:
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM link_frame")
            finally:
                con.unregister("link_frame")
        counts[table] = len(frame)
    return counts
