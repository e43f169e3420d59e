"""Find every reported figure: money, counts of things and people, shares and rates, measures.

In: the folded view of a document, its sentences and paragraphs, the document context, and the
money, project counts and targets already found (each of those is a figure with the same span,
value, qualifier, year and target). Out: ``Figure``s sorted by offset, spans never overlapping,
each with value in its base unit, unit from the declared vocabulary (``etl.units``), qualifier,
metric (``normalise_metric``), year and its basis, cumulative / change / target flags, kind,
agency and sentence.

What is not a figure is excluded by general rules of how these documents are written: dates and
durations carry no declared unit (年, 月, 天 are not units; ``3个月`` is a duration), document
numbers end in 号, list labels and ordinals stand before 第 or carry no unit, numbers inside
titles and quotations are masked, ``X大`` labels carry no unit, an indefinite ``一`` (一批, 一支)
is an article, and a number right after a list that only restates how many items were listed
(苗圃、孵化和加速三个阶段) is an appositive.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from etl import context, units
from etl.model import AgencyRef, Count, Figure, Money, Sentence, Target
from etl.numbers import QUALIFIER_BEFORE, approximate_cn, qualifier_before, qualifier_tail, ratio_value, scaled_value
from etl.segment import Paragraph, Rule

_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_RUN = "零〇一二两三四五六七八九十百千万亿"
_CN = rf"[一二两三四五六七八九十][{_CN_RUN}]*|(?<=[近超逾约])[千百][{_CN_RUN}]*"
"""Chinese numerals; a bare 千/百 only after a qualifier (近千家, 超千家), as 千家万户 is an idiom."""
_NUM = rf"(?=[\d一二两三四五六七八九十千百])(?<![\d.A-Za-z])(?:{_ARABIC}|{_CN})"
_SCALE = "万亿|千亿|百亿|十亿|千万|百万|十万|亿|万|千"
_UNIT = units.UNIT_PATTERN

FIGURE_RULES = (
    Rule("ratio", re.compile(r"(?P<a>\d+(?:\.\d+)?):(?P<b>\d+(?:\.\d+)?)(?![\d:])(?=的?比例|配套|匹配)"),
         ("最高1:1比例给予资金配套", "按3:1的比例"), ("9:30开始", "2021:12")),
    Rule("scale_class", re.compile(rf"(?P<num>[千百]|[一二三四五六七八九十][千百]?|\d+(?:\.\d+)?)(?P<scale>万亿|千亿|百亿|亿)级"),
         ("打造千亿级产业集群", "500亿级产业集群"), ("千亿元", "亿级别")),
    Rule("range", re.compile(
        rf"(?P<lo>{_NUM})(?P<lo_scale>{_SCALE})?(?P<lo_unit>{_UNIT})?\s*(?:至|到|~|-|—)\s*"
        rf"(?P<num>{_ARABIC}|{_CN})(?P<more>多|余)?(?P<scale>{_SCALE})?(?P<unit>{_UNIT})"),
         ("培育3-5家龙头企业", "10%-20%", "50至100名"), ("2015-2016年", "0-3天")),
    Rule("quantity", re.compile(rf"(?P<num>{_NUM})(?P<more>多|余)?(?P<scale>{_SCALE})?(?P<unit>{_UNIT})"),
         ("惠及企业超1500家", "200多亿条", "4.5万人", "近千家", "三个", "免费培训近2万人次", "提高3个百分点"),
         ("2021年", "90天", "5G", "十四五", "七大功能", "世界500强")),
    Rule("unknown_unit", re.compile(rf"(?P<num>\d[\d,]*(?:\.\d+)?)(?P<more>多|余)?(?P<scale>万亿|亿|千万|百万|万)"
                                    r"(?P<unit>(?![的和及与或以左右多余元至到等在是为了中上下内外之间级强万亿千百])[\u4e00-\u9fff])"
                                    r"(?=[,;:。!?、)]|$)"),
         ("投放鱼苗300万尾。", "种植300万株,"), ("1.2万亿元", "300万元", "2万的", "5万以上", "30多万群众")),
)
"""How a figure is written, tried in this order; a later rule never takes an earlier one's span."""

EXCLUSION_RULES = (
    Rule("ordinal", re.compile(r"第$"), ("第",), ("共",)),
    Rule("duration", re.compile(r"(?:月|工作日|小时|季度|星期|周|学期|年度)"), ("月内", "工作日"), ("企业",)),
    Rule("size_class_in_count", re.compile(
        rf"[\u4e00-\u9fff]{{1,6}}?(?:超过|超|近|约|逾)?(?:\d|[一二两三四五六七八九十百千]+[个家项])"),
        ("项目6个", "项目超30个"), ("产业集群。", "的互联网产业集聚区")),
    Rule("session", re.compile(r"(?:会议|全会|全体会议|常务会议|代表大会)"), ("会议第7240号",), ("污染",)),
    Rule("place_name", re.compile(r"[区市县镇乡路街河]"), ("区全力打造", "河市"), ("企业",)),
    Rule("formula", re.compile(r"[×*]$"), ("总台次数×",), ("达到",)),
    Rule("address", re.compile(r"号$"), ("天河路100号",), ("道路",)),
    Rule("slogan", re.compile(r"(?:维护|意识|自信|确立|全面|一百年|代表|根本性转变|务必|服从|统筹|坚持|有利于)"),
         ("两个维护", "四个意识", "两个根本性转变"), ("两个办公室",)),
)
"""Context that makes a number with a unit no figure: 第 before it (an ordinal), a time word
after 个 (a duration), a count after a 级 scale (the size class inside a counted noun), 会议 after
次 (the session of 十届全国人大四次会议), a place suffix after a Chinese numeral with a unit other
than 个 (九台区, 七台河市), × before a percentage (the ×100% of a formula), 号 before it (an
address: 天河路100号5栋), the standard political formulas after a Chinese numeral and 个 (两个维护,
四个意识, 两个根本性转变)."""


