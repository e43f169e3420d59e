"""The Targets page in a real browser: confirm a fulfilment link and a thread, reload, find both on the
page, in the CSV export and in the meeting pack. `streamlit run` on a free port against seeds plus a
constructed later reply; Chromium driven by Playwright (see tests/test_browser.py)."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from etl.pipeline import load_paths
from review import link_decisions
from tests.test_browser import ARTIFACTS, CHROMIUM, ROOT, browser, free_port, settle  # noqa: F401 (fixture)
from tests.test_linking import SEEDS, later_reply, rows


pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="browser test skipped: /usr/bin/chromium is missing"),
]


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser_targets")
    (tmp / "later").mkdir()
    (tmp / "later" / "2023_reply.txt").write_text(later_reply(), encoding="utf-8")
    db = tmp / "c.duckdb"
    assert load_paths([SEEDS, tmp / "later"], db).ok
    return db, tmp / "reviews.sqlite"


@pytest.fixture(scope="module")
def server(linked):
    from tests.test_browser import run_server

    db, store = linked
    yield from run_server({**os.environ, "COMMITMENTS_DB": str(db), "COMMITMENTS_REVIEWS_DB": str(store)},
                          "streamlit_targets.log")


@pytest.fixture
def page(browser, server):  # noqa: F811
    context = browser.new_context(viewport={"width": 1600, "height": 3000}, accept_downloads=True, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.goto(server)  # a fresh server's first session runs in Streamlit's legacy pages/ mode
    settle(pg)
    yield pg
    context.close()


def click(pg, key: str) -> None:
    pg.locator(f".st-key-{key} button").first.click()
    settle(pg)


def test_confirm_a_link_and_a_thread_reload_and_find_both(page, server, linked):
    db, store = linked
    target, figure = rows(db, """SELECT l.target_id, l.figure_id FROM link_fulfilment l
                                 JOIN figures t ON t.figure_id = l.target_id WHERE t.span_text = '600家' AND l.rank = 1""")[0]
    a, b = rows(db, """SELECT t.from_commitment_id, t.to_commitment_id FROM link_threads t
                       JOIN commitments c ON c.commitment_id = t.from_commitment_id WHERE c.text LIKE '%一张网%'""")[0]
    page.goto(f"{server}/targets?lang=en")
    settle(page)
    box = page.get_by_label("Reviewer")
    box.fill("Wang")
    box.press("Enter")
    settle(page)
    click(page, f"confirm_f_{target}_{figure}")
    click(page, f"confirm_t_{a}_{b}")
    assert {(r.link_kind, r.decision) for r in link_decisions.current(store).itertuples()} == {
        ("fulfilment", "confirmed"), ("thread", "confirmed")}

    page.reload()
    settle(page)
    main = page.locator("section.main, [data-testid='stMain']").first
    deadline = time.monotonic() + 60  # a loaded machine may still be drawing the cards
    while "106.7%" not in main.inner_text() and time.monotonic() < deadline:
        time.sleep(0.5)
    text = main.inner_text()
    assert "Latest confirmed figure" in text and "640家" in text and "106.7%" in text
    assert "First promise" in text and "slipped: 2022 → 2024" in text
    page.screenshot(path=str(ARTIFACTS / "targets_en.png"), full_page=True)

    with page.expect_download() as dl:
        page.locator(".st-key-confirmed_links_csv button").first.click()
    data = Path(dl.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    kinds = {r["Link kind"]: r for r in table}
    assert set(kinds) == {"fulfilment", "thread"}
    assert kinds["fulfilment"]["Reported figure"] == "640家" and kinds["fulfilment"]["Target"] == "600家"
    assert kinds["thread"]["Deadline move"] == "slipped: 2022 → 2024"


def test_the_meeting_pack_holds_the_confirmed_link_and_thread(linked, monkeypatch):
    """After the browser test's decisions (same store): the workbook and the HTML report list both."""
    import datetime as dt

    from openpyxl import load_workbook

    from dashboard import meeting_pack, queries, queries_review as qr
    from dashboard.filters_state import Filters

    db, store = linked
    if link_decisions.current(store).empty:
        pytest.skip("runs after the browser test's confirmations")
    monkeypatch.setenv("COMMITMENTS_DB", str(db))
    monkeypatch.setenv("COMMITMENTS_REVIEWS_DB", str(store))
    queries.clear_cache()
    data = qr.load_review(Filters(), dt.date(2024, 1, 8), dt.date(2023, 12, 1), 28, "en")
    wb = load_workbook(io.BytesIO(meeting_pack.workbook(data)))
    assert "Confirmed links" in wb.sheetnames
    values = [[c for c in r] for r in wb["Confirmed links"].values]
    header, body = values[0], values[1:]
    kinds = {r[header.index("Link kind")]: r for r in body}
    assert set(kinds) == {"fulfilment", "thread"}
    assert kinds["thread"][header.index("Deadline move")] == "slipped: 2022 → 2024"
    report = meeting_pack.html_report(data)
    assert "Confirmed links (2)" in report and "640家" in report
    queries.clear_cache()
