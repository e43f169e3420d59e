"""Turn saved web pages, Word files and PDFs into plain text: bytes in, lines of text out.

One paragraph a line. Web pages lose their navigation, scripts, share bars, footers and
ICP/copyright lines, and keep their title and publication date as the first lines so the
metadata extractor reads them like any other document. Every failure, including a parser
library's own, is raised as ``etl.read.ReadError`` naming the file and the reason.

Libraries: BeautifulSoup with lxml (HTML), python-docx (.docx), pypdf (PDF text layer).
"""

from __future__ import annotations

import io
import re
import zipfile

from etl.read.text import ReadError, decode_bytes, garbled
from etl.segment import Rule

# --------------------------------------------------------------------------------------
# Junk lines: named rules, each with examples it drops and non-examples it keeps.


JUNK_LINE_RULES: tuple[Rule, ...] = tuple(
    Rule(name, re.compile(pattern, re.IGNORECASE), examples, non_examples)
    for name, pattern, examples, non_examples in (
        (
            "icp_record",
            r"ICP\s*[备证]|公网安备|网站标识码",
            ("粤ICP备16074905号-1号", "粤公网安备 44010402001234号", "网站标识码:4401000001"),
            ("推动ICT产业发展", "备案管理办法"),
        ),
        (
            "copyright",
            r"版权所有|copyright|©|\(c\)\s*\d{4}",
            ("主办单位:广州市工业和信息化委员会 广州市经济贸易信息中心 版权所有", "Copyright © 2017 gz.gov.cn"),
            ("加强版权保护和知识产权运用",),
        ),
        (
            "breadcrumb",
            r"^\s*(?:您(?:现在)?(?:的)?(?:当前)?(?:所在)?(?:位置)|当前(?:所在)?位置|所在位置)\s*[::]",
            ("您当前位置: 广州市工信委 > 信息公开目录 > 人大代表建议和政协提案", "当前位置: 管理办法   关于进一步优化产业发展环境", "您现在的位置:首页"),
            ("当前位置较好的地块优先出让", "优化企业所在位置的配套服务"),
        ),
        (
            "font_size",
            r"^\s*[【\[]?\s*字号\s*[::]|字号\s*[::]?\s*[【\[]?\s*大\s*[\]】]?\s*[【\[]?\s*中\s*[\]】]?\s*[【\[]?\s*小",
            ("字号:  ", "【字号:大 中 小】", "发布时间:2022-06-01 字号:[大][中][小]"),
            ("《关于加大力度培育中小微企业的建议》(第20222149号)",),
        ),
        (
            "page_tools",
            r"^\s*(?:[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|返回|收藏本页|收藏|加入收藏|分享到?)\s*[\]】]?\s*[::]?\s*)+$",
            ("【打印本页】【关闭窗口】", "分享到:", "返回顶部"),
            ("关闭落后产能企业12家",),
        ),
        (
            "share_bar",
            r"^\s*分享到\s*[::]|^\s*扫一扫在手机(?:上)?打开|^\s*扫一扫(?:分享|关注)",
            ("分享到:微信 微博 QQ空间", "扫一扫在手机打开当前页"),
            ("分享经验做法",),
        ),
        (
            "view_counter",
            r"^\s*(?:浏览次数|访问次数|阅读次数|点击数|访问量)\s*[::]?\s*\d*\s*次?\s*$",
            ("浏览次数:", "访问量:1234"),
            ("浏览次数统计系统上线运行",),
        ),
        (
            "prev_next",
            r"^\s*(?:上一篇|下一篇)\s*[::]",
            ("上一篇:关于印发某某办法的通知",),
            ("上一篇文章提到的措施",),
        ),
        (
            "site_support",
            r"^\s*技术支持\s*[::]|^\s*(?:主办|承办)(?:单位)?\s*[::].{0,60}(?:承办|维护)(?:单位)?\s*[::]",
            ("技术支持:某某信息科技有限公司", "主办:广州市人民政府办公厅 承办:广州市政务服务数据管理局"),
            ("主办单位:市工业和信息化局,会办单位:市科技局",),
        ),
    )
)