def excluded_at(masked: str, start: int, end: int, num: str, unit_written: str, scaled: bool = False) -> bool:
    """True when the number ``num`` with ``unit_written`` at ``start:end`` is no figure.

    >>> t = "对十届全国人大四次会议第7240号建议"
    >>> excluded_at(t, 7, 9, "四", "次")
    True
    >>> excluded_at("共13个村民小组", 1, 4, "13", "个")
    False
    """
    if start > 0 and EXCLUSION_RULES[0].pattern.search(masked, start - 1, start):
        return True  # 第三个: an ordinal
    if unit_written.endswith("个") and EXCLUSION_RULES[1].pattern.match(masked, end):
        return True  # 3个月: a duration
    if num == "一" and not scaled:
        return True  # 一批, 一支: the indefinite article
    if num == "二" and unit_written == "次":
        return True  # 二次污染: "secondary"; a count of two is written 两次
    if unit_written == "次" and EXCLUSION_RULES[3].pattern.match(masked, end):
        return True
    cn = num[0] in _CN_RUN
    if cn and unit_written != "个" and EXCLUSION_RULES[4].pattern.match(masked, end):
        return True
    if unit_written == "%" and start > 0 and EXCLUSION_RULES[5].pattern.search(masked, start - 1, start):
        return True
    if start > 0 and EXCLUSION_RULES[6].pattern.search(masked, start - 1, start):
        return True
    if cn and unit_written == "个" and EXCLUSION_RULES[7].pattern.match(masked, end):
        return True
    return False

_APPOSITIVE_LIST = Rule("appositive_list", re.compile(r"(?:[\u4e00-\u9fff]{1,12}(?:、|和|及|与))+[\u4e00-\u9fff]{1,12}$"),
                        ("分为苗圃、孵化和加速", "海珠、番禺、黄埔、天河"), ("通过八大行动、", "苗圃"))
"""A list of items ending right before a number (苗圃、孵化和加速|三个阶段)."""
_OUTLINE_LABEL = Rule("outline_label", re.compile(r"^\s*[一二三四五六七八九十]+、"),
                      ("一、同意乌鲁木齐、昌吉、石河子",), ("同意乌鲁木齐、昌吉",))
_APPOSITIVE_NOT_AFTER = set("等了的共计达有为约近超逾是和及与、将把对给向在")


def is_appositive(clause_before: str, value: float) -> bool:
    """True when a number only restates how many items the list right before it named.

    >>> is_appositive("分为苗圃、孵化和加速", 3)
    True
    >>> is_appositive("涉及食品、药品、医疗器械等", 11)
    False
    >>> is_appositive("通过八大行动、", 8)
    False
    >>> is_appositive("一、同意乌鲁木齐、昌吉、石河子", 3)
    True
    """
    if not clause_before or clause_before[-1] in _APPOSITIVE_NOT_AFTER:
        return False
    m = _APPOSITIVE_LIST.pattern.search(_OUTLINE_LABEL.pattern.sub("", clause_before))
    if not m:
        return False
    items = len(_LIST_SEPARATOR.pattern.findall(m.group())) + 1
    return items == value


CUMULATIVE_RULES = (
    Rule("running_total", re.compile(r"累计|截至|截止|以来"), ("全市累计受理", "截至2021年末", "2014年以来"), ("计划",)),
    Rule("sum_over_time", re.compile(r"共计|共有|(?<![公中总])共(?![享建同性青赢])(?=[\u4e00-\u9fff])"), ("共处理专利侵权纠纷", "支持经费共计"), ("公共服务",)),
)
"""Words that present a figure as a running total. 共 counts only where no single year is stated."""
_PARTS_FOLLOW = Rule("parts_follow", re.compile(r"[,:]?(?:包括|其中|分别|含)"),
                     (",其中500亿级项目6个", "分别同比提速44.5%"), ("的企业",))
"""Parts listed right after a total (…共1000家,其中…): its 共 is no running total."""

CHANGE_RULES = (
    Rule("change", re.compile(r"(?:同比|环比)?(?:增长|增加|下降|减少|提高|降低|提升|提速|高出|低于|净增|新增|增幅|增速|扩大|缩小)"
                              r"(?![至到为]|了?[\u4e00-\u9fff]{0,2}(?:至|到))"),
         ("同比增长", "比2021年初增长", "全年净增高新技术企业", "新增不少于"), ("增加至2000多项", "缩短至")),
)
"""Words before a figure in its clause that make it a change or rate rather than a level."""
_COMPARISON_ONLY = Rule("comparison_only", re.compile(r"^(?:分别)?(?:同比|环比|比(?![重例率])[^,;]{0,12}?|较[^,;]{0,12}?)?(?:增长|增加|下降|减少|提高|降低|提升|提速|高出|低于|增幅|增速)"),
                        ("同比增长", "比2021年初增长", "分别同比提速"), ("比重提高到", "营业收入"))
"""A rate that names only its comparison (同比增长32.45%): it is the rate of the level before it."""

