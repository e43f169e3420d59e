"""Dates and deadlines."""

import pytest

from etl.dates import add_years, date_line, find_deadline, parse_date


@pytest.mark.parametrize("text,iso", [
    ("2022年5月30日", "2022-05-30"), ("二〇二〇年四月二日", "2020-04-02"), ("二〇一九年十二月三十一日", "2019-12-31"),
    ("发布日期:2017-07-27", "2017-07-27"), ("2017年 7月14日", "2017-07-14"), ("2022年2月30日", None),
    ("二〇〇七年九月七日", "2007-09-07"), ("二○○五年三月二日", "2005-03-02"), ("一九九七年五月九日", "1997-05-09"),
    ("二〇〇四年十一月二十七日", "2004-11-27"),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_date_line_only_when_the_line_is_a_date():
    assert date_line("  2022年6月17日") == "2022-06-17"
    assert date_line(" 二〇一一年八月十五日      ") == "2011-08-15"  # padded signature date (NBSP folded)
    assert date_line("二〇一一年八月十五日收到来函") is None
    assert date_line("2022年6月17日召开座谈会") is None


@pytest.mark.parametrize("text,issue_year,expected", [
    ("到2020年,高校人才发展平台不少于5个", 2017, ("2020-12-31", "到2020年")),
    ("明确2018年、2020年前全市贯标工作目标", 2017, ("2020-12-31", "2020年前")),
    ("年底前完成首批认定", 2021, ("2021-12-31", "年底前")),
    ("“十四五”期间培育龙头企业", 2021, ("2025-12-31", "“十四五”期间")),
    ("于2023年6月底前建成", 2021, ("2023-06-30", "2023年6月底前")),
    ("2016年以来共组织2000家企业", 2017, None),
    ("到2020年建成", 2021, None),  # a year already past when the reply was written is no deadline
    ("持续开展招商和稳商工作", 2021, None),
    ("2019年6月底前确定试点城市名单", 2018, ("2019-06-30", "2019年6月底前")),
    ("2019年上半年启动试点", 2018, ("2019-06-30", "2019年上半年")),
    ("2020年第三季度前完成验收", 2019, ("2020-09-30", "2020年第三季度")),
    ("2019年3月底前完成接入,8月底前实现全覆盖", 2019, ("2019-08-31", "8月底前")),
    ("移交工作2019年6月底前完成,竣工验收2020年12月底前完成", 2019, ("2020-12-31", "2020年12月底前")),
    ("请于2021年9月30日前报送省政府", 2021, ("2021-09-30", "2021年9月30日前")),
    ("2020年起,各部门于每年2月底前报送上一年度情况", 2019, None),  # recurring
    ("在两年之内给予支持", 2018, None),  # relative
    ("争取三年内实现全覆盖", 2019, None),
    ("在下一年度安排资金时予以倾斜", 2018, None),
])
def test_find_deadline(text, issue_year, expected):
    assert find_deadline(text, issue_year) == expected


def test_term_of_validity():
    assert add_years("2020-04-02", 3) == "2023-04-01"
    assert add_years("2020-02-29", 1) == "2021-02-27"
