"""Split stored text into paragraphs, sentences and the numbering outline, all with offsets.

In: the stored document text. Out: ``Paragraph``s (a line broken mid-sentence is joined to
the next one), ``Sentence``s and ``Section``s (一、 / (一) / （一） / 1. / 1、 / (1) / 一是 / 第一条).
Offsets index the stored text unchanged.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from etl.model import Section, Sentence

CN_NUM = "一二三四五六七八九十百零〇"
BLANK = " \t\u3000\xa0"


@dataclass(frozen=True)
class Rule:
    """A named pattern with what it means, examples that match and non-examples that do not."""

    name: str
    pattern: re.Pattern
    examples: tuple[str, ...] = ()
    non_examples: tuple[str, ...] = ()


LABEL_RULES = (
    Rule("article", re.compile(rf"第([{CN_NUM}]+|\d+)条[\s{BLANK}]*"), ("第一条 为了", "第十二条"), ("第一批",)),
    Rule("cn_dun", re.compile(rf"([{CN_NUM}]+)、"), ("一、我市当前的工作情况", "十二、"), ("一是", "一批")),
    Rule("cn_paren", re.compile(rf"[(（]([{CN_NUM}]+)[)）]"), ("(一)建立健全", "（十四）注重"), ("(1)",)),
    Rule("num_dot", re.compile(r"(\d{1,2})(?:[.．](?!\d)|、)"), ("1.统筹协调", "2、推进", "3．加强"), ("5.0改革", "2021年", "5G")),
    Rule("num_paren", re.compile(r"[(（](\d{1,2})[)）]"), ("(1)制定", "（2）"), ("(2016-2020)",)),
    Rule("cn_shi", re.compile(rf"([{CN_NUM}]{{1,3}})是(?!否)(?=[\u4e00-\u9fff“])"), ("一是制定实施", "二是完成"), ("一是否",)),
)
LEVEL_OF_STYLE = {"article": 1, "cn_dun": 1, "cn_paren": 2, "num_dot": 3, "num_paren": 4, "cn_shi": 5}

SENTENCE_END = "。!?!?"
_TERMINAL = set("。!?!?;;::”」』)）")


@dataclass(frozen=True)
class Paragraph:
    start: int  # first non-blank character
    end: int  # after the last non-blank character
    text: str


def paragraphs(text: str) -> list[Paragraph]:
    """Split into paragraphs: one per line, a line broken mid-sentence joined with the next.

    >>> [p.text for p in paragraphs("3.加强数字经济企业培育。引进建设一批高水平的科\\n技创新平台。\\n感谢")]
    ['3.加强数字经济企业培育。引进建设一批高水平的科\\n技创新平台。', '感谢']
    """
    lines = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        s = start
        while s < end and text[s] in BLANK:
            s += 1
        e = end
        while e > s and text[e - 1] in BLANK + "\r":
            e -= 1
        if s < e:
            lines.append((s, e))
    out: list[Paragraph] = []
    for s, e in lines:
        if out and _continues(text, out[-1], s, e):
            prev = out[-1]
            out[-1] = Paragraph(prev.start, e, text[prev.start:e])
        else:
            out.append(Paragraph(s, e, text[s:e]))
    return out


def _continues(text: str, prev: Paragraph, s: int, e: int) -> bool:
    """A line continues the previous one when that one stops mid-sentence and this one is no item."""
    if text[prev.end - 1] in _TERMINAL:
        return False
    if text[prev.end:s].count("\n") != 1:
        return False  # a blank line between them
    if len(prev.text) < 20 or _is_heading(text, prev.start, prev.text):
        return False  # headings, signatures and short lines stand alone
    if label_at(text, s) is not None:
        return False
    return "\u4e00" <= text[prev.end - 1] <= "\u9fff" and "\u4e00" <= text[s] <= "\u9fff"


def _is_heading(text: str, start: int, line: str) -> bool:
    """A numbered line with no full stop is a heading: (二)高水平推进产业集聚,引领区域经济出新出彩."""
    return "。" not in line and label_at(text, start) is not None


def label_at(text: str, pos: int) -> tuple[str, str, int] | None:
    """Return (style, label, end) of a numbering label at ``pos``, or None.

    >>> label_at("(三)开展重点领域", 0)
    ('cn_paren', '(三)', 3)
    >>> label_at("5.0改革", 0) is None
    True
    """
    for rule in LABEL_RULES:
        m = rule.pattern.match(text, pos)
        if m:
            if rule.name == "cn_shi":
                return None  # 一是 is an inline enumerator, handled by inline_items
            return rule.name, text[m.start():m.end()].strip(BLANK + "、.．"), m.end()
    return None


def item_label(raw: str, style: str) -> str:
    """Return the label as the answer key writes it: "1" for "1.", "(三)" for "（三）".

    >>> item_label("1.", "num_dot"), item_label("（三）", "cn_paren")
    ('1', '(三)')
    """
    if style in ("num_dot",):
        return raw.rstrip(".．、")
    if style in ("cn_paren", "num_paren"):
        return "(" + raw.strip("()（）") + ")"
    return raw


def outline(text: str, paras: list[Paragraph] | None = None) -> list[Section]:
    """Build the numbering outline: each labelled paragraph opens a section that runs until
    the next label of the same or a higher level."""
    paras = paras if paras is not None else paragraphs(text)
    opened: list[tuple[int, str, str, int, int, str, int]] = []
    for i, p in enumerate(paras):
        got = label_at(text, p.start)
        if got is None:
            continue
        style, raw, label_end = got
        heading = _first_clause(text, label_end, p.end)
        opened.append((LEVEL_OF_STYLE[style], raw, style, p.start, label_end, heading, i))
    ends = [paras[-1].end] * len(opened)
    stack: list[int] = []
    for k, (level, *_rest) in enumerate(opened):
        while stack and opened[stack[-1]][0] >= level:
            ends[stack.pop()] = paras[opened[k][-1]].start
        stack.append(k)
    starts = [p.start for p in paras]
    sections = []
    for k, (level, raw, style, start, label_end, heading, idx) in enumerate(opened):
        # trim back to the end of the last paragraph inside the section
        last = bisect.bisect_left(starts, ends[k]) - 1
        end = paras[last].end if last >= idx else ends[k]
        sections.append(Section(level, item_label(raw, style), style, start, label_end, end, heading))
    return sections


_CLAUSE_END = Rule("clause_end", re.compile(r"[。;;]"), ("加强组织领导;健全工作机制", "一、总体要求。"), ("加强组织领导,健全工作机制",))
"""Where a heading's first clause ends."""


