"""Bytes and text, whatever the file's format: decoding, the limits, the garbage and Chinese-text checks,
traditional → simplified, and ``ReadError`` / ``ReadResult``.

In: bytes (``decode_bytes``) or decoded text. Out: text, or the reason it is no document. Traditional
characters are converted to simplified (OpenCC ``t2s``) only where the conversion keeps every
character in place, so offsets into the stored text and into the original line up. Imports nothing
of ``etl.read``'s other modules (``formats`` and the package read from it).
"""

from __future__ import annotations

import codecs
import collections
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from etl.segment import Rule

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TEXT_CHARS = 5_000_000
"""A document's text beyond this (about 2,500 pages) is refused: extraction takes ~2 s a million characters."""
"""Files larger than this are refused with a stated reason (see README)."""

TEXT_SUFFIXES = {".txt", ".text", ""}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".html", ".htm", ".docx", ".pdf"}


class ReadError(Exception):
    r"""A file that cannot be read; ``str()`` names the file (safely printable) and the reason.

    >>> str(ReadError("../../etc/\x1b[2J报告.txt", "empty file"))
    '\\x1b[2J报告.txt: empty file'
    """

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        self.display_name = safe_name(self.path)
        super().__init__(f"{self.display_name}: {reason}")


_MAX_NAME_CHARS = 120


def safe_name(path: str | Path) -> str:
    r"""Return the file's name fit for a message: no folders, no control characters, bounded.

    Folders (``../``) are dropped, and every character that is not printable (control
    characters, lone surrogates from undecodable names) is shown as an escape.

    >>> safe_name("../../a\tb.txt")
    'a\\tb.txt'
    """
    raw = str(path)
    name = raw.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if name in ("", ".", ".."):
        name = raw
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii") for ch in name)
    if len(shown) > _MAX_NAME_CHARS:
        shown = shown[: _MAX_NAME_CHARS - 1] + "…"
    return shown or "<unnamed>"


@dataclass(frozen=True)
class ReadResult:
    text: str
    original_text: str
    encoding: str
    source_format: str
    content_sha256: str
    warnings: tuple[str, ...] = ()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_CONTROL = Rule("control", re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]"),
                ("正文\x00", "第一页\x0c第二页", "\x1b[0m"), ("第一行\r\n第二行\t",))
