"""Commitments: next-step passages in replies, measures and clause groups in policies."""


import pytest

from etl.commitments import parse_lead_group
from etl.extract import extract
from etl.model import DocMeta


REPLY = """许若宁委员:
您提出的《关于加快推进融合发展的建议》(第2009号)收悉。现将办理情况答复如下:
一、工作情况
2016年,我市投入34.1亿元支持产业转型升级。
下一步,联盟将着重推进成员企业间的互访与技术创新协作。
二、下一步工作计划
(一)聚焦产业链,支持中小企业参与强链补链稳链工作。
(二)打造服务“一张网”,全年投入2亿元扶持资金培育专精特新企业。
(三)市科技局将会同市财政局,力争2023年新增研发机构100家。
感谢您对我市工作的关心和支持。
广州市工业和信息化局
2022年6月17日
"""


def test_reply_items_leads_and_deadlines():
    ex = extract(REPLY)
    got = [(c.item_label, c.lead_agencies, c.deadline_date, c.deadline_basis) for c in ex.commitments]
    assert got == [
        (None, (), None, "none"),
        ("(一)", ("广州市工业和信息化局",), None, "none"),
        ("(二)", ("广州市工业和信息化局",), "2022-12-31", "reply_year"),
        ("(三)", ("广州市科学技术局",), "2023-12-31", "explicit"),
    ]
    assert ex.commitments[0].text.startswith("下一步,联盟将")
    assert ex.commitments[-1].text.endswith("100家。")


POLICY = """广州市促进产业发展若干措施
为加快产业发展,制定本措施。排在第一位的为牵头单位。
(一)加快探索数据治理新模式。重点在数据确权等领域先行先试。(市大湾区办、市委网信办牵头)开展数据确权流通沙盒实验。(黄埔区政府牵头)
(二)加大财政支持。对新引进项目给予最高500万元奖励。(责任单位:市工业和信息化局、市财政局)
(三)设立产业基金。(市商务局牵头,市财政局、市国资委配合)
(四)优化公共服务环境。完善配套设施。
本措施自印发之日起施行,有效期3年。
广州市人民政府
2020年4月2日
"""


def test_policy_tasks_and_lead_groups():
    ex = extract(POLICY)
    assert ex.meta.doc_type == "policy_measures"
    assert ex.meta.valid_until == "2023-04-01"
    got = [(c.item_label, c.task_no, c.lead_agencies, c.support_agencies) for c in ex.commitments]
    assert got == [
        ("(一)", 1, ("广州市推进粤港澳大湾区建设领导小组办公室", "中共广州市委网络安全和信息化委员会办公室"), ()),
        ("(一)", 2, ("广州市黄埔区人民政府",), ()),
        ("(二)", 1, ("广州市工业和信息化局",), ("广州市财政局",)),
        ("(三)", 1, ("广州市商务局",), ("广州市财政局", "广州市人民政府国有资产监督管理委员会")),
        ("(四)", 1, (), ()),  # a government assigns its measures: no default to the issuer
    ]
    assert all(c.deadline_date == "2023-04-01" and c.deadline_basis == "validity" for c in ex.commitments)
    t1, t2 = ex.commitments[0], ex.commitments[1]
    assert t1.text.endswith("牵头)") and t2.char_start == t1.char_end


def test_parentheses_that_are_not_lead_groups():
    text = POLICY.replace("(四)优化公共服务环境。完善配套设施。", "(四)发展5G(第五代移动通信技术),海珠区(琶洲核心区)加快建设。")
    ex = extract(text)
    last = ex.commitments[-1]
    assert last.item_label == "(四)" and last.task_no == 1 and last.lead_agencies == ()


def test_inline_items_of_a_next_step_paragraph():
    text = REPLY.replace("下一步,联盟将着重推进成员企业间的互访与技术创新协作。",
                         "下步,我局将做好以下工作:一是在年底前出台扶持政策;二是推动设立产业基金。")
    ex = extract(text)
    items = [(c.item_label, c.deadline_basis) for c in ex.commitments if c.item_label in ("一是", "二是")]
    assert items == [("一是", "explicit"), ("二是", "none")]


def test_a_document_without_structure_has_no_commitments_and_a_warning():
    ex = extract("这是一段没有任何编号和下一步安排的文字。它只是说明情况。")
    assert ex.commitments == ()
    assert any("no commitments" in w for w in ex.warnings)


