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
from review.store import ReviewStore, Snapshot, StatusChange


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
                          snapshots=[Snapshot("commitment", "c_gone", "d_1", "a.txt", "旧文件", "已删除的条目")])
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
    boxes = [(round(float(w)), round(float(h))) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)]
    assert boxes and set(boxes) <= {(595, 842), (842, 595)}  # A4 in points, portrait or landscape
    assert (842, 595) in boxes and (595, 842) in boxes  # the agenda page upright, the wide tables landscape


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


def _store_with_a_week(store: ReviewStore, db: Path) -> None:
    overdue = _ids(db, "deadline_date < DATE '2022-12-10'")
    store.record_statuses([StatusChange(overdue[0], "on_track", "进展顺利,已召开推进会"),
                           StatusChange(overdue[1], "at_risk", "资金尚未到位,需协调财政")], "王芳")
    agencies = [r[0] for r in _rows(db, "SELECT agency_id FROM agencies WHERE is_registered ORDER BY 1 LIMIT 2")]
    store.record_correction("commitment", overdue[2], {"lead_agency_ids": agencies[:1]}, "识别错误", "王芳",
                            old_values={"lead_agency_ids": agencies[1:]})
    fid = _rows(db, "SELECT figure_id FROM figures WHERE money_kind = 'fund' ORDER BY 1 LIMIT 1")[0][0]
    store.record_correction("figure", fid, {"money_kind": "economic"}, "是经济指标", "王芳",
                            old_values={"money_kind": "fund"})


def test_the_report_reads_as_people_read_it(store, facts_db):
    """Page 1 is the agenda; corrections as "牵头单位: A → B"; newest change first; no internal IDs."""
    _store_with_a_week(store, facts_db)
    queries.clear_cache()
    today = dt.date.today()
    data = qr.load_review(Filters(), today, today - dt.timedelta(days=7), 28, "zh")
    page = meeting_pack.html_report(data)
    first = page[page.index("<section class='first'>"):page.index("</section>")]
    assert "本次会议议程" in first and "已逾期" in first and "已过期限" in first
    names = {r[0]: r[1] for r in _rows(facts_db, "SELECT agency_id, short_name FROM agencies")}
    changes = meeting_pack.changes_digest(data)
    column = changes["变化"].tolist()
    assert any(c.startswith("牵头单位: ") and " → " in c for c in column)
    assert "资金类别: 基金 → 经济指标" in column
    assert not any(re.search(r"\b(ag|f|c|d)_[0-9a-f]{6,}", str(v)) for v in changes.to_numpy().ravel())
    when = changes["记录时间"].tolist()
    assert when == sorted(when, reverse=True)
    assert any(re.match(r"新增 \d+ 项承诺", c) for c in column)  # a loaded document: one line, not a page
    summary = meeting_pack.summary_table(data)
    assert "尚未评估" in summary.columns and "未评估" not in summary.columns
    assert not re.search(r"\b(ag|c)_[0-9a-f]{8,}", page[page.index("<body>"):].split("<script")[0])
    assert all(names.get(a, a) or True for a in names)  # the registry is there to name agencies


@pytest.mark.slow
@pytest.mark.skipif(meeting_pack.chromium_path() is None, reason="needs /usr/bin/chromium")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_column_of_the_printed_pack_is_narrower_than_four_characters(store, facts_db, tmp_path, lang):
    """Lay the report out as Chromium prints it (landscape for the tables) and measure every cell;
    then print it and render its pages with pdftoppm, as a director would see them."""
    import shutil
    import subprocess

    from playwright.sync_api import sync_playwright

    _store_with_a_week(store, facts_db)
    queries.clear_cache()
    today = dt.date.today()
    data = qr.load_review(Filters(), today, today - dt.timedelta(days=7), 28, lang)
    report = meeting_pack.html_report(data)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=meeting_pack.chromium_path(), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1047, "height": 740})  # A4 landscape less its margins
            page.set_content(report, wait_until="load")
            page.emulate_media(media="print")
            cells = page.evaluate("""() => [...document.querySelectorAll('section.wide th, section.wide td')]
                .map(c => [c.getBoundingClientRect().width / parseFloat(getComputedStyle(c).fontSize),
                           c.textContent.slice(0, 20)])""")
            outside = page.evaluate("""() => [...document.querySelectorAll('table')]
                .filter(t => !t.closest('section.wide') && !t.classList.contains('agenda')).length""")
        finally:
            browser.close()
    assert len(cells) > 100  # the overdue, changes, summary and assessed tables
    assert [c for c in cells if c[0] < 4] == [] and outside == 0
    pdf = meeting_pack.pdf_report(report)
    assert pdf is not None
    if shutil.which("pdftoppm"):
        (tmp_path / "pack.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "30", str(tmp_path / "pack.pdf"), str(tmp_path / "page")],
                       check=True, timeout=300)
        pngs = sorted(tmp_path.glob("page-*.png"))
        assert len(pngs) == len(re.findall(rb"/Type\s*/Page[^s]", pdf))
