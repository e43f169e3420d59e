"""Build facts databases of a chosen size by replicating a loaded database's documents in SQL.

In: a database written by the ETL and a number of figures. Out: a new DuckDB file with the same
schema holding about that many figures: whole documents (with their commitments, figures,
mentions, sections and change log) copied under new IDs (``<id>~<copy>``) until the figure
count is reached. Extracting a million figures would take the ETL an hour; copying takes
seconds, and the dashboard sees the same shape of data.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

from etl.derive import STORAGE_ORDER
from etl.load import create_schema
from etl.schema import TABLES

ID_COLUMNS = ("doc_id", "commitment_id", "figure_id", "entity_id", "file_name", "source_path", "path")
"""Columns made unique per copy by appending ``~<copy>`` (copy 0 keeps its values)."""

DOC_OF = {  # how each table's rows find their document, for tables without a doc_id column
    "commitment_agencies": "JOIN src.commitments c USING (commitment_id)",
}


def _select(table: str, alias: str = "t", copies: int = 1) -> str:
    cols = []
    for col in TABLES[table].column_names:
        if col == "list_order":  # unique in an ETL database: each row's copies follow it, in copy order
            cols.append(f"CAST(({alias}.{col} - 1) * {int(copies)} + p.k + 1 AS INTEGER) AS {col}")
        elif col in ID_COLUMNS:
            cols.append(f"CASE WHEN p.k = 0 THEN {alias}.{col} ELSE {alias}.{col} || '~' || p.k END AS {col}")
        elif col in ("content_sha256", "text_sha256"):
            cols.append(f"CASE WHEN p.k = 0 THEN {alias}.{col} ELSE sha256({alias}.{col} || p.k::VARCHAR) END AS {col}")
        else:
            cols.append(f"{alias}.{col}")
    return ", ".join(cols)


COUNTED = ("figures", "reported_figures")
"""The tables a size can be counted in: money and project counts, or every reported figure (issue 15)."""


def build(source: str | Path, target: str | Path, figures: int, counted: str = "figures") -> dict[str, int]:
    """Write ``target`` with about ``figures`` rows of ``counted`` copied from ``source``; return its row counts.

    Whole documents are copied, so every table (``reported_figures`` too) grows with them;
    ``counted="reported_figures"`` sizes the database by every reported figure instead.
    """
    if counted not in COUNTED:
        raise ValueError(f"counted must be one of {COUNTED}, not {counted!r}")
    target = Path(target)
    target.unlink(missing_ok=True)
    Path(str(target) + ".wal").unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        create_schema(con)
        con.execute("ATTACH ? AS src (READ_ONLY)", [str(source)])
        have = con.execute(f"SELECT count(*) FROM src.{counted}").fetchall()[0][0]
        if have == 0:
            raise ValueError(f"{source} holds no {counted} to copy")
        copies = max(1, math.ceil(figures / have))
        # Pick (copy, document) pairs in a fixed order until the figure count is reached.
        con.execute(f"""
            CREATE TEMP TABLE pick AS
            WITH per_doc AS (
                SELECT d.doc_id, count(f.figure_id) AS n
                FROM src.documents d LEFT JOIN src.{counted} f USING (doc_id) GROUP BY d.doc_id),
            ordered AS (
                SELECT r.range AS k, p.doc_id, p.n,
                       sum(p.n) OVER (ORDER BY r.range, p.doc_id ROWS UNBOUNDED PRECEDING) AS running
                FROM range(?) r CROSS JOIN per_doc p)
            SELECT k, doc_id FROM ordered WHERE running - n < ?
        """, [copies, figures])
        for table in TABLES:
            if table not in DOC_OF and "doc_id" not in TABLES[table].column_names:  # not per document: once
                con.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
                continue
            join = DOC_OF.get(table, "")
            doc_col = "c.doc_id" if join else "t.doc_id"
            rows = f"SELECT {_select(table, copies=copies)} FROM src.{table} t {join} JOIN pick p ON p.doc_id = {doc_col}"
            if table in STORAGE_ORDER:  # stored as the ETL stores it, copies and all
                rows = f"SELECT * FROM ({rows}) ORDER BY {STORAGE_ORDER[table]}"
            con.execute(f"INSERT INTO {table} {rows}")
        con.execute("DETACH src")
        con.execute("CHECKPOINT")
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                for t in ("documents", "commitments", "figures", "reported_figures", "agency_mentions")}
    finally:
        con.close()
