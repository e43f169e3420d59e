"""Turn a query's rows into what people see and download: localized tables, CSV and XLSX bytes.

In: a DataFrame with schema column names, the language, the applied filters in words.
Out: ``localize`` (headers from ``etl/schema.py`` labels, kind and status names translated,
lists joined, ✎ for corrected rows), ``to_csv_bytes`` (UTF-8 with BOM, so Excel shows Chinese)
and ``to_xlsx_bytes`` (openpyxl: bold frozen header, column widths, a sheet naming the filters).
Pure: no Streamlit, no database.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from dashboard import i18n

EXPORT_ROWS_MAX = 1_048_575
"""Rows a download or a sheet of the meeting pack holds at most: Excel's limit of 1,048,576 rows less the header."""

VOCAB_COLUMNS = {"money_kind": "money_kind", "deadline_basis": "deadline_basis", "deadline_bucket": "deadline_bucket",
                 "doc_type": "doc_type", "figure_type": "figure_type", "is_target": "is_target",
                 "year_basis": "year_basis", "qualifier": "qualifier", "kind": "fact_kind"}
VOCAB_COLUMNS.update({"figure_kind": "figure_kind", "is_cumulative": "is_cumulative", "is_change": "is_change"})
MIN_WIDTH, MAX_WIDTH = 6, 60


def _cell(value):
    """Return a plain value for a table cell: lists joined with 、, missing values as None."""
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value if v is not None)
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        listed = value.tolist()
        if isinstance(listed, list):
            return "、".join(str(v) for v in listed if v is not None)
        value = listed
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime().replace(tzinfo=None)
    return value


def localize(frame: pd.DataFrame, lang: str, columns: list[str], tables: tuple[str, ...] = ()) -> pd.DataFrame:
    """Return ``frame[columns]`` for display and export: labelled headers, translated values."""
    out = pd.DataFrame(index=frame.index)
    for col in columns:
        values = frame[col] if col in frame.columns else pd.Series([None] * len(frame), index=frame.index)
        if lang == "en" and f"{col}_en" in frame.columns:
            values = frame[f"{col}_en"].where(frame[f"{col}_en"].notna(), values)
        if col == "is_corrected":
            cells = ["✎" if v is True or v == 1 else "" for v in values.tolist()]
        elif col in VOCAB_COLUMNS:
            cells = [i18n.vocab(VOCAB_COLUMNS[col], _cell(v), lang) if _cell(v) is not None else None
                     for v in values.tolist()]
        else:
            cells = [_cell(v) for v in values.tolist()]
        out[i18n.column_label(col, lang, tables)] = pd.Series(cells, index=frame.index, dtype="object")
    return out.reset_index(drop=True)


def for_screen(table: pd.DataFrame) -> pd.DataFrame:
    """Return a localized table ready for ``st.dataframe``: numbers stay numbers, blanks stay blank."""
    out = table.copy()
    for col in out.columns:
        inferred = out[col].infer_objects()
        if pd.api.types.is_numeric_dtype(inferred) and not pd.api.types.is_bool_dtype(inferred):
            out[col] = pd.to_numeric(inferred, errors="coerce")
        else:
            out[col] = out[col].map(_screen_cell)
    return out


def _screen_cell(value):
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text starting with one of these is run as a formula by a spreadsheet (OWASP: CSV injection)."""


def defuse(value):
    """Return a text a spreadsheet would run as a formula with ``'`` before it (OWASP); others as they are.

    >>> defuse("=1+1"), defuse("-3"), defuse(-3), defuse("市工信局")
    ("'=1+1", "'-3", -3, '市工信局')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """Return the table as CSV, UTF-8 with a BOM (Excel then reads Chinese correctly); texts that
    would run as formulas are defused (``defuse``), headers included."""
    out = table.copy()
    out.columns = [defuse(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [defuse(v) for v in out[col].tolist()]
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")  # CRLF: a lone CR is quoted too


def as_text_cells(ws, values: list) -> list:
    """Return a row for ``ws.append`` in which every text is a string cell, never a formula.

    openpyxl turns a text starting with ``=`` into a live formula; here texts become cells typed
    as strings (characters XLSX cannot hold are dropped), so a title ``=HYPERLINK(…)`` stays words.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

    row = []
    for value in values:
        if isinstance(value, Cell):
            if value.data_type == "f":
                value.data_type = "s"
            row.append(value)
        elif isinstance(value, str):
            cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row


def display_width(text: str) -> int:
    """Return how many columns ``text`` takes (CJK characters count two).

    >>> display_width("市工信委 ab")
    11
    """
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _width(values: list, header: str) -> float:
    widths = [display_width(header)]
    for v in values[:500]:
        if v is None:
            continue
        text = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else str(v)
        widths.append(display_width(text.split("\n", 1)[0]))
    return max(MIN_WIDTH, min(MAX_WIDTH, max(widths) + 2))


def _styled_cell(ws, value, font: Font | None, alignment: Alignment | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def to_xlsx_bytes(table: pd.DataFrame, filters: list[tuple[str, str]], lang: str,
                  source: str = "", exported_at: dt.datetime | None = None) -> bytes:
    """Return an .xlsx: the rows on the first sheet, the filters applied on the second.

    Written row by row (openpyxl's write-only mode), so a long list costs no more memory than
    its rows: bold frozen header, widths from the first 500 values, long columns wrapped.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(i18n.tr("data_sheet", lang))
    headers = [str(c) for c in table.columns]
    columns = {h: [_cell(v) for v in table[h].tolist()] for h in table.columns}
    wrapped = set()
    for idx, header in enumerate(headers, start=1):
        width = _width(columns[table.columns[idx - 1]], header)
        ws.column_dimensions[get_column_letter(idx)].width = width
        if width >= MAX_WIDTH:
            wrapped.add(idx - 1)
    ws.freeze_panes = "A2"
    ws.append(as_text_cells(ws, [_styled_cell(ws, h, Font(bold=True), Alignment(vertical="top", wrap_text=True))
                                 for h in headers]))
    wrap = Alignment(wrap_text=True, vertical="top")
    for i in range(len(table)):
        row = [columns[h][i] for h in table.columns]
        ws.append(as_text_cells(ws, [_styled_cell(ws, v, None, wrap) if j in wrapped else v for j, v in enumerate(row)]))

    fs = wb.create_sheet(i18n.tr("filters_sheet", lang))
    fs.column_dimensions["A"].width = 24
    fs.column_dimensions["B"].width = 80
    fs.append([_styled_cell(fs, i18n.tr("filters", lang), Font(bold=True), None), ""])
    for name, value in filters or [(i18n.tr("filter_none", lang), "")]:
        fs.append(as_text_cells(fs, [name, value]))
    fs.append([i18n.tr("row_count", lang), len(table)])
    fs.append([i18n.tr("exported_at", lang), (exported_at or dt.datetime.now()).replace(microsecond=0)])
    if source:
        fs.append(as_text_cells(fs, [i18n.tr("database", lang), source]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
