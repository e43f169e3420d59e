"""Find money amounts: value in yuan, qualifier, kind, year, and whether it is a target.

In: document text, its sentences, and context (issue year, commitment spans). Out: ``Money``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

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
        rf"(?P<num>{_NUM})(?P<more>多|余)?(?P<scale>{_SCALE})?(?P<more_after>多|余)?元(?![化素件首旦宵器])"),
        ("43.43亿元", "1千亿元", "200多亿元", "五百万元", "3058万元", "1.2亿余元"),
        ("多元化", "有限元", "10亿千瓦时", "5亿立方米", "1亿美元")),
    Rule("fen", re.compile(rf"(?P<num>{_NUM})(?P<more>多|余)?(?P<scale>)分钱"), ("每吨加收5分钱",), ("2分钟", "10分")),
)
_UNIT_VALUE = {"fen": 0.01}
_SCALE_VALUE = {None: 1, "": 1, "万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "千万": 1e7,
                "百万": 1e6, "十万": 1e5, "亿": 1e8, "万": 1e4, "千": 1e3}


class KindRule(NamedTuple):
    """A rule of the words around an amount, the side of the amount it reads, and the kind it gives."""

    rule: Rule
    side: str  # "before": the clause before the amount; "after": the words after it
    kind: str


KIND_RULES = (
    KindRule(Rule("subsidy_per_recipient", re.compile(
        r"(?:每家|每个|每项|每人|每户|每月|单户|单笔|单个|单项|一次性|分别给予|给予最高|予以最高|标准为)"),
        ("每家予以不少于", "单笔贷款金额", "补贴标准为每月"), ("每年仍按",)), "before", "subsidy_rate"),
    KindRule(Rule("subsidy_award_after", re.compile(r"^[^,;。]{0,6}?(?:奖励|资助|补贴|补助|奖补|薪酬|定额|限额|的标准|的扣除额度)"),
                  ("奖励", "的标准发放补贴", "限额内据实报销"), ("融资",)), "after", "subsidy_rate"),
    KindRule(Rule("subsidy_threshold_after", re.compile(r"^(?:及?(?:以上|以下)的|的部分)"),
                  ("及以下的项目", "以上的贷款", "的部分,由申请人"), ("以上",)), "after", "subsidy_rate"),
    KindRule(Rule("subsidy_grant_before", re.compile(r"(?:给予|予以)[^,;。]{0,6}$|每[^,;。]{1,4}(?:补贴|补助|奖励|奖补)[^,;。]{0,2}$"),
                  ("给予不超过", "每千瓦时补贴"), ("给予支持,共", "市财政补助资金")), "before", "subsidy_rate"),
    KindRule(Rule("fund_after", re.compile(r"^[^,;。]{0,24}?(?:基金|计划|资金池)"),
                  ("(首期1亿元)的广州大学城创新创业投资基金", "金融支持稳外资战略合作计划"), ("融资",)), "after", "fund"),
    KindRule(Rule("fund_size_before", re.compile(r"(?:基金规模|资金规模|首期)[^,;。]{0,2}$"),
                  ("基金规模", "(首期"), ("产业总规模达到",)), "before", "fund"),
    KindRule(Rule("economic_before", re.compile(
        r"(?:收入|税收|融资|贷款|余额|交易额|投资额|投资|减负|减税|降费|欠款|电费|电价|加价|销售|产值|营收|增长|利润|出口|进口|消费|规模|GDP|增加值)[^,;。]{0,10}$"),
        ("主营业务收入约", "拟投资", "产业总规模达到", "每吨加价"), ("市级财政投入",)), "before", "economic"),
    KindRule(Rule("economic_after", re.compile(r"^[^,;。]{0,10}?(?:融资|贷款|收入|税收|电价)"), ("融资",), ("奖励",)),
             "after", "economic"),
    KindRule(Rule("fiscal_before", re.compile(r"(?:财政|投入|安排|拨付|发放|兑现|资金|经费|专项|补助|扶持|设立|国债|统筹|下达|整合|筹集)"),
                  ("市级财政投入科技创新专项资金", "在中央预算内投资中安排"), ("企业获得",)), "before", "fiscal"),
)
"""Kind by the words around the amount: a rule reads the clause before it or after it; the first
rule that fires gives the kind."""
FUND_WHOLE = Rule("fund_whole", re.compile(r"(?:总规模|规模为|规模达)[^,;。]{0,2}$"), ("设立总规模",), ("产值达到",))
"""A size (总规模…) is a fund's when the clause names a fund or programme after it."""
FUND_NAMED = Rule("fund_named", re.compile(r"基金|资金池|(?<!发展)计划"), ("创新创业投资基金",), ("发展计划",))
FINANCING = Rule("financing", re.compile(r"金融|授信|信贷|贷款|融资|银行"),
                 ("金融支持稳外资战略合作计划", "意向性授信"), ("投资基金",))
