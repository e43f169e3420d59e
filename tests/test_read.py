"""Tests of etl/read/ (text.py and the package): decoding, simplification, safe names, and that only ReadError escapes."""

from __future__ import annotations

import codecs
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import read
from etl.read import text
from etl.read import ReadError, decode_bytes, normalize_text, read_file, safe_name, to_simplified

REPLY = "广州市工业和信息化局关于市政协十三届一次会议第2009号提案的答复\n一、加快推进互联网与制造业融合发展,2022年安排资金1.5亿元。\n"
REPLY_TRADITIONAL = "廣州市工業和信息化局關於市政協十三屆一次會議第2009號提案的答覆\n一、加快推進互聯網與製造業融合發展,2022年安排資金1.5億元。\n"


# --------------------------------------------------------------------------------------
# decode_bytes


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (REPLY.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + REPLY.encode("utf-8"), "utf-8-sig"),
        (REPLY.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + REPLY.encode("utf-16-be"), "utf-16"),
        (REPLY.encode("utf-16-le"), "utf-16-le"),
        (REPLY.encode("utf-16-be"), "utf-16-be"),
        (REPLY.encode("utf-32"), "utf-32"),
        (REPLY.encode("gb18030"), "gb18030"),
        (REPLY.encode("gbk"), "gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom-le", "utf-16-bom-be", "utf-16-le", "utf-16-be", "utf-32", "gb18030", "gbk"],
)
def test_decode_bytes_reads_each_encoding(data, encoding):
    assert decode_bytes(data, "reply.txt") == (REPLY, encoding)


def test_decode_bytes_tells_big5_from_gb18030():
    """Big5 bytes also decode as GB18030, into nonsense: the reader must pick Big5."""
    data = REPLY_TRADITIONAL.encode("big5")
    assert data.decode("gb18030") != REPLY_TRADITIONAL  # the trap: it "works"
    assert decode_bytes(data, "reply.txt") == (REPLY_TRADITIONAL, "big5")


@pytest.mark.parametrize(
    "phrase",
    ["现将有关办理情况答复如下", "市工业和信息化局牵头", "加快打造数字经济创新引领型城市", "我局高度重视,积极组织研究办理"],
)
def test_decode_bytes_keeps_short_gb18030_phrases_simplified(phrase):
    assert decode_bytes(phrase.encode("gb18030")) == (phrase, "gb18030")


@pytest.mark.parametrize(
    "phrase",
    ["現將有關辦理情況答覆如下", "市工業和信息化局牽頭", "加快打造數字經濟創新引領型城市", "我局高度重視,積極組織研究辦理"],
)
def test_decode_bytes_reads_short_big5_phrases(phrase):
    assert decode_bytes(phrase.encode("big5")) == (phrase, "big5")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", r"^empty file$"),
        (REPLY.encode("utf-8")[:-2], r"^truncated: the file ends in the middle of a UTF-8 character"),
        ("答复如下".encode("gb18030")[:-1], r"^truncated: the file ends in the middle of a GB18030 character"),
        (REPLY.encode("utf-16")[:-1], r"^truncated: the file ends in the middle of a UTF-16 character"),
        (REPLY.encode("utf-16-le")[:-1], r"^truncated: .*UTF-16-LE"),
        (b"\x7fELF\x02\x01\x01" + bytes(64) + bytes(range(256)), r"^binary data"),
        (b"\xff\xfe\x00\xd8\x41\x00", r"^invalid UTF-16"),  # a lone surrogate after the BOM
        ("答复如下\U00020000".encode("gb18030")[:-2], r"^truncated: .*GB18030"),  # half a four-byte character
    ],
    ids=["empty", "utf-8-cut", "gb18030-cut", "utf-16-cut", "utf-16-le-cut", "binary", "bad-utf-16", "gb18030-4byte-cut"],
)
def test_decode_bytes_refuses_with_a_reason(data, reason):
    with pytest.raises(ReadError) as caught:
        decode_bytes(data, "reply.txt")
    assert re.search(reason, caught.value.reason), caught.value.reason
    assert str(caught.value).startswith("reply.txt: ")


def test_decode_bytes_keeps_stray_nul_bytes_in_utf8_text():
    text = REPLY[:10] + "\x00" + REPLY[10:]
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")


# --------------------------------------------------------------------------------------
# to_simplified, normalize_text


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("廣州市工業和信息化局", "广州市工业和信息化局"),
        ("關於進一步優化產業發展環境促進經濟發展的若干措施", "关于进一步优化产业发展环境促进经济发展的若干措施"),
        ("發揮規模放貸優勢", "发挥规模放贷优势"),
        ("廣州市人民政府辦公廳", "广州市人民政府办公厅"),
        ("已經是简体的文字", "已经是简体的文字"),
    ],
)
def test_to_simplified_converts_and_keeps_offsets(traditional, simplified):
    assert to_simplified(traditional) == simplified
    assert len(to_simplified(traditional)) == len(traditional)


@given(st.text(max_size=200))
@settings(max_examples=100, deadline=None)
def test_to_simplified_never_moves_an_offset(text):
    assert len(to_simplified(text)) == len(text)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),
        ("\ufeff答复\x00如下\x07", "答复如下"),
        ("答复\u2028如下\u2029此复", "答复\n如下\n此复"),
        ("保留\t制表符", "保留\t制表符"),
    ],
)
def test_normalize_text(raw, normal):
    assert normalize_text(raw) == normal


