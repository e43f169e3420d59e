"""A damaged database file: found, and set aside so a load can rebuild.

In: the database path. Out: what is wrong with the file (truncated, not a DuckDB file, a block
that fails its checksum) or None (``damage``; ``damage_seen`` remembers the quick check per file
version for the dashboard's every page), and ``set_aside`` moving a damaged file out of the way.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb


_HEADER_BYTES = 3 * 4096
"""A DuckDB file's headers, before its blocks."""


def damage(db_path: str | Path, thorough: bool = True) -> str | None:
    """Return what is wrong with the database file (truncated, not a DuckDB file, unreadable), or None.

    Quick (the dashboard's, every page): the file opens, holds its data's last block, and its
    documents can be counted. Thorough (before a load builds on it, and only an error reading
    counts): every column of every table is read, so every block's checksum is verified.
    """
    db_path = Path(db_path)
    if not db_path.exists():
        return None
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower() and "conflicting" in str(exc).lower():
            raise  # another process holds it: busy, not damaged
        return _first_line(exc)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'").fetchall()]
        if not thorough:  # without reading the data: its last block must be in the file
            size = db_path.stat().st_size
            block_size = int(con.execute("PRAGMA database_size").fetchall()[0][2])
            last = max([con.execute("SELECT max(block_id) FROM pragma_storage_info(?)", [t]).fetchall()[0][0] or -1
                        for t in tables] or [-1])
            expected = _HEADER_BYTES + (last + 1) * block_size
            if size < expected:
                return f"truncated: the file holds {size:,} bytes, its data reach byte {expected:,}"
        if "documents" in tables:
            con.execute("SELECT count(*) FROM documents").fetchall()
        if thorough:
            for table in tables:
                con.execute(f'SELECT count(*), bit_xor(hash(*COLUMNS(*))) FROM "{table}"').fetchall()
    except duckdb.Error as exc:
        return _first_line(exc)
    finally:
        con.close()
    return None


_quick: dict[tuple[str, int, int], str | None] = {}


def damage_seen(db_path: str | Path) -> str | None:
    """``damage(db_path, thorough=False)``, remembered per file version (for the dashboard's every page)."""
    try:
        st = Path(db_path).stat()
    except OSError:
        return None
    key = (str(db_path), st.st_mtime_ns, st.st_size)
    if key not in _quick:
        if len(_quick) > 16:
            _quick.clear()
        _quick[key] = damage(db_path, thorough=False)
    return _quick[key]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200] if text else ''}"


def set_aside(db_path: Path, when: dt.datetime) -> Path:
    """Move a damaged database (and its WAL) aside, named with the time; return the new path."""
    target = db_path.with_name(f"{db_path.name}.damaged-{when.strftime('%Y%m%dT%H%M%S')}")
    n = 1
    while target.exists():
        target = target.with_name(f"{db_path.name}.damaged-{when.strftime('%Y%m%dT%H%M%S')}-{n}")
        n += 1
    os.replace(db_path, target)
    wal = Path(str(db_path) + ".wal")
    if wal.exists():
        os.replace(wal, Path(str(target) + ".wal"))
    return target

