"""Tests of etl/read/formats.py: every seed, re-encoded or re-formatted, reads back to the seed's text."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.read import formats
from etl.read.formats import JUNK_LINE_RULES, docx_to_text, html_to_text, is_junk_line, pdf_to_text, reflow
from etl.read import ReadError, normalize_text, read_file, to_simplified
from etl.segment import Rule
from tests.fixtures.build import SEEDS_DIR, TABLE_ROWS, corpus

CORPUS = corpus()
TEXT_KINDS = {v.kind for v in CORPUS.variants if v.kind.endswith(".txt")}


def squeeze(text: str) -> str:
    """The characters of ``text`` without any white space: what every format must keep."""
    return re.sub(r"\s+", "", text)


def plain_text(seed: str) -> str:
    return read_file(SEEDS_DIR / f"{seed}.txt").text


def body_after_header(text: str, header: tuple[str, ...]) -> str:
    lines = text.split("\n")
    assert lines[: len(header)] == list(header), f"expected the header {header}, got {lines[:3]}"
    return "\n".join(lines[len(header) :])


def test_corpus_has_every_format_for_every_seed():
    assert not CORPUS.skipped, CORPUS.skipped
    for seed in CORPUS.seeds:
        kinds = {v.kind for v in CORPUS.variants if v.seed == seed}
        assert {"gb18030.txt", "big5.txt", "docx", "pdf"} <= kinds
        assert any(kind.startswith("page") for kind in kinds)


# --------------------------------------------------------------------------------------
# Each variant against its seed


@pytest.mark.parametrize("variant", [v for v in CORPUS.variants if v.kind in TEXT_KINDS and v.is_exact], ids=lambda v: f"{v.seed[:3]}-{v.kind}")
def test_text_encodings_read_back_exactly(variant):
    assert read_file(variant.path).text == plain_text(variant.seed)


@pytest.mark.parametrize("variant", [v for v in CORPUS.variants if v.kind == "big5.txt"], ids=lambda v: v.seed[:3])
def test_big5_reads_back_simplified_and_keeps_the_traditional_original(variant):
    result = read_file(variant.path)
    assert result.encoding == "big5"
    assert "traditional characters converted to simplified" in result.warnings
    assert squeeze(result.original_text) == squeeze(normalize_text(variant.original_body))
    got, want = squeeze(result.text), squeeze(plain_text(variant.seed))
    assert len(got) == len(want)
    differing = [(w, g) for g, w in zip(got, want) if g != w]
    # s2t/t2s is not a perfect round trip (着→著, 实时→即时): allow a few characters in a thousand.
    assert len(differing) <= len(want) // 200, differing[:20]


@pytest.mark.parametrize("variant", [v for v in CORPUS.variants if v.kind not in TEXT_KINDS], ids=lambda v: f"{v.seed[:3]}-{v.kind}")
def test_documents_read_back_as_the_seed(variant):
    result = read_file(variant.path)
    body = body_after_header(result.text, variant.header)
    assert squeeze(body) == squeeze(to_simplified(normalize_text(variant.body)))


@pytest.mark.parametrize("variant", [v for v in CORPUS.variants if v.kind.startswith("page") or v.kind.endswith("docx")], ids=lambda v: f"{v.seed[:3]}-{v.kind}")
def test_pages_and_word_files_keep_one_paragraph_a_line(variant):
    body = body_after_header(read_file(variant.path).text, variant.header)
    want = [squeeze(line) for line in to_simplified(normalize_text(variant.body)).split("\n") if line.strip()]
    assert [squeeze(line) for line in body.split("\n")] == want


@pytest.mark.parametrize("variant", [v for v in CORPUS.variants if v.kind == "pdf"], ids=lambda v: v.seed[:3])
def test_pdf_lines_are_joined_back_into_paragraphs(variant):
    lines = read_file(variant.path).text.split("\n")
    paragraphs = [line for line in variant.body.split("\n") if line.strip()]
    assert abs(len(lines) - len(paragraphs)) <= max(2, len(paragraphs) // 10)
    assert not any(re.fullmatch(r"- \d+ -", line) for line in lines)  # page numbers dropped


def test_web_page_header_is_title_then_date():
    variant = next(v for v in CORPUS.variants if v.kind.startswith("page"))
    lines = read_file(variant.path).text.split("\n")
    assert lines[0] == variant.header[0]
    assert re.fullmatch(r"发布日期:\d{4}-\d{2}-\d{2}", lines[1])


def test_web_page_junk_is_gone():
    for variant in (v for v in CORPUS.variants if v.kind.startswith("page")):
        text = read_file(variant.path).text
        for junk in ("首页", "ICP备", "版权所有", "分享到", "打印本页", "上一篇", "欢迎访问", "统计代码", "相关文章", "浏览器不支持", "当前位置", "字号"):
            assert junk not in text, (variant.kind, junk)


def test_word_table_rows_read_one_a_line():
    variant = CORPUS.variant(next(iter(CORPUS.seeds)), "with-table.docx")
    lines = read_file(variant.path).text.split("\n")
    assert lines[-len(TABLE_ROWS) :] == ["\t".join(row) for row in TABLE_ROWS]


# --------------------------------------------------------------------------------------
# Junk-line rules: each with its examples and non-examples


@pytest.mark.parametrize(
    ("rule", "line", "is_junk"),
    [(rule, line, True) for rule in JUNK_LINE_RULES for line in rule.examples]
    + [(rule, line, False) for rule in JUNK_LINE_RULES for line in rule.non_examples],
    ids=lambda value: value.name if isinstance(value, Rule) else None,
)
def test_junk_line_rules(rule, line, is_junk):
    assert (rule.pattern.search(line) is not None) is is_junk
    if not is_junk:
        assert not is_junk_line(line), f"another rule drops the non-example {line!r}"


# --------------------------------------------------------------------------------------
# HTML details


def page(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode("utf-8")


CONTENT = "<div class='content'><p>一、加大对中小企业的扶持力度。</p><p>二、优化营商环境。</p></div>"


@pytest.mark.parametrize(
    ("head", "body", "first_lines"),
    [
        ("<title>关于加快发展的若干措施_广州市人民政府</title>", CONTENT, ["关于加快发展的若干措施"]),
        ("<title>网站首页</title><meta name='ArticleTitle' content='关于加快发展的若干措施'>", CONTENT, ["关于加快发展的若干措施"]),
        ("<title>关于加快发展的若干措施 - 广州市</title>", "<h1>关于加快发展的若干措施</h1>" + CONTENT, ["关于加快发展的若干措施", "一、加大对中小企业的扶持力度。"]),
        ("<meta name='PubDate' content='2021-03-05 10:00'>", CONTENT, ["发布日期:2021-03-05"]),
        ("", "<div>发布时间:2022年6月1日 来源:市工信局</div>" + CONTENT, ["发布时间:2022年6月1日 来源:市工信局", "一、加大对中小企业的扶持力度。"]),
        ("", "<div>时间:2022/6/1</div>" + CONTENT, ["发布日期:2022-06-01", "时间:2022/6/1"]),
        ("", CONTENT, ["一、加大对中小企业的扶持力度。"]),
    ],
    ids=["title-suffix", "meta-title", "h1-moved-up", "meta-date", "date-in-page", "generic-date", "none"],
)
def test_html_title_and_date_lines(head, body, first_lines):
    text, _ = html_to_text(page(body, head), "page.html")
    assert text.split("\n")[: len(first_lines)] == first_lines


def test_html_keeps_a_date_already_at_the_top_once():
    text, _ = html_to_text(page("<p>发布日期:2017-07-27</p>" + CONTENT), "page.html")
    assert text.count("2017-07-27") == 1


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ('<meta charset="gb2312"><p>现将办理情况答复如下</p>'.encode("gb18030"), "gb18030"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=big5"><p>現將辦理情況答覆如下</p>'.encode("big5"), "big5"),
        ('<meta charset="utf-8"><p>现将办理情况答复如下</p>'.encode("gb18030"), "gb18030"),  # declared wrong
        ('<meta charset="gbk"><p>现将办理情况答复如下</p>'.encode("utf-8"), "utf-8"),  # declared wrong the other way
        ("<p>现将办理情况答复如下</p>".encode("utf-16"), "utf-16"),
        ('<?xml version="1.0" encoding="gb2312"?><html><p>现将办理情况答复如下</p></html>'.encode("gb18030"), "gb18030"),
    ],
    ids=["meta-gb2312", "meta-big5", "misdeclared-utf8", "misdeclared-gbk", "utf-16-bom", "xml-declaration"],
)
def test_html_encodings(data, encoding):
    text, found = html_to_text(data, "page.html")
    assert found == encoding
    assert to_simplified(text) == "现将办理情况答复如下"


def test_html_layout_paragraphs_breaks_tables_and_pre():
    body = (
        "<p>第一段<b>加粗</b>文字\n  继续</p><p>第二段<br>换行后</p>"
        "<table><tr><td>单位</td><td>金额</td></tr><tr><td>市工信局</td><td>1.5亿元</td></tr></table>"
        "<pre>保留  空格</pre><!-- 注释不算正文 -->"
    )
    text, _ = html_to_text(page(body), "page.html")
    assert text.split("\n") == ["第一段加粗文字 继续", "第二段", "换行后", "单位\t金额", "市工信局\t1.5亿元", "保留  空格"]


def test_html_drops_link_lists_but_keeps_a_paragraph_with_a_link():
    body = (
        "<ul><li><a>政务公开</a></li><li><a>办事服务</a></li><li><a>互动交流</a></li></ul>"
        "<p>附件:<a href='a.doc'>广州市数字经济项目申报指南</a>,请于6月30日前报送。</p>" + CONTENT
    )
    text, _ = html_to_text(page(body), "page.html")
    assert "政务公开" not in text
    assert "附件:广州市数字经济项目申报指南,请于6月30日前报送。" in text.split("\n")


def test_html_keeps_the_body_even_inside_a_junk_looking_wrapper():
    text, _ = html_to_text(page(f"<div class='header-wrap'>{CONTENT}</div>"), "page.html")
    assert "二、优化营商环境。" in text


@pytest.mark.parametrize(
    "body",
    ["", "<script>var 正文 = '加载中';</script>", "<div class='nav'><a>首页</a><a>政务公开</a><a>办事服务</a></div>", "<p>粤ICP备16074905号</p>"],
    ids=["nothing", "script-only", "nav-only", "icp-only"],
)
def test_html_without_body_text_is_refused(body):
    with pytest.raises(ReadError, match=r"^page\.html: no body text"):
        html_to_text(page(body, "<title>页面标题</title>"), "page.html")


# --------------------------------------------------------------------------------------
# Word details


def docx_bytes(build) -> bytes:
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_tabs_breaks_and_merged_cells():
    def build(document):
        paragraph = document.add_paragraph("联系人:李明")
        paragraph.add_run().add_tab()
        paragraph.add_run("电话:83123960")
        paragraph.add_run().add_break()
        paragraph.add_run("地址:府前路1号")
        table = document.add_table(rows=2, cols=3)
        table.cell(0, 0).merge(table.cell(0, 2)).text = "广州市工业和信息化局"
        for cell, value in zip(table.rows[1].cells, ("资金", "1.5亿元", "2022年")):
            cell.text = value

    text = docx_to_text(docx_bytes(build), "reply.docx")
    assert text.split("\n") == ["联系人:李明\t电话:83123960", "地址:府前路1号", "广州市工业和信息化局", "资金\t1.5亿元\t2022年"]


def test_docx_total_size_limit(monkeypatch):
    monkeypatch.setattr(formats, "MAX_DOCX_UNPACKED_BYTES", 1000)
    data = docx_bytes(lambda document: document.add_paragraph("现将办理情况答复如下"))
    with pytest.raises(ReadError, match=r"zip bomb: its parts declare [\d.]+ MB unpacked, the limit is [\d.]+ MB"):
        docx_to_text(data, "reply.docx")


def test_docx_too_many_parts():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(formats.MAX_DOCX_PARTS + 1):
            archive.writestr(f"word/p{number}.xml", b"")
    with pytest.raises(ReadError, match=r"zip bomb: \d+ parts"):
        docx_to_text(buffer.getvalue(), "reply.docx")


# --------------------------------------------------------------------------------------
# PDF details


@pytest.mark.parametrize(
    ("lines", "paragraphs"),
    [
        (["一、总体要求", "为贯彻落实习近平总书记重要讲话精神,加快数字", "经济发展,特制定本措施。"], ["一、总体要求", "为贯彻落实习近平总书记重要讲话精神,加快数字经济发展,特制定本措施。"]),
        (["为贯彻落实习近平总书记重要讲话精神,加快数字", "(一)加强统筹。"], ["为贯彻落实习近平总书记重要讲话精神,加快数字", "(一)加强统筹。"]),
        (["现将办理情况答复如下:", "广州市坚持把数字经济作为高质量发展"], ["现将办理情况答复如下:", "广州市坚持把数字经济作为高质量发展"]),
        (["“四个坚持、三个支撑、两个走在前列。”", "广州市坚持把数字经济作为高质量"], ["“四个坚持、三个支撑、两个走在前列。”", "广州市坚持把数字经济作为高质量"]),
        (["This policy supports the digital", "economy of Guangzhou."], ["This policy supports the digital economy of Guangzhou."]),
        ([], []),
    ],
    ids=["wrapped", "outline-item", "colon-ends", "quote-ends", "english-space", "empty"],
)
def test_reflow(lines, paragraphs):
    assert reflow(lines) == paragraphs


def test_pdf_scan_without_text_layer_is_refused():
    from tests.fixtures.build import blank_pdf

    with pytest.raises(ReadError, match=r"^scan\.pdf: no text layer: scanned PDF\?"):
        pdf_to_text(blank_pdf(), "scan.pdf")


# --------------------------------------------------------------------------------------
# Fuzz: damaged copies of real files raise only ReadError

_SAMPLES = {
    kind: next(v for v in CORPUS.variants if v.kind == kind).path.read_bytes()
    for kind in ("docx", "pdf", "page-gb2312.html", "big5.txt")
}
_SUFFIX = {"docx": ".docx", "pdf": ".pdf", "page-gb2312.html": ".html", "big5.txt": ".txt"}


@given(
    kind=st.sampled_from(sorted(_SAMPLES)),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
    keep=st.floats(0.05, 1.0),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_damaged_files_raise_only_read_error(kind, flips, keep):
    data = bytearray(_SAMPLES[kind])
    for where, value in flips:
        data[int(where * len(data))] = value
    data = bytes(data[: max(1, int(len(data) * keep))])
    try:
        read_file("damaged" + _SUFFIX[kind], data)
    except ReadError as error:
        assert error.reason


@given(st.text(max_size=400))
@settings(max_examples=100, deadline=None)
def test_arbitrary_markup_raises_only_read_error(markup):
    try:
        html_to_text(("<html><body>" + markup).encode("utf-8", "surrogatepass"), "page.html")
    except ReadError:
        pass