# --------------------------------------------------------------------------------------
# safe names and read_file


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("seeds/000_reply.txt", "000_reply.txt"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\答复.txt", "答复.txt"),
        ("报告\x1b[31m红字\x07.txt", "报告\\x1b[31m红字\\x07.txt"),
        ("line\nbreak\r.html", "line\\nbreak\\r.html"),
        ("nul\x00byte.pdf", "nul\\x00byte.pdf"),
        ("bad\udcffname.txt", "bad\\udcffname.txt"),
        ("..", ".."),
        ("", "<unnamed>"),
        ("长" * 300 + ".txt", "长" * 119 + "…"),
    ],
)
def test_safe_name(path, shown):
    assert safe_name(path) == shown


def test_read_error_names_the_file_and_keeps_the_path():
    error = ReadError("../../tmp/\x1b]0;owned\x07.txt", "empty file")
    assert str(error) == "\\x1b]0;owned\\x07.txt: empty file"
    assert error.path == "../../tmp/\x1b]0;owned\x07.txt"
    assert error.reason == "empty file"


def test_read_file_converts_traditional_and_keeps_the_original(tmp_path):
    path = tmp_path / "reply.txt"
    path.write_bytes(REPLY_TRADITIONAL.encode("big5"))
    result = read_file(path)
    assert result.text == REPLY
    assert result.original_text == REPLY_TRADITIONAL
    assert result.encoding == "big5"
    assert result.source_format == "txt"
    assert result.warnings == ("traditional characters converted to simplified",)
    assert result.content_sha256 == read.sha256_bytes(path.read_bytes())


def test_read_file_takes_data_with_any_label():
    result = read_file("../../上传/\x1b答复.txt", REPLY.encode("gb18030"))
    assert result.text == REPLY


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: tmp / "missing.txt", r"^cannot open: No such file"),
        (lambda tmp: tmp, r"^a folder, not a file$"),
        (lambda tmp: str(tmp / "nul\x00name.txt"), r"^cannot open: .*null"),
    ],
    ids=["missing", "folder", "nul-in-name"],
)
def test_read_file_refuses_paths_it_cannot_open(tmp_path, make, reason):
    with pytest.raises(ReadError) as caught:
        read_file(make(tmp_path))
    assert re.search(reason, caught.value.reason), caught.value.reason


def test_read_file_refuses_data_over_the_limit():
    with pytest.raises(ReadError, match=r"too large: 50.0 MB \([\d,]+ bytes\), the limit is 50 MB a file"):
        read_file("big.txt", bytes(read.MAX_FILE_BYTES + 1))


def test_read_file_wraps_a_parser_crash(monkeypatch):
    """A parser library's own exception becomes a ReadError naming the file."""
    from etl.read import formats

    def crash(data, name):
        raise KeyError("word/document.xml")

    monkeypatch.setattr(formats, "docx_to_text", crash)
    with pytest.raises(ReadError, match=r"^report\.docx: unreadable: KeyError"):
        read_file("report.docx", b"PK\x03\x04")


# --------------------------------------------------------------------------------------
# Properties: arbitrary input never raises anything but ReadError; encodings round-trip.

SUFFIXES = ("report.txt", "report", "page.html", "page.htm", "word.docx", "scan.pdf", "data.csv")
_ALPHABET = text._COMMON_SIMPLIFIED + "0123456789abcXYZ,。、:;“”《》()%  \n"


@given(data=st.binary(max_size=4096), name=st.sampled_from(SUFFIXES))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_bytes_raise_only_read_error(data, name):
    try:
        result = read_file(name, data)
    except ReadError as error:
        assert error.reason
    else:
        assert result.text.strip()


@given(st.binary(max_size=2048))
@settings(max_examples=300, deadline=None)
def test_decode_bytes_raises_only_read_error(data):
    try:
        text, encoding = decode_bytes(data)
    except ReadError:
        return
    assert data.decode(encoding) == text


@given(text=st.text(max_size=500), encoding=st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-16-le", "big5"]), name=st.sampled_from(SUFFIXES))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_text_raises_only_read_error(text, encoding, name):
    data = text.encode(encoding, errors="replace")
    try:
        read_file(name, data)
    except ReadError:
        pass


@given(text=st.text(alphabet=_ALPHABET, min_size=1, max_size=300), encoding=st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-32"]))
@settings(max_examples=200, deadline=None)
def test_chinese_text_round_trips(text, encoding):
    if sum("\u4e00" <= ch <= "\u9fff" for ch in text) < 8 and encoding == "gb18030":
        text = "广州市工业和信息化局答复" + text  # a few characters alone cannot tell GB18030 from Big5
    decoded, _ = decode_bytes(text.encode(encoding))
    assert decoded == text


@given(st.text(alphabet=_ALPHABET, min_size=1, max_size=300))
@settings(max_examples=100, deadline=None)
def test_utf16_without_bom_round_trips_when_a_line_ends(text):
    text += "\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        assert decode_bytes(text.encode(encoding)) == (text, encoding)
