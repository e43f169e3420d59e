"""The dashboard in a real browser: `streamlit run` on a free port, Chromium driven by Playwright.

Opens a shared link with filters, checks the chart's bars against the database, downloads the
CSV, clicks a bar and a commitment, and saves screenshots of every page in both languages to
tests/artifacts/ (kept out of git) for a person to look at. Needs Debian's /usr/bin/chromium
(``.ci/run`` installs it); skipped with a message when it is missing.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
PAGES = ("overview", "funding", "projects", "deadlines", "commitments", "documents")
GONGXINJU = "ag_b3938d4ad565"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="browser test skipped: /usr/bin/chromium is missing (apt-get install chromium "
                              "fonts-wqy-zenhei, as .ci/run does)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(commitments_db):
    """Start `streamlit run dashboard/app.py` against the fixture database; yield its base URL."""
    yield from run_server(os.environ.copy(), "streamlit.log")


def run_server(env: dict, log_name: str):
    """Run the dashboard on a free port with ``env`` (its databases); yield the base URL, then stop it."""
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start; see {ARTIFACTS / log_name}")
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM),
                              args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def warm(server, browser):
    """Open "/" once: a fresh server's first session runs in Streamlit's legacy pages/ mode."""
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(server)
    settle(pg)
    context.close()
    return server


@pytest.fixture
def page(browser, warm):
    # A tall window: the app scrolls inside its main block, so a full-page screenshot would be cut.
    context = browser.new_context(viewport={"width": 1600, "height": 2600}, accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def settle(pg) -> None:
    """Wait until the script run is over (the status widget gone) and the page stopped changing."""
    pg.wait_for_selector("h1", timeout=60_000)
    quiet_since = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        running = pg.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.8:
            return
        time.sleep(0.15)


def plot_data(pg) -> list[list[dict]]:
    """Return every Plotly chart's traces as drawn in the page (name, x, y)."""
    return pg.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
        d => d._fullData.map(t => ({type: t.type, name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])})))""")


FUNDING_SQL = """
    SELECT COALESCE(f.figure_year, d.issue_year) AS year, sum(f.amount_yuan), list(f.span_text)
    FROM figures f JOIN documents d USING (doc_id) LEFT JOIN commitments c USING (commitment_id)
    JOIN agencies a ON a.agency_id = COALESCE(f.agency_id, c.lead_agency_ids[1], d.issuer_id)
    WHERE f.figure_type = 'money' AND f.money_kind = 'fiscal' AND NOT f.is_target AND NOT f.is_breakdown
      AND NOT f.is_cumulative AND a.current_id = ?
      AND d.issue_year BETWEEN 2020 AND 2022
    GROUP BY year ORDER BY year