def is_junk_line(line: str) -> bool:
    """Tell whether ``line`` is site boilerplate (ICP record, breadcrumb, 字号, share bar …).

    >>> is_junk_line("粤ICP备16074905号-1号"), is_junk_line("现将办理情况答复如下:")
    (True, False)
    """
    return any(rule.pattern.search(line) is not None for rule in JUNK_LINE_RULES)


# --------------------------------------------------------------------------------------
# HTML

_META_CHARSET = Rule("meta_charset", re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE),
                     (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', b"<META charset='utf-8'>"),
                     (b'<meta name="keywords" content="charset">',))
"""A page's declared charset (a hint: it is often wrong)."""
_XML_ENCODING = Rule("xml_encoding", re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([-\w.:]+)""", re.IGNORECASE),
                     (b'<?xml version="1.0" encoding="GB2312"?>',), (b'<?xml version="1.0"?>',))
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "chinese": "gb18030",
    "x-euc-cn": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5",
    "x-x-big5": "big5",
    "cp950": "cp950",
    "big5-hkscs": "big5hkscs",
}

_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
    "svg", "canvas", "video", "audio", "map", "nav", "footer", "aside", "button", "select",
    "input", "textarea", "head", "link", "meta",
)  # fmt: skip
_BLOCK_TAGS = (
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "tbody", "thead", "tfoot",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "main", "header", "blockquote",
    "pre", "address", "center", "hr", "caption", "figure", "figcaption", "body", "title",
)  # fmt: skip
_CELL_TAGS = ("td", "th")

_JUNK_CLASS = Rule("junk_class", re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|breadcrumbs?|crumbs?|position|location|dqwz|share|"
    r"bdshare|bdsharebuttonbox|jiathis|social|footer|foot|bottom|copyright|header|topbar|top-bar|"
    r"banner|logo|search|sidebar|side|related|xgwz|friendlink|yqlj|toolbar|gotop|backtop|"
    r"qrcode|ewm|login|advert|ads)(?:$|[-_\s\d])",
    re.IGNORECASE,
), ("div nav", " bdsharebuttonbox", "footer-links", "header ", "div  Menu2"), ("div content", "article-body", "navigator"))
"""The tag name, id and classes of a page block that holds navigation, share bars or a footer."""
_JUNK_BLOCK_MAX_SHARE = 0.4
"""A block that looks like navigation is kept anyway when it holds this share of the page's Chinese."""
_LINK_DENSE_SHARE = 0.6
_LINK_DENSE_MIN_LINKS = 3

_TITLE_METAS = ("articletitle", "title", "og:title", "dc.title")
_DATE_METAS = (
    "pubdate", "publishdate", "publish_date", "firstpublishedtime", "article:published_time",
    "dc.date", "dcterms.issued", "dc.date.issued", "publishedtime",
)  # fmt: skip
_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_DATE_LABELS = r"(发布日期|发布时间|发表于|发表时间|发文日期|成文日期|印发日期|发布于|更新时间)"
_DATE_LINE = Rule("date_line", re.compile(_DATE_LABELS + r"\s*([::])?\s*" + _DATE),
                  ("发布日期:2017-07-27", "发布时间:2022-06-01 字号:[大][中][小]", "发表于 2017年6月30日"), ("2017-07-27",))
"""A labelled publication date on a page."""
_GENERIC_DATE_LINE = Rule("generic_date_line", re.compile(r"(日期|时间)\s*([::])\s*" + _DATE),
                          ("日期:2019年01月09日", "时间:2022-06-01"), ("发布日期2017-07-27",))
"""A date labelled only 日期 or 时间 (the last resort)."""
_BARE_DATE = Rule("bare_date", re.compile(_DATE), ("2019年01月09日", "2017-07-27"), ("2017年7月",))
_TITLE_SEPARATORS = Rule("title_separators", re.compile(r"\s*(?:\s[-_|—–]\s|[_|]|——|--)\s*"),
                         ("关于促进经济发展的措施_天河区", "某某通知 - 广州市人民政府"), ("2015-2016年",))
"""What joins a page title to its site's name (…的措施_天河区)."""
_HEADER_SEARCH_LINES = 15
_CJK = Rule("cjk", re.compile(r"[\u4e00-\u9fff]"), ("一、加大扶持力度。",), ("Copyright 2017",))
_WHITESPACE = Rule("whitespace", re.compile(r"[ \t\r\n\f\v]+"), ("发布日期:2017-07-27  字号", "首页\n"), ("关于\u3000促进",))
"""ASCII white space (the page's no-break and ideographic spaces are replaced before)."""


def html_to_text(data: bytes, name: str) -> tuple[str, str]:
    """Extract a saved web page's document text; return (text, encoding).

    The page's title and publication date come first, one line each (unless the body
    already starts with them), then the body, one paragraph a line.

    >>> page = "<html><head><title>关于促进经济发展的措施_天河区</title></head><body>" \\
    ...     "<div class='nav'><a>首页</a><a>政务公开</a><a>办事服务</a></div>" \\
    ...     "<div class='info'>发布日期:2017-07-27 字号:[大 中 小]</div>" \\
    ...     "<div class='content'><p>一、加大扶持力度。</p><p>二、优化服务。</p></div>" \\
    ...     "<div class='footer'>粤ICP备16074905号</div></body></html>"
    >>> print(html_to_text(page.encode("gb18030"), "page.html")[0])
    关于促进经济发展的措施
    发布日期:2017-07-27
    一、加大扶持力度。
    二、优化服务。
    """
    from bs4 import BeautifulSoup

    text, encoding = _decode_html(data, name)
    text = _CONTROL_CHARS.pattern.sub("", text)
    soup = BeautifulSoup(text, "lxml")
    title = _page_title(soup)
    date_line = _page_date_line(soup)
    body = soup.body or soup
    _drop_junk_elements(body)
    lines = [line for line in _lines_of(body) if not is_junk_line(line)]
    if not any(_CJK.pattern.search(line) for line in lines if line != title):
        raise ReadError(name, "no body text: the page holds only navigation, scripts or boilerplate")
    header = []
    head = lines[:_HEADER_SEARCH_LINES]
    if title in head:  # the page's heading: move it to the top
        lines.remove(title)
        header.append(title)
    elif title and not any(title in line for line in head):
        header.append(title)
    if date_line and not any(_same_date(date_line, line) for line in lines[:_HEADER_SEARCH_LINES] if _DATE_LINE.pattern.search(line)):
        header.append(date_line)
    return "\n".join(header + lines), encoding


_CONTROL_CHARS = Rule("control_chars", re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]"),
                      ("正文\x00", "\x1b[0m"), ("第一行\r\n第二行\f\t",))
