"""Follow a promise through documents: which later figures may fulfil a target, which figures are
the same fact cited again, and which commitments restate an earlier one.

In: plain records of figures and commitments (their metric, value, unit, year, agency as the
current agency, document issue date). Out: ranked candidates with a score and the reasons. Pure:
no I/O. Nothing here is a link until an analyst confirms it (``review`` keeps the decisions);
the ETL stores the candidates beside the facts, so the pages only look them up.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from etl.segment import Rule

METRIC_MIN = 70.0
"""Least metric similarity (0–100) for a reported figure to be a candidate for a target."""
SAME_FACT_MIN = 90.0
"""Least metric similarity for two figures of equal value, unit and year to be one fact."""
THREAD_MIN = 72.0
"""Least wording similarity for a later commitment to be proposed as restating an earlier one."""
CANDIDATES_MAX = 5

_NOISE = Rule("noise", re.compile(r"[\s\W_\d]+"), ("服务企业 超1200家", "(基地)"), ("服务企业",))
"""What a metric is compared without: spaces, punctuation and digits."""
_LABEL = Rule("label", re.compile(r"^\s*(?:[(（]?[一二三四五六七八九十\d]{1,3}[)）.．、]|[一二三四五六七八九十]+是)"),
              ("(三)开展重点领域靶向招商", "1.统筹协调", "一是制定实施"), ("开展重点领域靶向招商", "2021年"))
"""A commitment's own numbering label: no part of its wording."""


@dataclass(frozen=True)
class FigureRecord:
    figure_id: str
    doc_id: str
    issue_date: str | None  # YYYY-MM-DD of its document
    value: float
    unit: str
    qualifier: str
    year: int | None
    metric: str
    agency_id: str | None  # the current agency (successors merged)
    is_target: bool = False
    is_cumulative: bool = False
    is_change: bool = False


@dataclass(frozen=True)
class CommitmentRecord:
    commitment_id: str
    doc_id: str
    issue_date: str | None
    text: str
    lead_ids: tuple[str, ...]  # current agencies
    deadline: str | None


@dataclass(frozen=True)
class Candidate:
    from_id: str  # the target, the first citation, the earlier commitment
    to_id: str  # the reported figure, the repeated citation, the restatement
    score: float  # 0–100, higher first
    reason: str


def clean(s: str) -> str:
    """A phrase as compared: NFKC, without spaces, punctuation, digits or underscores.

    >>> clean("“专精特新” 中小企业(2021年)")
    '专精特新中小企业年'
    """
    return _NOISE.pattern.sub("", unicodedata.normalize("NFKC", s or ""))


def metric_similarity(a: str, b: str) -> float:
    """Similarity (0–100) of two metric phrases: whole-phrase ratio, or a phrase inside the other.

    >>> metric_similarity("创新型中小企业", "培育的创新型中小企业") >= 85
    True
    >>> metric_similarity("创新型中小企业", "高新技术企业") < METRIC_MIN
    True
    """
    a, b = clean(a), clean(b)
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), 0.9 * fuzz.partial_ratio(a, b)) if min(len(a), len(b)) >= 2 else 0.0


def is_met(target_value: float, qualifier: str, reported: float) -> bool:
    """Whether a reported level meets a target, as its qualifier reads.

    >>> is_met(600, "over", 601), is_met(600, "over", 600), is_met(600, "min", 600), is_met(5, "max", 4)
    (True, False, True, True)
    """
    if qualifier == "over":
        return reported > target_value
    if qualifier == "max":
        return reported <= target_value
    return reported >= target_value


def progress(target_value: float, reported: float) -> float | None:
    """Reported ÷ target (1.0 = the target's level), or None for a zero target."""
    return reported / target_value if target_value else None


def fulfilment_candidates(target: FigureRecord, figures: list[FigureRecord],
                          limit: int = CANDIDATES_MAX) -> list[Candidate]:
    """Rank the reported figures that may show how far a target got: stated in a document issued
    later, by the same agency (successors merged), in the same unit, a level (not a change), with a
    close metric. Nearest to the target's year first, then the latest document (``etl.linking`` relies on it).

    >>> t = FigureRecord("t", "d1", "2017-07-14", 600, "家", "over", 2020, "创新型中小企业", "a")
    >>> r = FigureRecord("r", "d2", "2021-03-01", 640, "家", "exact", 2020, "创新型中小企业", "a")
    >>> [c.to_id for c in fulfilment_candidates(t, [r])]
    ['r']
    """
    out = []
    for f in figures:
        if (f.figure_id == target.figure_id or f.is_target or f.is_change or f.unit != target.unit
                or f.agency_id is None or f.agency_id != target.agency_id):
            continue
        if target.issue_date and (not f.issue_date or f.issue_date <= target.issue_date):
            continue
        sim = metric_similarity(target.metric, f.metric)
        if sim < METRIC_MIN:
            continue
        gap = abs((f.year or 0) - (target.year or f.year or 0)) if f.year else 5
        score = round(sim - min(gap, 10), 1)
        reason = f"metric {sim:.0f}, same agency and unit" + (f", year {f.year}" if f.year else "")
        out.append((Candidate(target.figure_id, f.figure_id, score, reason), f.issue_date or ""))
    out.sort(key=lambda c: c[0].to_id)
    out.sort(key=lambda c: c[1], reverse=True)  # among equals, the latest document first
    out.sort(key=lambda c: -c[0].score)
    return [c for c, _ in out[:limit]]


