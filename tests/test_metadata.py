"""Document metadata read by position and shape, on small documents written for these tests
(other cities, provinces and counties than the seeds'), in the forms real documents take."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import segment
from etl.metadata import extract_metadata, find_signature, header_title
from etl.normalize import fold


def meta_of(text: str):
    view = fold(text)
    return extract_metadata(view, segment.paragraphs(view))[0]


CHENGDU_REPLY = """张三等代表：
您提出的关于优化公交线路的建议（第2023045号）收悉。我局会同市公安局、市规划和自然资源局研究办理，现答复如下：
一、基本情况
我市已开通公交线路1200条。
二、下一步工作
市交通运输局将会同市财政局优化线路。
此复
成都市交通运输局
2023年5月8日
"""

JIANGSU_NOTICE = """江苏省人民政府办公厅关于加强
农村公路养护工作的通知
苏政办发〔2021〕12号
各市、县（市、区）人民政府，省各委办厅局，省各直属单位：
为加强农村公路养护，经省人民政府同意，现就有关事项通知如下：
一、明确养护责任。各设区市人民政府要落实主体责任。（省交通运输厅负责）
二、加大资金投入。省财政厅要加大支持力度。（省财政厅、省交通运输厅负责）
三、强化考核监督。建立考核机制。（省交通运输厅负责）
江苏省人民政府办公厅
2021年3月1日
（此件公开发布）
"""

COUNTY_PLAN = """马关县人民政府关于印发马关县农村人居环境整治实施方案的通知
马政发〔2019〕3号
各乡（镇）人民政府，县直各部门：
现将《马关县农村人居环境整治实施方案》印发给你们，请认真组织实施。
马关县人民政府\u3000\u3000\u3000
二○一九年三月五日\xa0\xa0\xa0
马关县农村人居环境整治实施方案
一、重点任务
（一）推进垃圾治理。县住房城乡建设局负责。
（二）推进污水治理。县生态环境局负责。
"""


def test_a_city_bureaus_reply():
    m = meta_of(CHENGDU_REPLY)
    assert (m.doc_type, m.issuer, m.jurisdiction, m.issue_date) == (
        "npc_suggestion_reply", "成都市交通运输局", "成都市", "2023-05-08")
    assert (m.title, m.proposal_no, m.addressee) == ("关于第2023045号建议的答复", "2023045", "张三等")
    # 市X in a Chengdu text is Chengdu's bureau, not Guangzhou's.
    assert m.co_agencies == ("成都市公安局", "成都市规划和自然资源局")


def test_a_provincial_notice_with_numbered_measures():
    m = meta_of(JIANGSU_NOTICE)
    assert m.title == "江苏省人民政府办公厅关于加强农村公路养护工作的通知"  # joined over its two lines
    assert m.doc_no == "苏政办发〔2021〕12号"
    assert (m.doc_type, m.issuer, m.jurisdiction, m.issue_date) == (
        "policy_measures", "江苏省人民政府办公厅", "江苏省", "2021-03-01")
    assert m.addressee is None and m.co_agencies == ()


def test_a_county_notice_issuing_a_plan_takes_the_plans_title_and_the_notices_date():
    m = meta_of(COUNTY_PLAN)
    assert m.title == "马关县农村人居环境整治实施方案"
    assert (m.doc_type, m.issuer, m.jurisdiction, m.issue_date, m.doc_no) == (
        "policy_measures", "马关县人民政府", "马关县", "2019-03-05", "马政发〔2019〕3号")


def test_a_fuhan_to_a_government_relays_the_ministries_it_consulted():
    text = """国务院办公厅关于某省
