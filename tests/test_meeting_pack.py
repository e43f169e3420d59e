"""Tests of dashboard/meeting_pack.py and dashboard/queries_review.py: the review's sections and the pack.

The as-of date is fixed (2022-12-10) so that the seeds give overdue commitments (deadline
2020-12-31), one due within four weeks (2022-12-31) and later ones.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from dashboard import meeting_pack, queries
from dashboard import queries_review as qr
from dashboard.filters_state import Filters
from etl import reviews
from etl.reviews import ReviewStore, StatusChange

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2022, 12, 10)
SINCE = dt.date(2022, 12, 3)
SHEETS = {
    "en": ["About", "Summary by agency", "Overdue", "Due soon", "Changes since last meeting", "All statuses",
           "Status history", "No longer extracted"],
    "zh": ["说明", "按单位汇总", "已逾期", "即将到期", "自上次会议以来的变化", "全部状态", "状态历史", "已不再提取"],
}


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def store(review_store) -> ReviewStore:
    return review_store


def _ids(db: Path, where: str) -> list[str]:
    return [r[0] for r in _rows(db, f"SELECT commitment_id FROM commitments WHERE {where} ORDER BY commitment_id")]


def _sheet(wb, name: str) -> pd.DataFrame:
    rows = list(wb[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_sections_are_deadline_aware(store, facts_db):
    overdue = _ids(facts_db, "deadline_date < DATE '2022-12-10'")
    soon = _ids(facts_db, "deadline_date BETWEEN DATE '2022-12-10' AND DATE '2023-01-07'")
    undated = _ids(facts_db, "deadline_date IS NULL")
    assert overdue and soon and undated
    store.record_statuses([StatusChange(overdue[0], "completed"), StatusChange(overdue[1], "on_track"),
                           StatusChange(undated[0], "delayed")], "Ann")
    data = qr.load_review(Filters(), AS_OF, SINCE, 28, "en")
    assert set(data.section("overdue")["commitment_id"]) == set(overdue) - {overdue[0]}  # on_track is still overdue
    assert set(data.section("due_soon")["commitment_id"]) == set(soon)
    assert undated[0] not in set(data.section("overdue")["commitment_id"])  # no deadline: never overdue
    assert len(data.section("not_assessed")) == len(data.rows) - 3
    counts = data.counts_by_agency("overdue")
    assert counts["n"].sum() >= len(data.section("overdue")) and counts["n"].is_monotonic_decreasing


def test_changes_since_the_last_meeting(store, facts_db):
    cid = _ids(facts_db, "TRUE")[0]
    store.record_statuses([StatusChange(cid, "at_risk", "budget cut")], "Ann")
    store.record_correction("commitment", cid, {"deadline_date": "2023-06-30"}, "annex", "Ann")
    today = dt.date.today()
    data = qr.load_review(Filters(), today, today - dt.timedelta(days=7), 28, "en")
    added = _rows(facts_db, "SELECT count(*) FROM etl_changes WHERE change = 'added'")[0][0]
    assert len(data.etl_changes) == added  # the seeds were loaded today: every document is new
    assert data.status_changes["commitment_id"].tolist() == [cid]
    assert set(data.corrections["field"]) == {"deadline_date", "deadline_basis"}
    changes = meeting_pack.changes_table(data)
    assert len(changes) == added + 1 + 2
    assert "Not assessed → At risk: budget cut" in set(changes["Change"])
    # nothing changed in a window before the load
    old = qr.load_review(Filters(), dt.date(2020, 1, 8), dt.date(2020, 1, 1), 28, "en")
    assert old.etl_changes.empty and old.status_changes.empty and not old.rows["is_changed"].any()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_workbook_sheets_and_rows(store, facts_db, lang):
    overdue = _ids(facts_db, "deadline_date < DATE '2022-12-10'")
    store.record_statuses([StatusChange(overdue[0], "on_track", "kick-off")], "Ann")
    store.record_statuses([StatusChange(overdue[0], "delayed", "funds late")], "Bob")
    data = qr.load_review(Filters(), AS_OF, SINCE, 28, lang)
    wb = openpyxl.load_workbook(io.BytesIO(meeting_pack.workbook(data, [("Agency", "all")])))
    assert wb.sheetnames == SHEETS[lang]
    names = dict(zip(["about", "summary", "overdue", "due", "changes", "statuses", "history", "orphans"], wb.sheetnames))
    total = len(_ids(facts_db, "TRUE"))
    statuses = _sheet(wb, names["statuses"])
    assert len(statuses) == total
    id_col = "承诺编号" if lang == "zh" else "Commitment ID"
    row = statuses.set_index(id_col).loc[overdue[0]]
    history_col = "状态历史" if lang == "zh" else "History"
    assert row[history_col].count("\n") == 1 and "Ann" in row[history_col] and "Bob" in row[history_col]
    assert row["备注" if lang == "zh" else "Note"] == "funds late"
    assert len(_sheet(wb, names["overdue"])) == len(overdue)
    assert len(_sheet(wb, names["due"])) == len(data.section("due_soon")) == 1
    assert len(_sheet(wb, names["history"])) == 2
    summary = _sheet(wb, names["summary"])
    assert summary.iloc[:, 1].sum() >= total  # commitments with several leads count under each
    assert _sheet(wb, names["orphans"]).empty
    about = [r[0] for r in wb[names["about"]].values]
    assert "2022-12-10" in [r[1] for r in wb[names["about"]].values] and "Agency" in about


def test_corrections_apply_in_the_pack(store, facts_db):
    overdue = _ids(facts_db, "deadline_date < DATE '2022-12-10'")
    store.record_correction("commitment", overdue[0], {"deadline_date": "2030-01-01"}, "extended", "Ann")
    store.record_correction("commitment", overdue[1], {"is_rejected": True}, "not a commitment", "Ann")
    queries.clear_cache()
    data = qr.load_review(Filters(), AS_OF, SINCE, 28, "en")
    wb = openpyxl.load_workbook(io.BytesIO(meeting_pack.workbook(data)))
    shown = set(_sheet(wb, "Overdue")["Commitment ID"])
    assert shown == set(overdue) - {overdue[0], overdue[1]}
    statuses = _sheet(wb, "All statuses").set_index("Commitment ID")
    assert overdue[1] not in statuses.index  # rejected: gone from every list
    assert statuses.loc[overdue[0], "Corrected"] == "✎"
    assert statuses.loc[overdue[0], "Deadline"].date() == dt.date(2030, 1, 1)


def test_orphans_in_the_pack(store, facts_db):
    store.record_statuses([StatusChange("c_gone", "at_risk")], "Ann",
                          snapshots=[reviews.Snapshot("commitment", "c_gone", "d_1", "a.txt", "旧文件", "已删除的条目")])
    data = qr.load_review(Filters(), AS_OF, SINCE, 28, "en")
    wb = openpyxl.load_workbook(io.BytesIO(meeting_pack.workbook(data)))
    orphans = _sheet(wb, "No longer extracted")
    assert orphans[["ID", "Title", "Status"]].values.tolist() == [["c_gone", "旧文件", "At risk"]]


def test_html_report_is_self_contained_and_prints_on_a4(store):
    data = qr.load_review(Filters(), AS_OF, SINCE, 28, "zh")
    page = meeting_pack.html_report(data, [("单位", "全部")])
    assert page.startswith("<!DOCTYPE html>") and "@page { size: A4" in page
    assert not re.search(r"<script[^>]+src=", page)  # plotly.js is inlined: opens offline
    assert "Plotly.newPlot" in page and page.count("plotly.js v") >= 1
    assert "承诺审核会议材料" in page and "已逾期" in page and "状态说明" in page


@pytest.mark.slow
@pytest.mark.skipif(meeting_pack.chromium_path() is None, reason="needs /usr/bin/chromium")
def test_pdf_from_headless_chromium(store):
    data = qr.load_review(Filters(), AS_OF, SINCE, 28, "en")
    pdf = meeting_pack.pdf_report(meeting_pack.html_report(data))
    assert pdf is not None and pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in boxes)  # A4 in points


def test_workbook_headers_are_bold_frozen_and_filtered(store):
    data = qr.load_review(Filters(), AS_OF, SINCE, 28, "en")
    wb = openpyxl.load_workbook(io.BytesIO(meeting_pack.workbook(data)))
    assert wb["About"]["A1"].font.bold
    ws = wb["All statuses"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold and ws.auto_filter.ref == ws.dimensions
    text_col = [c.column_letter for c in ws[1] if c.value == "Commitment"][0]
    assert ws.column_dimensions[text_col].width == 60 and ws[f"{text_col}2"].alignment.wrap_text


def test_the_agenda_chart_keeps_agencies_whose_items_are_all_unassessed():
    import datetime as dt

    from dashboard.queries_review import SUMMARY_COLUMNS, ReviewData

    rows = [{"agency_key": f"k{i}", "agency": f"局{i:02d}", "commitments": 3, "overdue": 3, "due_soon": 0,
             "changed": 0, "not_assessed": 0} for i in range(25)]
    rows.append({"agency_key": "customs", "agency": "海关总署", "commitments": 19, "overdue": 0, "due_soon": 0,
                 "changed": 0, "not_assessed": 19})
    summary = pd.DataFrame(rows).reindex(columns=SUMMARY_COLUMNS, fill_value=0)
    empty = pd.DataFrame()
    data = ReviewData(as_of=dt.date(2024, 1, 1), since=dt.date(2023, 12, 25), due_days=28, lang="zh", shown={},
                      counts={}, summary=summary, status_counts={}, etl_changes=empty, etl_changes_count=0,
                      status_changes=empty, corrections=empty, orphans=empty, history=empty)
    fig = meeting_pack.sections_chart(data)
    assert "海关总署" in list(fig.data[2].y)
    assert meeting_pack.agenda_agencies(data)["agency"].iloc[0] == "海关总署"