_CLAUSE_BREAK = Rule("clause_break", re.compile(r"[,;:。!?]"), ("服务企业超1200家,培训近3万人次",), ("服务企业超1200家",))
_METRIC_LEAD = Rule("metric_lead", re.compile(
    r"^(?:[()、和及与~至-]|\d{4}(?:-\d{4})?年(?:度|底|末|初|以来)?|截至|截止|目前|今年|去年|全年|当年|每年|近年来|近年|"
    r"全市|全区|全省|我市|我区|本市|其中|涉及|包括|另外|此外|同时|分别|共计|共有|共|累计|已经|已有|已|还|并|仍|均|也|"
    r"先后|率先|力争|预计|计划|争取|到|对|为|在(?![校册职岗园])|将|使|约|近|超过|超|逾|达到|达|不少于|不低于|至少|最高|"
    r"[一二三四五六七八九十]+是|在?[\u4e00-\u9fff]{0,4}(?:冲击|影响|背景|形势|带动)下|[\u4e00-\u9fff]{2,4}[省市区县](?=[\u4e00-\u9fff][\u4e00-\u9fff\d]{3,}))+"),
    ("截至目前,全市累计服务企业", "2021年以来全市", "其中国家级"), ("营业收入",))
"""Words that open a clause without naming what is measured: time, place, adverbs, qualifiers."""
_METRIC_TAIL = Rule("metric_tail", re.compile(
    r"(?:超过|超|近|约|逾|达到|达|不少于|不低于|至少|最高|共计|共|累计|已|为|的|仍|均|分别|接近|将近|和|及|与|、|"
    r"给予|予以|实现|保持在|增加至|增加到|增至|提高至|提高到|提升至|缩短至|"
    r"(?:同比|环比)?(?:增长|增加|下降|减少|提高|降低|提升|提速|高出|净增))+$"),
    ("惠及企业超", "营业收入同比增长", "平均办理时长缩短至"), ("高新技术企业",))
"""Words that close the words before a figure without naming what is measured."""
_AFTER_STOP = Rule("after_stop", re.compile(r"[,;:。!?()]|并|同比|以上|左右|以内|以下|用于|推动|加快|加大|促进|落地见效|(?:19|20)\d{2}年"
                                            r"|[\u4e00-\u9fff]{2}一(?:批|系列|支)"),
                   ("家企业,同比增长", "资金用于支持", "个项目落地见效"), ("高新技术企业",))
"""Where the noun phrase after a figure stops."""
_QUALIFIER_TAIL = Rule("qualifier_tail", re.compile(
    "(?:" + "|".join(sorted({w for w, _ in QUALIFIER_BEFORE} | {"达到", "达", "仍", "均", "共计", "共"}, key=len, reverse=True))
    + ")+$"), ("惠及企业超", "支持经费共计", "获得超过"), ("高新技术企业",))
"""Qualifier words (etl.numbers.QUALIFIER_BEFORE) and adverbs that close the words before a figure."""
_LIST_SEPARATOR = Rule("list_separator", re.compile(r"、|和|及|与"), ("苗圃、孵化和加速",), ("苗圃",))
_SINCE_YEAR = Rule("since_year", re.compile(r"(?:19|20)\d{2}年以来"), ("2014年以来共组织2000家企业",), ("2014年共组织",))
_A_YEAR = Rule("a_year", re.compile(r"(?:19|20)\d{2}年"), ("2021年,天河区共走访",), ("“十四五”期间", "截至目前"))
_ANY_PARENTHESES = Rule("any_parentheses", re.compile(r"\([^()]*\)"), ("总规模10亿元(首期1亿元)", "(基地)"), ("(未闭合",))
_ITEM_JOIN = Rule("item_join", re.compile(r"[、和及]"), ("食品、药品", "孵化和加速"), ("医疗器械",))
_PARENTHESES = Rule("parentheses", re.compile(r"\([^()]{5,}\)|\([^()]*[,;、][^()]*\)"),
                    ("联席会议办公室(即市招商办,具体在市商务局)", "(第20222223号)"), ("(基地)",))
"""A long or listing parenthesis: an aside, no part of the words around a figure."""
_LISTED_BEFORE = Rule("listed_before", re.compile(r"[^、]*(?:、[^、]+)+等$"), ("涉及食品、药品、医疗器械等",), ("医疗器械等",))
_LIST_KEYWORD = Rule("list_keyword", re.compile(r"涉及|包括|涵盖|覆盖"), ("涉及兑现金额", "建立了涵盖苗圃"), ("兑现金额",))
_ADVERB_CUT = Rule("adverb_cut", re.compile(r"累计|共计|共有|已经|已有|已|(?<![公中总])共(?![享建同性青赢])"),
                   ("累计共享数据", "天河区共走访", "已有近千家外资企业"), ("共享数据", "公共服务"))
_PREFIX_ATTRIBUTES = Rule("prefix_attributes", re.compile(r"^(?:累计|新增|净增|全年|当年|共计|共有|共(?![享建同性青赢]))+"),
                          ("累计受理政策兑现业务", "新增高新技术企业"), ("共享数据",))
"""A running-total, change or period prefix of a metric: an attribute, not part of its name."""
_SPACES = Rule("spaces", re.compile(r"\s+"), ("累计 受理",), ("受理",))