水利建设有关问题的复函
国办函〔2010〕5号
某省人民政府：
你省《关于请求支持水利建设的请示》收悉。经国务院同意，现函复如下：
一、关于水库建设问题。
水利部会同发展改革委研究提出意见：同意纳入规划。
二、关于资金问题。
有关方面提出了以下意见：按规定办理。
三、关于移民问题。
财政部、劳动保障部意见：按现行政策执行。
国务院办公厅
二〇一〇年一月八日
附件
水利部关于有关问题的报告
国务院：
……
水利部
二〇〇九年十二月一日
"""
    m = meta_of(text)
    assert m.title == "国务院办公厅关于某省水利建设有关问题的复函"
    assert (m.doc_type, m.issuer, m.jurisdiction, m.issue_date) == ("other", "国务院办公厅", "全国", "2010-01-08")
    assert m.addressee is None  # a 复函 to a government has no deputy addressee
    assert m.co_agencies == ("水利部", "国家发展和改革委员会", "财政部", "劳动和社会保障部")


@pytest.mark.parametrize("ending,doc_type", [
    ("的批复", "other"), ("的通报", "other"), ("的指导意见", "policy_measures"), ("的意见", "policy_measures"),
])
def test_document_type_from_the_title_kind(ending, doc_type):
    text = f"国务院关于推进某项工作{ending}\n国发〔2019〕9号\n各省、自治区、直辖市人民政府：\n一、总体要求。……。\n国务院\n2019年2月1日\n"
    assert meta_of(text).doc_type == doc_type


def test_a_notice_without_measures_is_other_and_a_regulation_in_articles_is_other():
    informs = "某市人民政府办公室关于调整会议时间的通知\n各区人民政府：\n原定会议改期举行。\n某市人民政府办公室\n2020年6月1日\n"
    assert meta_of(informs).doc_type == "other"
    regulation = ("云南省人民政府关于印发云南省专项资金管理暂行办法的通知\n各市人民政府：\n现将《云南省专项资金管理暂行办法》印发给你们。\n"
                  "云南省人民政府\n2020年1月2日\n云南省专项资金管理暂行办法\n第一条 为规范管理。\n第二条 适用范围。\n第三条 本办法自2020年2月1日起施行。\n")
    m = meta_of(regulation)
    assert (m.title, m.doc_type, m.issue_date, m.valid_from) == ("云南省专项资金管理暂行办法", "other", "2020-01-02", "2020-02-01")


def test_header_dates_by_rank_when_there_is_no_signature():
    text = "发布日期：2022年3月15日  成文日期：2022年3月1日\n杭州市人民政府关于促进数字经济发展的若干意见\n为加快数字经济发展，提出如下意见。\n一、加强平台建设。\n"
    m = meta_of(text)
    assert (m.title, m.issue_date, m.issuer, m.jurisdiction) == (
        "杭州市人民政府关于促进数字经济发展的若干意见", "2022-03-01", "杭州市人民政府", "杭州市")


def test_signature_is_the_first_block_and_may_be_joint():
    assert find_signature("正文。\n国家发展改革委\n财政部\n2019年1月5日\n附件\n某某局\n2018年12月1日\n") == (
        "国家发展和改革委员会", "2019-01-05")
    assert find_signature("正文。\n广州市商务局  2021年7月5日\n") == ("广州市商务局", "2021-07-05")
    assert find_signature("2019年1月5日召开会议。\n没有署名。\n") == (None, None)


def test_header_title_skips_page_furniture():
    lines = ["字号：大 中 小", "您当前位置：某局 > 信息公开", "某县教育局关于第12号提案的答复", "发布日期：2021-07-27", "李四委员："]
    assert header_title([fold(x) for x in lines])[0] == "某县教育局关于第12号提案的答复"


def test_a_page_with_a_flattened_metadata_table():
    text = """索 引 号：000014349/2021-00012
主题分类：
交通运输
发文机关：
浙江省人民政府办公厅
成文日期：
2021年04月06日
标　　题：
浙江省人民政府办公厅关于推进四好农村路建设的实施意见
发文字号：
浙政办发〔2021〕20号
发布日期：
2021年04月12日
各市、县（市、区）人民政府，省政府直属各单位：
为推进四好农村路建设，现提出如下实施意见。
一、加强规划引领。
二、加大资金支持。
"""
    m = meta_of(text)
    assert (m.title, m.doc_no, m.issuer, m.jurisdiction, m.issue_date, m.doc_type) == (
        "浙江省人民政府办公厅关于推进四好农村路建设的实施意见", "浙政办发〔2021〕20号", "浙江省人民政府办公厅",
        "浙江省", "2021-04-06", "policy_measures")


def test_a_cppcc_reply_titled_as_a_letter_signed_on_one_line():
    text = """关于市政协十四届二次会议第2024101号提案答复的函