def test_lead_group_with_supporters():
    meta = DocMeta("policy_measures", None, "广州市人民政府", "广州市", None, None, None, (), None, None)
    leads, support = parse_lead_group("责任单位:市商务局、市财政局", meta, {}, first_leads=True)
    assert [c for _, c, _ in leads] == ["广州市商务局"] and [c for _, c, _ in support] == ["广州市财政局"]
    leads, support = parse_lead_group("责任单位:市商务局、市财政局", meta, {}, first_leads=False)
    assert [c for _, c, _ in leads] == ["广州市商务局", "广州市财政局"] and support == []


def test_reply_metadata_variants():
    text = ("广州市商务局关于市十六届人大一次会议第20221234号代表建议答复的函\n尊敬的李明、王芳代表:\n"
            "您提出的《关于发展夜间经济的建议》(第20221234号)收悉。我局会同市文化广电旅游局、市公安局研究办理,现答复如下:\n"
            "下一步,我局将持续推动夜间经济发展。\n广州市商务局\n二〇二二年六月一日\n")
    meta = extract(text).meta
    assert meta.doc_type == "npc_suggestion_reply"
    assert meta.title.endswith("答复的函") and meta.addressee == "李明、王芳"
    assert meta.issue_date == "2022-06-01" and meta.issuer == "广州市商务局"
    assert meta.co_agencies == ("广州市文化广电旅游局", "广州市公安局")


def test_next_step_items_as_separate_shi_paragraphs_and_labelled_next_steps():
    text = REPLY.replace("下一步,联盟将着重推进成员企业间的互访与技术创新协作。",
                         "(三)下一步,我们将继续优化营商环境。\n接下来,我局将重点做好以下工作:\n一是加快出台政策。\n二是加大资金支持。")
    ex = extract(text)
    labels = [c.item_label for c in ex.commitments]
    assert labels[:3] == ["(三)", "一是", "二是"]
    assert ex.commitments[1].text == "一是加快出台政策。"


def test_signature_on_one_line():
    text = REPLY.replace("广州市工业和信息化局\n2022年6月17日", "广州市商务局　　2021年7月5日")
    meta = extract(text).meta
    assert (meta.issuer, meta.issue_date) == ("广州市商务局", "2021-07-05")


def test_lead_groups_written_as_their_own_line():
    text = ("广州市数据要素市场化配置改革工作方案\n为推进改革,制定本方案。\n"
            "1.推进公共数据共享开放。\n责任单位:市政务服务数据管理局、各区政府\n"
            "2.培育数据交易市场。\n牵头单位:市发展改革委\n"
            "本方案自印发之日起实施,有效期3年。\n广州市人民政府办公厅\n2021年3月1日\n")
    ex = extract(text)
    assert [(c.item_label, c.lead_agencies) for c in ex.commitments] == [
        ("1", ("广州市政务服务数据管理局", "广州市各区人民政府")), ("2", ("广州市发展和改革委员会",))]
    assert ex.commitments[0].text.endswith("各区政府")


def test_rows_of_a_task_table():
    text = ("广州市促进消费若干措施\n为促进消费,制定本措施。\n重点任务分工表\n序号\t重点任务\t责任单位\t完成时限\n"
            "1\t举办消费节活动\t市商务局、各区政府\t2022年12月底前\n"
            "2\t发放消费券\t市商务局\t持续推进\n"
            "本措施自印发之日起施行,有效期2年。\n广州市人民政府办公厅\n2022年3月1日\n")
    ex = extract(text)
    got = [(c.item_label, c.lead_agencies, c.deadline_date, c.deadline_basis) for c in ex.commitments]
    assert got == [("1", ("广州市商务局", "广州市各区人民政府"), "2022-12-31", "explicit"),
                   ("2", ("广州市商务局",), "2024-02-29", "validity")]


def _leads(body: str, first_leads: bool = False, issuer: str = "国务院办公厅", jurisdiction: str = "全国"):
    meta = DocMeta("policy_measures", None, issuer, jurisdiction, None, None, None, (), None, None)
    leads, support = parse_lead_group(body, meta, {}, first_leads)
    return [w for w, _, _ in leads], [w for w, _, _ in support]


@pytest.mark.parametrize("body, leads, support", [
    ("水利部牵头,财政部、民政部参与", ["水利部"], ["财政部", "民政部"]),
    ("水利部、财政部负责", ["水利部", "财政部"], []),
    ("负责部门:交通运输部、公安部;适用范围:各试点城市", ["交通运输部", "公安部"], []),
    ("负责部门:交通运输部,适用范围:各试点城市", ["交通运输部"], []),
    ("牵头单位:市商务局,配合单位:市财政局", ["市商务局"], ["市财政局"]),
    ("交通运输部、公安部指导", ["交通运输部", "公安部"], []),
    ("交通运输部会同有关部门负责", ["交通运输部"], []),
    ("教育部、财政部会同有关部门负责", ["教育部", "财政部"], []),
    ("民政部、财政部等和各有关省级人民政府负责", ["民政部", "财政部", "各有关省级人民政府"], []),
    ("各省(区、市)人民政府负责", ["各省(区、市)人民政府"], []),
    ("各有关部门按职责分工负责", [], []),
])
def test_lead_group_forms(body, leads, support):
    got_leads, got_support = _leads(body)
    assert got_leads == leads and got_support == support


