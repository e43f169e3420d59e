"""AppTest tests of dashboard/views/review.py: sections, bulk status editing, corrections, orphans, the pack.

A temporary facts DB (the seeds) and review store are set through COMMITMENTS_DB and
COMMITMENTS_REVIEWS_DB; the page runs on its own (no app.py), as in a first request.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl.pipeline import load_paths
from review.store import ReviewStore, Snapshot, StatusChange, commitment_corrections, figure_corrections

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "dashboard" / "views" / "review.py")
TIMEOUT = 120


@pytest.fixture
def env(review_store) -> ReviewStore:
    return review_store


def _facts(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _app(lang: str = "zh") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    return at.run()


def _in_a_tab(at: AppTest, find):
    """Return ``find(at)``, opening the page's tabs one after the other until it finds its element
    (only the open tab is drawn)."""
    try:
        return find(at)
    except (StopIteration, KeyError, IndexError):
        pass
    for tab in at.tabs:
        at.session_state["review_tab"] = tab.label
        at.run()
        try:
            return find(at)
        except (StopIteration, KeyError, IndexError):
            continue
    raise LookupError("no tab holds the element")


def _button(at: AppTest, label: str):
    return _in_a_tab(at, lambda a: next(b for b in a.button if b.label == label))


def _editor(at: AppTest):
    def find(a):
        editors = [e for e in a.data_editor if (e.key or "").startswith("review_editor_")]
        if not editors:
            raise StopIteration
        assert len(editors) == 1
        return editors[0]
    return _in_a_tab(at, find)


def _selectbox(at: AppTest, key: str):
    return _widget(at, "selectbox", key)


def _widget(at: AppTest, kind: str, key: str):
    """Return the widget of this kind and key, in whichever tab holds it."""
    return _in_a_tab(at, lambda a: getattr(a, kind)(key=key))


def _table_with(at: AppTest, columns: list[str]) -> pd.DataFrame:
    """Return the first read-only table whose columns start with ``columns``."""
    return _in_a_tab(at, lambda a: next(d.value for d in a.dataframe if list(d.value.columns[:len(columns)]) == columns))


def _metrics(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


def test_the_page_shows_the_sections_with_deadline_aware_counts(env, facts_db):
    at = _app("en")
    assert not at.exception
    today = dt.date.today()
    dated = _facts(facts_db, "SELECT count(*) FROM commitments WHERE deadline_date < current_date")[0][0]
    undated = _facts(facts_db, "SELECT count(*) FROM commitments WHERE deadline_date IS NULL")[0][0]
    m = _metrics(at)
    assert m["Overdue"] == dated  # nothing completed yet: everything past its deadline
    assert m["Not yet assessed"] == _facts(facts_db, "SELECT count(*) FROM commitments")[0][0]
    assert m["No longer extracted"] == 0
    assert undated > 0  # ...and those without a deadline are never overdue
    counts = _table_with(at, ["Lead agency", "Commitments"])  # the first section's counts by lead agency
    assert counts["Commitments"].sum() >= m["Overdue"] and counts["Lead agency"].is_unique
    assert at.date_input(key="review_as_of").value == today


def test_sections_show_their_first_rows_and_say_how_many_there_are(env, facts_db, monkeypatch):
    from dashboard import queries_review

    monkeypatch.setattr(queries_review, "SECTION_ROWS_MAX", 2)
    at = _app("en")
    assert not at.exception
    total = _facts(facts_db, "SELECT count(*) FROM commitments")[0][0]
    assert _metrics(at)["Not yet assessed"] == total  # the counts are over every commitment
    assert f"Showing 2 of {total:,}." in [c.value for c in at.caption]  # the agenda's "not yet assessed"
    assert len(_editor(at).value) == 2


def test_bulk_edit_saves_statuses_and_survives_a_restart_and_an_etl_rerun(env, facts_db):
    at = _app("zh")
    at.text_input(key="review_reviewer").input("王芳").run()
    editor = _editor(at)
    table = editor.value
    pos = {cid: i for i, cid in enumerate(table["commitment_id"])}
    picked = list(table["commitment_id"][:2])
    at.session_state[editor.key] = {"edited_rows": {pos[picked[0]]: {"status": "on_track", "note": "已召开推进会"},
                                                    pos[picked[1]]: {"status": "completed"}},
                                    "added_rows": [], "deleted_rows": []}
    _button(at, "保存").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["已保存 2 条状态变更。"]
    cur = env.current_statuses().set_index("commitment_id")
    assert cur.loc[picked[0], ["status", "note", "reviewer"]].tolist() == ["on_track", "已召开推进会", "王芳"]
    assert cur.loc[picked[1], "status"] == "completed"
    assert set(env.snapshots("commitment")["entity_id"]) == set(picked)
    assert _editor(at).key != editor.key  # a fresh editor over the saved statuses

    load_paths([ROOT / "seeds"], facts_db)  # an ETL re-run between meetings
    again = _app("zh")  # a new session: an app restart
    assert not again.exception
    shown = _editor(again).value.set_index("commitment_id")
    assert shown.loc[picked[0], "status"] == "on_track" and shown.loc[picked[0], "note"] == "已召开推进会"
    m = _metrics(again)
    assert m["已逾期"] == _metrics(at)["已逾期"]  # completed ones left the overdue list in both
    assert m["尚未评估"] == _facts(facts_db, "SELECT count(*) FROM commitments")[0][0] - 2


def test_saving_without_a_reviewer_saves_nothing(env):
    at = _app("en")
    editor = _editor(at)
    at.session_state[editor.key] = {"edited_rows": {0: {"status": "delayed"}}, "added_rows": [], "deleted_rows": []}
    _button(at, "Save").click().run()
    assert [e.value for e in at.error] == ["Enter a reviewer name above before saving."]
    assert env.current_statuses().empty


def test_correcting_a_deadline_takes_a_commitment_off_the_overdue_list(env, facts_db):
    at = _app("en")
    overdue = _metrics(at)["Overdue"]
    cid = _editor(at).value["commitment_id"][0]  # the overdue scope is shown first
    at.text_input(key="review_reviewer").input("Ann").run()
    _selectbox(at, "review_fix_commitment").set_value(cid).run()
    _widget(at, "checkbox", "review_fix_deadline_on").check()
    _widget(at, "date_input", f"review_fix_date_{cid}").set_value(dt.date(2099, 6, 30))
    _widget(at, "text_input", "review_fix_reason").input("extended by the 2024 work plan")
    _button(at, "Save correction").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Saved 2 corrected fields."]
    corr = commitment_corrections().set_index("commitment_id")
    assert corr.loc[cid, "deadline_date"] == pd.Timestamp("2099-06-30") and corr.loc[cid, "deadline_basis"] == "explicit"
    assert _metrics(at)["Overdue"] == overdue - 1
    _widget(at, "radio", "review_scope").set_value("all").run()
    row = _editor(at).value.set_index("commitment_id").loc[cid]
    assert pd.Timestamp(row["deadline_date"]).date() == dt.date(2099, 6, 30)
    log = env.correction_log("commitment", cid)
    assert set(log["field"]) == {"deadline_date", "deadline_basis"} and set(log["reviewer"]) == {"Ann"}


def test_marking_not_a_commitment_and_not_money(env, facts_db):
    at = _app("en")
    at.text_input(key="review_reviewer").input("Ann").run()
    cid = _editor(at).value["commitment_id"][0]
    total = _metrics(at)["Not yet assessed"]
    _selectbox(at, "review_fix_commitment").set_value(cid).run()
    _widget(at, "checkbox", "review_fix_reject").check()
    _widget(at, "text_input", "review_fix_reason").input("background, not an undertaking")
    _button(at, "Save correction").click().run()
    assert not at.exception
    assert commitment_corrections().set_index("commitment_id").loc[cid, "is_rejected"]
    assert _metrics(at)["Not yet assessed"] == total - 1  # rejected: out of every section

    _widget(at, "radio", "review_fix_what").set_value("figure").run()
    fid = _selectbox(at, "review_fix_figure").value
    _widget(at, "checkbox", "review_fix_fig_reject").check()
    _widget(at, "text_input", "review_fix_fig_reason").input("a page number, not money")
    _button(at, "Save correction").click().run()
    assert not at.exception
    assert figure_corrections().set_index("figure_id").loc[fid, "is_rejected"]


def test_a_correction_needs_a_reason(env):
    at = _app("en")
    at.text_input(key="review_reviewer").input("Ann").run()
    _widget(at, "checkbox", "review_fix_reject").check()
    _button(at, "Save correction").click().run()
    assert any("reason" in e.value for e in at.error)
    assert commitment_corrections().empty


def test_no_longer_extracted_items_are_shown_and_can_be_dismissed(env):
    env.record_statuses([StatusChange("c_vanished", "at_risk", "waiting on funds")], "Ann",
                        snapshots=[Snapshot("commitment", "c_vanished", "d_x", "old.txt", "旧答复", "推进某项工作")])
    at = _app("en")
    assert _metrics(at)["No longer extracted"] == 1
    table = _table_with(at, ["Entity", "ID"])
    assert table.iloc[0].tolist()[:4] == ["Commitment", "c_vanished", "旧答复", "推进某项工作"]
    at.text_input(key="review_reviewer").input("Ann").run()
    at.radio(key="review_orphan_action").set_value("dismissed")
    _button(at, "Resolve").click().run()
    assert not at.exception
    assert _metrics(at)["No longer extracted"] == 0
    assert env.history("c_vanished")["status"].tolist() == ["at_risk"]  # history kept


def test_recording_the_meeting_date_sets_the_next_since_default(env):
    at = _app("en")
    today = dt.date.today()
    _button(at, "Record this meeting date").click().run()
    assert env.review_dates() == [today]
    at.date_input(key="review_as_of").set_value(today + dt.timedelta(days=7)).run()
    assert at.date_input(key=f"review_since_{(today + dt.timedelta(days=7)).isoformat()}").value == today


def test_the_meeting_pack_button_builds_the_workbook(env):
    at = _app("en")
    _button(at, "Build the meeting pack").click().run()
    assert not at.exception
    pack = at.session_state["review_pack"]
    wb = openpyxl.load_workbook(io.BytesIO(pack.xlsx))
    assert wb.sheetnames[:3] == ["About", "Summary by agency", "Overdue"]
    assert "<html" in pack.html


# --------------------------------------------------------------------------------------
# Real browser: set one status in the review table, save, download the meeting pack


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(env, facts_db):
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("streamlit did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_idle(page, timeout: int = 60_000) -> None:
    """Wait until the script run the last action started has finished."""
    from playwright.sync_api import expect

    page.wait_for_timeout(300)
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=timeout)


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")
def test_in_a_browser_set_a_status_and_download_the_pack(server, env, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1400}, accept_downloads=True)
            # The app first, as an analyst arrives: then the review page from the navigation's URL.
            page.goto(server + "/")
            expect(page.get_by_role("link", name="总览", exact=True)).to_be_visible(timeout=60_000)
            page.goto(server + "/review?lang=en")
            box = page.get_by_role("textbox", name="Reviewer")
            expect(box).to_be_visible(timeout=60_000)
            box.fill("Browser Bob")
            box.press("Enter")
            _wait_idle(page)
            page.get_by_role("tab", name="Record statuses").click()
            grid = page.locator("[data-testid='stDataFrame']").last
            expect(grid).to_be_visible(timeout=30_000)
            page.wait_for_timeout(1500)
            g = grid.bounding_box()
            row_y = g["y"] + 35 + 17  # the first row, under the header
            overlay = page.locator("[id^='gdg-overlay']")
            page.mouse.dblclick(g["x"] + 230, row_y)  # Status (after Deadline state, Deadline)
            combo = overlay.get_by_role("combobox")
            expect(combo).to_be_visible(timeout=10_000)
            combo.press_sequentially("On tr", delay=30)
            page.get_by_role("option", name="On track", exact=True).click()
            expect(overlay).to_have_count(0, timeout=10_000)
            page.wait_for_timeout(500)
            page.mouse.dblclick(g["x"] + 340, row_y)  # Note
            note = overlay.locator("textarea")
            expect(note).to_be_visible(timeout=10_000)
            note.fill("checked in the browser")
            note.press("Enter")
            expect(overlay).to_have_count(0, timeout=10_000)
            page.wait_for_timeout(500)
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_text("Saved 1 status changes.")).to_be_visible(timeout=60_000)
            _wait_idle(page)

            cur = env.current_statuses()
            assert cur[["status", "note", "reviewer"]].values.tolist() == [
                ["on_track", "checked in the browser", "Browser Bob"]]
            cid = cur["commitment_id"][0]

            # the reviewer is entered once per session: it survives a visit to another page
            page.get_by_role("link", name="Overview", exact=True).click()
            expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible(timeout=60_000)
            page.get_by_role("link", name="Review", exact=True).click()
            expect(page.get_by_role("textbox", name="Reviewer")).to_have_value("Browser Bob", timeout=60_000)
            _wait_idle(page)

            page.get_by_role("tab", name="Meeting pack").click()
            page.get_by_role("button", name="Build the meeting pack").click()
            _wait_idle(page, 180_000)
            download_button = page.get_by_role("button", name="Download the workbook")
            expect(download_button).to_be_visible(timeout=120_000)
            with page.expect_download(timeout=60_000) as info:
                download_button.click()
            path = tmp_path / "pack.xlsx"
            info.value.save_as(path)
        finally:
            browser.close()
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["About", "Summary by agency", "Overdue", "Due soon", "Changes since last meeting",
                             "All statuses", "Status history", "No longer extracted"]
    rows = list(wb["All statuses"].values)
    header = rows[0]
    by_id = {r[header.index("Commitment ID")]: r for r in rows[1:]}
    assert by_id[cid][header.index("Status")] == "On track"
    assert "Browser Bob" in by_id[cid][header.index("History")]
    assert len(list(wb["Status history"].values)) == 2


APP = str(ROOT / "dashboard" / "app.py")


def _page(page: str, lang: str = "en", **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"page": page, "lang": lang, **params})
    return at.run()


def test_overdue_is_the_same_on_overview_deadlines_and_review_after_a_status_change(env, facts_db):
    """Past its deadline and not completed or dropped, on every page: one completed and one dropped leave it."""
    from dashboard import queries_review

    overdue_ids = [r[0] for r in _facts(facts_db, "SELECT commitment_id FROM commitments "
                                                  "WHERE deadline_date < current_date ORDER BY commitment_id")]
    assert len(overdue_ids) >= 3
    env.record_statuses([StatusChange(overdue_ids[0], "completed"), StatusChange(overdue_ids[1], "dropped"),
                         StatusChange(overdue_ids[2], "delayed")], "王芳")
    queries_review.clear_cache()
    expected = len(overdue_ids) - 2
    counts = {}
    for page in ("overview", "deadlines", "review"):
        at = _page(page)
        assert not at.exception, [e.value for e in at.exception]
        label = "Overdue"
        counts[page] = next(int(m.value.replace(",", "")) for m in at.metric if m.label == label)
        assert any("not completed or dropped" in (c.value or "") for c in at.caption) or any(
            "not completed or dropped" in (m.help or "") for m in at.metric)
    assert counts == {"overview": expected, "deadlines": expected, "review": expected}


def test_the_reviewer_is_remembered_across_pages_and_can_travel_in_the_link(env):
    at = _page("review")
    at.text_input(key="review_reviewer").input("王芳").run()
    at.switch_page("views/overview.py").run()
    at.switch_page("views/review.py").run()
    assert at.text_input(key="review_reviewer").value == "王芳"
    assert "reviewer" not in at.query_params
    at.checkbox(key="review_reviewer_in_link").check().run()
    assert at.query_params["reviewer"] == "王芳"
    shared = _page("review", reviewer="李明")  # a new session opened from such a link
    assert shared.text_input(key="review_reviewer").value == "李明"


def test_every_review_table_converts_without_type_fixes(env, facts_db, monkeypatch):
    """Each table the page draws, in every tab, holds one type a column (a deadline column of dates
    with blanks for none was half text, and Streamlit logged a failed conversion and patched it)."""
    import pyarrow as pa
    import streamlit.dataframe_util as du

    failed = []
    real = du.convert_pandas_df_to_arrow_table

    def checked(df, *args, **kwargs):
        try:
            pa.Table.from_pandas(df)
        except (pa.ArrowTypeError, pa.ArrowInvalid) as exc:
            failed.append(str(exc))
        return real(df, *args, **kwargs)

    monkeypatch.setattr(du, "convert_pandas_df_to_arrow_table", checked)
    at = _app("zh")
    for tab in at.tabs:
        at.session_state["review_tab"] = tab.label
        at.run()
        assert not at.exception
    undated = _facts(facts_db, "SELECT count(*) FROM commitments WHERE deadline_date IS NULL")[0][0]
    assert undated > 0 and not failed, failed
