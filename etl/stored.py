"""What the current database holds, read to decide what a run does.

In: the database path (or the run's open copy). Out: each document's content hash (unchanged
files are not extracted again, the same content under another name is a duplicate), each text's
hash (the same text read from another format), whether its tables have the declared columns, and,
when they do not, its documents extracted again from their stored text (``reextract``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl import load
from etl.extract import extract
from etl.read import ReadResult
from etl.schema import TABLES


def hashes(db_path: Path) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(doc_id -> (sha, file_name), sha -> doc_id) of the current database."""
    if not db_path.exists():
        return {}, {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("SELECT doc_id, content_sha256, file_name FROM documents").fetchall()
    finally:
        con.close()
    return {d: (s, f) for d, s, f in rows}, {s: d for d, s, _ in rows}


def schema_matches(db_path: Path) -> bool:
    """True when the database's tables have exactly the declared columns (or there is no database)."""
    if not db_path.exists():
        return True
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for table in TABLES.values():
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table.name]).fetchall()]
            if cols != table.column_names:
                return False
        return True
    finally:
        con.close()


def documents(db_path: Path) -> list[tuple]:
    """The stored documents (to re-extract them when the schema changed)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("SELECT doc_id, file_name, source_path, content_sha256, source_format, encoding, text, "
                           "original_text FROM documents ORDER BY doc_id").fetchall()
    finally:
        con.close()


def reextract(row: tuple) -> tuple[str, object]:
    """Extract a stored document again from its stored text."""
    doc_id, file_name, source_path, sha, fmt, encoding, text, original = row
    try:
        rr = ReadResult(text, original or text, encoding, fmt, sha)
        return "ok", load.document_rows(doc_id, file_name, source_path, rr, extract(text))
    except Exception as exc:  # noqa: BLE001 - the other documents must still load
        return "failed", f"extraction error: {type(exc).__name__}: {exc}"


def text_hashes(con) -> dict[str, tuple[str, str]]:
    """text_sha256 -> (doc_id, file_name) of the documents stored so far."""
    return {t: (d, f) for d, f, t in con.execute(
        "SELECT doc_id, file_name, text_sha256 FROM documents WHERE text_sha256 IS NOT NULL ORDER BY doc_id").fetchall()}