"""Control characters (a page break among them) and lone surrogates: dropped from stored text."""
_LINE_SEPARATORS = Rule("line_separators", re.compile(r"[\x85\u2028\u2029]"), ("第一段\u2028第二段", "\x85"), ("第一段\n第二段",))
"""Unicode's other line breaks: stored as newlines."""

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_CJK_ENCODINGS = ("gb18030", "big5")
_SCORE_MARGIN = 0.1
"""Below this gap between the GB18030 and Big5 scores, charset-normalizer decides."""


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode ``data`` as UTF-8 (BOM or not), UTF-16/32, GB18030 or Big5; return (text, encoding).

    Big5 bytes almost always decode "successfully" as GB18030 too (into nonsense), so when
    both work the decoding with more common Chinese characters wins, and charset-normalizer
    settles near ties.

    >>> decode_bytes("广州市工业和信息化局".encode("gb18030"))
    ('广州市工业和信息化局', 'gb18030')
    >>> decode_bytes("廣州市工業和信息化局".encode("big5"))
    ('廣州市工業和信息化局', 'big5')
    """
    if not data:
        raise ReadError(name, "empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _strict(data, enc, name), enc
    nul_count = data.count(0)
    if nul_count:
        for enc in _utf16_orders(data):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                if exc.end >= len(data) and _plausible_share(data[: exc.start].decode(enc, "replace")) >= _PLAUSIBLE:
                    raise ReadError(name, f"truncated: the file ends in the middle of a {enc.upper()} character (byte {exc.start})") from None
                continue
            if _plausible_share(text) >= _PLAUSIBLE:
                return text, enc
        if nul_count * 100 > len(data):
            raise ReadError(name, "binary data, not text (NUL bytes, and not UTF-16)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            raise ReadError(name, f"truncated: the file ends in the middle of a UTF-8 character (byte {exc.start})") from None
        utf8_error = exc
    candidates: dict[str, str] = {}
    errors: dict[str, UnicodeDecodeError] = {}
    for enc in _CJK_ENCODINGS:
        try:
            candidates[enc] = data.decode(enc)
        except UnicodeDecodeError as exc:
            errors[enc] = exc
    if not candidates:
        for enc, exc in errors.items():
            if exc.end >= len(data) and _decodes(data[: exc.start], enc) and exc.start > len(data) // 2:
                raise ReadError(name, f"truncated: the file ends in the middle of a {enc.upper()} character (byte {exc.start})")
        raise ReadError(
            name,
            f"not text in a known encoding (tried UTF-8, UTF-16, GB18030, Big5; invalid UTF-8 at byte {utf8_error.start})",
        )
    if len(candidates) == 1:
        enc, text = next(iter(candidates.items()))
        return text, enc
    return _pick_gb_or_big5(data, candidates)


def _strict(data: bytes, enc: str, name: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        if exc.reason in ("truncated data", "unexpected end of data") or exc.end >= len(data):
            raise ReadError(name, f"truncated: the file ends in the middle of a {enc.upper()} character (byte {exc.start})") from None
        raise ReadError(name, f"invalid {enc.upper()} at byte {exc.start}: {exc.reason}") from None


def _decodes(data: bytes, enc: str) -> bool:
    try:
        data.decode(enc)
    except UnicodeDecodeError:
        return False
    return True


def _utf16_orders(data: bytes) -> tuple[str, ...]:
    """Return the UTF-16 byte orders worth trying on BOM-less ``data``, likeliest first.

    Text in UTF-16 has a NUL in every ASCII character (newlines, digits): at odd offsets in
    little-endian, at even offsets in big-endian. Some Chinese characters (一 is U+4E00) put
    one on the other side, so both orders are tried and the decoding must look like text.
    """
    head = data[:65536]
    nul_even = head[0::2].count(0)
    nul_odd = head[1::2].count(0)
    return ("utf-16-le", "utf-16-be") if nul_odd >= nul_even else ("utf-16-be", "utf-16-le")


_PLAUSIBLE = 0.9
"""Share of ordinary characters a UTF-16 decoding needs before it is believed."""


def _plausible_share(text: str) -> float:
    """Return the share of characters a Chinese document is made of (CJK, ASCII, punctuation)."""
    if not text:
        return 0.0
    ordinary = sum(
        (ch.isascii() and (ch.isprintable() or ch in "\n\r\t"))
        or "\u4e00" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or "\u2010" <= ch <= "\u2027"
        for ch in text
    )
    return ordinary / len(text)


def _pick_gb_or_big5(data: bytes, candidates: dict[str, str]) -> tuple[str, str]:
    scores = {enc: _cjk_common_share(text) for enc, text in candidates.items()}
    gb, big5 = scores["gb18030"], scores["big5"]
    if abs(gb - big5) >= _SCORE_MARGIN:
        enc = "gb18030" if gb > big5 else "big5"
        return candidates[enc], enc
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data, cp_isolation=list(_CJK_ENCODINGS)).best()
    except Exception:  # a detector failure must not become the reader's failure
        best = None
    enc = "big5" if best is not None and best.encoding in ("big5", "cp950") else "gb18030"
    return candidates[enc], enc


# The most frequent Chinese characters; traditional forms are added on first use.
_COMMON_SIMPLIFIED = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研"
_COMMON: set[str] = set()


def _cjk_common_share(text: str) -> float:
    """Return the share of CJK characters in ``text`` that are among the most frequent ones."""
    if not _COMMON:
        _COMMON.update(_COMMON_SIMPLIFIED, _converter("s2t").convert(_COMMON_SIMPLIFIED), _converter("s2tw").convert(_COMMON_SIMPLIFIED))
    cjk = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return 0.0
    return sum(ch in _COMMON for ch in cjk) / len(cjk)


_converters: dict[str, object] = {}


def _converter(config: str):
    if config not in _converters:
        import opencc

        _converters[config] = opencc.OpenCC(config)
    return _converters[config]


def to_simplified(text: str, has_traditional: bool | None = None) -> str:
    """Convert traditional characters to simplified, keeping every offset in place
    (``has_traditional``: whether it holds any, when the caller knows).

    >>> to_simplified("廣州市工業和信息化局")
    '广州市工业和信息化局'
    """
    t2s = _converter("t2s")
    if has_traditional is None:
        has_traditional = any(_flags(ch) & _TRADITIONAL for ch in set(text))
    if not has_traditional:
        return text  # most documents: nothing to convert, skip OpenCC's pass over the text
    converted = t2s.convert(text)
    if len(converted) == len(text):
        return converted
    # Phrase conversions changed a length: fall back to character-by-character.
    return "".join(ch if len(c := t2s.convert(ch)) != 1 else c for ch in text)


def normalize_text(text: str) -> str:
    """Normalise line endings, drop control characters and lone surrogates (offsets index the result)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = _LINE_SEPARATORS.pattern.sub("\n", text)
    return _CONTROL.pattern.sub("", text)


def too_large_reason(size: int) -> str:
    """The reason given for a file over ``MAX_FILE_BYTES`` (one wording everywhere)."""
    return size_reason(size, MAX_FILE_BYTES, "the limit")


def size_reason(size: int, limit: int, what: str) -> str:
    """One wording for every size refusal: the exact size, and the limit (MB are 2**20 bytes).

    >>> size_reason(54_945_383, 50 * 2**20, "the limit")
    'too large: 52.4 MB (54,945,383 bytes), the limit is 50 MB a file'
    """
    return f"too large: {size / 2**20:.1f} MB ({size:,} bytes), {what} is {limit / 2**20:g} MB a file"


