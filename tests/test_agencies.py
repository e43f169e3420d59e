"""Agency registry, recogniser and lead-group parsing."""

import pytest

from etl.agencies import find_mentions, parse_agency_list, registry, resolve


def test_registry_is_consistent():
    reg = registry()
    names = [a.canonical for a in reg.agencies]
    assert len(names) == len(set(names))
    for a in reg.agencies:
        assert a.name_en and a.short_name
        if a.successor:
            assert reg.get(a.successor) is not None, a.successor


@pytest.mark.parametrize("written,canonical", [
    ("市工信委", "广州市工业和信息化委员会"), ("市科创委", "广州市科技创新委员会"), ("市大湾区办", "广州市推进粤港澳大湾区建设领导小组办公室"),
    ("市委网信办", "中共广州市委网络安全和信息化委员会办公室"), ("黄埔区政府", "广州市黄埔区人民政府"), ("天河区", "广州市天河区人民政府"),
    ("相关区政府", "广州市相关区人民政府"), ("广州地铁集团", "广州地铁集团有限公司"),
])
def test_resolve(written, canonical):
    assert resolve(written) == (canonical, True)


def test_successors():
    reg = registry()
    assert reg.current("广州市工业和信息化委员会") == "广州市工业和信息化局"
    assert reg.current("广州市科技创新委员会") == "广州市科学技术局"
    assert reg.current("广州市财政局") == "广州市财政局"


def test_relative_names():
    assert resolve("我局", issuer="广州市商务局") == ("广州市商务局", True)
    assert resolve("区科工信局", jurisdiction="天河区") == ("天河区科技工业和信息化局", True)
    assert resolve("区住建局", jurisdiction="海珠区") == ("海珠区住房和城乡建设局", False)


def test_unregistered_agencies_are_kept_and_flagged():
    assert resolve("市乡村振兴局") == ("广州市乡村振兴局", False)
    refs = find_mentions("由市乡村振兴局会同市财政局负责")
    assert [(r.canonical, r.is_registered) for r in refs] == [("广州市乡村振兴局", False), ("广州市财政局", True)]


def test_not_agencies():
    assert find_mentions("由区长任组长,分管区领导任副组长") == []
    assert find_mentions("财政局长出席会议") == []


@pytest.mark.parametrize("group,expected", [
    ("市科技局、地方金融监管局", ["广州市科学技术局", "广州市地方金融监督管理局"]),
    ("天河区、黄埔区政府", ["广州市天河区人民政府", "广州市黄埔区人民政府"]),
    ("市发展改革委、工业和信息化局、交通运输局", ["广州市发展和改革委员会", "广州市工业和信息化局", "广州市交通运输局"]),
    ("市市场监管局、司法局", ["广州市市场监督管理局", "广州市司法局"]),
    ("市委组织部、市科技局", ["中共广州市委组织部", "广州市科学技术局"]),
    ("市规划和自然资源局、各区政府", ["广州市规划和自然资源局", "广州市各区人民政府"]),
    ("市供销总社和市规划和自然资源局", ["广州市供销合作总社", "广州市规划和自然资源局"]),
])
def test_parse_agency_list(group, expected):
    assert [c for _, c, _ in parse_agency_list(group)] == expected


def test_a_district_heading_a_clause_acts_as_its_government():
    refs = find_mentions("2021年,天河区共走访服务企业。番禺区推动设立基金。依托天河区、黄埔区数字创意优势。")
    assert [(r.written_as, r.canonical) for r in refs] == [
        ("天河区", "广州市天河区人民政府"), ("番禺区", "广州市番禺区人民政府")]


def test_money_is_attributed_to_the_agency_its_sentence_names():
    from etl.extract import extract
    ex = extract("王泽新等代表:\n番禺区推动设立总规模10亿元(首期1亿元)的广州大学城创新创业投资基金。\n此复\n广州市工业和信息化局\n2022年5月30日")
    assert [(m.span, m.agency) for m in ex.money] == [("10亿元", "广州市番禺区人民政府"), ("1亿元", "广州市番禺区人民政府")]
