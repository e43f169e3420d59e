"""Find targets: every quantified goal set for the future, money or not.

In: document text, sentences, the money found, which spans are future commitments, and who
leads them. Out: ``Target``s with unit, qualifier, target year, metric and lead agencies.
A figure is a target when it sits in a forward-looking commitment, or in a sentence that plans
(力争 / 预计 / 到2020年 / 计划 …), or in the sentence right after a plan in the same paragraph
that reports nothing as done.
"""

from __future__ import annotations

import bisect
import re

from etl import context, dates
from etl.model import AgencyRef, Money, Sentence, Target
from etl.numbers import NUMBER, parse_number, qualifier_before, qualifier_tail
from etl.segment import Paragraph, Rule, SpanIndex
from etl.spans import Ordered, Spans

UNITS = "家|个|名|项|人|所|座|场|次|件|款|台|套|户|支|批|辆|吨|亩|公里|平方米|张|床|栋|宗"
TARGET_RULES = (
    Rule("quantity", re.compile(r"(?P<num>" + NUMBER + r")(?P<more>多|余)?(?P<unit>万人|" + UNITS + r"|%)"),
         ("超600家", "不少于5个", "约20名", "100%"), ("5G", "500强", "三年")),
    Rule("scale_class", re.compile(r"(?=[千百一二三四五六七八九十\d])(?P<num>[千百]|[一二三四五六七八九十]?[千百]|\d+)(?P<scale>万亿|千亿|百亿|亿)级"),
         ("千亿级", "500亿级"), ("千亿元",)),
)
RATE_BEFORE = Rule("rate_before", re.compile(r"按照?|补贴|补助|贴息|奖励"), ("按照实际投资额的", "贷款贴息"), ("提供公共服务事项",))
"""Words before a percentage in its clause that make it a subsidy's rate (按照…的10%)."""
RATE_AFTER = Rule("rate_after", re.compile(r"^(?:给予|予以|补贴|补助|奖励|资助|的比例|比例)"), ("给予最高", "的比例"), ("网上办理",))
"""Words right after a percentage that make it a subsidy's rate (10%给予…)."""
_CLAUSE_BREAK = Rule("clause_break", re.compile(r"[,,;;。]"), ("按照实际投资额的10%,给予", "一是;二是"), ("按照实际投资额的10%",))


def is_rate(seg: str, start: int, end: int) -> bool:
    """A percentage written as the basis of a subsidy is a rate, not a goal.

    >>> s = "按照实际投资额的10%给予最高5000万元奖励"
    >>> is_rate(s, s.index("10%"), s.index("10%") + 3)
    True
    >>> s = "提供公共服务事项100%网上办理"
    >>> is_rate(s, s.index("100%"), s.index("100%") + 4)
    False
    """
    clause = _CLAUSE_BREAK.pattern.split(seg[:start])[-1]
    return bool(RATE_BEFORE.pattern.search(clause) or RATE_AFTER.pattern.match(seg[end:end + 4]))


RELATIVE_TERM = Rule("relative_term", re.compile(r"用(?P<n>[一二三四五六七八九十\d]+)年(?:左右)?(?:的)?时间"),
                     ("力争用三年左右的时间将其建设成为", "用5年时间"), ("三年内",))
"""A target set a number of years from the issue year (用三年左右的时间)."""
FIVE_YEAR_PLAN = Rule("five_year_plan", re.compile(r"(十[二三四五]五)(?:”)?(?:期间|时期|末)"), ("“十四五”期间", "十三五末"), ("十四",))
"""A target set for the end of a five-year plan (the plan's last year)."""
_CN_SMALL = "零〇一二两三四五六七八九"


def target_year(sentence: str, issue_year: int | None) -> int | None:
    """Return the year a target is set for.

    >>> target_year("力争2020年培育各类创新型中小企业超600家", 2017)
    2020
    >>> target_year("力争用三年左右的时间将其建设成为千亿级的互联网产业集聚区", 2017)
    2020
    """
    y = context.sentence_year(sentence, None)
    if y is not None:
        return y
    plan = FIVE_YEAR_PLAN.pattern.search(sentence)
    if plan:
        return dates.FIVE_YEAR_PLANS[plan.group(1)]
    m = RELATIVE_TERM.pattern.search(sentence)
    if m and issue_year:
        n = m.group("n")
        return issue_year + int(parse_number(n))
    return None


_METRIC_LEAD = Rule("metric_lead", re.compile(r"^(?:[一二三四五六七八九十]+是|力争|预计|争取|到20\d\d年|20\d\d年|计划|首期|其中|对|“十[二三四五]五”期间)+"),
                    ("力争2020年培育", "一是到2025年建成", "“十四五”期间新增"), ("培育各类创新型中小企业",))
"""Words that open a target's clause without naming what is counted."""
_METRIC_BREAK = Rule("metric_break", re.compile(r"[,,;;、。:()()]"), ("培育各类创新型中小企业、", "(首期"), ("培育各类创新型中小企业",))
"""Where the words around a target that say what is counted stop."""


def _clause(text: str, sent: Sentence, pos: int) -> str:
    """The part of the sentence between the semicolons around ``pos`` (一是…;二是… items)."""
    start = max(text.rfind(";", sent.start, pos), text.rfind(";", sent.start, pos)) + 1 or sent.start
    ends = [i for i in (text.find(";", pos, sent.end), text.find(";", pos, sent.end)) if i != -1]
    return text[max(start, sent.start):min(ends) if ends else sent.end]


