"""dashboard/exports.py: localized headers from the schema, CSV with BOM, XLSX with widths and filters."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
from openpyxl import load_workbook

from dashboard import exports
from etl.schema import TABLES

ROWS = pd.DataFrame({
    "is_corrected": [True, False],
    "span_text": ["43.43亿元", "2560万元"],
    "money_kind": ["fiscal", "subsidy_rate"],
    "lead_agency_names": [["广州市工业和信息化局", "广州市财政局"], []],
    "deadline_date": [pd.Timestamp("2022-12-31"), pd.NaT],
    "amount_yuan": [4.343e9, None],
})
COLUMNS = ["is_corrected", "span_text", "money_kind", "lead_agency_names", "deadline_date", "amount_yuan"]


def test_headers_come_from_the_schema_labels():
    zh = exports.localize(ROWS, "zh", COLUMNS, ("figures", "commitments"))
    en = exports.localize(ROWS, "en", COLUMNS, ("figures", "commitments"))
    figures, commitments = TABLES["figures"], TABLES["commitments"]
    assert list(zh.columns)[1:] == [figures.column("span_text").label_zh, figures.column("money_kind").label_zh,
                                    commitments.column("lead_agency_names").label_zh,
                                    commitments.column("deadline_date").label_zh,
                                    figures.column("amount_yuan").label_zh]
    assert list(en.columns)[1] == figures.column("span_text").label_en


def test_values_are_translated_joined_and_marked():
    zh = exports.localize(ROWS, "zh", COLUMNS, ("figures", "commitments"))
    assert zh.iloc[0].tolist()[:5] == ["✎", "43.43亿元", "财政资金", "广州市工业和信息化局、广州市财政局", dt.date(2022, 12, 31)]
    assert zh.iloc[1, 0] == "" and zh.iloc[1, 2] == "补贴标准"
    assert zh.iloc[1, 4] is None and zh.iloc[1, 5] is None  # missing stays missing, never 0
    assert exports.localize(ROWS, "en", COLUMNS, ("figures",)).iloc[0, 2] == "Fiscal spending"


def test_csv_is_utf8_with_bom_and_round_trips():
    table = exports.localize(ROWS, "zh", COLUMNS, ("figures", "commitments"))
    data = exports.to_csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(table.columns)
    assert [r[1] for r in rows[1:]] == ["43.43亿元", "2560万元"]


def test_xlsx_has_the_rows_widths_and_a_filter_sheet():
    table = exports.localize(ROWS, "zh", COLUMNS, ("figures", "commitments"))
    data = exports.to_xlsx_bytes(table, [("单位", "广州市工业和信息化局"), ("发文年份", "2017–2020")], "zh",
                                 "data/commitments.duckdb", dt.datetime(2024, 1, 2, 3, 4, 5))
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["数据", "筛选条件"]
    ws = wb["数据"]
    values = list(ws.values)
    assert list(values[0]) == list(table.columns)
    assert [v[1] for v in values[1:]] == ["43.43亿元", "2560万元"]
    assert ws.freeze_panes == "A2"
    names_col = ws.column_dimensions["D"].width
    assert names_col >= exports.display_width("广州市工业和信息化局、广州市财政局")
    assert ws.column_dimensions["A"].width >= exports.MIN_WIDTH
    filters = {r[0]: r[1] for r in wb["筛选条件"].values}
    assert filters["单位"] == "广州市工业和信息化局" and filters["行数"] == 2


def test_xlsx_without_filters_says_so_in_english():
    table = exports.localize(ROWS, "en", COLUMNS, ("figures",))
    wb = load_workbook(io.BytesIO(exports.to_xlsx_bytes(table, [], "en")))
    assert wb.sheetnames == ["Data", "Filters"]
    assert ("(no filters)", None) in [tuple(r[:2]) for r in wb["Filters"].values]


def test_screen_table_keeps_numbers_and_blanks_missing_text():
    table = exports.for_screen(exports.localize(ROWS, "zh", COLUMNS, ("figures", "commitments")))
    assert table.iloc[1, 4] == "" and table.iloc[0, 4] == "2022-12-31"
    assert pd.api.types.is_float_dtype(table.iloc[:, 5])