"""Control characters and lone surrogates a page may hold (line breaks and tabs stay)."""


def _decode_html(data: bytes, name: str) -> tuple[str, str]:
    """Decode a page: valid UTF-8 first, then its declared charset, then detection."""
    if not data.strip():
        raise ReadError(name, "empty file")
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        declared = _declared_charset(data[:8192])
        if declared:  # a hint, not proof: text that decodes but is garbage goes on to detection
            try:
                text = data.decode(declared)
                if garbled(_visible_text(text)) is None:
                    return text, declared
            except UnicodeDecodeError:
                pass  # the declaration is wrong, as it often is: detect instead
    return decode_bytes(data, name)


_TAG = Rule("tag", re.compile(r"<[^>]*>"), ("<p>一、加大扶持力度。</p>", '<div class="nav">'), ("收入<100万元的企业",))


def _visible_text(page: str) -> str:
    """A page's text without its tags (enough to judge how it decoded; not the extraction)."""
    return _TAG.pattern.sub(" ", page)


def _declared_charset(head: bytes) -> str | None:
    import codecs

    match = _META_CHARSET.pattern.search(head) or _XML_ENCODING.pattern.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", "replace").strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _clean(text: str) -> str:
    return _WHITESPACE.pattern.sub(" ", text.replace("\xa0", " ").replace("\u3000", " ")).strip()


