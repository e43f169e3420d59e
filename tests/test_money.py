"""Money amounts: values, qualifiers, kinds, years, targets, and what is not money."""

import pytest
from hypothesis import given, strategies as st

from etl.money import MoneyContext, classify_kind, extract_money
from etl.segment import sentences

REPLY = MoneyContext(2022, True, False)


def money(text, ctx=REPLY):
    return extract_money(text, sentences(text), ctx)


@pytest.mark.parametrize("text,span,yuan,qualifier", [
    ("2021年,市级财政投入科技创新专项资金43.43亿元。", "43.43亿元", 4_343_000_000, "exact"),
    ("已有近千家外资企业获得超过1千亿元融资。", "1千亿元", 100_000_000_000, "over"),
    ("涉及兑现金额超120亿元。", "120亿元", 12_000_000_000, "over"),
    ("联盟共实现主营业务收入65亿元左右。", "65亿元", 6_500_000_000, "approx"),
    ("每家予以不少于20万元奖励。", "20万元", 200_000, "min"),
    ("给予最高3000万元的项目经费资助。", "3000万元", 30_000_000, "max"),
    ("累计拨付资金200多亿元。", "200多亿元", 20_000_000_000, "over"),
    ("安排资金五百万元。", "五百万元", 5_000_000, "exact"),
    ("全社会投资逾1.2万亿元。", "1.2万亿元", 1_200_000_000_000, "over"),
    ("全年发放补贴约3,058万元。", "3,058万元", 30_580_000, "approx"),
    ("投入资金不超过两千万元。", "两千万元", 20_000_000, "max"),
])
def test_amounts(text, span, yuan, qualifier):
    got = money(text)
    assert [(m.span_text, m.amount_yuan, m.qualifier) for m in got] == [(span, yuan, qualifier)]
    m = got[0]
    assert text[m.char_start:m.char_end] == m.span_text


def test_list_of_amounts():
    text = "分三个等次,分别给予500万元、100万元、50万元一次性薪酬补贴。"
    got = money(text)
    assert [m.amount_yuan for m in got] == [5_000_000, 1_000_000, 500_000]
    assert {m.money_kind for m in got} == {"subsidy_rate"}


def test_range():
    got = money("对认定的项目给予50万至100万元资助。")
    assert [(m.span_text, m.amount_yuan, m.qualifier) for m in got] == [("50万", 500_000, "min"), ("100万元", 1_000_000, "max")]


@pytest.mark.parametrize("text", [
    "推动建设多元化市场。", "开展有限元快速分析技术攻关。", "年发电量10亿千瓦时。", "供气5亿立方米。",
    "引进外资1亿美元。", "形成三大千亿级产业集群。", "其中500亿级项目6个。",
])
def test_not_money(text):
    assert money(text) == []


@pytest.mark.parametrize("left,right,kind", [
    ("2016年投入", "支持产业转型升级", "fiscal"),
    ("整合安排", "设立再担保机构、", "fiscal"),
    ("", "设立中小企业发展基金", "fund"),
    ("在全省率先启动", "金融支持稳外资战略合作计划", "financing"),
    ("截至2021年末广州地区本外币涉农贷款余额达", "", "economic"),
    ("2016年全年为企业减负超过", "", "economic"),
    ("对入选的高端创新团队给予", "人才经费资助", "subsidy_rate"),
    ("给予最高", "奖励", "subsidy_rate"),
    ("全市新能源汽车产业规模达到", "", "economic"),
    ("每家予以不少于", "奖励", "subsidy_rate"),
    ("已有近千家外资企业获得超过", "融资", "economic"),
    ("数字经济产业总规模达到", "", "economic"),
    ("按照每人每月", "的标准发放补贴", "subsidy_rate"),
])
def test_kind(left, right, kind):
    assert classify_kind(left, right) == kind


@pytest.mark.parametrize("text,year", [
    ("2021年,市级财政投入科技创新专项资金43.43亿元。", 2021),
    ("截至目前,全市累计受理政策兑现业务超29万件,涉及兑现金额超120亿元。", 2022),
    ("截至2021年末广州地区本外币涉农贷款余额达2841亿元。", 2021),
    ("安排省、市两级财政资金2.38亿元兑现小升规扶持政策。", None),
    ("去年全市规模以上家具制造企业主营业务收入约206.1亿元。", 2021),
    ("印发《2019年度资金管理办法》,安排资金3亿元。", None),
])
def test_year(text, year):
    assert money(text)[0].figure_year == year


def test_target_when_planned_or_inside_a_commitment():
    assert money("预计2017年市区两级财政科技经费将达到108亿元。")[0].is_target is True
    assert money("2016年投入34.1亿元支持产业转型升级。")[0].is_target is False
    text = "全年投入2亿元扶持资金。"
    ctx = MoneyContext(2022, True, False, ((0, len(text)),))
    assert money(text, ctx)[0].is_target is True


def _write(n: int, scale: str) -> str:
    return f"{n}{scale}元"


@given(st.integers(min_value=1, max_value=99_999), st.sampled_from(["", "万", "亿"]))
def test_amounts_written_out_parse_back(n, scale):
    text = f"投入资金{_write(n, scale)}。"
    got = money(text)
    assert len(got) == 1
    assert got[0].amount_yuan == n * {"": 1, "万": 10_000, "亿": 100_000_000}[scale]


@given(st.decimals(min_value="0.01", max_value="9999.99", places=2))
def test_decimal_amounts_parse_back(d):
    text = f"投入资金{d}亿元。"
    got = money(text)
    if float(d) == 0:
        assert got == []
    else:
        assert got[0].amount_yuan == pytest.approx(float(d) * 1e8)


@given(st.text(max_size=200))
def test_never_raises_on_arbitrary_text(text):
    for m in money(text):
        assert text[m.char_start:m.char_end] == m.span_text


@pytest.mark.parametrize("sentence, span, yuan, qualifier, kind", [
    ("2022年,我局共投入资金1.2亿余元。", "1.2亿余元", 1.2e8, "over", "fiscal"),
    ("统筹十余亿元用于城市更新。", "十余亿元", 1e9, "over", "fiscal"),
    ("每千瓦时补贴0.1元。", "0.1元", 0.1, "exact", "subsidy_rate"),
    ("每立方米加收5分钱。", "5分钱", 0.05, "exact", "economic"),
    ("单笔贷款金额500万元及以下的项目优先。", "500万元", 5e6, "max", "subsidy_rate"),
    ("每户申领的补贴不能超过每月800元。", "800元", 800, "max", "subsidy_rate"),
    ("设立总规模20亿元(首期5亿元)的产业投资基金。", "20亿元", 2e9, "exact", "fund"),
])
def test_amounts_as_other_places_write_them(sentence, span, yuan, qualifier, kind):
    from etl.extract import extract

    got = {m.span_text: m for m in extract(sentence).money}
    m = got[span]
    assert (m.amount_yuan, m.qualifier, m.money_kind) == (pytest.approx(yuan), qualifier, kind)


def test_a_part_in_parentheses_and_a_running_total_are_flagged():
    from etl.extract import extract

    parts = {m.span_text: m for m in extract("设立总规模20亿元(首期5亿元)的产业投资基金。截至目前,累计投入3亿元。").money}
    assert parts["5亿元"].is_part and not parts["20亿元"].is_part
    assert parts["3亿元"].is_cumulative and not parts["20亿元"].is_cumulative
