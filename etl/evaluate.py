"""Score extractions against answer keys, by the rule in ``tests/golden/README.md``.

In: answer-key dicts and extracted dicts (same format). Out: precision, recall and F1 per
section, every field's accuracy over matched pairs, and document-metadata agreement; per gold
set (the seeds, the State Council corpus, the seeds printed full-width and in traditional
characters). A gold file that lists the sections it annotates (``"annotated"``) is scored on
those only: a section it leaves out is unknown, not empty. Agrees with ``../shared/tools/score.py``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from etl.segment import Rule

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("commitments", "money", "counts", "targets", "figures")
FIELDS = {
    "commitments": ("lead_agencies", "deadline", "deadline_basis"),
    "money": ("year", "kind", "target"),
    "counts": ("year", "target", "metric"),
    "targets": ("year", "unit", "lead_agencies", "metric"),
    "figures": ("unit", "kind", "metric", "year", "cumulative", "change", "target"),
}
DOC_FIELDS = ("doc_type", "title", "issuer", "jurisdiction", "issue_date", "proposal_no", "addressee",
              "co_agencies", "valid_from", "valid_until")
METRIC_F1_MIN = 0.7
"""A metric is right when its character-level F1 against the key's is at least this (after NFKC
and whitespace removal): the key phrases some metrics itself, so equality is the wrong test."""


@dataclass
class SectionScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    field_hits: dict = field(default_factory=dict)
    field_total: dict = field(default_factory=dict)
    misses: list = field(default_factory=list)  # (what, file, entry)

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

    @property
    def scored(self) -> bool:
        return self.tp + self.fp + self.fn > 0

    def field_accuracy(self, name: str) -> float | None:
        total = self.field_total.get(name, 0)
        return self.field_hits.get(name, 0) / total if total else None

    def add(self, other: "SectionScore") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.misses += other.misses
        for f, n in other.field_total.items():
            self.field_hits[f] = self.field_hits.get(f, 0) + other.field_hits.get(f, 0)
            self.field_total[f] = self.field_total.get(f, 0) + n


def _overlap(a, b) -> int:
    return max(0, min(int(a["end"]), int(b["end"])) - max(int(a["start"]), int(b["start"])))


def _value(x):
    return x.get("yuan", x.get("value"))


def _num_eq(a, b) -> bool:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


_SPACES = Rule("spaces", re.compile(r"\s+"), ("新增 创新型", "\t"), ("创新型",))


def metric_f1(a: str | None, b: str | None) -> float:
    """Character-level F1 of two metric phrases after NFKC and whitespace removal.

    >>> round(metric_f1("新增创新型产业技术研发机构", "创新型产业技术研发机构"), 2)
    0.92
    >>> metric_f1("签约项目", None)
    0.0
    """
    ca, cb = (Counter(_SPACES.pattern.sub("", unicodedata.normalize("NFKC", x or ""))) for x in (a, b))
    common = sum((ca & cb).values())
    if not common:
        return 0.0
    p, r = common / sum(ca.values()), common / sum(cb.values())
    return 2 * p * r / (p + r)


def _same(got: dict, gold: dict, name: str) -> bool:
    va, vb = got.get(name), gold.get(name)
    if name == "metric":
        return metric_f1(va, vb) >= METRIC_F1_MIN
    if isinstance(va, list) or isinstance(vb, list):
        return sorted(set(va or [])) == sorted(set(vb or []))
    return va == vb


def _matches(section: str, got: dict, gold: dict) -> bool:
    try:
        ov = _overlap(got, gold)
    except (KeyError, TypeError, ValueError):
        return False
    if section == "commitments":
        shorter = min(int(got["end"]) - int(got["start"]), gold["end"] - gold["start"])
        return ov > 0.5 * shorter
    return ov > 0 and _num_eq(_value(got), _value(gold)) and got.get("qualifier") == gold.get("qualifier")


def score_section(section: str, gold: list[dict], got: list[dict], file: str = "") -> SectionScore:
    """Match extracted entries to gold ones greedily (gold order), then compare fields."""
    score = SectionScore()
    used: set[int] = set()
    for g in gold:
        match = next((i for i, x in enumerate(got) if i not in used and _matches(section, x, g)), None)
        if match is None:
            score.fn += 1
            score.misses.append(("missed", file, g))
            continue
        used.add(match)
        score.tp += 1
        for name in FIELDS[section]:
            if name not in g:
                continue
            ok = _same(got[match], g, name)
            score.field_hits[name] = score.field_hits.get(name, 0) + ok
            score.field_total[name] = score.field_total.get(name, 0) + 1
            if not ok:
                score.misses.append((f"{name}: got {got[match].get(name)!r} want {g.get(name)!r}", file, g))
    for i, x in enumerate(got):
        if i not in used:
            score.fp += 1
            score.misses.append(("extra", file, x))
    return score


def annotated(gold: dict) -> tuple[str, ...]:
    """The sections a gold file speaks for: its ``annotated`` list, else every section it holds."""
    listed = gold.get("annotated")
    if listed:
        return tuple(listed)
    return ("doc",) + tuple(s for s in SECTIONS if s in gold)


@dataclass
class Report:
    sections: dict
    doc_hits: dict
    doc_total: dict
    doc_misses: list
    figure_counts: dict = field(default_factory=dict)  # file -> figures extracted where none are annotated

    def field_accuracy(self, section: str | None = None) -> float:
        hits = total = 0
        for name, sec in self.sections.items():
            if section and name != section:
                continue
            for f in FIELDS[name]:
                hits += sec.field_hits.get(f, 0)
                total += sec.field_total.get(f, 0)
        return hits / total if total else 1.0

    @property
    def doc_accuracy(self) -> float:
        total = sum(self.doc_total.values())
        return sum(self.doc_hits.values()) / total if total else 1.0

    def summary(self) -> str:
        parts = [f"{name} F1 {s.f1:.2f}" for name, s in self.sections.items() if s.scored]
        return ", ".join(parts + [f"metadata {self.doc_accuracy:.2f}"])

    def table(self) -> str:
        lines = [f"{'section':<12} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
        for name in SECTIONS:
            s = self.sections[name]
            if not s.scored:
                continue
            lines.append(f"{name:<12} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:4d} {s.fp:4d} {s.fn:4d}")
            for f in FIELDS[name]:
                acc = s.field_accuracy(f)
                if acc is not None:
                    lines.append(f"  {name}.{f:<24} {acc:6.3f}  ({s.field_hits.get(f, 0)}/{s.field_total[f]})")
        lines.append(f"document metadata {self.doc_accuracy:.3f}: " + ", ".join(
            f"{k} {self.doc_hits[k]}/{self.doc_total[k]}" for k in DOC_FIELDS if self.doc_total.get(k)))
        if self.figure_counts:
            lines.append("figures extracted (not annotated): " + ", ".join(
                f"{Path(f).stem[:12]} {n}" for f, n in self.figure_counts.items()))
        return "\n".join(lines)

    def misses_by_document(self) -> str:
        by_file: dict[str, list[str]] = {}
        for f, name, gold, got in self.doc_misses:
            by_file.setdefault(f, []).append(f"  doc {name}: got {got!r} want {gold!r}")
        for name, sec in self.sections.items():
            for what, f, x in sec.misses:
                where = x.get("span") or x.get("starts_with") or ""
                by_file.setdefault(f, []).append(f"  {name} {what} @{x.get('start')} {where}")
        return "\n".join(f"{f}\n" + "\n".join(rows) for f, rows in sorted(by_file.items()))


def evaluate(pairs: list[tuple[dict, dict]]) -> Report:
    """Score (gold, extracted) document pairs."""
    sections = {name: SectionScore() for name in SECTIONS}
    doc_hits = {f: 0 for f in DOC_FIELDS}
    doc_total = {f: 0 for f in DOC_FIELDS}
    doc_misses = []
    figure_counts = {}
    for gold, got in pairs:
        scored = annotated(gold)
        for name in SECTIONS:
            if name in scored and name in gold:
                sections[name].add(score_section(name, gold[name], got.get(name) or [], gold["file"]))
        if "figures" not in scored and got.get("figures") is not None:
            figure_counts[gold["file"]] = len(got["figures"])
        if "doc" not in scored:
            continue
        for f in DOC_FIELDS:
            if f not in gold["doc"]:
                continue
            gv, xv = gold["doc"][f], (got.get("doc") or {}).get(f)
            ok = sorted(gv or []) == sorted(xv or []) if isinstance(gv, list) else gv == xv
            doc_hits[f] += ok
            doc_total[f] += 1
            if not ok:
                doc_misses.append((gold["file"], f, gv, xv))
    return Report(sections, doc_hits, doc_total, doc_misses, figure_counts)


def load_gold(gold_dir: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(gold_dir).glob("*.json"))]


# The variants: the seeds as the originals print them. Both map one character to one, so the
# seeds' gold offsets hold.
_FULL_WIDTH = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}


def full_width(text: str) -> str:
    """Print ASCII punctuation full-width, as published (not inside numbers such as 1,000 or 9:30).

    >>> full_width("(一)投入1,000万元,9:30开始")
    '（一）投入1,000万元，9:30开始'
    """
    out = []
    for i, ch in enumerate(text):
        prev, nxt = (text[i - 1] if i else ""), (text[i + 1] if i + 1 < len(text) else "")
        if ch in _FULL_WIDTH and not (ch in ",:" and prev.isdigit() and nxt.isdigit()):
            out.append(_FULL_WIDTH[ch])
        else:
            out.append(ch)
    return "".join(out)


def traditional(text: str) -> str:
    """Write the text in traditional characters (OpenCC s2t), one character for one."""
    import opencc

    converted = opencc.OpenCC("s2t").convert(text)
    if len(converted) != len(text):
        converted = "".join(c if len(c := opencc.OpenCC("s2t").convert(ch)) == 1 else ch for ch in text)
    return converted


@dataclass(frozen=True)
class GoldSet:
    name: str
    gold_dir: Path
    docs_dir: Path
    rewrite: Callable[[str], str] | None = None

    def available(self) -> bool:
        return self.gold_dir.is_dir() and self.docs_dir.is_dir()


def gold_sets(root: Path = ROOT) -> list[GoldSet]:
    """Every answer key the project scores against: the seeds, the corpus beside the project
    (``../shared/corpus``, when present) and the seeds' full-width and traditional printings."""
    seeds = (root / "tests" / "golden", root / "seeds")
    return [
        GoldSet("seeds", *seeds),
        GoldSet("corpus", root.parent / "shared" / "corpus" / "gold", root.parent / "shared" / "corpus" / "docs"),
        GoldSet("seeds-fullwidth", *seeds, rewrite=full_width),
        GoldSet("seeds-traditional", *seeds, rewrite=traditional),
    ]


def evaluate_set(gs: GoldSet, extract_text: Callable[[str, str], dict]) -> Report:
    """Extract every document a set's gold names (rewritten as the set says) and score it."""
    from etl.read import read_file, to_simplified

    pairs = []
    for gold in load_gold(gs.gold_dir):
        path = gs.docs_dir / gold["file"]
        if not path.exists():
            path = gs.docs_dir / (Path(gold["file"]).stem + ".txt")
        text = read_file(path).text
        if gs.rewrite:
            text = to_simplified(gs.rewrite(text))  # as the reader stores a traditional file
        pairs.append((gold, extract_text(gold["file"], text)))
    return evaluate(pairs)
