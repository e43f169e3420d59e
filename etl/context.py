"""Read what a sentence says about time and intent: the year a figure belongs to, whether it is
planned for the future, and which spans are titles (《…》) or quotations to be skipped.

In: a sentence (or its text) and the document's issue year. Out: small values.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from etl.segment import Rule
from etl.spans import Spans

YEAR_RULES = (
    Rule("year_range", re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*[-—~至到]\s*(20\d{2}|19\d{2})年"),
         ("2015-2016年,共支持",), ("2016年",)),
    Rule("year", re.compile(r"(?<!\d)(20\d{2}|19\d{2})年(?!版)"), ("2021年,市级财政投入", "截至2021年末"), ("2021版",)),
)


class RelativeYear(NamedTuple):
    """Words that name a year relative to the issue year, and how many years from it."""

    rule: Rule
    delta: int


RELATIVE_YEAR = (
    RelativeYear(Rule("this_year", re.compile(r"截至目前|截止目前|目前|今年|当前|本年"),
                      ("截至目前,全市累计受理政策兑现业务", "今年以来", "本年度"), ("今后", "年内")), 0),
    RelativeYear(Rule("last_year", re.compile(r"去年|上年"), ("去年全市", "比上年增长"), ("上半年",)), -1),
    RelativeYear(Rule("next_year", re.compile(r"明年"), ("明年将启动",), ("明确",)), 1),
)
"""The first that a sentence holds gives its year (tried only when it states none)."""
FUTURE_MARKERS = Rule("future_markers", re.compile(
    r"预计|力争|争取(?=到|在|于|用|实现|达到|建成|20\d{2})|计划(?=\d|[一二三四五六七八九十]|到|在|于|用|新增|引进|培育|建设|投入)"
    r"|将达到|目标是|到(?:20\d{2}|19\d{2})年|(?:20\d{2})年(?:底)?前"
), ("预计2017年市区两级财政科技经费将达到108亿元", "力争到2025年", "计划新增", "2022年底前完成"),
    ("2016年投入34.1亿元支持产业转型升级", "争取资金", "工作计划"))
"""Words that make a sentence's figures planned rather than reported."""

PAST_MARKERS = Rule("past_markers", re.compile(r"已|累计|截至|截止|完成|获得|出台了|实现了|共有"),
                    ("已建立包括“综合治税”专题", "累计共享数据200多亿条", "出台了一系列政策措施"), ("将加大支持力度",))
"""Words that make a sentence report what was done."""

_BRACKETED = Rule("bracketed", re.compile(r"《[^《》]*》|“[^“”]{0,40}”"),
                  ("印发《2021年版清单》", "“免申即享”"), ("2021年版清单",))
"""Titles 《…》 and short quotations “…”: their numbers are no figures."""


@lru_cache(maxsize=8192)  # pure, and asked again for every figure of a sentence
def masked(text: str) -> str:
    """Blank out titles 《…》 and short quotations “…” (same length), so rules skip them.

    >>> masked("印发《2021年版清单》,2021年")
    '印发＿＿＿＿＿＿＿＿＿＿,2021年'
    """
    return _BRACKETED.pattern.sub(lambda m: "＿" * len(m.group()), text)


def title_spans(text: str) -> list[tuple[int, int]]:
    return Spans(m.span() for m in _BRACKETED.pattern.finditer(text))  # a list that answers ``inside`` by bisection


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
    for rule, delta in RELATIVE_YEAR:
        if rule.pattern.search(text):
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
    return bool(FUTURE_MARKERS.pattern.search(masked(sentence)))


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    if isinstance(spans, Spans):
        return spans.holds(start, end)
    return any(s <= start and end <= e for s, e in spans)