def _first_clause(text: str, start: int, end: int) -> str:
    m = _CLAUSE_END.pattern.search(text[start:end])
    return text[start: start + m.start()] if m else text[start:end]


_SENT_RE = Rule("sentence", re.compile(r"[^。!?!?\n]*(?:[。!?!?]+[”’」)）]?|\n|$)"),
                 ("收悉。我局高度重视", "“免申即享”!", "没有句号的一行"), ())
"""A sentence: up to and including its 。!? (and a closing quote), or to the line's end (matches
everywhere: every text is a run of sentences)."""


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Split ``text[start:end]`` into sentences on 。!? and line ends; offsets into ``text``.

    >>> [s.text for s in sentences("2021年,投入7亿元。下一步,将加大支持。")]
    ['2021年,投入7亿元。', '下一步,将加大支持。']
    """
    end = len(text) if end is None else end
    out = []
    for m in _SENT_RE.pattern.finditer(text, start, end):
        s, e = m.span()
        while s < e and text[s] in BLANK + "\n":
            s += 1
        while e > s and text[e - 1] in BLANK + "\n":
            e -= 1
        if s < e:
            out.append(Sentence(s, e, text[s:e]))
    return _join_broken(text, out)


def _join_broken(text: str, sents: list[Sentence]) -> list[Sentence]:
    """Re-join a sentence split only by a mid-sentence line break."""
    out: list[Sentence] = []
    for s in sents:
        if out and text[out[-1].end - 1] not in SENTENCE_END and text[out[-1].start:out[-1].end].find("。") == -1:
            prev = out[-1]
            gap = text[prev.end:s.start]
            if (gap.count("\n") == 1 and gap.strip(BLANK + "\n") == "" and len(prev.text) >= 20
                    and label_at(text, s.start) is None and not _is_heading(text, prev.start, prev.text)):
                out[-1] = Sentence(prev.start, s.end, text[prev.start:s.end])
                continue
        out.append(s)
    return out


def sentence_at(sents: list[Sentence], pos: int) -> Sentence | None:
    """Return the sentence holding character ``pos``."""
    lo, hi = 0, len(sents)
    while lo < hi:
        mid = (lo + hi) // 2
        if sents[mid].end <= pos:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(sents) and sents[lo].start <= pos < sents[lo].end:
        return sents[lo]
    return None


class SpanIndex:
    """Find which of a set of non-overlapping spans holds a position, by bisection."""

    def __init__(self, spans):
        self.spans = sorted((s, e) for s, e, *_ in spans)
        self.starts = [s for s, _ in self.spans]

    def find(self, pos: int) -> tuple[int, int] | None:
        """Return the span holding ``pos``, or None.

        >>> SpanIndex([(0, 5), (10, 20)]).find(12), SpanIndex([(0, 5)]).find(7)
        ((10, 20), None)
        """
        k = bisect.bisect_right(self.starts, pos) - 1
        if k >= 0 and pos < self.spans[k][1]:
            return self.spans[k]
        return None

    def __contains__(self, pos: int) -> bool:
        return self.find(pos) is not None
