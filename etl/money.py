"""Find money amounts: value in yuan, qualifier, kind, year, and whether it is a target.

In: document text, its sentences, and context (issue year, commitment spans). Out: ``Money``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from etl import context
from etl.model import Money, Sentence
from etl.numbers import parse_number, qualifier_before, qualifier_tail
from etl.segment import Rule, SpanIndex, sentence_at
from etl.spans import Spans

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+"
_SCALE = r"万亿|千亿|百亿|十亿|千万|百万|十万|亿|万|千"

MONEY_RULES = (
    Rule("range", re.compile(
        rf"(?P<lo>{_NUM})(?P<lo_scale>{_SCALE})?(?:元)?\s*(?:至|到|~|～|-|—)\s*(?P<num>{_NUM})(?P<more>多|余)?(?P<scale>{_SCALE})?元(?![化素件首旦宵器])"),
        ("50万至100万元",), ("2015-2016年",)),
    Rule("amount", re.compile(
        rf"(?P<num>{_NUM})(?P<more>多|余)?(?P<scale>{_SCALE})?元(?![化素件首旦宵器])"),
        ("43.43亿元", "1千亿元", "200多亿元", "五百万元", "3058万元"),
        ("多元化", "有限元", "10亿千瓦时", "5亿立方米", "1亿美元")),
)
_SCALE_VALUE = {None: 1, "": 1, "万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "千万": 1e7,
                "百万": 1e6, "十万": 1e5, "亿": 1e8, "万": 1e4, "千": 1e3}

KIND_RULES = (
    ("subsidy_rate", re.compile(r"(?:每家|每个|每项|每人|每户|每年|一次性|分别给予|给予最高|予以最高)"), "before"),
    ("subsidy_rate", re.compile(r"^[^,,;;。]{0,6}?(?:奖励|资助|补贴|补助|奖补|薪酬)"), "after"),
    ("subsidy_rate", re.compile(r"(?:给予|予以)[^,,;;。]{0,6}$"), "before"),
    ("fund", re.compile(r"^[^,,;;。]{0,24}?(?:基金|计划|资金池)"), "after"),
    ("fund", re.compile(r"(?:总规模|基金规模|资金规模|规模为|首期)[^,,;;。]{0,2}$"), "before"),
    ("economic", re.compile(r"(?:收入|税收|融资|贷款|余额|交易额|投资额|减负|减税|降费|欠款|电费|销售|产值|营收|增长|利润|出口|进口|消费|规模|GDP|增加值)[^,,;;。]{0,10}$"), "before"),
    ("economic", re.compile(r"^[^,,;;。]{0,10}?(?:融资|贷款|收入|税收)"), "after"),
    ("fiscal", re.compile(r"(?:财政|投入|安排|拨付|发放|兑现|资金|经费|专项|补助|扶持|设立)"), "before"),
)
"""Kind by the words around the amount; the first rule that fires wins."""


@dataclass(frozen=True)
class MoneyContext:
    issue_year: int | None
    is_reply: bool
    is_policy: bool
    commitment_spans: tuple[tuple[int, int], ...] = ()

    @cached_property
    def commitment_index(self) -> SpanIndex:
        return SpanIndex(self.commitment_spans)


def classify_kind(left: str, right: str) -> str:
    """Classify an amount by the clause before it (``left``) and after it (``right``).

    >>> classify_kind("2021年,市级财政投入科技创新专项资金", "")
    'fiscal'
    >>> classify_kind("每家予以不少于", "奖励")
    'subsidy_rate'
    >>> classify_kind("番禺区推动设立总规模", "(首期1亿元)的广州大学城创新创业投资基金")
    'fund'
    >>> classify_kind("已有近千家外资企业获得超过", "融资")
    'economic'
    """
    for kind, pattern, side in KIND_RULES:
        if pattern.search(left if side == "before" else right):
            return kind
    return "economic"


def extract_money(text: str, sents: list[Sentence], ctx: MoneyContext) -> list[Money]:
    """Find every money amount in ``text``.

    >>> from etl.segment import sentences
    >>> t = "2021年,市级财政投入科技创新专项资金43.43亿元。"
    >>> [(m.span, m.yuan, m.year, m.kind) for m in extract_money(t, sentences(t), MoneyContext(2022, True, False))]
    [('43.43亿元', 4343000000.0, 2021, 'fiscal')]
    """
    found: list[tuple[int, int, float, str]] = []
    taken: list[tuple[int, int]] = Spans()  # overlap found by bisection: linear in a long text
    for rule in MONEY_RULES:
        for m in rule.pattern.finditer(text):
            if taken.overlaps(m.start(), m.end()):
                continue
            try:
                value = parse_number(m.group("num")) * _SCALE_VALUE[m.group("scale")]
            except ValueError:
                continue
            if value <= 0:
                continue
            qualifier = "over" if m.group("more") else None
            if rule.name == "range":
                lo_scale = m.group("lo_scale") or m.group("scale")
                try:
                    lo = parse_number(m.group("lo")) * _SCALE_VALUE[lo_scale]
                except ValueError:
                    continue
                found.append((m.start("lo"), m.end("lo_scale") if m.group("lo_scale") else m.end("lo"), lo, "min"))
                found.append((m.start("num"), m.end(), value, "max"))
            else:
                found.append((m.start(), m.end(), value, qualifier))
            taken.append(m.span())
    found.sort()
    out = []
    starts = [f[0] for f in found]
    for i, (start, end, value, qualifier) in enumerate(found):
        q_before, _ = qualifier_before(text, start)
        q_tail, end_tail = qualifier_tail(text, end)
        qualifier = qualifier or q_before or q_tail or "exact"
        sent = sentence_at(sents, start) or Sentence(start, end, text[start:end])
        left = context.masked(text[sent.start:start])
        left = re.split(r"[,,;;]", left)[-1] if left else ""
        nxt = starts[i + 1] if i + 1 < len(starts) else sent.end
        right = text[end:min(sent.end, nxt)]
        kind = classify_kind(left, right)
        year = context.sentence_year(text[sent.start:start], ctx.issue_year, ctx.is_reply)
        if year is None:
            year = context.sentence_year(sent.text, ctx.issue_year, ctx.is_reply)
        in_commitment = start in ctx.commitment_index
        target = in_commitment or context.is_future(sent.text)
        out.append(Money(text[start:end], start, end, value, qualifier, year, kind, target, sent))
    return out
