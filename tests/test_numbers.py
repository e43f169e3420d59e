"""Number parsing: Arabic, Chinese numerals, scales and qualifiers."""

import pytest
from hypothesis import given, strategies as st

from etl.numbers import (approximate_cn, parse_cn_integer, parse_number, qualifier_before, qualifier_tail, ratio_value,
                         scaled_value)


@pytest.mark.parametrize("written,value", [
    ("43.43", 43.43), ("1,157", 1157), ("1千", 1000), ("千", 1000), ("百", 100), ("2.6万", 26000),
    ("五百", 500), ("两千", 2000), ("三百五十", 350), ("十二", 12), ("一千二百万", 12_000_000),
    ("1.2万亿", 1.2e12), ("二〇二〇", 2020),
])
def test_parse(written, value):
    assert parse_number(written) == pytest.approx(value)


_DIG = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Write 1..9999 in Chinese numerals (the standard way)."""
    units = [(1000, "千"), (100, "百"), (10, "十")]
    out = ""
    zero = False
    for size, name in units:
        d, n = divmod(n, size)
        if d:
            if zero:
                out += "零"
                zero = False
            out += _DIG[d] + name
        elif out:
            zero = True
    if n:
        if zero:
            out += "零"
        out += _DIG[n]
    return out


@given(st.integers(min_value=1, max_value=9999))
def test_chinese_numerals_round_trip(n):
    assert parse_cn_integer(to_chinese(n)) == n


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=9999))
def test_wan_round_trip(hi, lo):
    written = to_chinese(hi) + "万" + ("零" if lo < 1000 else "") + to_chinese(lo)
    assert parse_cn_integer(written) == hi * 10_000 + lo


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_with_commas_round_trip(n):
    assert parse_number(f"{n:,}") == n


@pytest.mark.parametrize("text,q", [
    ("获得超过1", "over"), ("不少于2", "min"), ("最高3", "max"), ("近4", "approx"), ("约5", "approx"),
    ("逾6", "over"), ("不超过7", "max"), ("不低于8", "min"), ("共9", None),
])
def test_qualifier_before(text, q):
    assert qualifier_before(text, len(text) - 1)[0] == q


def test_qualifier_tail():
    assert qualifier_tail("65亿元左右", 4) == ("approx", 6)
    assert qualifier_tail("500家以上", 4) == ("min", 6)
    assert qualifier_tail("500家。", 4) == (None, 4)


@pytest.mark.parametrize("num,scale,value", [
    ("一万", None, 10_000), ("两千万", None, 20_000_000), ("三", None, 3), ("千", None, 1000), ("百", None, 100),
    ("千", "亿", 1e11), ("500", "亿", 5e10), ("200", "亿", 2e10), ("4.5", "万", 45_000), ("1,157", None, 1157),
    ("十二", "万", 120_000), ("三百五十", None, 350),
])
def test_scaled_value(num, scale, value):
    assert scaled_value(num, scale) == pytest.approx(value)


def test_ratio_value():
    assert ratio_value("1", "1") == 1.0 and ratio_value("1", "4") == 0.25
    with pytest.raises(ValueError):
        ratio_value("1", "0")


def test_qualifier_before_all_words():
    assert qualifier_before("至少2", 2)[0] == "min"
    assert qualifier_before("仍超千", 2)[0] == "over"


@pytest.mark.parametrize("num,upper", [("两三", "三"), ("二三十", "三十"), ("七八千", "八千"), ("三十", None), ("三五", None),
                                       ("二〇二〇", None)])
def test_approximate_cn(num, upper):
    assert approximate_cn(num) == upper