"""


def test_shared_link_chart_download_and_bar_selection(warm, page, sql):
    server = warm
    expected = {str(year): (total, spans) for year, total, spans in sql(FUNDING_SQL, [GONGXINJU])}
    page.goto(f"{server}/funding?agency={GONGXINJU}&issued=2020-2022")
    settle(page)
    assert page.locator("h1").first.inner_text() == "资金:按单位与年份"
    url = page.evaluate("location.href")
    assert f"agency={GONGXINJU}" in url and "issued=2020-2022" in url
    page.wait_for_selector(".js-plotly-plot .barlayer .point path")

    traces = [t for t in plot_data(page)[0] if t["type"] == "bar"]
    drawn = {t["name"]: t["x"][0] * 1e8 for t in traces}
    assert set(drawn) == set(expected) == {"2021", "2022"}
    for year, (total, _) in expected.items():
        assert drawn[year] == pytest.approx(total)
    assert page.locator(".js-plotly-plot .barlayer .point path").count() == len(drawn)
    assert all(t["y"] == ["市工业和信息化局"] for t in traces)
    page.screenshot(path=str(ARTIFACTS / "shared_link_funding.png"))

    with page.expect_download() as info:
        page.get_by_role("button", name="下载 CSV").first.click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    all_spans = Counter(s for _, spans in expected.values() for s in spans)
    assert Counter(r["原文"] for r in rows) == all_spans
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 Excel").first.click()
    assert info.value.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    table = list(wb["数据"].values)
    assert Counter(r[table[0].index("原文")] for r in table[1:]) == all_spans
    assert dict((r[0], r[1]) for r in wb["筛选条件"].values)["发文年份(文档)"] == "2020–2022"

    boxes = [b for b in (p.bounding_box() for p in page.locator(".js-plotly-plot .barlayer .point path").all()) if b]
    widest = max(boxes, key=lambda b: b["width"])
    page.mouse.click(widest["x"] + widest["width"] / 2, widest["y"] + widest["height"] / 2)
    page.wait_for_selector("text=所选柱形的数据")
    settle(page)
    heading = page.get_by_text("所选柱形的数据").first.inner_text()
    assert heading in {f"所选柱形的数据({len(spans)} 条)" for _, spans in expected.values()}
    page.screenshot(path=str(ARTIFACTS / "funding_bar_selected.png"))


def test_open_a_commitments_source(warm, page, sql):
    server = warm
    page.goto(f"{server}/commitments?lang=en")
    settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's selection box
    page.wait_for_selector("#commitment-source")
    settle(page)
    focus = page.locator("#commitment-source").inner_text()
    texts = {r[0] for r in sql("SELECT text FROM commitments")}
    assert focus.replace("\n", "") in {t.replace("\n", "") for t in texts}
    assert "commitment=c_" in page.evaluate("location.href")
    page.screenshot(path=str(ARTIFACTS / "commitment_source_en.png"))

    page.get_by_text("Open in the document reader").click()
    page.wait_for_selector("text=Facts that could not be placed in the text")
    settle(page)
    assert page.locator("h1").first.inner_text() == "Documents"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshots_of_every_page(warm, page, lang):
    server = warm
    for name in PAGES:
        page.goto(f"{server}/?page={name}&lang={lang}")
        settle(page)
        if name in ("overview", "funding", "projects", "deadlines"):
            page.wait_for_selector(".js-plotly-plot .main-svg")
            time.sleep(0.5)
        assert f"page={name}" in page.evaluate("location.href")
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / f"{name}_{lang}.png"))


# ---------------------------------------------------------------------------------------------
# An analyst's week: the seeds, one State Council document and a seed re-saved as GB18030

STATE_COUNCIL = ROOT.parent / "shared" / "corpus" / "docs" / "16_guofa2018-38-ftz-measures.txt"


@pytest.fixture(scope="module")
def week(tmp_path_factory, browser):
    """A database of the seeds, a State Council measures document and a re-encoded duplicate; its server."""
    if not STATE_COUNCIL.exists():
        pytest.skip(f"{STATE_COUNCIL} is not there")
    from etl.pipeline import load_paths

    tmp = tmp_path_factory.mktemp("week")
    seed = next((ROOT / "seeds").glob("002*.txt"))
    duplicate = tmp / "002-resaved-gb18030.txt"
    duplicate.write_bytes(seed.read_text(encoding="utf-8").encode("gb18030"))
    db = tmp / "c.duckdb"
    report = load_paths([ROOT / "seeds", STATE_COUNCIL, duplicate], db)
    dup = next(o for o in report.files if Path(o.path).name == duplicate.name)
    assert dup.outcome == "duplicate" and seed.name in dup.reason  # the same text in another encoding
    env = {**os.environ, "COMMITMENTS_DB": str(db), "COMMITMENTS_REVIEWS_DB": str(tmp / "reviews.sqlite")}
    for base in run_server(env, "streamlit-week.log"):
        context = browser.new_context()
        first = context.new_page()
        first.goto(base)
        settle(first)
        context.close()
        yield base, db, tmp / "reviews.sqlite"


def _sql(db: Path, statement: str, params=None):
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(statement, params or []).fetchall()
    finally:
        con.close()


def metrics(pg) -> dict[str, str]:
    """Return every st.metric on the page: label -> value as shown."""
    return pg.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
        .map(m => [m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
                   m.querySelector('[data-testid="stMetricValue"]').innerText.trim()]))""")