def _page_title(soup) -> str:
    for meta in soup.find_all("meta"):
        key = (meta.get("name") or meta.get("property") or "").strip().lower()
        if key in _TITLE_METAS and _clean(str(meta.get("content") or "")):
            return _clean(str(meta["content"]))
    page_title = _clean(soup.title.get_text()) if soup.title else ""
    for heading in soup.find_all(("h1", "h2"), limit=6):
        text = _clean(heading.get_text())
        if len(text) >= 4 and text in page_title:
            return text
    if page_title:
        return max(_TITLE_SEPARATORS.pattern.split(page_title), key=len).strip()
    heading = soup.find("h1")
    return _clean(heading.get_text()) if heading else ""


def _page_date_line(soup) -> str:
    """Return the page's publication date as a line, e.g. ``发布日期:2017-07-27``, or ''.

    A labelled date on the page (发布日期, 发表于 …) comes first, then the page's date
    metadata, then a date labelled only 日期 or 时间.
    """
    page_text = _clean(soup.body.get_text(" ")) if soup.body else ""
    match = _DATE_LINE.pattern.search(page_text)
    if match:
        return _date_line(match)
    for meta in soup.find_all("meta"):
        key = (meta.get("name") or meta.get("property") or "").strip().lower()
        if key in _DATE_METAS:
            found = _BARE_DATE.pattern.search(str(meta.get("content") or ""))
            if found:
                return f"发布日期:{_iso(*found.groups())}"
    match = _GENERIC_DATE_LINE.pattern.search(page_text)
    return _date_line(match) if match else ""


_KNOWN_DATE_LABELS = ("发布日期", "发布时间", "发表于", "发文日期", "成文日期")
"""Labels the metadata extractor reads; a page's other labels become 发布日期."""


def _date_line(match: re.Match[str]) -> str:
    label = match.group(1) if match.group(1) in _KNOWN_DATE_LABELS else "发布日期"
    return f"{label}{match.group(2) or ':'}{_iso(match.group(3), match.group(4), match.group(5))}"


def _iso(year: str, month: str, day: str) -> str:
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def _same_date(date_line: str, line: str) -> bool:
    found = _BARE_DATE.pattern.search(line)
    return found is not None and date_line.endswith(_iso(*found.groups()))


def _cjk_count(text: str) -> int:
    return len(_CJK.pattern.findall(text))


def _drop_junk_elements(body) -> None:
    """Remove scripts, navigation, share bars, footers and link lists from ``body`` in place.

    One pass from the innermost elements out, adding up each element's Chinese characters,
    visible characters and link text from its children, so a wrapper is judged without the
    menus already removed inside it, and the cost stays linear in the page's size.
    """
    from bs4 import CData, NavigableString, Tag

    for tag in body.find_all(_DROP_TAGS):
        if not tag.decomposed:
            tag.decompose()
    total = _cjk_count(body.get_text()) or 1
    tally: dict[int, tuple[int, int, int, int]] = {}  # id(tag) -> (cjk, visible, linked, links)
    for tag in reversed(body.find_all(True)):
        cjk = visible = linked = links = 0
        for child in tag.contents:
            if isinstance(child, Tag):
                c_cjk, c_visible, c_linked, c_links = tally.get(id(child), (0, 0, 0, 0))
                cjk, visible, linked, links = cjk + c_cjk, visible + c_visible, linked + c_linked, links + c_links
            elif type(child) in (NavigableString, CData):
                cjk += _cjk_count(child)
                visible += len(_ANY_SPACE.pattern.sub("", child))
        if tag.name == "a":
            linked, links = visible, links + 1
        tally[id(tag)] = (cjk, visible, linked, links)
        if tag.name in ("body", "html"):
            continue
        is_link_list = links >= _LINK_DENSE_MIN_LINKS and visible > 0 and linked / visible >= _LINK_DENSE_SHARE
        marks = " ".join([tag.name if tag.name == "header" else "", str(tag.get("id") or ""), *_classes(tag)])
        looks_like_junk = bool(marks.strip()) and _JUNK_CLASS.pattern.search(marks) is not None and cjk / total < _JUNK_BLOCK_MAX_SHARE
        if (is_link_list and tag.name in _LINK_LIST_TAGS) or looks_like_junk:
            tag.decompose()