@lru_cache(maxsize=65536)
def normalise_metric(metric: str) -> str:
    """Return a metric in the one form two documents compare equal in: NFKC width, no spaces,
    simplified characters, and no running-total / change / period prefix (those are attributes).

    >>> normalise_metric("累计 受理政策兑现业务"), normalise_metric("新增高新技術企業"), normalise_metric("（基地）")
    ('受理政策兑现业务', '高新技术企业', '(基地)')
    >>> normalise_metric("共享数据")
    '共享数据'

    """
    s = _SPACES.pattern.sub("", unicodedata.normalize("NFKC", metric or ""))
    s = _simplified(s)
    return _PREFIX_ATTRIBUTES.pattern.sub("", s) or s


def _simplified(s: str) -> str:
    if s.isascii():
        return s
    try:
        from etl.read import to_simplified
    except ImportError:  # pragma: no cover - etl.read is part of the package
        return s
    return to_simplified(s)


class _Found(NamedTuple):
    start: int
    end: int
    value: float
    unit: str
    qualifier: str
    unit_known: bool = True
    year: int | None = None
    source: str | None = None  # money / target / count: found by that extractor, with its fields
    target: bool | None = None
    metric: str | None = None


def _value(num: str, scale: str | None) -> float:
    return scaled_value(num, scale)


def clause_breaks(text: str) -> list[int]:
    """The offsets of every , ; : 。 ! ? of a text, in order (for ``_clause_start``)."""
    return [m.start() for m in _CLAUSE_BREAK.pattern.finditer(text)]


def _clause_start(breaks: list[int], sent: Sentence, pos: int) -> int:
    """Where the clause holding ``pos`` begins (after the last , ; : 。 ! ? of its sentence)."""
    k = bisect.bisect_left(breaks, pos) - 1
    return max(sent.start, breaks[k] + 1) if k >= 0 else sent.start


def _scan(masked: str, taken: list[tuple[int, int]]) -> list[_Found]:
    """Find the figures no earlier extractor took, by FIGURE_RULES in order."""
    out: list[_Found] = []

    covered = bytearray(len(masked) + 1)
    for a, b in taken:
        covered[a:b] = b"\x01" * (b - a)

    def free(s: int, e: int) -> bool:
        return not any(covered[s:e])

    def take(s: int, e: int) -> None:
        covered[s:e] = b"\x01" * (e - s)

    by_end: dict[int, int] = {}  # end offset -> index in out, to read a range's low end
    for rule in FIGURE_RULES:
        if rule.name == "range":
            continue  # tried at each quantity below: only there can a range end
        for m in _matches(rule, masked):
            s, e = m.span()
            if not free(s, e):
                continue
            if rule.name == "ratio":
                if s and masked[s - 1] in "0123456789.:":
                    continue
                try:
                    value = ratio_value(m.group("a"), m.group("b"))
                except ValueError:
                    continue
                q, _ = qualifier_before(masked, s)
                out.append(_Found(s, e, value, "比", q or "exact"))
                take(s, e)
                continue
            if rule.name == "scale_class":
                if EXCLUSION_RULES[2].pattern.match(masked, e):
                    continue
                try:
                    value = _value(m.group("num"), m.group("scale"))
                except ValueError:
                    continue
                out.append(_Found(s, e, value, "元", "approx"))
                take(s, e)
                continue
            if rule.name == "unknown_unit" and s and masked[s - 1] in _NOT_BEFORE_NUMBER:
                continue
            name = rule.name
            lo = (_RANGE_LOW.pattern.search(masked, max(0, s - 24), s)
                  if rule.name == "quantity" and s > 1 and (masked[s - 1] in _RANGE_MARKS or masked[s - 2] in _RANGE_MARKS)
                  else None)
            if lo:
                r = RANGE_RULE.pattern.match(masked, lo.start())
                if r and r.end() == e:
                    k = by_end.get(r.end("lo_unit") if r.group("lo_unit") else -1)
                    if k is not None and out[k].start == r.start("lo"):
                        # 10%-20%: the low end was read on its own; it is the range's minimum
                        out[k] = _Found(out[k].start, out[k].end, out[k].value, out[k].unit, "min", out[k].unit_known)
                        found = [f for f in _quantity(masked, r, "range") if f.start >= s]
                        if found:
                            out.extend(found)
                            take(s, e)
                        continue
                    if free(r.start(), e):
                        m, s, name = r, r.start(), "range"
            found = _quantity(masked, m, name)
            if found:
                for f in found:
                    by_end[f.end] = len(out)
                    out.append(f)
                take(s, e)
    return out


