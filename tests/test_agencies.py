"""Agency registry, recogniser and lead-group parsing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_a_district_body_written_with_its_city():
    assert resolve("广州市天河区科技工业和信息化局") == ("天河区科技工业和信息化局", True)
    assert resolve("广州市黄埔区政府") == ("广州市黄埔区人民政府", True)
    assert resolve("广州市海珠区住房和城乡建设局") == ("海珠区住房和城乡建设局", False)


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
    assert [(m.span_text, m.agency) for m in ex.money] == [("10亿元", "广州市番禺区人民政府"), ("1亿元", "广州市番禺区人民政府")]


@pytest.mark.parametrize("written,canonical", [
    ("发展改革委", "国家发展和改革委员会"), ("国家发展改革委", "国家发展和改革委员会"), ("市场监管总局", "国家市场监督管理总局"),
    ("扶贫办", "国务院扶贫开发领导小组办公室"), ("中央财政", "财政部"), ("人力资源社会保障部", "人力资源和社会保障部"),
    ("海关总署", "海关总署"), ("卫生健康委", "国家卫生健康委员会"), ("国资委", "国务院国有资产监督管理委员会"),
    ("劳动保障部", "劳动和社会保障部"), ("国土资源部", "国土资源部"), ("三峡办", "国务院三峡工程建设委员会办公室"),
    ("各省（区、市）人民政府", "各省级人民政府"), ("各省份", "各省级人民政府"), ("各地", "地方各级人民政府"),
    ("各地区、各有关部门", "各地区、各部门"), ("试点城市政府", "试点城市人民政府"),
])
def test_national_names_in_a_national_document(written, canonical):
    assert resolve(written, jurisdiction="全国", issuer="国务院办公厅") == (canonical, True)


def test_names_of_the_time_keep_their_successors():
    reg = registry()
    assert reg.current("劳动和社会保障部") == "人力资源和社会保障部"
    assert reg.current("国土资源部") == "自然资源部"
    assert reg.current("国家海洋局") == "自然资源部"


def test_the_same_short_form_follows_the_documents_own_jurisdiction():
    assert resolve("发展改革委", jurisdiction="广州市") == ("广州市发展和改革委员会", True)
    assert resolve("发展改革委", jurisdiction="全国") == ("国家发展和改革委员会", True)
    assert resolve("市交通运输局", jurisdiction="成都市") == ("成都市交通运输局", False)
    assert resolve("市发改委", jurisdiction="成都市") == ("成都市发展和改革委员会", False)  # the organ's full name
    assert resolve("县住房城乡建设局", "马关县", "马关县人民政府") == ("马关县住房城乡建设局", False)
    assert resolve("省交通运输厅", "江苏省", "江苏省人民政府办公厅") == ("江苏省交通运输厅", False)
    assert resolve("区教育局", "武侯区", "成都市武侯区人民政府") == ("成都市武侯区教育局", False)  # as the issuer names its place
    assert resolve("市教育局", "武侯区", "成都市武侯区人民政府") == ("成都市教育局", False)
    assert resolve("市委组织部", "成都市") == ("中共成都市委组织部", False)


@pytest.mark.parametrize("written,canonical", [
    ("成都市交通运输局", "成都市交通运输局"), ("马关县人民政府", "马关县人民政府"), ("马关县政府", "马关县人民政府"),
    ("江苏省人民政府办公厅", "江苏省人民政府办公厅"), ("四川省成都市武侯区教育局", "四川省成都市武侯区教育局"),
    ("中共成都市委宣传部", "中共成都市委宣传部"), ("新疆维吾尔自治区人民政府", "新疆维吾尔自治区人民政府"),
])
def test_any_body_is_recognised_by_place_and_organ_and_kept_unregistered(written, canonical):
    assert resolve(written, jurisdiction="全国") == (canonical, False)
    from etl.agencies import jurisdiction_of
    assert jurisdiction_of(canonical) != "全国"


def test_jurisdiction_of_bodies_at_every_level():
    from etl.agencies import jurisdiction_of
    assert [jurisdiction_of(x) for x in ("国务院", "财政部", "成都市交通运输局", "马关县人民政府", "江苏省人民政府办公厅",
                                         "天河区发展和改革局", "广州市财政局", "中共成都市委组织部")] == [
        "全国", "全国", "成都市", "马关县", "江苏省", "天河区", "广州市", "成都市"]


def test_mentions_in_a_national_text():
    text = "由发展改革委会同财政部门、成都市交通运输局和各省（区、市）人民政府负责。建议甘肃省人民政府做好评估。各地区要抓好落实。"
    from etl.normalize import fold
    refs = find_mentions(fold(text), jurisdiction="全国", issuer="国务院")  # extractors read the folded view
    assert [(r.written_as, r.canonical) for r in refs] == [
        ("发展改革委", "国家发展和改革委员会"), ("成都市交通运输局", "成都市交通运输局"),
        ("各省(区、市)人民政府", "各省级人民政府"), ("甘肃省人民政府", "甘肃省人民政府")]
    # 财政部门 (finance departments) is no 财政部; 各地区 is no 各地; 建议 is no part of a place.


def test_not_bodies_in_a_national_text():
    for text in ("同意以长春市名义申请举办博览会", "浙江省湖州市推行企业开办一日办", "沉降区内的中学及部分厂房",
                 "各省、自治区、直辖市人民政府要加强领导"):
        names = [r.canonical for r in find_mentions(text, jurisdiction="全国")]
        assert all(n in ("各省级人民政府",) for n in names), (text, names)


@pytest.mark.parametrize("group,expected", [
    ("工业和信息化部、科技部、发展改革委等", ["工业和信息化部", "科学技术部", "国家发展和改革委员会"]),
    ("交通运输部会同有关部门", ["交通运输部"]),
    ("扶贫办、商务部等和各省级人民政府", ["国务院扶贫开发领导小组办公室", "商务部", "各省级人民政府"]),
    ("各地区、各部门", ["各地区、各部门"]),
    ("省财政厅、交通运输厅", ["江苏省财政厅", "江苏省交通运输厅"]),
])
def test_parse_national_and_provincial_lists(group, expected):
    jurisdiction, issuer = ("江苏省", "江苏省人民政府") if group.startswith("省") else ("全国", "国务院")
    assert [c for _, c, _ in parse_agency_list(group, jurisdiction, issuer)] == expected


_TOKENS = ["中共", "湖北省", "广东省", "新疆维吾尔自治区", "成都市", "武侯区", "马关县", "玉林街道", "苏州工业园区",
           "市", "区", "县", "省", "州", "委", "人民政府", "办公厅", "交通运输局", "组织部", "管委会", "委员会", "中心",
           "由", "和", "及", "与", "会同", "请", "在", "的", "等", "负责", "牵头", "推进", "各", "有关", "部门",
           ",", "。", "(", ")", ":", "、", "\n", " ", "2021年", "建议"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=40))
def test_open_agency_spans_are_the_patterns_own(tokens):
    """The fast scan finds exactly what ``OPEN_AGENCY.finditer`` finds (the pattern is the definition)."""
    from etl.agencies import OPEN_AGENCY, open_agency_spans

    text = "".join(tokens)
    assert list(open_agency_spans(text)) == [m.span() for m in OPEN_AGENCY.pattern.finditer(text)]


_CLAUSE_TOKENS = ["番禺区", "海珠区", "天河区", "人民政府", "政府", "推动", "负责", "落实", "区", ",", "。", ";", ":",
                  "\n", "(", "的", "a", "1"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CLAUSE_TOKENS), max_size=30))
def test_clause_district_spans_are_the_patterns_own(tokens):
    from etl.agencies import CLAUSE_DISTRICT, clause_district_spans

    text = "".join(tokens)
    assert list(clause_district_spans(text)) == [m.span() for m in CLAUSE_DISTRICT.pattern.finditer(text)]