def test_first_listed_leads_when_the_document_says_so():
    assert _leads("教育部、科技部、财政部等负责", first_leads=True)[0] == ["教育部"]
    assert _leads("教育部、科技部牵头负责", first_leads=True)[0] == ["教育部", "科技部"]


MEASURES = """关于加快推进城市更新的实施意见
各区人民政府,市政府各部门:
一、总体要求
(一)指导思想。坚持以人民为中心。
(二)发展目标。到2025年,完成改造项目100个。
二、主要任务
(三)加快老旧小区改造。全面推进老旧小区改造(市住房城乡建设局牵头,市财政局配合)。
(四)完善配套设施。加快补齐短板。(市规划和自然资源局、市交通运输局负责。列第一位者为牵头单位,下同)
加大用地保障力度,优先安排配套设施用地。(市规划和自然资源局负责)
(五)强化资金保障。2024年6月底前出台资金管理办法。(以下均需各区人民政府落实,不再列出)(市财政局负责)
三、保障措施
(六)加强组织领导。市住房城乡建设局要会同有关部门建立工作机制。鼓励企业参与。
各区、各有关部门要认真贯彻落实。
成都市人民政府办公厅
2023年5月8日
附件
1.改造项目清单。由各区负责。
"""


def test_measures_of_another_city_written_full_width():
    from etl.normalize import fold
    full = MEASURES.translate(str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ";": "；"}))
    assert fold(full) == MEASURES
    for text in (MEASURES, full):
        ex = extract(text)
        got = [(c.item_label, c.task_no) for c in ex.commitments]
        # framework items, the closing paragraph and the attachment are not measures
        assert got == [("(三)", 1), ("(四)", 1), ("(四)", 2), ("(五)", 1), ("(六)", 1)]
        c3, c4a, c4b, c5, c6 = ex.commitments
        assert len(c3.lead_agencies) == 1 and c3.lead_agencies[0].endswith("住房和城乡建设局")
        assert len(c4a.lead_agencies) == 1 and c4a.lead_agencies[0].endswith("规划和自然资源局")
        assert c4b.text.startswith("加大用地保障力度")
        assert c5.deadline_date == "2024-06-30" and c5.deadline_basis == "explicit"
        assert c6.text.endswith("鼓励企业参与。")  # not the unnumbered closing paragraph
        assert all(not lead.endswith("企业") for c in ex.commitments for lead in c.lead_agencies)
        assert text[c3.char_start:c3.char_end] == c3.text  # quotes the original, full-width and all


@pytest.mark.parametrize("heading", ["二、拟采取的措施", "二、下步工作计划", "二、下一步工作打算"])
def test_next_step_headings_of_other_places(heading):
    text = f"""关于区人大代表第35号建议的答复
张伟代表:
你提出的建议收悉,现答复如下:
一、基本情况
我区现有社区卫生服务中心12个。
{heading}
1.加快建设社区医院,2025年底前建成3家。
2.完善家庭医生签约服务。
特此答复。
"""
    got = [(c.item_label, c.deadline_date) for c in extract(text).commitments]
    assert got == [("1", "2025-12-31"), ("2", None)]


def test_numbered_items_inside_one_next_step_paragraph():
    text = "您的建议收悉。\n近年来,我委高度重视。下一步,我委将从以下几个方面推进:(一)健全工作机制;(二)加强政策宣传。\n感谢您的关心。\n"
    got = [(c.item_label, c.text) for c in extract(text).commitments]
    assert got == [("(一)", "(一)健全工作机制;"), ("(二)", "(二)加强政策宣传。")]


def test_a_subject_after_the_items_heading_leads_it():
    text = """关于市政协七届二次会议第20230156号提案的答复
李明委员:
您提出的提案收悉。现答复如下:
二、下步工作计划
(一)完善规划体系。2023年底前编制完成全市慢行系统专项规划。
(二)加快设施建设。市城管局将会同各区政府推进绿道与自行车道衔接。
感谢您的关心和支持。
深圳市交通运输局
2023年6月12日
"""
    leads = [c.lead_agencies for c in extract(text).commitments]
    assert leads[0] == ("深圳市交通运输局",)
    assert len(leads[1]) == 1 and leads[1][0].startswith("深圳市城市管理") and leads[1][0].endswith("局")
