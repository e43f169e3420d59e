"""Read dates and deadlines as the documents write them.

In: text. Out: ISO dates (``YYYY-MM-DD``) and deadline (date, basis, as written).
"""

from __future__ import annotations

import datetime as dt
import re

from etl.numbers import parse_cn_integer
from etl.segment import Rule

_CN = "零〇○Ｏ一二三四五六七八九十"
_ZERO = str.maketrans({"○": "〇", "Ｏ": "〇"})  # the zero is also written with a circle or a letter
DATE_RULES = (
    Rule("arabic", re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
         ("2022年5月30日", "2017年 7月14日"), ("2022年5月",)),
    Rule("chinese", re.compile(rf"(?P<y>[{_CN}]{{4}})年(?P<m>[{_CN}]{{1,2}})月(?P<d>[{_CN}]{{1,3}})日"),
         ("二〇二〇年四月二日", "二〇一九年十二月三十一日", "二○○五年八月十二日"), ("四月二日",)),
    Rule("iso", re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
         ("2017-06-30", "2017/7/27"), ("2016-2020",)),
)


def parse_date(s: str) -> str | None:
    """Return the first date in ``s`` as ``YYYY-MM-DD``, or None.

    >>> parse_date("2022年5月30日"), parse_date("二〇二〇年四月二日"), parse_date("发布日期:2017-07-27")
    ('2022-05-30', '2020-04-02', '2017-07-27')
    >>> parse_date("二○○五年八月十二日"), parse_date("一九九七年五月九日")
    ('2005-08-12', '1997-05-09')
    """
    best = None
    for rule in DATE_RULES:
        m = rule.pattern.search(s)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), m)
    if best is None:
        return None
    m = best[1]
    try:
        y, mo, d = (int(parse_cn_integer(v.translate(_ZERO))) if not v.isdigit() else int(v)
                    for v in (m["y"], m["m"], m["d"]))
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def date_line(line: str) -> str | None:
    """Return the date if the whole line is a date (a signature date), else None."""
    s = line.strip(" \t\u3000\xa0")
    for rule in DATE_RULES[:2]:
        m = rule.pattern.fullmatch(s)
        if m:
            return parse_date(s)
    return None


def add_years(iso: str, years: int) -> str:
    """Return the last day of a term of ``years`` years starting on ``iso``.

    >>> add_years("2020-04-02", 3)
    '2023-04-01'
    """
    d = dt.date.fromisoformat(iso)
    try:
        end = d.replace(year=d.year + years)
    except ValueError:  # 29 February
        end = d.replace(year=d.year + years, day=28)
    return (end - dt.timedelta(days=1)).isoformat()


FIVE_YEAR_PLANS = {"十三五": 2020, "十四五": 2025, "十五五": 2030, "十二五": 2015}

