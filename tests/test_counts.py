"""Project counts."""

import pytest

from etl.counts import extract_counts
from etl.money import MoneyContext
from etl.segment import sentences

REPLY = MoneyContext(2022, True, False)


def counts(text, ctx=REPLY):
    return extract_counts(text, sentences(text), ctx)


@pytest.mark.parametrize("text,span,value,qualifier,metric", [
    ("2021年,全市新洽谈产业招商项目3147个,同比增长32.45%。", "新洽谈产业招商项目3147个", 3147, "exact", "新洽谈产业招商项目"),
    ("近年引进优质项目近千个。", "优质项目近千个", 1000, "approx", "优质项目"),
    ("其中百亿级项目超30个。", "百亿级项目超30个", 30, "over", "百亿级项目"),
    ("共支持互联网与智能制造融合发展相关项目16个。", "互联网与智能制造融合发展相关项目16个", 16, "exact", "互联网与智能制造融合发展相关项目"),
    ("首期推出超过100个技术领先的示范项目。", "100个技术领先的示范项目", 100, "over", "技术领先的示范项目"),
    ("全年实施重点项目200多个。", "重点项目200多个", 200, "over", "重点项目"),
])
def test_counts(text, span, value, qualifier, metric):
    got = counts(text)
    assert [(c.span_text, c.value, c.qualifier, c.metric) for c in got] == [(span, value, qualifier, metric)]


@pytest.mark.parametrize("text", [
    "全市累计发布“免申即享”事项共45项。", "推动260项年度任务落地见效。", "入围的创建小镇共3个。",
    "编制并公布办事指南1350份。", "加强项目建设。",
])
def test_not_project_counts(text):
    assert counts(text) == []


def test_year_crosses_semicolons_within_a_sentence():
    got = counts("2021年,全市新洽谈产业招商项目3147个;签约项目1157个;注册项目1267个。")
    assert [c.figure_year for c in got] == [2021, 2021, 2021]
