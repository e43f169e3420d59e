"""Paragraphs, outline and sentences."""

import pytest

from etl.segment import label_at, outline, paragraphs, sentences


@pytest.mark.parametrize("text,style,label", [
    ("一、我市当前的工作情况", "cn_dun", "一"), ("(一)建立健全", "cn_paren", "(一)"), ("（十四）注重", "cn_paren", "（十四）"),
    ("1.统筹协调", "num_dot", "1"), ("2、推进", "num_dot", "2"), ("(3)制定", "num_paren", "(3)"), ("第十二条 本办法", "article", "第十二条"),
])
def test_label_at(text, style, label):
    got = label_at(text, 0)
    assert got[0] == style and got[1] == label


@pytest.mark.parametrize("text", ["5.0改革", "2021年,", "5G网络", "一是制定"])
def test_not_labels(text):
    assert label_at(text, 0) is None


def test_broken_line_is_joined_and_offsets_kept():
    text = "王泽新等代表:\n3.加强数字经济企业培育。引进建设一批高水平的科\n技创新平台,开展关键技术攻关。\n非常感谢你们的宝贵意见。"
    paras = paragraphs(text)
    assert [p.text.replace("\n", "") for p in paras] == [
        "王泽新等代表:", "3.加强数字经济企业培育。引进建设一批高水平的科技创新平台,开展关键技术攻关。", "非常感谢你们的宝贵意见。"]
    for p in paras:
        assert text[p.start:p.end] == p.text


def test_heading_and_signature_lines_stand_alone():
    text = "(一)建立健全市级招商工作统筹机制\n1.统筹协调全市招商资源和力量。\n此复\n广州市工业和信息化局\n2022年5月30日"
    assert len(paragraphs(text)) == 5


def test_outline_nests_levels():
    text = "一、工作情况\n(一)优化环境\n内容一。\n(二)推进集聚\n内容二。\n二、下一步工作计划\n(一)聚焦产业链。\n(二)发挥作用。"
    secs = outline(text)
    assert [(s.level, s.label) for s in secs] == [(1, "一"), (2, "(一)"), (2, "(二)"), (1, "二"), (2, "(一)"), (2, "(二)")]
    first = secs[0]
    assert text[first.char_start:first.char_end].endswith("内容二。")


def test_sentences_with_offsets():
    text = "  2021年,投入7亿元。下一步,将加大支持!\n感谢"
    got = sentences(text)
    assert [s.text for s in got] == ["2021年,投入7亿元。", "下一步,将加大支持!", "感谢"]
    for s in got:
        assert text[s.start:s.end] == s.text