_ANY_SPACE = Rule("any_space", re.compile(r"\s+"), ("首页 政务公开", "\u3000\u3000一、"), ("首页",))
_LINK_LIST_TAGS = ("ul", "ol", "div", "table", "tr", "p", "dl", "section", "span", "td", "li")


def _classes(tag) -> list[str]:
    value = tag.get("class") or []
    return [value] if isinstance(value, str) else [str(v) for v in value]


_PRE_END = object()


def _lines_of(body) -> list[str]:
    """Lay out ``body`` as text lines: one a block element or ``<br>``, table cells split by tabs."""
    from bs4 import CData, NavigableString, Tag

    parts: list[str] = []
    in_pre = 0
    stack: list[object] = [body]
    while stack:  # depth-first by hand: no recursion limit on deeply nested pages
        node = stack.pop()
        if node is _PRE_END:
            in_pre -= 1
        elif isinstance(node, str) and not isinstance(node, NavigableString):
            parts.append(node)  # a break this layout put on the stack
        elif isinstance(node, Tag):
            name = node.name
            if name == "br":
                parts.append("\n")
                continue
            if name in _BLOCK_TAGS:
                parts.append("\n")
                stack.append("\n")
            elif name in _CELL_TAGS:
                stack.append("\t")
            if name == "pre":
                in_pre += 1
                stack.append(_PRE_END)
            stack.extend(reversed(node.contents))
        elif type(node) in (NavigableString, CData):
            parts.append(str(node) if in_pre else _WHITESPACE.pattern.sub(" ", node))
    lines = []
    for raw in "".join(parts).split("\n"):
        cells = (cell.strip(" \xa0\u3000") for cell in raw.split("\t"))
        line = "\t".join(cell for cell in cells if cell)
        if line:
            lines.append(line)
    return lines


# --------------------------------------------------------------------------------------
# .docx

MAX_DOCX_UNPACKED_BYTES = 200 * 1024 * 1024
"""A .docx whose parts add up to more than this when unpacked is refused (zip bomb)."""
MAX_DOCX_RATIO = 200
"""A part larger than ``_RATIO_CHECK_BYTES`` that unpacks to more than this many times its packed size is refused."""
_RATIO_CHECK_BYTES = 10 * 1024 * 1024
MAX_DOCX_PARTS = 5000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def docx_to_text(data: bytes, name: str) -> str:
    """Extract a Word .docx's paragraphs and tables, one paragraph (or table row) a line.

    Refuses, with the reason, a file that is not a zip, an old .doc, a zip bomb, or a zip
    without a Word document in it.
    """
    _check_docx_package(data, name)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_block_lines(document.element.body))
    except ReadError:
        raise
    except Exception as exc:  # python-docx, lxml and zipfile raise many kinds
        raise ReadError(name, f"damaged .docx: {type(exc).__name__}: {str(exc)[:200]}") from None
    return "\n".join(line for line in lines if line.strip())


def _check_docx_package(data: bytes, name: str) -> None:
    if data.startswith(_OLE_MAGIC):
        raise ReadError(name, "not a .docx: an old Word .doc (or a password-protected file); save it as .docx without a password")
    if not data.startswith(b"PK"):
        raise ReadError(name, "not a .docx: the file is not a zip archive")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise ReadError(name, f"not a .docx: damaged zip archive ({exc})") from None
    if len(parts) > MAX_DOCX_PARTS:
        raise ReadError(name, f"refused as a zip bomb: {len(parts)} parts, the limit is {MAX_DOCX_PARTS}")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise ReadError(name, f"refused as a zip bomb: its parts declare {_mb(unpacked)} unpacked, the limit is "
                              f"{_mb(MAX_DOCX_UNPACKED_BYTES)}")
    for part in parts:
        if part.file_size > _RATIO_CHECK_BYTES and part.file_size > MAX_DOCX_RATIO * max(part.compress_size, 1):
            raise ReadError(
                name,
                f"refused as a zip bomb: part {part.filename!r} unpacks to {_mb(part.file_size)}, "
                f"{part.file_size // max(part.compress_size, 1)} times its packed size (limit {MAX_DOCX_RATIO})",
            )
    if not any(part.filename.startswith("word/") for part in parts):
        raise ReadError(name, "not a Word document: the zip holds no word/ part (a renamed .xlsx, .pptx or .zip?)")
    _inflate_all(data, name)


