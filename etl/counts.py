"""Find project counts (numbers of 项目): value, qualifier, metric, year, target.

In: document text and sentences. Out: ``Count``s.
"""

from __future__ import annotations

import re

from etl import context
from etl.model import Count, Sentence
from etl.money import MoneyContext
from etl.numbers import NUMBER, parse_number, qualifier_before
from etl.segment import Rule, sentence_at
from etl.spans import Spans

_Q = r"(?P<q>共计|共|达到|达|近|超过|超|约|逾|不少于|不低于)?"
_METRIC_CUT = Rule("metric_cut", re.compile(r".*(?:全市|全区|我市|共计|共|累计|其中|引进|支持|推出|实施|已有|新增|完成|年度|年)"),
                   ("2021年,全市新洽谈产业招商项目", "近年引进优质项目"), ("签约项目",))
"""Everything up to the last word that opens the counted noun phrase (全市, 引进, 年 …)."""


def _metric(raw: str) -> tuple[str, int]:
    """Trim the words before the counted noun phrase; return (metric, chars cut)."""
    m = _METRIC_CUT.pattern.match(raw)
    if m and m.end() < len(raw) - 1:
        return raw[m.end():], m.end()
    return raw, 0


_PROJECT = Rule("project", re.compile("项目"), ("签约项目1157个",), ("工程",))
_AFTER_PROJECT = Rule("after_project", re.compile(_Q + r"(?P<num>" + NUMBER + r")(?P<more>多|余)?(?P<unit>个|项)"),
                      ("1157个", "近千个", "超30个"), ("1批",))
"""The number right after 项目 (its metric written first)."""
_METRIC_CHAR = Rule("metric_char", re.compile(r"[\u4e00-\u9fffA-Za-z0-9+“”]"), ("招", "5G", "“"), (",", "、"))
"""A character a counted noun phrase may hold (read backwards from 项目)."""
_NUMBER_UNIT = Rule("number_unit", re.compile(r"(?P<num>" + NUMBER + r")(?P<more>多|余)?(?P<unit>个|项)"),
                    ("100个技术领先的", "45项“免申即享”事项"), ("100家",))
_UP_TO_PROJECT = Rule("up_to_project", re.compile(r"[^,,。;;、()()]{0,30}?项目"),
                      ("技术领先的数字经济领域优质应用场景示范项目",), ("技术领先的应用场景",))
"""The noun phrase after a number up to 项目 (its number written first)."""

COUNT_RULES = (
    Rule("metric_first", re.compile("项目" + _AFTER_PROJECT.pattern.pattern),
         ("签约项目1157个", "优质项目近千个", "百亿级项目超30个"), ("项目建设", "项目1批")),
    Rule("number_first", re.compile(_NUMBER_UNIT.pattern.pattern + _UP_TO_PROJECT.pattern.pattern),
         ("100个技术领先的数字经济领域优质应用场景示范项目",), ("45项“免申即享”事项",)),
)
"""The two ways a project count is written: the counted noun then the number (found from each
项目 with the metric read backwards), or the number then the noun."""


def _candidates(masked: str):
    """Yield (rule, num_match, metric_start, metric_end, end) for both shapes, in one pass each."""
    metric_char = _METRIC_CHAR.pattern.match  # bound once: tried at every character read backwards
    for p in _PROJECT.pattern.finditer(masked):
        m = _AFTER_PROJECT.pattern.match(masked, p.end())
        if not m:
            continue
        start = p.start()
        while start > 0 and p.end() - start < 32 and metric_char(masked, start - 1):
            start -= 1
        yield "metric_first", m, start, p.end(), m.end()
    for m in _NUMBER_UNIT.pattern.finditer(masked):
        tail = _UP_TO_PROJECT.pattern.match(masked, m.end())
        if tail:
            yield "number_first", m, m.end(), tail.end(), tail.end()


def extract_counts(text: str, sents: list[Sentence], ctx: MoneyContext) -> list[Count]:
    """Find every count of projects in ``text``.

    >>> from etl.segment import sentences
    >>> t = "2021年,全市新洽谈产业招商项目3147个,同比增长32.45%;签约项目1157个。"
    >>> [(c.span_text, c.value, c.figure_year) for c in extract_counts(t, sentences(t), MoneyContext(2022, True, False))]
    [('新洽谈产业招商项目3147个', 3147.0, 2021), ('签约项目1157个', 1157.0, 2021)]
    """
    masked = context.masked(text)
    out: list[Count] = []
    taken: list[tuple[int, int]] = Spans()  # overlap found by bisection: linear in a long text
    for shape, m, ms, me, end in _candidates(masked):
        try:
            value = parse_number(m.group("num"))
        except ValueError:
            continue
        if value <= 0 or value != int(value):
            continue
        metric, cut = _metric(text[ms:me])
        if shape == "metric_first":
            start = ms + cut
            qualifier = _Q_MAP.get(m.group("q") or "", None)
        else:
            start = m.start("num")
            qualifier, _ = qualifier_before(text, start)
        if taken.overlaps(start, end):
            continue
        if m.group("more"):
            qualifier = "over"
        qualifier = qualifier or "exact"
        sent = sentence_at(sents, start) or Sentence(start, end, text[start:end])
        year = context.sentence_year(text[sent.start:start], ctx.issue_year, ctx.is_reply)
        if year is None:
            year = context.sentence_year(sent.text, ctx.issue_year, ctx.is_reply)
        in_commitment = start in ctx.commitment_index
        target = in_commitment or context.is_future(sent.text)
        taken.append((start, end))
        out.append(Count(text[start:end], start, end, value, qualifier, year, metric.strip("“”"), target, sent))
    out.sort(key=lambda c: c.char_start)
    return out


_Q_MAP = {"共计": "exact", "共": "exact", "达到": "exact", "达": "exact", "近": "approx", "约": "approx",
          "超过": "over", "超": "over", "逾": "over", "不少于": "min", "不低于": "min", "": None}
