"""Turn a file into decoded text: a path (or its bytes) in, ``ReadResult`` (stored text + original) out.

The stored text is what every offset indexes and what the dashboard shows. ``text`` holds what any
file goes through (decoding, limits, checks, traditional → simplified), ``formats`` the HTML, DOCX and
PDF parsers; this module picks by the file's suffix. Imports go one way: here → ``formats`` → ``text``.
Anything that cannot be read raises ``ReadError`` naming the file and the reason.
"""

from __future__ import annotations

from pathlib import Path

from etl.read.text import (MAX_FILE_BYTES, MAX_TEXT_CHARS, SUPPORTED_SUFFIXES, TEXT_SUFFIXES, CharStats, ReadError,
                           ReadResult, char_stats, cjk_share, decode_bytes, garbled, normalize_text, safe_name,
                           sha256_bytes, size_reason, to_simplified, too_large_reason)

__all__ = ["MAX_FILE_BYTES", "MAX_TEXT_CHARS", "SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "CharStats", "ReadError",
           "ReadResult", "char_stats", "decode_bytes", "garbled", "normalize_text", "read_file", "safe_name",
           "sha256_bytes", "size_reason", "to_simplified", "too_large_reason"]


def read_file(path: str | Path, data: bytes | None = None) -> ReadResult:
    """Read one file into a ``ReadResult``; raise ``ReadError`` with the file and the reason.

    ``path`` names the file (its suffix picks the format); when ``data`` is given it is the
    file's content and ``path`` is only a label. No other exception type leaves this function,
    whatever the bytes.
    """
    label = str(path)
    path = Path(path)
    if data is None:
        data = _read_bytes(path, label)
    elif len(data) > MAX_FILE_BYTES:
        raise ReadError(label, too_large_reason(len(data)))
    if not data:
        raise ReadError(label, "empty file")
    try:
        return _read_data(path.suffix.lower(), data, label)
    except ReadError as exc:
        if exc.path != label:  # parsers name the file by its label too; keep one form
            raise ReadError(label, exc.reason) from None
        raise
    except Exception as exc:  # a parser library's own failure: say so, never crash the run
        raise ReadError(label, f"unreadable: {type(exc).__name__}: {str(exc)[:200]}") from None


def _read_bytes(path: Path, label: str) -> bytes:
    try:
        if path.is_dir():
            raise ReadError(label, "a folder, not a file")
        size = path.stat().st_size
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise ReadError(label, f"cannot open: {getattr(exc, 'strerror', None) or exc}") from None
    if size > MAX_FILE_BYTES:
        raise ReadError(label, too_large_reason(size))
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise ReadError(label, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if len(data) > MAX_FILE_BYTES:  # grew since stat
        raise ReadError(label, too_large_reason(len(data)))
    return data


def _read_data(suffix: str, data: bytes, label: str) -> ReadResult:
    digest = sha256_bytes(data)
    warnings: list[str] = []
    if suffix in (".html", ".htm"):
        from etl.read import formats  # its parsers load only for files that need them

        original, encoding = formats.html_to_text(data, label)
        fmt = "html"
    elif suffix == ".docx":
        from etl.read import formats  # its parsers load only for files that need them

        original, encoding = formats.docx_to_text(data, label), "docx"
        fmt = "docx"
    elif suffix == ".pdf":
        from etl.read import formats  # its parsers load only for files that need them

        original, encoding = formats.pdf_to_text(data, label), "pdf"
        fmt = "pdf"
    else:
        original, encoding = decode_bytes(data, label)
        fmt = "txt"
    original = normalize_text(original)
    if not original.strip():
        raise ReadError(label, "no text: the file holds only white space")
    stats = char_stats(original)  # every check below reads these, not the text
    problem = garbled(original, stats)
    if problem:
        raise ReadError(label, f"garbled text, not a readable document: {problem} (read as {encoding})")
    if cjk_share(original, stats) < 0.05:
        raise ReadError(label, "no Chinese text found: not a document this tool reads (binary or garbled?)")
    if len(original) > MAX_TEXT_CHARS:
        raise ReadError(label, f"too long: {len(original):,} characters of text, the limit is {MAX_TEXT_CHARS:,} a document")
    text = to_simplified(original, stats.traditional if stats.whole else None)
    if text != original:
        warnings.append("traditional characters converted to simplified")
    return ReadResult(text, original, encoding, fmt, digest, tuple(warnings))
