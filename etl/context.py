"""Read what a sentence says about time and intent: the year a figure belongs to, whether it is
planned for the future, and which spans are titles (《…》) or quotations to be skipped.

In: a sentence (or its text) and the document's issue year. Out: small values.
"""

from __future__ import annotations

import re
from functools import lru_cache

from etl.segment import Rule
from etl.spans import Spans

YEAR_RULES = (
    Rule("year_range", re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*[-—~至到]\s*(20\d{2}|19\d{2})年"),
         ("2015-2016年,共支持",), ("2016年",)),
    Rule("year", re.compile(r"(?<!\d)(20\d{2}|19\d{2})年(?!版)"), ("2021年,市级财政投入", "截至2021年末"), ("2021版",)),
)
RELATIVE_YEAR = (
    (re.compile(r"截至目前|截止目前|目前|今年|当前|本年"), 0),
    (re.compile(r"去年|上年"), -1),
    (re.compile(r"明年"), 1),
)
FUTURE_MARKERS = re.compile(
    r"预计|力争|争取(?=到|在|于|用|实现|达到|建成|20\d{2})|计划(?=\d|[一二三四五六七八九十]|到|在|于|用|新增|引进|培育|建设|投入)"
    r"|将达到|目标是|到(?:20\d{2}|19\d{2})年|(?:20\d{2})年(?:底)?前"
)
"""Words that make a sentence's figures planned rather than reported."""

PAST_MARKERS = re.compile(r"已|累计|截至|截止|完成|获得|出台了|实现了|共有")

_BRACKETED = re.compile(r"《[^《》]*》|“[^“”]{0,40}”")


@lru_cache(maxsize=8192)  # pure, and asked again for every figure of a sentence
def masked(text: str) -> str:
    """Blank out titles 《…》 and short quotations “…” (same length), so rules skip them.

    >>> masked("印发《2021年版清单》,2021年")
    '印发＿＿＿＿＿＿＿＿＿＿,2021年'
    """
    return _BRACKETED.sub(lambda m: "＿" * len(m.group()), text)


def title_spans(text: str) -> list[tuple[int, int]]:
    return Spans(m.span() for m in _BRACKETED.finditer(text))  # a list that answers ``inside`` by bisection


@lru_cache(maxsize=8192)  # pure, and asked again for every figure of a sentence
def sentence_year(sentence: str, issue_year: int | None, is_reply: bool = False) -> int | None:
    """Return the year a sentence gives its figures: its first year outside titles (a range
    gives its end), else the issue year for 截至目前/今年 (and 全年 in a reply).

    >>> sentence_year("2021年,市级财政投入科技创新专项资金43.43亿元", 2022)
    2021
    >>> sentence_year("截至目前,全市累计受理政策兑现业务超29万件", 2022)
    2022
    >>> sentence_year("2015-2016年,共支持项目16个", 2017)
    2016
    >>> sentence_year("安排财政资金2.38亿元", 2022) is None
    True
    """
    text = masked(sentence)
    best = None
    for rule in YEAR_RULES:
        m = rule.pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), int(m.group(m.lastindex)))
    if best:
        return best[1]
    if issue_year is None:
        return None
    for pattern, delta in RELATIVE_YEAR:
        if pattern.search(text):
            return issue_year + delta
    if is_reply and "全年" in text:
        return issue_year
    return None


@lru_cache(maxsize=8192)  # pure, and asked again for every figure of a sentence
def is_future(sentence: str) -> bool:
    """True when the sentence plans rather than reports.

    >>> is_future("预计2017年市区两级财政科技经费将达到108亿元")
    True
    >>> is_future("2016年投入34.1亿元支持产业转型升级")
    False
    """
    return bool(FUTURE_MARKERS.search(masked(sentence)))


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    if isinstance(spans, Spans):
        return spans.holds(start, end)
    return any(s <= start and end <= e for s, e in spans)