def test_an_analysts_week(week, page):
    from dashboard import charts
    from review.store import ReviewStore, StatusChange

    base, db, reviews_path = week
    # Headline money: fiscal, funds and financing apart, each named, none added to another.
    page.goto(f"{base}/overview")
    settle(page)
    assert page.get_by_text("Page not found").count() == 0 and page.locator("h1").first.inner_text() == "总览"
    page.wait_for_selector("[data-testid=\"stMetric\"]")
    page.get_by_text("金融支持(已报告)").first.wait_for(timeout=60_000)  # the money tiles follow the counts
    shown = metrics(page)
    sums = dict(_sql(db, "SELECT money_kind, sum(amount_yuan) FROM figures WHERE figure_type = 'money' "
                         "AND NOT is_target AND NOT is_breakdown AND NOT is_cumulative GROUP BY money_kind"))
    for kind, name in (("fiscal", "财政资金"), ("fund", "基金"), ("financing", "金融支持")):
        assert shown[f"{name}(已报告)"] == charts.fmt_money(sums[kind], "zh")
    assert shown["金融支持(已报告)"] == "7,200 亿元"
    assert not any(v == charts.fmt_money(sums["fiscal"] + sums["financing"], "zh") for v in shown.values())
    page.screenshot(path=str(ARTIFACTS / "week_overview.png"))

    # Counts by stage: one bar per stage and year, never their sum.
    page.goto(f"{base}/projects")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .main-svg")
    stages = plot_data(page)[0]
    assert {"新洽谈项目", "签约项目", "注册(落户)项目"} <= {t["name"] for t in stages}
    assert max(v for t in stages for v in t["y"]) <= 3147
    page.screenshot(path=str(ARTIFACTS / "week_projects.png"))

    # A status change; then overdue is one number on Overview, Deadlines and Review.
    overdue = [r[0] for r in _sql(db, "SELECT commitment_id FROM commitments WHERE deadline_date < current_date "
                                      "ORDER BY commitment_id")]
    ReviewStore(reviews_path).record_statuses([StatusChange(overdue[0], "completed")], "王芳")
    counts = {}
    for name, label in (("overview", "已逾期"), ("deadlines", "已逾期"), ("review", "已逾期")):  # one word too
        page.goto(f"{base}/{name}")
        settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        counts[name] = int(metrics(page)[label].replace(",", ""))
        page.screenshot(path=str(ARTIFACTS / f"week_{name}.png"))
    assert counts == {"overview": len(overdue) - 1, "deadlines": len(overdue) - 1, "review": len(overdue) - 1}

    # The reader opens the linked document at the commitment (not the first document).
    first_doc = _sql(db, "SELECT doc_id FROM documents ORDER BY issue_date DESC NULLS LAST, title, doc_id")[0][0]
    cid, doc, title = _sql(db, "SELECT c.commitment_id, c.doc_id, d.title FROM commitments c JOIN documents d "
                               "USING (doc_id) WHERE c.doc_id <> ? ORDER BY d.char_count DESC, c.char_start DESC "
                               "LIMIT 1", [first_doc])[0]  # far down a long document
    page.goto(f"{base}/documents")  # the reader opened once on its first document
    settle(page)
    page.goto(f"{base}/commitments?commitment={cid}")
    settle(page)
    page.get_by_text("在文档阅读器中打开 →").click()
    page.wait_for_selector("#commitment-source")
    settle(page)
    assert page.locator("h1").first.inner_text() == "文档"
    assert page.get_by_role("heading", name=f"阅读器 · {title}").count() == 1
    seen = page.evaluate("""() => { const el = document.getElementById('commitment-source');
        let box = el.parentElement; while (box && getComputedStyle(box).overflowY !== 'auto') box = box.parentElement;
        const a = el.getBoundingClientRect(), b = box.getBoundingClientRect();
        return [box.scrollTop, a.top >= b.top - 1 && a.top < b.bottom]; }""")
    assert seen[0] > 0 and seen[1]  # scrolled down to it, and it is in view
    page.screenshot(path=str(ARTIFACTS / "week_reader.png"))

    # An export's filter sheet lists the page's choices.
    page.goto(f"{base}/funding?kind=fund")
    settle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 Excel").first.click()
    wb = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    record = {r[0]: r[1] for r in wb["筛选条件"].values}
    assert record["页面"] == "资金" and record["资金类别"] == "基金" and record["已报告 / 目标"] == "已报告"
    assert "/" not in str(record["数据库"])
    table = list(wb["数据"].values)
    assert {r[table[0].index("资金类别")] for r in table[1:]} == {"基金"}