def same_fact_groups(figures: list[FigureRecord]) -> list[list[str]]:
    """Group figures that state one fact: equal value, unit and year, the same cumulative and
    change flags, and metrics alike (a figure restated in a later reply, or twice in one). Each
    group lists its figure IDs, the earliest citation first; single figures are not returned.

    >>> a = FigureRecord("a", "d1", "2022-05-30", 4.343e9, "元", "exact", 2021, "市级财政科技创新专项资金", None)
    >>> b = FigureRecord("b", "d2", "2023-06-01", 4.343e9, "元", "exact", 2021, "市级财政投入科技创新专项资金", None)
    >>> same_fact_groups([a, b])
    [['a', 'b']]
    """
    buckets: dict[tuple, list[FigureRecord]] = defaultdict(list)
    for f in figures:
        if f.year is None or f.is_target:
            continue  # a figure without its year cannot be told apart from another year's
        buckets[(round(f.value, 6), f.unit, f.year, f.is_cumulative, f.is_change)].append(f)
    groups = []
    for members in buckets.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda f: (f.issue_date or "9999", f.figure_id))
        pending = list(members)
        while pending:
            first, rest = pending[0], pending[1:]
            group = [first] + [f for f in rest if metric_similarity(first.metric, f.metric) >= SAME_FACT_MIN]
            pending = [f for f in rest if f not in group]
            if len(group) > 1:
                groups.append([f.figure_id for f in group])
    return groups


WORDING_CHARS = 200
"""Commitments are compared on their first 200 characters, cleaned."""


def wording(text: str) -> str:
    """A commitment's words as compared: no item label, no punctuation, digits or spaces, NFKC, the first 200.

    >>> wording("(三)推进老旧小区改造,2020年底前完成100个。")
    '推进老旧小区改造年底前完成个'
    """
    body = _LABEL.pattern.sub("", text or "")
    head = clean(body[:3 * WORDING_CHARS])  # a long commitment: its head is enough (clear of the cut)
    if len(head) >= WORDING_CHARS + 10:
        return head[:WORDING_CHARS]
    return clean(body)[:WORDING_CHARS]


def thread_candidates(commitments: list[CommitmentRecord]) -> list[Candidate]:
    """Propose, for each commitment, the earlier commitment of another document it restates: a
    lead in common (successors merged) and close wording. The reason says whether the deadline
    moved (``slipped 2020-12-31 → 2022-12-31``).

    >>> a = CommitmentRecord("a", "d1", "2019-01-01", "(三)推进老旧小区改造,2020年底前完成100个。", ("x",), "2020-12-31")
    >>> b = CommitmentRecord("b", "d2", "2021-01-01", "2.推进老旧小区改造,2022年底前完成100个。", ("x",), "2022-12-31")
    >>> [(c.from_id, c.to_id, c.reason) for c in thread_candidates([a, b])]
    [('a', 'b', 'slipped 2020-12-31 → 2022-12-31')]
    """
    by_lead: dict[str, list[CommitmentRecord]] = defaultdict(list)
    for c in commitments:
        for lead in c.lead_ids:
            by_lead[lead].append(c)
    best: dict[str, Candidate] = {}
    words = {c.commitment_id: wording(c.text) for c in commitments}
    for group in by_lead.values():
        group.sort(key=lambda c: (c.issue_date or "9999", c.commitment_id))
        for i, later in enumerate(group):
            for earlier in group[:i]:
                if earlier.doc_id == later.doc_id or not earlier.issue_date or not later.issue_date \
                        or earlier.issue_date >= later.issue_date:
                    continue
                sim = fuzz.ratio(words[earlier.commitment_id], words[later.commitment_id])
                if sim < THREAD_MIN:
                    continue
                reason = deadline_move(earlier.deadline, later.deadline)
                cand = Candidate(earlier.commitment_id, later.commitment_id, round(sim, 1), reason)
                if later.commitment_id not in best or cand.score > best[later.commitment_id].score:
                    best[later.commitment_id] = cand
    return sorted(best.values(), key=lambda c: (c.from_id, c.to_id))


def deadline_move(earlier: str | None, later: str | None) -> str:
    """Say how a restated commitment's deadline moved.

    >>> deadline_move("2020-12-31", "2022-12-31"), deadline_move("2020-12-31", "2020-12-31")
    ('slipped 2020-12-31 → 2022-12-31', 'same deadline')
    """
    if earlier and later and later > earlier:
        return f"slipped {earlier} → {later}"
    if earlier and later and later < earlier:
        return f"brought forward {earlier} → {later}"
    if earlier and later:
        return "same deadline"
    return "restated"