"""A fund-sized amount that is a financing programme or credit line (banks' money, not public)."""
PRIVATE_SUBJECT = Rule("private_subject", re.compile(r"企业|公司|集团|厂|社会资本|民间资本"), ("联合…等企业",), ("财政",))
PUBLIC_SUBJECT = Rule("public_subject", re.compile(r"财政|政府|国债|中央|省级|市级|区级|县级|专项资金"), ("市级财政",), ("企业",))
PLANNED = Rule("planned", re.compile(r"拟(?:投资|投入|安排|设立)|请求|申请(?:安排|给予|补助)"),
               ("拟投资30亿元", "省政府请求,…投入2亿元"), ("已投资",))
"""Words that make an amount planned beside ``context.FUTURE_MARKERS`` (a request or a plan)."""
QUALIFIER_TAIL = (("及以下", "max"), ("及以上", "min"), ("限额内", "max"), ("以内", "max"))
CAP_BEFORE = Rule("cap_before", re.compile(r"(?:不能|不得|不应|不可)(?:超过|高于)$"), ("额度不能超过",), ("不超过",))
"""A cap written with a modal (不能超过) that ``numbers.QUALIFIER_BEFORE`` would read as 超过 (over)."""
PER_UNIT_BEFORE = Rule("per_unit_before", re.compile(r"每(?:个子女)?(?:月|年|人|户|家|个|项|次)$"), ("不能超过每月",), ("每",))
_CLAUSE_SPLIT = Rule("clause_split", re.compile(r"[,;]"), ("2021年,市级财政投入", "其中;"), ("市级财政投入",))
_YEAR_BEFORE = Rule("year_before", re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:[-—~至到]\s*((?:19|20)\d{2}))?年(?P<since>以来)?"),
                    ("2015年以来,市财政已在专项资金中安排", "2015-2016年,共支持", "其中2018年安排了"), ("十四五", "12019年"))
"""A year (or a range of years, or 以来) written before an amount in its sentence."""


@dataclass(frozen=True)
class MoneyContext:
    issue_year: int | None
    is_reply: bool
    is_policy: bool
    commitment_spans: tuple[tuple[int, int], ...] = ()
    is_rules: bool = False  # articles (第X条) of a regulation: every amount is one it sets

    @cached_property
    def commitment_index(self) -> SpanIndex:
        return SpanIndex(self.commitment_spans)


def classify_kind(left: str, right: str, rest: str | None = None, prefix: str | None = None) -> str:
    """Classify an amount by the clause before it (``left``) and after it (``right``).

    >>> classify_kind("2021年,市级财政投入科技创新专项资金", "")
    'fiscal'
    >>> classify_kind("番禺区推动设立总规模", "(首期1亿元)的广州大学城创新创业投资基金")
    'fund'

    More cases (each kind, and the rules' exceptions) are in tests/test_money.py (``test_kind``).
    """
    rest = right if rest is None else rest
    prefix = left if prefix is None else prefix
    if FUND_WHOLE.pattern.search(left) and FUND_NAMED.pattern.search(rest[:40]):
        return "financing" if FINANCING.pattern.search(rest[:40]) else "fund"
    for rule, side, kind in KIND_RULES:
        if rule.pattern.search(left if side == "before" else right):
            if kind == "fund" and FINANCING.pattern.search(left[-12:] + right[:24]):
                return "financing"
            if kind == "fiscal" and PRIVATE_SUBJECT.pattern.search(prefix) and not PUBLIC_SUBJECT.pattern.search(prefix):
                return "economic"  # money an enterprise puts in is not public money
            return kind
    return "economic"


_UNIT_WORD = Rule("unit_word", re.compile(r"元|分钱"), ("43.43亿元", "每吨加收5分钱"), ("5亿立方米",))
"""The word every amount ends with: amounts are looked for only before one."""
_WINDOW = 48
"""An amount is never longer than this (1,000,000,000.00万亿多元 fits)."""


def _windowed(pattern: re.Pattern, text: str, unit_ends: list[int]):
    """The non-overlapping matches of ``pattern`` that ``finditer`` finds, looked for only in the
    short window before each unit word (every amount ends at one).

    >>> [m.group() for m in _windowed(MONEY_RULES[1].pattern, "投入5亿元,其中2亿元", [5, 11])]
    ['5亿元', '2亿元']
    """
    last = 0
    for end in unit_ends:
        if end <= last:
            continue
        for m in pattern.finditer(text, max(last, end - _WINDOW), min(len(text), end + 1)):
            if m.start() >= last:
                yield m
                last = m.end()


