"""Targets: quantified goals for the future."""

import pytest

from etl import segment
from etl.money import MoneyContext, extract_money
from etl.targets import extract_targets, target_year


def targets(text, issue_year=2017, leads=("广州市工业和信息化委员会",), commitments=()):
    paras = segment.paragraphs(text)
    sents = segment.sentences(text)
    money = extract_money(text, sents, MoneyContext(issue_year, True, False, tuple((s, e) for s, e, _ in commitments)))
    from etl.agencies import find_mentions
    return extract_targets(text, sents, paras, money, list(commitments), issue_year, find_mentions(text), leads)


def test_planned_quantities():
    text = "力争2020年培育各类创新型中小企业超600家、新增不少于2000家创新型产业技术研发机构、培育认定500家市级企业技术中心。"
    got = targets(text)
    assert [(t.span_text, t.value, t.qualifier, t.figure_year, t.unit) for t in got] == [
        ("600家", 600, "over", 2020, "家"), ("2000家", 2000, "min", 2020, "家"), ("500家", 500, "exact", 2020, "家")]


def test_money_and_share_in_a_forecast():
    got = targets("预计2017年市区两级财政科技经费将达到108亿元(其中70%将投入企业科研)。")
    assert [(t.span_text, t.unit, t.figure_year) for t in got] == [("108亿元", "元", 2017), ("70%", "%", 2017)]


def test_reported_figures_are_not_targets():
    assert targets("2016年,全年净增高新技术企业2823家,累计达4740家。") == []
    assert targets("市级申请事项实现100%可网办。") == []


def test_scale_class_with_relative_term():
    got = targets("力争用三年左右的时间将其建设成为千亿级的互联网产业集聚区。")
    assert [(t.span_text, t.value, t.qualifier, t.figure_year) for t in got] == [("千亿级", 1e11, "approx", 2020)]


def test_subject_agency_leads_a_plan():
    text = "市科创委大力贯彻实施人才支持计划。其中《实施办法》计划5年内重点引进约20名创新领军人才。对50个创新领军团队给予支持。"
    got = targets(text)
    assert [(t.span_text, t.lead_agencies) for t in got] == [
        ("20名", ("广州市科技创新委员会",)), ("50个", ("广州市科技创新委员会",))]
    assert got[0].figure_year is None  # 5年内: the base year is not stated


def test_inside_a_commitment_takes_its_leads():
    text = "首期推出超过100个示范项目,提供公共服务事项100%网上办理。"
    got = targets(text, commitments=[(0, len(text), ("广州市工业和信息化局",))])
    assert [(t.span_text, t.lead_agencies) for t in got] == [("100个", ("广州市工业和信息化局",)), ("100%", ("广州市工业和信息化局",))]


def test_not_goals():
    text = "对企业按照实际投资额的10%给予奖励,打造世界500强企业,成立三个办公室,推进5G建设。"
    assert targets(text, commitments=[(0, len(text), ("广州市人民政府",))]) == []


@pytest.mark.parametrize("sentence,year", [
    ("到2020年,高校人才发展平台不少于5个", 2020),
    ("力争用三年左右的时间建成", 2020),
    ("“十四五”期间培育龙头企业100家", 2025),
    ("计划5年内引进20名人才", None),
])
def test_target_year(sentence, year):
    assert target_year(sentence, 2017) == year