_INFLATE_CHUNK = 1 << 20


def _mb(n: int) -> str:
    """A size as written in every message: MB of 2**20 bytes, one decimal (the limits are whole)."""
    value = n / 2**20
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


def _inflate_all(data: bytes, name: str) -> None:
    """Inflate every part in chunks, counting the bytes actually produced, and stop at the limit.

    The sizes a zip declares are not trusted: a part that declares 1 kB may inflate to 2 GB
    (and ``zipfile`` would ask zlib for up to 2 GB at once). Here memory stays at one chunk;
    a part whose real size differs from its declared one (a CRC error) is refused.
    """
    import zlib

    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.infolist():
            if part.is_dir():
                continue
            if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ReadError(name, f"not a .docx: part {part.filename!r} uses an unsupported compression")
            start = part.header_offset + 30 + int.from_bytes(data[part.header_offset + 26:part.header_offset + 28], "little") \
                + int.from_bytes(data[part.header_offset + 28:part.header_offset + 30], "little")
            packed = memoryview(data)[start:start + part.compress_size]
            if part.compress_type == zipfile.ZIP_STORED:
                size, crc = len(packed), zlib.crc32(packed)
            else:
                size, crc = _inflate(packed, name, part.filename, MAX_DOCX_UNPACKED_BYTES - total)
            total += size
            if total > MAX_DOCX_UNPACKED_BYTES:
                raise ReadError(name, f"refused as a zip bomb: it unpacks to more than {_mb(MAX_DOCX_UNPACKED_BYTES)} "
                                      f"(the limit), though it declares {_mb(sum(p.file_size for p in archive.infolist()))}")
            if size != part.file_size or crc != part.CRC:
                raise ReadError(name, f"damaged .docx: part {part.filename!r} unpacks to {size:,} bytes but declares "
                                      f"{part.file_size:,} (or its checksum differs)")


def _inflate(packed: memoryview, name: str, part: str, budget: int) -> tuple[int, int]:
    """Return (bytes inflated, CRC-32) of one deflated part, never holding more than a chunk;
    stop as soon as ``budget`` is exceeded (the caller then refuses the file)."""
    import zlib

    inflater = zlib.decompressobj(-15)
    size = crc = 0
    pos = 0
    pending = b""
    while True:
        if not pending:
            if pos >= len(packed):
                break
            pending = bytes(packed[pos:pos + _INFLATE_CHUNK])
            pos += _INFLATE_CHUNK
        try:
            out = inflater.decompress(pending, _INFLATE_CHUNK)
        except zlib.error as exc:
            raise ReadError(name, f"damaged .docx: part {part!r} cannot be unpacked ({exc})") from None
        pending = inflater.unconsumed_tail
        size += len(out)
        crc = zlib.crc32(out, crc)
        if size > budget:
            return size, crc
        if inflater.eof:
            break
    return size, crc


def _block_lines(container):
    """Yield the text lines of body-level paragraphs, tables and content controls in order."""
    for child in container.iterchildren():
        if child.tag == _W + "p":
            yield _paragraph_text(child)
        elif child.tag == _W + "tbl":
            yield from _table_lines(child)
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _block_lines(content)


