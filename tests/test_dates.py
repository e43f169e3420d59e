"""Dates and deadlines."""

import pytest

from etl.dates import add_years, date_line, find_deadline, parse_date


@pytest.mark.parametrize("text,iso", [
    ("2022年5月30日", "2022-05-30"), ("二〇二〇年四月二日", "2020-04-02"), ("二〇一九年十二月三十一日", "2019-12-31"),
    ("发布日期:2017-07-27", "2017-07-27"), ("2017年 7月14日", "2017-07-14"), ("2022年2月30日", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_date_line_only_when_the_line_is_a_date():
    assert date_line("  2022年6月17日") == "2022-06-17"
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
])
def test_find_deadline(text, issue_year, expected):
    assert find_deadline(text, issue_year) == expected


def test_term_of_validity():
    assert add_years("2020-04-02", 3) == "2023-04-01"
    assert add_years("2020-02-29", 1) == "2021-02-27"
