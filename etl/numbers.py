"""Parse numbers as the documents write them, and the qualifiers bound to them.

In: a number as written (``43.43``, ``1,157``, ``两千``, ``近千``, ``200多``) and the text around
it. Out: a float value and a qualifier (exact / approx / over / min / max).
"""

from __future__ import annotations

import re

from etl.segment import Rule

CN_DIGITS = "零〇一二两三四五六七八九"
CN_UNITS = "十百千万亿"
CN_NUMBER_CHARS = CN_DIGITS + CN_UNITS

NUMBER = (
    r"(?=[\d" + CN_DIGITS + r"十千百])"  # what every branch starts with: spares the branches elsewhere
    r"(?:(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:[千百]?(?:万亿|亿|万)?|[千百])"
    r"|[" + CN_DIGITS + r"十][" + CN_NUMBER_CHARS + r"]*"
    r"|[千百](?=[万亿个家项名元]))"
)
"""A number: Arabic (with thousands commas and decimals) optionally scaled by 千/百/万/亿,
or Chinese numerals (两千, 三百五十, 一千二百万). A bare 千/百 before a unit counts as 1000/100."""

_CN_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}


def parse_cn_integer(s: str) -> float:
    """Parse Chinese numerals.

    >>> parse_cn_integer("三百五十"), parse_cn_integer("两千"), parse_cn_integer("十二"), parse_cn_integer("一千二百万")
    (350.0, 2000.0, 12.0, 12000000.0)
    >>> parse_cn_integer("二〇二〇")
    2020.0
    """
    if s and all(ch in _CN_VALUE for ch in s) and len(s) > 1:
        return float("".join(str(_CN_VALUE[ch]) for ch in s))  # 二〇二〇 digit by digit
    total = 0.0
    section = 0.0
    digit = 0.0
    for ch in s:
        if ch in _CN_VALUE:
            digit = _CN_VALUE[ch]
        elif ch in _SMALL_UNITS:
            section += (digit or 1) * _SMALL_UNITS[ch]
            digit = 0
        elif ch in _BIG_UNITS:
            section += digit
            if ch == "亿":
                total = (total + section) * _BIG_UNITS[ch]
            else:
                total += section * _BIG_UNITS[ch]
            section = 0
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return float(total + section + digit)


_SCALE = {"": 1, "千": 1e3, "百": 1e2, "万": 1e4, "亿": 1e8, "万亿": 1e12, "千万": 1e7, "百万": 1e6,
          "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "十万": 1e5}


_ARABIC_SCALED = Rule("arabic_scaled", re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)([千百十]?(?:万亿|亿|万)?)"),
                      ("43.43", "1,157", "2.6万", "1.2万亿", "1千"), ("五百", "千"))
"""A number in Arabic digits (thousands with commas), with the scale word written after it."""


def parse_number(s: str) -> float:
    """Parse a number as written (Arabic or Chinese, optionally scaled).

    >>> parse_number("43.43"), parse_number("1,157"), parse_number("1千"), parse_number("千")
    (43.43, 1157.0, 1000.0, 1000.0)
    >>> parse_number("2.6万"), parse_number("五百"), parse_number("1.2万亿")
    (26000.0, 500.0, 1200000000000.0)
    """
    s = s.strip()
    m = _ARABIC_SCALED.pattern.fullmatch(s)
    if m:
        return float(m.group(1).replace(",", "")) * _SCALE[m.group(2)]
    if s in ("千", "百"):
        return _SCALE[s]
    return parse_cn_integer(s)


SCALE_VALUE = {"": 1.0, "万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "千万": 1e7, "百万": 1e6,
               "十万": 1e5, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2}
"""A scale word written after a number (``200多亿条``: 200 × 亿)."""


def scaled_value(num: str, scale: str | None = None) -> float:
    """Parse a number and multiply in the scale word written after it (多/余 in between add nothing).

    >>> scaled_value("200", "亿"), scaled_value("4.5", "万"), scaled_value("一万"), scaled_value("千", "亿")
    (20000000000.0, 45000.0, 10000.0, 100000000000.0)
    """
    return parse_number(num) * SCALE_VALUE[scale or ""]


_CONSECUTIVE = Rule("consecutive", re.compile(r"([一二两三四五六七八九])([二三四五六七八九])(.*)"),
                    ("两三", "二三十", "三四百万"), ("三十", "十二"))
"""Two neighbouring digits written together (两三个, 二三十家): a vague number."""
_ORDER = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def approximate_cn(num: str) -> str | None:
    """Return the upper bound of a vague Chinese numeral written as two neighbouring digits
    (两三 = 2 or 3, 二三十 = 20 to 30), else None.

    >>> approximate_cn("两三"), approximate_cn("二三十"), approximate_cn("三四百万"), approximate_cn("三十")
    ('三', '三十', '四百万', None)
    """
    m = _CONSECUTIVE.pattern.fullmatch(num)
    if m and _ORDER[m.group(2)] == _ORDER[m.group(1)] + 1:
        return m.group(2) + m.group(3)
    return None


def ratio_value(a: str, b: str) -> float:
    """Return a ratio a∶b as the number a/b (``1∶1`` → 1.0).

    >>> ratio_value("1", "1"), ratio_value("3", "2")
    (1.0, 1.5)
    """
    den = float(b)
    if not den:
        raise ValueError(f"ratio with zero denominator: {a}:{b}")
    return float(a) / den


QUALIFIER_BEFORE = (
    ("不少于", "min"), ("不低于", "min"), ("至少", "min"),
    ("不超过", "max"), ("不高于", "max"), ("最高", "max"), ("最多", "max"), ("上限", "max"),
    ("超过", "over"), ("超", "over"), ("逾", "over"), ("多于", "over"), ("高于", "over"),
    ("接近", "approx"), ("将近", "approx"), ("近", "approx"), ("约", "approx"), ("大约", "approx"),
)
QUALIFIER_TAIL = (("左右", "approx"), ("以上", "min"), ("以内", "max"), ("以下", "max"))

BEFORE_RE = Rule("qualifier_before", re.compile("(?:" + "|".join(q for q, _ in sorted(QUALIFIER_BEFORE, key=lambda x: -len(x[0]))) + ")$"),
                 ("获得超过", "每家予以不少于", "接近"), ("超过了", "获得"))
"""A qualifier word (QUALIFIER_BEFORE) right before a number, longest first."""


def qualifier_before(text: str, start: int) -> tuple[str | None, int]:
    """Return (qualifier, start of the qualifier word) for the words just before ``start``.

    >>> qualifier_before("获得超过1千亿元", 4)
    ('over', 2)
    >>> qualifier_before("每家予以不少于20万元", 7)
    ('min', 4)
    """
    window = text[max(0, start - 4):start]
    m = BEFORE_RE.pattern.search(window)
    if not m:
        return None, start
    word = m.group()
    return dict(QUALIFIER_BEFORE)[word], start - len(word)


def qualifier_tail(text: str, end: int) -> tuple[str | None, int]:
    """Return (qualifier, new end) for 左右/以上 written just after a figure."""
    for word, q in QUALIFIER_TAIL:
        if text.startswith(word, end):
            return q, end + len(word)
    return None, end