DEADLINE_RULES = (
    Rule("five_year_plan", re.compile(r"[“\"]?(?P<plan>十[二三四五]五)[”\"]?(?:期间|时期|末)"), ("“十四五”期间",), ("十四",)),
    Rule("date_before", re.compile(r"(?P<y>20\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:前|以前|之前)"),
         ("于2021年9月30日前报送",), ("2021年9月30日起",)),
    Rule("year_before", re.compile(r"(?P<y>20\d{2})年(?:(?P<m>\d{1,2})月)?(?:底|末)?(?:前|以前|之前)"),
         ("2020年前", "2022年6月底前", "2025年底前"), ("2020年,",)),
    Rule("by_year", re.compile(r"(?:到|至|力争|争取|于|在)(?P<y>20\d{2})年(?:(?P<m>\d{1,2})月)?(?:底|末)?"),
         ("到2020年", "力争2020年", "于2023年6月底"), ("2016年以来",)),
    Rule("year_action", re.compile(r"(?<![\d~至到-])(?P<y>20\d{2})年(?P<m>)(?:年?底)?(?=完成|建成|实现|达到|基本建成|全面建成|全面完成|全覆盖)"),
         ("2024年完成10所学校改造", "2025年底建成"), ("2021年以来", "2016-2020年完成")),
    Rule("half_year", re.compile(r"(?P<y>20\d{2})年(?P<h>上|下)半年"), ("2019年上半年", "2020年下半年"), ("上半年",)),
    Rule("quarter", re.compile(r"(?P<y>20\d{2})年(?:第)?(?P<q>[一二三四1-4])季度"), ("2019年第一季度", "2020年3季度"), ("每季度",)),
    Rule("month_before", re.compile(r"(?<![\d年月])(?P<m>\d{1,2})月(?:底|末)?(?:前|以前|之前)"),
         ("2019年3月底前和8月底前",), ("每年2月底前", "2019年6月底前")),
    Rule("year_end", re.compile(r"(?<![每一二三四五六七八九十两几多数\d])(?:(?:今年|本年|年)底前|年内)"),
         ("年底前", "今年年内"), ("年度", "三年内", "每年底前")),
)
"""A deadline the clause writes as a date: one-time only. Recurring (每年2月底前) and relative
limits (两年之内, 三年内, 下一年度) are no deadline; a month written after a year (3月底前和8月底前)
takes that year."""
_YEAR = Rule("a_year", re.compile(r"(20\d{2})年"), ("2019年3月底前完成接入",), ("“十四五”期间", "3月底前"))
"""The years written before a month-only deadline (the last gives its year)."""
_QUARTER_END = {"一": 3, "二": 6, "三": 9, "四": 12, "1": 3, "2": 6, "3": 9, "4": 12}
REPLY_YEAR = Rule("reply_year", re.compile(r"全年|今年|本年度|年内"),
                  ("今年将继续加大支持力度", "力争年内完成", "全年计划"), ("明年", "年度"))
"""A reply's promise for the year it answers in (今年, 年内): its deadline is that year's end."""


def month_end(y: int, m: int | None) -> str:
    if not m:
        return f"{y}-12-31"
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).isoformat()


def find_deadline(text: str, issue_year: int | None) -> tuple[str, str] | None:
    """Return (deadline date, as written) for the latest explicit deadline in ``text``, or None.

    >>> find_deadline("明确2018年、2020年前全市贯标工作目标", 2017)
    ('2020-12-31', '2020年前')
    >>> find_deadline("力争2020年培育各类创新型中小企业超600家", 2017)
    ('2020-12-31', '力争2020年')
    >>> find_deadline("2016年以来共组织2000家企业", 2017) is None
    True
    >>> find_deadline("2019年3月底前完成接入,8月底前完成全部", 2019)
    ('2019-08-31', '8月底前')
    >>> find_deadline("加大投入力度,2024年完成10所学校改造", 2023)
    ('2024-12-31', '2024年')
    >>> find_deadline("2022年完成投资5亿元", 2023) is None  # a year already past reports, not promises
    True
    """
    best: tuple[str, str] | None = None
    for rule in DEADLINE_RULES:
        for m in rule.pattern.finditer(text):
            if rule.name == "five_year_plan":
                date = f"{FIVE_YEAR_PLANS[m['plan']]}-12-31"
            elif rule.name == "year_end":
                if issue_year is None:
                    continue
                date = f"{issue_year}-12-31"
            else:
                if rule.name == "month_before":
                    years = _YEAR.pattern.findall(text, 0, m.start())
                    if not years:
                        continue
                    y = int(years[-1])
                else:
                    y = int(m["y"])
                if issue_year and y < issue_year:
                    continue
                if rule.name == "year_action" and (issue_year is None or y <= issue_year):
                    continue  # "2023年完成…" in a 2023 text may report; only a later year promises
                try:
                    if rule.name == "date_before":
                        date = dt.date(y, int(m["m"]), int(m["d"])).isoformat()
                    elif rule.name == "half_year":
                        date = month_end(y, 6 if m["h"] == "上" else 12)
                    elif rule.name == "quarter":
                        date = month_end(y, _QUARTER_END[m["q"]])
                    else:
                        date = month_end(y, int(m["m"]) if m["m"] else None)
                except ValueError:
                    continue
            if best is None or date > best[0]:
                best = (date, m.group())
    return best