def _paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter(_W + "t", _W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen"):
        if any(ancestor.tag == _MC_FALLBACK for ancestor in node.iterancestors()):
            continue  # the same text-box content is in the preferred alternative
        if node.tag == _W + "t":
            parts.append(node.text or "")
        elif node.tag == _W + "tab":
            parts.append("\t")
        elif node.tag == _W + "noBreakHyphen":
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def _table_lines(table):
    for row in table.iterchildren(_W + "tr"):
        cells = []
        for cell in row.iterchildren(_W + "tc"):
            text = " ".join(line.strip() for line in _block_lines(cell) if line.strip())
            cells.append(text)
        line = "\t".join(cell for cell in cells if cell)
        if line:
            yield line


# --------------------------------------------------------------------------------------
# PDF

MAX_PDF_PAGES = 2000
_PAGE_NUMBER = Rule("page_number", re.compile(r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[/,,]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$"),
                    ("- 3 -", "—12—", "第 2 页 共 10 页", "3/10"), ("第2批", "2015-2016年", "3/10的企业"))
"""A PDF page's number line: dropped before the lines are joined."""
_SENTENCE_END = tuple("。!?;:!?;:")
_CLOSERS = "”’」』)】》)\"'"
_OUTLINE_START = Rule("outline_start", re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[((][一二三四五六七八九十\d]+[))]|\d+[.、.]|第[一二三四五六七八九十百\d]+[章节条])"),
                      ("一、加大扶持力度。", "(二)优化服务", "3.加强", "第一章 总则"), ("第一批项目", "2021年"))
"""A line that opens an outline item: a wrapped PDF line is never joined onto it."""
_FULL_LINE_SHARE = 0.85


def pdf_to_text(data: bytes, name: str) -> str:
    """Extract a PDF's text layer, lines wrapped by the layout joined back into paragraphs.

    A PDF without a text layer (a scan) is refused with "no text layer".
    """
    if b"%PDF" not in data[:1024]:
        raise ReadError(name, "not a PDF: no %PDF header")
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = 0
            if not opened:
                raise ReadError(name, "encrypted PDF: it needs a password; save an unprotected copy")
        page_count = len(reader.pages)
        if page_count == 0:
            raise ReadError(name, "no pages: the PDF is empty or damaged")
        pages = [page.extract_text() or "" for page in list(reader.pages)[:MAX_PDF_PAGES]]
    except ReadError:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files
        raise ReadError(name, f"damaged PDF: {type(exc).__name__}: {str(exc)[:200]}") from None
    if not any(page.strip() for page in pages):
        raise ReadError(
            name,
            f"no text layer: scanned PDF? Its {page_count} page(s) hold no text; run OCR (e.g. ocrmypdf) and load the result",
        )
    lines = [line for page in pages for line in page.splitlines() if line.strip() and not _PAGE_NUMBER.pattern.match(line)]
    return "\n".join(reflow(lines))


def _width(text: str) -> int:
    return sum(1 if ch.isascii() else 2 for ch in text)


def reflow(lines: list[str]) -> list[str]:
    """Join lines the page layout wrapped back into paragraphs.

    A line as wide as the widest lines that does not end a sentence continues on the next
    line, unless the next one opens an outline item.

    >>> reflow(["一、总体要求", "为贯彻落实习近平总书记重要讲话精神,加快数字", "经济发展,特制定本措施。", "(一)加强统筹。"])
    ['一、总体要求', '为贯彻落实习近平总书记重要讲话精神,加快数字经济发展,特制定本措施。', '(一)加强统筹。']
    """
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return []
    widths = sorted(_width(line) for line in lines)
    full = widths[int(len(widths) * 0.9)] if len(widths) > 1 else widths[0]
    paragraphs = [lines[0]]
    for previous, line in zip(lines, lines[1:]):
        wrapped = _width(previous) >= _FULL_LINE_SHARE * full and not previous.rstrip(_CLOSERS).endswith(_SENTENCE_END)
        if wrapped and not _OUTLINE_START.pattern.match(line):
            joint = " " if previous[-1].isascii() and previous[-1].isalnum() and line[0].isascii() and line[0].isalnum() else ""
            paragraphs[-1] += joint + line
        else:
            paragraphs.append(line)
    return paragraphs