_RANGE_MARKS = set("至到~-—")
_NOT_BEFORE_NUMBER = set("0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
RANGE_RULE = FIGURE_RULES[2]
_RANGE_LOW = Rule("range_low", re.compile(rf"(?P<lo>{_NUM})(?P<lo_scale>{_SCALE})?(?P<lo_unit>{_UNIT})?\s*(?:至|到|~|-|—)\s*$"),
                  ("培育3-", "50至", "10%-"), ("2015年-", "5家"))
"""The low end of a range just before a quantity (3-5家, 50至100名)."""


class _Anchor(NamedTuple):
    rule: Rule
    before: int
    after: int


_ANCHORS = {
    "ratio": _Anchor(Rule("ratio_anchor", re.compile(r":\d"), ("按3:1的比例",), ("9:",)), 16, 24),
    "scale_class": _Anchor(Rule("scale_class_anchor", re.compile(r"亿级"), ("打造千亿级产业集群",), ("千亿元",)), 12, 2),
    "unknown_unit": _Anchor(Rule("unknown_unit_anchor", re.compile(r"[万亿][\u4e00-\u9fff]"), ("投放鱼苗300万尾",), ("300万,",)), 24, 8),
}
"""Where a rule can match at all (a ratio at a colon between digits, a scale at 亿级, an undeclared
unit after 万/亿), and how far before and after: those rules only search the windows around them."""


def _matches(rule: Rule, masked: str):
    """Yield the rule's matches in text order, searching only around its anchors when it has some."""
    anchor = _ANCHORS.get(rule.name)
    if anchor is None:
        yield from rule.pattern.finditer(masked)
        return
    last = -1
    before, after = anchor.before, anchor.after
    for a in anchor.rule.pattern.finditer(masked):
        m = rule.pattern.search(masked, max(last, a.start() - before), min(len(masked), a.end() + after))
        while m and m.end() <= a.start():  # a match wholly before the anchor belongs to an earlier one
            m = rule.pattern.search(masked, m.end(), min(len(masked), a.end() + after))
        if m and m.start() >= last:
            last = m.end()
            yield m



def _quantity(masked: str, m: re.Match, rule: str) -> list[_Found]:
    num, unit_written = m.group("num"), m.group("unit")
    s = m.start("lo") if rule == "range" else m.start("num")
    if excluded_at(masked, s, m.end(), num, unit_written, bool(m.group("scale") or m.group("more"))):
        return []
    unit = units.lookup(unit_written)
    base, factor, known = (unit.base, unit.factor, True) if unit else (unit_written, 1.0, False)
    vague = approximate_cn(num)  # 两三个, 二三十家: about the upper bound
    try:
        value = _value(vague or num, m.group("scale")) * factor
    except ValueError:
        return []
    if value <= 0:
        return []
    if rule == "range":
        try:
            lo = _value(m.group("lo"), m.group("lo_scale") or m.group("scale")) * factor
        except ValueError:
            return []
        lo_end = m.end("lo_unit") if m.group("lo_unit") else (m.end("lo_scale") if m.group("lo_scale") else m.end("lo"))
        return [_Found(m.start("lo"), lo_end, lo, base, "min", known),
                _Found(m.start("num"), m.end(), value, base, "max", known)]
    q_before, _ = qualifier_before(masked, s)
    q_tail, _ = qualifier_tail(masked, m.end())
    qualifier = q_before or ("over" if m.group("more") else None) or q_tail or ("approx" if vague else "exact")
    return [_Found(s, m.end(), value, base, qualifier, known)]


_COUNT_NUMBER = FIGURE_RULES[3].pattern


def _from_sources(text: str, money, counts, targets) -> list[_Found]:
    """The figures the money, counts and targets extractors already found, with their fields."""
    out: list[_Found] = []
    for m in money:
        out.append(_Found(m.char_start, m.char_end, m.amount_yuan, "元", m.qualifier, True, m.figure_year, "money",
                          m.is_target))
    masked = context.masked(text)
    for t in targets:
        if t.unit == "元" and any(m.char_start == t.char_start for m in money):
            continue
        k = _COUNT_NUMBER.fullmatch(text, t.char_start, t.char_end)
        if k and excluded_at(masked, t.char_start, t.char_end, k.group("num"), k.group("unit"), bool(k.group("scale"))):
            continue  # the targets extractor's 48个月 is a duration
        longer = _COUNT_NUMBER.match(text, t.char_start)
        if t.unit != "元" and longer and longer.end() > t.char_end:  # 5个百分点, not 5个
            unit = units.lookup(longer.group("unit"))
            out.append(_Found(t.char_start, longer.end(), t.value * (unit.factor if unit else 1), unit.base if unit else
                              longer.group("unit"), t.qualifier, unit is not None, t.figure_year, "target", True))
            continue
        unit = units.lookup(t.unit)
        out.append(_Found(t.char_start, t.char_end, t.value, unit.base if unit else t.unit, t.qualifier, unit is not None,
                          t.figure_year, "target", True))
    for c in counts:
        inner = list(_COUNT_NUMBER.finditer(text, c.char_start, c.char_end))
        if not inner:
            continue
        k = inner[-1]
        unit = units.lookup(k.group("unit"))
        out.append(_Found(k.start(), k.end(), c.value, unit.base if unit else k.group("unit"), c.qualifier,
                          unit is not None, c.figure_year, "count", c.is_target, c.metric))
    out.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[_Found] = []
    for f in out:
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept


def _year(text: str, sent: Sentence, start: int, issue_year: int | None, is_reply: bool) -> tuple[int | None, str]:
    """Return (year, basis) for a figure: the year its sentence states before it (``stated``),
    …年以来 read as the issue year (``since``), 截至目前 / 今年 / a reply's 全年 read from the issue
    year (``relative``), else (None, ``none``)."""
    before = text[sent.start:start]  # ``text`` is the masked view
    since = _SINCE_YEAR.pattern.search(before)
    if since:
        return issue_year, "since"  # …年以来: to date, the issue year
    year = context.sentence_year(before, issue_year, is_reply)
    return year, _basis(year, before)


def _basis(year: int | None, words: str) -> str:
    if year is None:
        return "none"
    return "stated" if "年" in words and _A_YEAR.pattern.search(words) else "relative"


def _strip_tail(rule: Rule, words: str) -> str:
    """Remove the words ``rule`` (anchored at the end) matches, searching only the last 24 characters."""
    if not words:
        return words
    cut = max(0, len(words) - 24)
    m = rule.pattern.search(words, cut)
    return words[:m.start()] if m else words


def _before_words(text: str, start: int, end: int, share: bool = False) -> str:
    """The words of a clause before a figure that can name what it measures.

    >>> _before_words("打通涉及食品、药品、医疗器械等", 0, 15)
    '打通'
    >>> _before_words("已建立包括综合治税专题在内的信息共享专项应用", 0, 23)
    '信息共享专项应用'
    >>> _before_words("各产业链龙头企业累计带动超", 0, 13)
    '带动'
    """
    raw = _strip_tail(_QUALIFIER_TAIL, text[start:end])
    objs = list(_INDEFINITE_OBJECT.pattern.finditer(raw))
    if objs:
        raw = raw[objs[-1].end():]  # 打造一批营业收入超…: what follows 一批 is the thing measured
    raw = _PARENTHESES.pattern.sub("", raw)
    if "(" in raw or ")" in raw:
        flat = _ANY_PARENTHESES.pattern.sub(lambda m: "＿" * len(m.group()), raw)
        raw = raw[max(flat.rfind("("), flat.rfind(")")) + 1:]  # an unclosed bracket opens the phrase
    listed = raw.endswith("等") and "、" in raw and _LISTED_BEFORE.pattern.search(raw)
    if listed:  # 涉及食品、药品等11个许可证: the examples are no part of the metric
        key = _LIST_KEYWORD.pattern.search(raw, 0, raw.find("、"))
        raw = raw[:key.start()] if key else ""
    if "的" in raw:
        rest = raw[raw.rfind("的") + 1:]
        if len(rest) >= 4 or (not rest and not share):  # 为代表的近200家企业; but 注册资本的1%
            raw = rest
    if raw and raw[-1] in "、和及与":
        raw = ""  # the figure opens the next item of a list
    if "、" in raw:
        raw = raw[raw.rfind("、") + 1:]
    cuts = list(_ADVERB_CUT.pattern.finditer(raw))
    if cuts and cuts[-1].end() < len(raw):
        raw = raw[cuts[-1].end():]
    return _strip_tail(_METRIC_TAIL, _METRIC_LEAD.pattern.sub("", raw))


_JOINED = Rule("joined", re.compile(r"[、和及与~至到-]"), ("500万元、100万元", "44.5%和62.7%"), ("500万元",))
"""What joins two figures of one list (they share the words before the first)."""
_REWARD = Rule("reward", re.compile(r"的?(?:一次性)?(?:奖励|补贴|资助|补助|奖补)"), ("的一次性奖励", "奖励资金7亿元"), ("予以",))
_DISTRIBUTIVE = Rule("distributive", re.compile(r"每(?:家|个|人|名|项|户|所|位)"),
                     ("每家予以不少于20万元奖励", "每个省(自治区、直辖市)"), ("每年",))
"""An award per recipient (每家, 给予…奖励): the recipient is named in the clause before."""
_INDEFINITE_OBJECT = Rule("indefinite_object", re.compile(r"一(?:批|系列|支)"),
                          ("组建起一支188人的首席服务专员队伍", "一批重点项目", "出台一系列政策措施"), ("一是",))
"""一批 / 一系列 / 一支: what follows is the thing measured."""


def _noun_of_clause(text: str, start: int, end: int) -> str:
    """The thing a clause introduces (引导一批中外合资合作创新型企业落户广州 → 中外合资合作创新型企业落户广州)."""
    objs = list(_INDEFINITE_OBJECT.pattern.finditer(text, start, end))
    return _before_words(text, objs[-1].end() if objs else start, end)


def _after_words(text: str, end: int, limit: int, to_figure: bool = False) -> tuple[str, bool]:
    """The noun phrase right after a figure (and whether it was introduced by 的)."""
    for word in ("左右", "以上", "以内", "以下"):
        if text.startswith(word, end):
            end += len(word)
    raw = _PARENTHESES.pattern.sub("", text[end:limit])
    stop = _AFTER_STOP.pattern.search(raw)
    after = raw[:stop.start()] if stop else raw
    if stop is None and to_figure and "、" in after:
        after = after[:after.rfind("、")]  # …研发机构、培育认定500家…: the next item's words are its own
    by_de = after.startswith("的")
    if by_de:
        after = after[1:]
    if after.startswith("将"):
        after = after[1:]
    after = _strip_tail(_METRIC_TAIL, after)
    if len(after) < 2 or after[0] in "和及与、或为是在于达已均从由向对":
        after = ""
    runs_on = stop is None and bool(after) and not _ITEM_JOIN.pattern.search(raw)
    return after, by_de, runs_on


def _metrics(text: str, breaks: list[int], sent: Sentence, group: list[_Found]) -> list[str | None]:
    """The metric of each scanned figure of one sentence (None where a source gave it).

    Figures joined by 、/和 in one clause share the words before the first of them (惠及企业超1500家、
    市民4.5万人) and, where they have none of their own, the noun after the last (500万元、100万元、50万元
    一次性薪酬补贴); a figure after 其中 with only a short qualifier of its own (国家级8家) takes the metric
    of the figure it breaks down.
    """
    n = len(group)
    befores, afters, chained, by_de, runs_on = [], [], [], [], []
    for i, f in enumerate(group):
        cs = _clause_start(breaks, sent, f.start)
        prev_end = group[i - 1].end if i else sent.start
        lo = max(cs, prev_end)
        between = text[prev_end:f.start] if i else ""
        chained.append(bool(i) and cs <= prev_end and bool(_JOINED.pattern.search(between)))
        own = _before_words(text, lo, f.start, share=f.unit in ("%", "‰"))
        nxt = group[i + 1].start if i + 1 < n else sent.end
        if cs > sent.start and (_DISTRIBUTIVE.pattern.match(text, lo) or (
                not own and lo == cs and _REWARD.pattern.match(text, f.end))):
            ps = _clause_start(breaks, sent, cs - 1)
            if not any(ps <= g.start < cs for g in group):
                # …企业落户广州,每家予以20万元奖励 / 遴选一批示范工程,给予最高500万元奖励
                own = _noun_of_clause(text, ps, cs - 1)
        befores.append(own)
        a, d, r = _after_words(text, f.end, nxt, i + 1 < n)
        afters.append(a)
        by_de.append(d)
        runs_on.append(r and i + 1 < n)
    out: list[str | None] = []
    chain_before = ""
    parent = None
    breakdown = False
    for i, f in enumerate(group):
        before, after = befores[i], afters[i]
        if by_de[i] and len(before) > 4:
            before = ""  # 建设了一支120人的志愿服务队伍: the noun after 的 names what is counted
        if not chained[i]:
            chain_before = before
        elif len(before) <= 2 and not CHANGE_RULES[0].pattern.search(before):
            before = chain_before + before  # 惠及企业超1500家、市民4.5万人
        if i and not chained[i] and before and before == text[group[i - 1].end:f.start]:
            before = befores[i - 1]  # 打通…11个许可证30个事项: the noun between is the first figure's
        if not after and (chained[i + 1] if i + 1 < n else False):
            j = i + 1
            while j < n and chained[j] and not afters[j] and not befores[j]:
                j += 1
            if j < n and chained[j] and not befores[j]:
                after = afters[j]  # 500万元、100万元、50万元一次性薪酬补贴
            else:
                j = i + 1
                while j < n and chained[j] and not by_de[j]:
                    j += 1
                if j < n and chained[j]:
                    after = afters[j]  # 营业收入超100亿元、税收超10亿元的商务楼宇
        elif runs_on[i] and afters[i + 1]:
            after += afters[i + 1]  # 协助46家企业获得65个子女入学指标
        prev_end = group[i - 1].end if i else sent.start
        if i and "其中" in text[prev_end:f.start]:
            breakdown = True
        metric = (before + after).strip("“”的")
        if breakdown and parent and len(befores[i]) <= 3:
            metric = parent + metric
        if not metric and parent:
            metric = parent
        out.append(group[i].metric if group[i].metric else metric)
        if not breakdown:
            parent = out[-1]
    return out


def _cumulative(text: str, breaks: list[int], sent: Sentence, start: int, end: int, is_change: bool) -> bool:
    """True when the words before a figure present it as a running total (累计, 截至…, …以来, a
    period 2014-2016年, or 共 where no single year is stated and no parts follow)."""
    if is_change:
        return False
    seg_start = max(text.rfind(";", sent.start, start) + 1, sent.start)
    before = text[seg_start:start]  # ``text`` is the masked view
    totals = list(CUMULATIVE_RULES[0].pattern.finditer(before))
    if totals:
        tail = before[totals[-1].end():]
        restated = _A_YEAR.pattern.search(tail)
        if not restated or restated.start() == 0:
            return True  # a year stated after 累计 opens a new period: 已累计发布…,2021年…超1600宗
    if context.YEAR_RULES[0].pattern.search(before):
        return True
    cs = _clause_start(breaks, sent, start)
    own = text[cs:start]
    if CUMULATIVE_RULES[1].pattern.search(own):
        single_year = context.sentence_year(text[sent.start:sent.end], None) is not None
        parts_follow = _PARTS_FOLLOW.pattern.match(text, end) is not None
        return not single_year and not parts_follow
    return False


def _change(text: str, lo: int, start: int, prev_change_end: int | None) -> bool:
    """True when the words between ``lo`` (clause start or the previous figure) and the figure
    make it a change or rate (同比增长, 净增, 新增 …) rather than a level."""
    if CHANGE_RULES[0].pattern.search(text[lo:start]):  # ``text`` is the masked view
        return True
    # 提速44.5%和62.7%: a figure joined to a change right before it is a change too
    return prev_change_end is not None and text[prev_change_end:start] in ("和", "、", "及", "与")


def extract_figures(text: str, sents: list[Sentence], paras: list[Paragraph], ctx,
                    money: list[Money] = (), counts: list[Count] = (), targets: list[Target] = (),
                    mentions: list[AgencyRef] = (), original: str | None = None,
                    future: set[int] | None = None) -> list[Figure]:
    """Find every figure in ``text`` (the folded view).

    ``ctx`` is the money context (issue year, reply or policy, commitment spans). With
    ``original`` (the stored text the view was folded from), spans and sentences quote it.
    ``future``: the document's ``targets.future_sentences`` over every sentence, when the
    caller has them (a plan runs inside its paragraph, so the set over all sentences holds
    the same answer for each sentence as the set over its paragraph's).

    >>> from etl.money import MoneyContext
    >>> from etl.segment import sentences, paragraphs
    >>> t = "截至目前,全市累计服务企业超1200家,培训近3万人次;2022年营业收入同比增长12.5%。"
    >>> [(f.span_text, f.value, f.unit, f.qualifier, f.is_cumulative, f.is_change, f.kind, f.metric)
    ...  for f in extract_figures(t, sentences(t), paragraphs(t), MoneyContext(2023, True, False))]
    [('1200家', 1200, '家', 'over', True, False, 'count', '服务企业'), ('3万人次', 30000, '人次', 'approx', True, False, 'count', '培训'), ('12.5%', 12.5, '%', 'exact', False, True, 'share', '营业收入')]
    """
    masked = context.masked(text)
    breaks = clause_breaks(text)
    sent_starts = [x.start for x in sents]
    mentions = sorted(mentions, key=lambda r: r.char_start)
    mention_starts = [r.char_start for r in mentions]
    found = [f for f in _from_sources(text, money, counts, targets)
             if f.source != "target" or not _excluded(breaks, masked, sents, sent_starts, f)]
    taken = [(f.start, f.end) for f in found]
    for f in _scan(masked, taken):
        if not _excluded(breaks, masked, sents, sent_starts, f):
            found.append(f)
    found.sort(key=lambda f: f.start)
    by_sentence: dict[int, list[_Found]] = {}
    sent_of: dict[int, Sentence] = {}
    for f in found:
        sent = _sentence_at(sents, sent_starts, f.start) or Sentence(f.start, f.end, text[f.start:f.end])
        by_sentence.setdefault(sent.start, []).append(f)
        sent_of[sent.start] = sent
    if future is None:
        future = _planned(text, sents, paras, ctx, [k for k, g in by_sentence.items() if any(f.target is None for f in g)])
    quoted = text if original is None else original
    out: list[Figure] = []
    for key, group in by_sentence.items():
        sent = sent_of[key]
        evidence = sent if quoted is text else Sentence(sent.start, sent.end, quoted[sent.start:sent.end])
        metrics = _metrics(text, breaks, sent, group)
        prev_change_end = None
        prev_level_metric = None
        for i, f in enumerate(group):
            lo = max(_clause_start(breaks, sent, f.start), group[i - 1].end if i else sent.start)
            if f.source is not None:
                year, basis = f.year, _basis(f.year, masked[sent.start:sent.end])
            else:
                year, basis = _year(masked, sent, f.start, ctx.issue_year, ctx.is_reply)
            is_change = _change(masked, lo, f.start, prev_change_end)
            cumulative = _cumulative(masked, breaks, sent, f.start, f.end, is_change)
            target = f.target if f.target is not None else sent.start in future
            metric = metrics[i]
            if is_change and prev_level_metric and _COMPARISON_ONLY.pattern.match(_METRIC_LEAD.pattern.sub("", masked[lo:f.start])):
                metric = prev_level_metric  # 同比增长32.45%: the rate of the level before it
            metric = normalise_metric(metric or "")
            known = f.unit_known or f.unit == "比"
            kind = units.kind_of(f.unit) if known else "count"
            out.append(Figure(quoted[f.start:f.end], f.start, f.end, _num(f.value), f.unit, f.qualifier, metric,
                              year, basis, cumulative, is_change, bool(target), kind, known,
                              _agency(sent, f.start, mentions, mention_starts), evidence))
            prev_change_end = f.end if is_change else None
            if not is_change:
                prev_level_metric = metric
    out.sort(key=lambda x: x.char_start)
    return out


def _planned(text: str, sents: list[Sentence], paras: list[Paragraph], ctx, starts: list[int]) -> set[int]:
    """The starts of the planned sentences (etl.targets' definition) among the paragraphs holding
    ``starts``: a plan carries on only inside its paragraph, so the others need not be read."""
    if not starts:
        return set()
    from etl.targets import future_sentences  # the one definition of which sentences plan

    para_starts = [p.start for p in paras]
    sent_starts = [x.start for x in sents]
    indices = {bisect.bisect_right(para_starts, pos) - 1 for pos in starts}
    wanted = sorted(k for k in indices if k >= 0)
    subset: list[Sentence] = []
    for k in wanted:
        lo = bisect.bisect_left(sent_starts, paras[k].start)
        hi = bisect.bisect_left(sent_starts, paras[k].end)
        subset.extend(sents[lo:hi])
    if len(wanted) < len(indices):
        subset = sents  # a sentence outside every paragraph: read them all
    return future_sentences(text, subset, paras, [(s, e, ()) for s, e in ctx.commitment_spans])


def _sentence_at(sents: list[Sentence], starts: list[int], pos: int) -> Sentence | None:
    k = bisect.bisect_right(starts, pos) - 1
    return sents[k] if k >= 0 and pos < sents[k].end else None


def _excluded(breaks: list[int], masked: str, sents: list[Sentence], sent_starts: list[int], f: _Found) -> bool:
    """True for an appositive restating a list count (海珠、番禺、黄埔、天河四区)."""
    sent = _sentence_at(sents, sent_starts, f.start)
    if sent is None:
        return False
    cs = _clause_start(breaks, sent, f.start)
    q, q_start = qualifier_before(masked, f.start)
    return is_appositive(masked[cs:q_start if q else f.start], f.value)


def _agency(sent: Sentence, start: int, mentions, mention_starts: list[int]) -> str | None:
    """The agency the figure's sentence names last before it, if any (``mentions`` sorted by start)."""
    k = bisect.bisect_left(mention_starts, start) - 1
    if k >= 0 and mentions[k].char_start >= sent.start:
        return mentions[k].canonical
    return None


def _num(v: float):
    return int(v) if float(v).is_integer() else v