def _metric_near(text: str, sent: Sentence, start: int, end: int) -> str:
    """The words around a target that say what is counted (informational, not scored)."""
    raw_before = text[sent.start:start]
    cut = len(_METRIC_BREAK.pattern.split(context.masked(raw_before))[-1])
    before = raw_before[len(raw_before) - cut:] if cut else ""
    after = _METRIC_BREAK.pattern.split(text[end:sent.end])[0]
    before = _METRIC_LEAD.pattern.sub("", before)
    return (before + after).strip("“”的") or before or after


def _outside(canonical: str, default_leads: tuple[str, ...]) -> bool:
    """A national body named in a local document's paragraph does not lead the local government's target."""
    from etl.agencies import NATIONAL, jurisdiction_of

    home = jurisdiction_of(default_leads[0]) if default_leads else None
    return home not in (None, NATIONAL) and jurisdiction_of(canonical) == NATIONAL


def extract_targets(text: str, sents: list[Sentence], paras: list[Paragraph], money: list[Money],
                    commitment_leads: list[tuple[int, int, tuple[str, ...]]], issue_year: int | None,
                    mentions: list[AgencyRef], default_leads: tuple[str, ...],
                    future: set[int] | None = None) -> list[Target]:
    """Find every target in ``text`` (``future``: its ``future_sentences``, when the caller has them)."""
    if future is None:
        future = future_sentences(text, sents, paras, commitment_leads)
    quoted = context.title_spans(text)
    out: list[Target] = []
    taken: list[tuple[int, int]] = Spans()  # overlap found by bisection: linear in a long text

    lead_of = {(s, e): leads for s, e, leads in commitment_leads}
    index = SpanIndex(commitment_leads)
    para_index = SpanIndex([(p.start, p.end) for p in paras])
    para_at = {(p.start, p.end): p for p in paras}
    by_start = Ordered(mentions)  # mentions between two offsets, by bisection

    def leads_for(pos: int) -> tuple[str, ...]:
        span = index.find(pos)
        if span is not None:
            return lead_of[span]
        span = para_index.find(pos)
        para = para_at[span] if span else None
        if para is not None:
            before = [r for r in by_start.between(para.start, pos) if not context.inside(quoted, r.char_start, r.char_end)
                      and not _outside(r.canonical, default_leads)]
            if before:
                return (before[-1].canonical,)
        return default_leads

    for m in money:
        if m.money_kind == "subsidy_rate" or m.sentence.start not in future:
            continue
        taken.append((m.char_start, m.char_end))
        year = m.figure_year if m.figure_year is not None else target_year(_clause(text, m.sentence, m.char_start),
                                                                           issue_year)
        out.append(Target(m.span_text, m.char_start, m.char_end, m.amount_yuan, "元", m.qualifier, year,
                          _metric_near(text, m.sentence, m.char_start, m.char_end), leads_for(m.char_start), m.sentence))
    for sent in sents:
        if sent.start not in future:
            continue
        seg = context.masked(sent.text)
        for rule in TARGET_RULES:
            for m in rule.pattern.finditer(seg):
                start, end = sent.start + m.start(), sent.start + m.end()
                if taken.overlaps(start, end):
                    continue
                num = m.group("num")
                if rule.name == "quantity":
                    if num[0] in _CN_SMALL and len(num) == 1:
                        continue  # 一个 / 三个办公室: a count word, not a goal
                    if start > 0 and (text[start - 1].isalnum() and text[start - 1].isascii() or text[start - 1] in "第."):
                        continue
                    try:
                        value = parse_number(num)
                    except ValueError:
                        continue
                    unit = m.group("unit")
                    if unit == "%" and is_rate(seg, m.start(), m.end()):
                        continue  # a rate a subsidy is computed with, not a goal
                    qualifier, _ = qualifier_before(text, start)
                    if m.group("more"):
                        qualifier = "over"
                    q_tail, _ = qualifier_tail(text, end)
                    qualifier = qualifier or q_tail or "exact"
                else:
                    try:
                        value = parse_number(num) * {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8}[m.group("scale")]
                    except ValueError:
                        continue
                    unit, qualifier = "元", "approx"
                taken.append((start, end))
                out.append(Target(text[start:end], start, end, value, unit, qualifier,
                                  target_year(_clause(text, sent, start), issue_year), _metric_near(text, sent, start, end),
                                  leads_for(start), sent))
    out.sort(key=lambda t: t.char_start)
    return out


def future_sentences(text: str, sents: list[Sentence], paras: list[Paragraph],
                      commitment_leads: list[tuple[int, int, tuple[str, ...]]]) -> set[int]:
    """Return the start offsets of the sentences whose figures are planned."""
    future: set[int] = set()
    prev_future_para = None
    para_starts = [p.start for p in paras]
    spans = sorted((s, e) for s, e, _ in commitment_leads)
    span_starts = [s for s, _ in spans]
    for sent in sents:
        k = bisect.bisect_right(para_starts, sent.start) - 1
        para = paras[k] if k >= 0 and sent.start < paras[k].end else None
        j = bisect.bisect_left(span_starts, sent.end) - 1
        in_commitment = j >= 0 and any(spans[i][1] > sent.start for i in range(max(0, j - 2), j + 1))
        if in_commitment or context.is_future(sent.text):
            future.add(sent.start)
            prev_future_para = para
            continue
        masked = context.masked(sent.text)
        if (prev_future_para is not None and para is prev_future_para
                and not context.PAST_MARKERS.pattern.search(masked) and context.sentence_year(masked, None) is None):
            future.add(sent.start)
            continue
        prev_future_para = None
    return future
