"""Score extractions against the answer key, by the rule in ``tests/golden/README.md``.

In: answer-key dicts and extracted dicts (same format). Out: precision, recall and F1 per
section, field accuracy over matched pairs, and document-metadata agreement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SECTIONS = ("commitments", "money", "counts", "targets")
FIELDS = {
    "commitments": ("lead_agencies", "deadline", "deadline_basis"),
    "money": ("year", "kind", "target"),
    "counts": ("year", "target", "metric"),
    "targets": ("year", "unit", "lead_agencies", "metric"),
}
SCORED_FIELDS = {  # the fields the acceptance bar is set on; metric is informational
    "commitments": ("lead_agencies", "deadline", "deadline_basis"),
    "money": ("year", "kind", "target"),
    "counts": ("year", "target"),
    "targets": ("year", "unit", "lead_agencies"),
}
DOC_FIELDS = ("doc_type", "title", "issuer", "jurisdiction", "issue_date", "proposal_no", "addressee",
              "co_agencies", "valid_from", "valid_until")


@dataclass
class SectionScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    field_hits: dict = field(default_factory=dict)
    field_total: dict = field(default_factory=dict)
    misses: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _overlap(a, b) -> int:
    return max(0, min(a["end"], b["end"]) - max(a["start"], b["start"]))


def _value(x):
    return x.get("yuan", x.get("value"))


def _same(a, b, name):
    va, vb = a.get(name), b.get(name)
    if isinstance(va, list) or isinstance(vb, list):
        return sorted(va or []) == sorted(vb or [])
    if isinstance(va, (int, float)) and isinstance(vb, (int, float)) and not isinstance(va, bool):
        return abs(va - vb) < 1e-6 * max(1, abs(vb))
    return va == vb


def _matches(section: str, got: dict, gold: dict) -> bool:
    if section == "commitments":
        shorter = min(got["end"] - got["start"], gold["end"] - gold["start"])
        return _overlap(got, gold) * 2 > shorter
    if _overlap(got, gold) <= 0:
        return False
    vg, vx = _value(got), _value(gold)
    return vg is not None and vx is not None and abs(vg - vx) < 1e-6 * max(1, abs(vx)) and got["qualifier"] == gold["qualifier"]


def score_section(section: str, gold: list[dict], got: list[dict], file: str = "") -> SectionScore:
    score = SectionScore()
    used: set[int] = set()
    for g in gold:
        match = None
        for i, x in enumerate(got):
            if i not in used and _matches(section, x, g):
                match = i
                break
        if match is None:
            score.fn += 1
            score.misses.append(("missed", file, g))
            continue
        used.add(match)
        score.tp += 1
        for name in FIELDS[section]:
            ok = _same(got[match], g, name)
            score.field_hits[name] = score.field_hits.get(name, 0) + ok
            score.field_total[name] = score.field_total.get(name, 0) + 1
            if not ok and name in SCORED_FIELDS[section]:
                score.misses.append((f"field {name}: got {got[match].get(name)!r}", file, g))
    for i, x in enumerate(got):
        if i not in used:
            score.fp += 1
            score.misses.append(("extra", file, x))
    return score


@dataclass
class Report:
    sections: dict
    doc_hits: dict
    doc_total: int
    doc_misses: list

    def field_accuracy(self, section: str | None = None) -> float:
        hits = total = 0
        for name, sec in self.sections.items():
            if section and name != section:
                continue
            for f in SCORED_FIELDS[name]:
                hits += sec.field_hits.get(f, 0)
                total += sec.field_total.get(f, 0)
        return hits / total if total else 1.0

    def table(self) -> str:
        lines = [f"{'section':<12} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}  field accuracy"]
        for name in SECTIONS:
            s = self.sections[name]
            fields = ", ".join(
                f"{f} {s.field_hits.get(f, 0)}/{s.field_total.get(f, 0)}" for f in FIELDS[name])
            lines.append(f"{name:<12} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:4d} {s.fp:4d} {s.fn:4d}  {fields}")
        lines.append(f"field accuracy over matched pairs (lead agencies, deadline, year, kind, qualifier …): "
                     f"{self.field_accuracy():.3f}")
        doc_ok = sum(self.doc_hits.values())
        lines.append(f"document metadata: {doc_ok}/{self.doc_total * len(DOC_FIELDS)} fields exact "
                     f"({', '.join(f'{k} {v}/{self.doc_total}' for k, v in self.doc_hits.items())})")
        return "\n".join(lines)


def evaluate(pairs: list[tuple[dict, dict]]) -> Report:
    """Score (gold, extracted) document pairs."""
    sections = {name: SectionScore() for name in SECTIONS}
    doc_hits = {f: 0 for f in DOC_FIELDS}
    doc_misses = []
    for gold, got in pairs:
        for name in SECTIONS:
            if name not in gold:
                continue  # not annotated in this key (../shared/corpus annotates doc, commitments, money)
            s = score_section(name, gold[name], got[name], gold["file"])
            agg = sections[name]
            agg.tp += s.tp
            agg.fp += s.fp
            agg.fn += s.fn
            agg.misses += s.misses
            for f in s.field_total:
                agg.field_hits[f] = agg.field_hits.get(f, 0) + s.field_hits.get(f, 0)
                agg.field_total[f] = agg.field_total.get(f, 0) + s.field_total[f]
        for f in DOC_FIELDS:
            gv, xv = gold["doc"].get(f), got["doc"].get(f)
            ok = (list(gv or []) == list(xv or [])) if f == "co_agencies" else gv == xv
            doc_hits[f] += ok
            if not ok:
                doc_misses.append((gold["file"], f, gv, xv))
    return Report(sections, doc_hits, len(pairs), doc_misses)


def load_gold(gold_dir: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(gold_dir).glob("*.json"))]


# --- figures: every reported quantity (scored like money; see ../shared/gold/README.md) ---------

FIGURE_FIELDS = ("unit", "metric", "year", "cumulative", "change", "target", "kind")
METRIC_MIN_F1 = 0.7
"""A metric is right when its character-level F1 against the key's reaches this."""


