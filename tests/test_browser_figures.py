"""The Figures page in a real browser (issue 15): search a metric, chart it, download the table, open a figure's
sentence in the reader. Reuses the server, browser and page fixtures of ``test_browser.py`` (the seeds
database); screenshots go to tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from test_browser import ARTIFACTS, CHROMIUM, browser, page, server, settle, warm  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="browser test skipped: /usr/bin/chromium is missing"),
]
WORD = "企业"


def test_search_chart_download_and_open_a_figure_in_the_reader(warm, page, sql):
    from dashboard import queries

    server = warm
    expected = sql("SELECT count(*) FROM reported_figures WHERE contains(metric, ?)", [WORD])[0][0]
    assert expected > 0
    page.goto(f"{server}/figures")
    settle(page)
    assert page.locator("h1").first.inner_text() == "全部报告数据"
    box = page.get_by_role("textbox", name="指标词")
    box.fill(WORD)
    box.press("Enter")
    page.wait_for_selector(f"text=符合条件的数据 {expected:,} 条")
    settle(page)

    # The chart: the metric with most levels among the matches, every point one figure of it (never a sum).
    metrics = queries.reported_figure_metrics(queries.Filters(), queries.FigureQuery(words=(WORD,)))
    metric, unit = metrics[metrics["n_levels"] > 0].iloc[0][["metric", "unit"]]
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace")
    charts = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => ({
        axis: (d._fullLayout.yaxis.title || {}).text || '',
        traces: d._fullData.map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}))}))""")
    drawn = 0
    for c in charts:
        divisor = 1e8 if c["axis"].startswith("亿") else 1e4 if c["axis"].startswith("万") else 1.0
        for t in c["traces"]:
            for year, y in zip(t["x"], t["y"]):
                values = {round(v / divisor, 6) for (v,) in sql(
                    "SELECT f.value FROM reported_figures f JOIN documents d USING (doc_id) WHERE f.metric = ? "
                    "AND f.unit = ? AND NOT f.is_change AND COALESCE(f.year, d.issue_year) = ?",
                    [metric, unit, int(year)])}
                assert round(y, 6) in values, (metric, unit, year, y, values)
                drawn += 1
    assert drawn > 0
    page.screenshot(path=str(ARTIFACTS / "figures_search_zh.png"))

    # The download: every matching figure, the search word on the filter sheet.
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 CSV").first.click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_bytes().decode("utf-8-sig"))))
    assert len(rows) == expected and all(WORD in r["指标"] for r in rows)
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 Excel").first.click()
    wb = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert len(list(wb.worksheets[0].values)) - 1 == expected
    assert dict((r[0], r[1]) for r in wb.worksheets[1].values)["指标词"] == WORD

    # The first row: its sentence on the page, then in the reader with the figure framed.
    first = rows[0]
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    b = grid.bounding_box()
    page.mouse.click(b["x"] + 16, b["y"] + 35 + 17)  # the first row's selection box
    page.wait_for_selector("#figure-pick")
    settle(page)
    assert page.locator("#figure-pick").inner_text() == first["原文"]
    page.screenshot(path=str(ARTIFACTS / "figures_row_zh.png"))
    page.get_by_text("在文档阅读器中打开该句").click()
    page.wait_for_selector("#figure-source")
    settle(page)
    assert page.locator("h1").first.inner_text() == "文档"
    assert page.locator("#figure-source").inner_text() == first["原文"]
    url = page.evaluate("location.href")
    assert f"doc={first['文档编号']}" in url and "figure=g_" in url
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "figures_reader_zh.png"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshot_of_the_figures_page(warm, page, lang):
    page.goto(f"{warm}/?page=figures&lang={lang}")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .main-svg")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / f"figures_{lang}.png"))