李四委员：
您提出的《关于加快发展低空经济的提案》（第2024101号）收悉。经会同市发展改革委、市财政局研究办理，现答复如下：
下一步，我局将加大支持力度。
深圳市工业和信息化局  2024年6月3日
"""
    m = meta_of(text)
    assert (m.doc_type, m.proposal_no, m.addressee, m.issuer, m.jurisdiction, m.issue_date) == (
        "cppcc_proposal_reply", "2024101", "李四", "深圳市工业和信息化局", "深圳市", "2024-06-03")
    assert m.title == "关于市政协十四届二次会议第2024101号提案答复的函"
    assert m.co_agencies == ("深圳市发展和改革委员会", "深圳市财政局")


def test_a_district_page_issuing_a_policy_with_lead_groups():
    text = """字号：大 中 小
您当前位置：首页 > 政务公开
成都市武侯区人民政府关于印发《武侯区促进楼宇经济发展若干政策》的通知
发布日期：2022-08-01
各街道办事处，区级各部门：
现将《武侯区促进楼宇经济发展若干政策》印发给你们，请认真贯彻执行。
成都市武侯区人民政府
2022年7月25日
武侯区促进楼宇经济发展若干政策
一、支持楼宇招商。对新引进企业给予奖励。（区投资促进局牵头）
二、支持楼宇改造。（区住建局、区财政局负责）
"""
    m = meta_of(text)
    assert (m.title, m.doc_type, m.issuer, m.jurisdiction, m.issue_date) == (
        "武侯区促进楼宇经济发展若干政策", "policy_measures", "成都市武侯区人民政府", "武侯区", "2022-07-25")


def test_a_printed_notice_with_its_masthead_and_the_title_below_the_doc_no():
    text = """浙江省人民政府文件
浙政发〔2020〕8号   签发人：王五
浙江省人民政府关于加快建设
数字浙江的若干意见
各市、县（市、区）人民政府，省政府直属各单位：
为加快建设数字浙江，提出如下意见。
一、夯实数字基础设施。（省经信厅、省通信管理局负责）
二、推进数据开放共享。（省大数据局负责）
浙江省人民政府
2020年3月2日
"""
    m = meta_of(text)
    assert (m.title, m.doc_no, m.doc_type, m.issuer, m.jurisdiction, m.issue_date) == (
        "浙江省人民政府关于加快建设数字浙江的若干意见", "浙政发〔2020〕8号", "policy_measures", "浙江省人民政府",
        "浙江省", "2020-03-02")


@pytest.mark.parametrize("title, salutation, number", [
    ("关于区人大代表第35号建议的答复", "张伟代表:", "35"),
    ("对市人大十五届三次会议第B123号建议的答复", "王芳代表:", "B123"),
    ("关于政协第十三届三次会议第0456号提案答复的函", "李委员:", "0456"),
])
def test_proposal_numbers_as_other_places_write_them(title, salutation, number):
    text = f"{title}\n{salutation}\n你提出的建议收悉,现答复如下:\n下一步,我局将加强管理。\n杭州市民政局\n2022年7月1日\n"
    meta, _ = extract_metadata(text, segment.paragraphs(text))
    assert meta.proposal_no == number
    assert meta.doc_type in ("npc_suggestion_reply", "cppcc_proposal_reply")
    assert meta.addressee == salutation.split("代表")[0].split("委员")[0]


def test_a_reply_under_its_bureaus_masthead_signed_with_a_date_only():
    text = ("南昌市财政局\n关于市十六届人大一次会议第2023045号代表建议的答复\n赵明等代表:\n"
            "你们提出的建议收悉。下一步,我局将加大支持。\n 2023年6月30日 \n")
    meta, _ = extract_metadata(text, segment.paragraphs(text))
    assert (meta.issuer, meta.issue_date, meta.jurisdiction) == ("南昌市财政局", "2023-06-30", "南昌市")


_ALIAS_TOKENS = ["成立", "天河区", "产业发展", "领导小组", "(", "（", ")", "）", "以下简称", "下称", "简称", "“", "”", '"',
                 "专班", ",", "。", "下设", "办公室", "a", "1"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ALIAS_TOKENS), max_size=40))
def test_alias_definitions_are_the_patterns_own(tokens):
    """The windowed search finds what ``ALIAS_DEF.finditer`` finds (the pattern is the definition)."""
    from etl.metadata import ALIAS_DEF, _alias_definitions

    text = "".join(tokens)
    assert [m.span() for m in _alias_definitions(text)] == [m.span() for m in ALIAS_DEF.pattern.finditer(text)]