def extract_money(text: str, sents: list[Sentence], ctx: MoneyContext) -> list[Money]:
    """Find every money amount in ``text``.

    >>> from etl.segment import sentences
    >>> t = "2021年,市级财政投入科技创新专项资金43.43亿元。"
    >>> [(m.span_text, m.amount_yuan, m.figure_year, m.money_kind)
    ...  for m in extract_money(t, sentences(t), MoneyContext(2022, True, False))]
    [('43.43亿元', 4343000000.0, 2021, 'fiscal')]
    """
    found: list[tuple[int, int, float, str]] = []
    taken: list[tuple[int, int]] = Spans()  # overlap found by bisection: linear in a long text
    units = [u.end() for u in _UNIT_WORD.pattern.finditer(text)]  # every amount ends at one: search only before them
    for rule in MONEY_RULES:
        for m in _windowed(rule.pattern, text, units):
            if taken.overlaps(m.start(), m.end()):
                continue
            try:
                value = parse_number(m.group("num")) * _SCALE_VALUE[m.group("scale")]
            except ValueError:
                continue
            value *= _UNIT_VALUE.get(rule.name, 1)
            if value <= 0:
                continue
            qualifier = "over" if m.group("more") or "more_after" in m.groupdict() and m.group("more_after") else None
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
        sent = sentence_at(sents, start) or Sentence(start, end, text[start:end])
        per = PER_UNIT_BEFORE.pattern.search(text, max(sent.start, start - 6), start)
        q_before, _ = qualifier_before(text, per.start() if per else start)
        q_tail = next((q for word, q in QUALIFIER_TAIL if text.startswith(word, end)), None)
        q_tail = q_tail or qualifier_tail(text, end)[0]
        if CAP_BEFORE.pattern.search(text, max(sent.start, (per.start() if per else start) - 6), per.start() if per else start):
            q_before = "max"
        qualifier = qualifier or q_before or q_tail or "exact"
        prefix = context.masked(text[sent.start:start])
        left = _CLAUSE_SPLIT.pattern.split(prefix)[-1] if prefix else ""
        nxt = starts[i + 1] if i + 1 < len(starts) else sent.end
        right = text[end:min(sent.end, nxt)]
        kind = "economic" if text.endswith("分钱", 0, end) else classify_kind(left, right, text[end:sent.end], prefix)
        year = money_year(prefix, ctx.issue_year, ctx.is_reply)
        if year is None and not _YEAR_BEFORE.pattern.search(prefix):
            year = context.sentence_year(sent.text, ctx.issue_year, ctx.is_reply)
        in_commitment = start in ctx.commitment_index
        target = (in_commitment or ctx.is_rules or context.is_future(sent.text)
                  or bool(PLANNED.pattern.search(text, sent.start, end)))
        part = i > 0 and found[i - 1][1] <= start and bool(PART_OF.pattern.fullmatch(text, found[i - 1][1], start))
        cumulative = bool(CUMULATIVE.pattern.search(prefix))
        out.append(Money(text[start:end], start, end, value, qualifier, year, kind, target, sent,
                         is_cumulative=cumulative, is_part=part))
    return out


PART_OF = Rule("part_of", re.compile(r"\s*\((?:首期|其中|含|包括|一期)[^()]{0,6}"), ("(首期",), (",其中",))
"""An amount in a parenthesis right after another is a part of it: 总规模10亿元(首期1亿元)."""
CUMULATIVE = Rule("cumulative", re.compile(r"累计|截至|截止|以来|历年|共计"),
                  ("截至目前,全市累计", "2017年以来"), ("2021年,市级财政投入",))
"""Words that make an amount a running total, not one year's figure."""


def money_year(prefix: str, issue_year: int | None, is_reply: bool = False) -> int | None:
    """Return the year an amount belongs to: the first year written before it in its sentence, or
    the year a 其中 breakdown gives its part (a range gives its end; ``X年以来`` spans years: none),
    else the issue year for 截至目前/今年.

    >>> money_year("2015年以来,市财政已在专项资金中安排5亿元,其中2018年安排了", 2020)
    2018
    >>> money_year("2015年以来,市财政已在专项资金中安排", 2020) is None
    True
    """
    years = list(_YEAR_BEFORE.pattern.finditer(prefix))
    if years:
        breakdown = prefix.rfind("其中")
        after = [y for y in years if y.start() > breakdown >= 0]
        year = after[-1] if after else years[0]  # a breakdown's own year, else the sentence's
        if year["since"]:
            return None
        return int(year.group(2) or year.group(1))
    return context.sentence_year(prefix, issue_year, is_reply)