def metric_f1(a: str | None, b: str | None) -> float:
    """Character-level F1 of two metric phrases after NFKC and whitespace removal.

    >>> metric_f1("新洽谈产业招商项目", "新洽谈产业招商项目")
    1.0
    >>> round(metric_f1("走访服务规上软件企业", "规上软件企业"), 2)
    0.75
    >>> metric_f1("", "企业")
    0.0
    """
    import re
    import unicodedata
    from collections import Counter

    ca, cb = (Counter(re.sub(r"\s+", "", unicodedata.normalize("NFKC", x or ""))) for x in (a, b))
    common = sum((ca & cb).values())
    if not common:
        return 0.0
    p, r = common / sum(ca.values()), common / sum(cb.values())
    return 2 * p * r / (p + r)


def _figure_field_ok(name: str, got: dict, gold: dict) -> bool:
    if name == "metric":
        return metric_f1(got.get(name), gold.get(name)) >= METRIC_MIN_F1
    return got.get(name) == gold.get(name)


@dataclass
class FiguresReport:
    score: SectionScore
    scored_files: list
    counts: dict  # file -> number of figures extracted (every document, annotated or not)

    def field_accuracy(self, name: str) -> float:
        total = self.score.field_total.get(name, 0)
        return self.score.field_hits.get(name, 0) / total if total else 1.0

    def table(self) -> str:
        s = self.score
        lines = []
        if self.scored_files:
            fields = ", ".join(f"{f} {self.field_accuracy(f):.2f} ({s.field_hits.get(f, 0)}/{s.field_total.get(f, 0)})"
                               for f in FIGURE_FIELDS)
            lines.append(f"{'figures':<12} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:4d} {s.fp:4d} {s.fn:4d}  {fields}")
        unscored = [f for f in self.counts if f not in self.scored_files]
        if unscored:
            lines.append(f"figures extracted per document (not annotated for figures): {sum(self.counts[f] for f in unscored)} in {len(unscored)}")
            lines.extend(f"  {f}: {self.counts[f]}" for f in unscored)
        return "\n".join(lines)


def evaluate_figures(pairs: list[tuple[dict, dict]]) -> FiguresReport:
    """Score the ``figures`` section where the key annotates it (match: overlapping span, equal
    value and qualifier; then each of FIGURE_FIELDS), and count the figures of every document."""
    score = SectionScore()
    scored, counts = [], {}
    for gold, got in pairs:
        ext = got.get("figures") or []
        counts[gold["file"]] = len(ext)
        annotated = gold.get("annotated")
        if "figures" not in gold or (annotated and "figures" not in annotated):
            continue
        scored.append(gold["file"])
        used: set[int] = set()
        for g in gold["figures"]:
            match = next((i for i, x in enumerate(ext) if i not in used and _matches("figures", x, g)), None)
            if match is None:
                score.fn += 1
                score.misses.append(("missed", gold["file"], g))
                continue
            used.add(match)
            score.tp += 1
            for name in FIGURE_FIELDS:
                if name not in g:
                    continue
                ok = _figure_field_ok(name, ext[match], g)
                score.field_hits[name] = score.field_hits.get(name, 0) + ok
                score.field_total[name] = score.field_total.get(name, 0) + 1
                if not ok:
                    score.misses.append((f"field {name}: got {ext[match].get(name)!r}", gold["file"], g))
        for i, x in enumerate(ext):
            if i not in used:
                score.fp += 1
                score.misses.append(("extra", gold["file"], x))
    return FiguresReport(score, scored, counts)