_JUDGED_CHARS = 200_000
MAX_ODD_SHARE = 0.01
"""A text with more private-use, unassigned or replacement characters than this share is garbage."""
MIN_COMMON_SHARE = 0.15
"""Chinese text: this share of its CJK characters at least are among the most frequent ones
(real documents: 0.45 and more; random GB18030 bytes 0.03, Big5 read as GB18030 0.06)."""
_MIN_JUDGED_CJK = 200


class CharStats(NamedTuple):
    """What the read checks need of a text's characters, counted in one pass over its distinct ones."""

    visible: int  # not white space
    odd: int  # private-use, unassigned, U+FFFD
    cjk: int  # CJK ideographs (basic block and extension A)
    cjk_basic: int  # of the basic block only
    common: int  # among the most frequent ones
    traditional: bool  # any that t2s converts
    whole: bool  # the counts cover the whole text (not only its first ``_JUDGED_CHARS``)


_BLANK, _ODD, _CJK_BASIC, _CJK_EXT, _COMMON_CJK, _TRADITIONAL = 1, 2, 4, 8, 16, 32
_FLAGS: dict[str, int] = {}  # character -> its flags, filled as characters are met


def _flags(ch: str) -> int:
    flags = _FLAGS.get(ch)
    if flags is None:
        import unicodedata

        flags = 0
        if ch.isspace():  # what ``\s`` matches
            flags |= _BLANK
        elif ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cn"):
            flags |= _ODD
        elif "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            _cjk_common_share("")  # fills the set of common characters
            flags |= (_CJK_BASIC if ch <= "\u9fff" and ch >= "\u4e00" else _CJK_EXT) | (_COMMON_CJK if ch in _COMMON else 0)
        if _converter("t2s").convert(ch) != ch:
            flags |= _TRADITIONAL
        _FLAGS[ch] = flags
    return flags


def char_stats(text: str) -> CharStats:
    """Count a text's characters by kind (of its first ``_JUDGED_CHARS``), each distinct character judged once.

    >>> char_stats("廣州 ab\ue000")
    CharStats(visible=5, odd=1, cjk=2, cjk_basic=2, common=0, traditional=True, whole=True)
    """
    visible = odd = cjk = basic = common = 0
    traditional = False
    for ch, n in collections.Counter(text[:_JUDGED_CHARS]).items():
        f = _FLAGS.get(ch)
        if f is None:
            f = _flags(ch)
        if f & _BLANK:
            continue
        visible += n
        if f & _ODD:
            odd += n
        elif f & (_CJK_BASIC | _CJK_EXT):
            cjk += n
            if f & _CJK_BASIC:
                basic += n
            if f & _COMMON_CJK:
                common += n
        if f & _TRADITIONAL:
            traditional = True
    return CharStats(visible, odd, cjk, basic, common, traditional, len(text) <= _JUDGED_CHARS)


def garbled(text: str, stats: CharStats | None = None) -> str | None:
    """Say why a decoded text is garbage (bytes read in the wrong encoding, random bytes), or None
    (``stats``: its ``char_stats``, when the caller has them).

    >>> garbled("广州市工业和信息化局关于加快发展数字经济的若干措施") is None
    True
    >>> garbled("\ue000\ue001abc")
    '40% private-use, unassigned or replacement characters'
    """
    st = stats or char_stats(text)
    if not st.visible:
        return None
    if st.odd / st.visible > MAX_ODD_SHARE:
        return f"{st.odd / st.visible:.0%} private-use, unassigned or replacement characters"
    if st.cjk >= _MIN_JUDGED_CJK:
        share = st.common / st.cjk
        if share < MIN_COMMON_SHARE:
            return (f"only {share:.0%} of its Chinese characters are common ones (Chinese text has over "
                    f"{MIN_COMMON_SHARE:.0%}): the wrong encoding?")
    return None


_NOT_CJK_RE = Rule("not_cjk", re.compile(r"[^\u4e00-\u9fff]+"), ("广州 ab",), ("广州",))
_BLANKS_RE = Rule("blanks", re.compile(r"\s+"), ("广州 ab", "一、\u3000加大"), ("广州ab",))
_CJK_SAMPLE = 20000


def cjk_share(text: str, stats: CharStats | None = None) -> float:
    """Share of a text's visible characters that are CJK (counted by deleting the others, in C;
    from its ``char_stats`` when they cover the whole sample).

    >>> cjk_share("广州 ab")
    0.5
    """
    if stats is not None and len(text) <= _CJK_SAMPLE:
        return stats.cjk_basic / stats.visible if stats.visible else 0.0
    sample = text[:_CJK_SAMPLE]
    visible = len(_BLANKS_RE.pattern.sub("", sample))
    if not visible:
        return 0.0
    return len(_NOT_CJK_RE.pattern.sub("", sample)) / visible
