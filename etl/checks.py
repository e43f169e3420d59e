"""The data checks: every written row points at its text, IDs are unique, references resolve.

In: an open connection (all documents, or only some ``doc_ids``) or one document's rows before
they are written. Out: the failed checks, each as "name: N rows" (``check``, ``check_documents``,
``check_offsets``); a load that has any raises ``DataCheckError`` and keeps the previous database.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from etl.schema import TABLES


SCOPE_TABLE = "_check_scope"
"""A temporary table of doc_ids: when present, ``check(con, doc_ids)`` checks only their rows."""

CHECKS = {  # {documents} is the documents table, or only the documents being checked
    "documents.doc_id unique": "SELECT count(*) - count(DISTINCT doc_id) FROM documents",
    "commitments.commitment_id unique": "SELECT count(*) - count(DISTINCT commitment_id) FROM commitments",
    "figures.figure_id unique": "SELECT count(*) - count(DISTINCT figure_id) FROM figures",
    "commitments point at their text": (
        "SELECT count(*) FROM commitments c JOIN {documents} d USING (doc_id) "
        "WHERE substr(d.text, c.char_start + 1, c.char_end - c.char_start) <> c.text"),
    "figures point at their span": (
        "SELECT count(*) FROM figures f JOIN {documents} d USING (doc_id) "
        "WHERE substr(d.text, f.char_start + 1, f.char_end - f.char_start) <> f.span_text"),
    "figures point at their sentence": (
        "SELECT count(*) FROM figures f JOIN {documents} d USING (doc_id) "
        "WHERE substr(d.text, f.sentence_start + 1, f.sentence_end - f.sentence_start) <> f.sentence"),
    "agency mentions point at their words": (
        "SELECT count(*) FROM agency_mentions m JOIN {documents} d USING (doc_id) "
        "WHERE substr(d.text, m.char_start + 1, m.char_end - m.char_start) <> m.written_as"),
    "every commitment has a document": (
        "SELECT count(*) FROM commitments c ANTI JOIN documents d USING (doc_id)"),
    "every figure has a document": "SELECT count(*) FROM figures f ANTI JOIN documents d USING (doc_id)",
    "reported_figures.figure_id unique": "SELECT count(*) - count(DISTINCT figure_id) FROM reported_figures",
    "reported figures point at their span": (
        "SELECT count(*) FROM reported_figures f JOIN {documents} d USING (doc_id) "
        "WHERE substr(d.text, f.char_start + 1, f.char_end - f.char_start) <> f.span_text"),
    "reported figures point at their sentence": (
        "SELECT count(*) FROM reported_figures f JOIN {documents} d USING (doc_id) "
        "WHERE substr(d.text, f.sentence_start + 1, f.sentence_end - f.sentence_start) <> f.sentence"),
    "every reported figure has a document": (
        "SELECT count(*) FROM reported_figures f ANTI JOIN documents d USING (doc_id)"),
    "every linked agency is known": (
        "SELECT count(*) FROM commitment_agencies l ANTI JOIN agencies a USING (agency_id)"),
}

_ROW_SCOPE = {  # how a table's rows are narrowed to the checked documents
    "documents": "doc_id IN (SELECT doc_id FROM {t})",
    "commitments": "doc_id IN (SELECT doc_id FROM {t})",
    "figures": "doc_id IN (SELECT doc_id FROM {t})",
    "reported_figures": "doc_id IN (SELECT doc_id FROM {t})",
    "agency_mentions": "doc_id IN (SELECT doc_id FROM {t})",
    "sections": "doc_id IN (SELECT doc_id FROM {t})",
    "commitment_agencies": "commitment_id IN (SELECT commitment_id FROM commitments WHERE doc_id IN (SELECT doc_id FROM {t}))",
}


def check(con: duckdb.DuckDBPyConnection, doc_ids: list[str] | None = None) -> list[str]:
    """Run the data checks (unique, not null, accepted values, offsets); return the failures.

    With ``doc_ids``, the row-by-row checks (offsets, not null, accepted values) of the document
    tables look only at those documents' rows (the rest passed when they were loaded); the
    uniqueness and reference checks always cover every row.
    """
    return check_documents(con, doc_ids, whole_tables=True)


OFFSET_CHECKS = {  # name in CHECKS -> (table, start column, end column, text column)
    "commitments point at their text": ("commitments", "char_start", "char_end", "text"),
    "figures point at their span": ("figures", "char_start", "char_end", "span_text"),
    "figures point at their sentence": ("figures", "sentence_start", "sentence_end", "sentence"),
    "agency mentions point at their words": ("agency_mentions", "char_start", "char_end", "written_as"),
    "reported figures point at their span": ("reported_figures", "char_start", "char_end", "span_text"),
    "reported figures point at their sentence": ("reported_figures", "sentence_start", "sentence_end", "sentence"),
}


def check_offsets(rows: dict[str, list[dict]]) -> list[str]:
    """The offset checks of ``CHECKS`` on one document's rows before they are written, in Python.

    Python slices a string in time proportional to the slice; DuckDB's ``substr`` walks the
    UTF-8 text from its start, so the same check in SQL costs the text's length per fact.

    >>> rows = {"documents": [{"text": "市工信局牵头"}], "commitments": [{"char_start": 0, "char_end": 4, "text": "市工信局"}],
    ...         "figures": [], "agency_mentions": [{"char_start": 1, "char_end": 3, "written_as": "工信局"}]}
    >>> check_offsets(rows)
    ['agency mentions point at their words: 1 rows']
    """
    text = rows["documents"][0]["text"]
    failures = []
    for name, (table, start, end, quoted) in OFFSET_CHECKS.items():
        bad = sum(1 for r in rows.get(table, ()) if text[r[start]:r[end]] != r[quoted])
        if bad:
            failures.append(f"{name}: {bad} rows")
    return failures


def check_documents(con: duckdb.DuckDBPyConnection, doc_ids: list[str] | None,
                    whole_tables: bool = False, offsets: bool = True) -> list[str]:
    """Run the row-by-row checks of these documents' rows (all rows if ``doc_ids`` is None);
    with ``whole_tables``, also the checks over every row and those of the other tables.
    ``offsets=False`` leaves out the offset checks (``check_offsets`` ran on the rows written)."""
    scoped = doc_ids is not None
    if scoped:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {SCOPE_TABLE} (doc_id VARCHAR)")
        con.register("_scope_ids", pa.table({"doc_id": pa.array(list(doc_ids), type=pa.string())}))
        con.execute(f"INSERT INTO {SCOPE_TABLE} SELECT doc_id FROM _scope_ids")
        con.unregister("_scope_ids")
    try:
        failures = []
        for name, sql in CHECKS.items():
            row_by_row = "{documents}" in sql
            if not (row_by_row or whole_tables) or (not offsets and name in OFFSET_CHECKS):
                continue
            if scoped and row_by_row:  # materialised first, so the join starts from the few documents
                sql = (f"WITH checked AS MATERIALIZED (SELECT doc_id, text FROM documents "
                       f"WHERE doc_id IN (SELECT doc_id FROM {SCOPE_TABLE})) " + sql.format(documents="checked"))
            n = con.execute(sql.format(documents="documents")).fetchall()[0][0]
            if n:
                failures.append(f"{name}: {n} rows")
        for table in TABLES.values():
            if whole_tables or table.name in _ROW_SCOPE:
                failures += _column_checks(con, table, scoped)
        return failures
    finally:
        if scoped:
            con.execute(f"DROP TABLE IF EXISTS {SCOPE_TABLE}")


def _column_checks(con: duckdb.DuckDBPyConnection, table, scoped: bool) -> list[str]:
    """Check a table's not-null and accepted-values rules in one scan."""
    parts, names, params = [], [], []
    for col in table.columns:
        if not col.nullable:
            parts.append(f"count_if({col.name} IS NULL)")
            names.append(f"{table.name}.{col.name} not null")
        if col.accepted:
            parts.append(f"count_if({col.name} IS NOT NULL AND NOT list_contains(?, {col.name}))")
            names.append(f"{table.name}.{col.name} accepted values")
            params.append(list(col.accepted))
    if not parts:
        return []
    where = f" WHERE {_ROW_SCOPE[table.name].format(t=SCOPE_TABLE)}" if scoped and table.name in _ROW_SCOPE else ""
    counts = con.execute(f"SELECT {', '.join(parts)} FROM {table.name}{where}", params).fetchall()[0]
    return [f"{name}: {n} rows" for name, n in zip(names, counts) if n]


class DataCheckError(Exception):
    def __init__(self, failures: list[str]):
        self.failures = failures
        super().__init__("data checks failed; the previous database is kept: " + "; ".join(failures))

