"""The Figures page in AppTest: every reported figure, its filters, the one-metric chart, the reader, the downloads.

The database holds the seeds, a State Council document read in place from ../shared/corpus and a
constructed report of an agency the registry does not know, with no issue date: its figures carry
stated years, a running total, a change and a target of one metric (服务企业), the cases a chart
must never add together. Every count is checked against SQL over ``reported_figures`` and
``documents`` (not the derived table the page reads).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from unittest import mock

import pytest
import streamlit as st
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from dashboard import queries
from tests.conftest import pointed_at, sql_runner

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
CORPUS = ROOT.parent / "shared" / "corpus" / "docs"
REPORT = """青禾县数字经济服务中心关于推进中小企业服务工作情况的报告

一、工作成效
青禾县数字经济服务中心持续开展企业服务。2021年服务企业1200家。2022年服务企业1500家,同比增长25%。截至2022年底,累计服务企业3000家。培育专精特新企业12家,建成公共服务平台3个。
二、下一步工作
力争培育专精特新企业20家。(青禾县数字经济服务中心牵头)
"""
AGENCY = "青禾县数字经济服务中心"
YEAR = "COALESCE(f.year, d.issue_year)"


@pytest.fixture(scope="module")
def figures_db(tmp_path_factory):
    """Seeds + a State Council document + the constructed report; the dashboard pointed at it for the module."""
    from etl.pipeline import load_paths

    council = sorted(CORPUS.glob("22_*.txt"))
    if not council:
        pytest.skip(f"no State Council document 22_*.txt under {CORPUS}")
    tmp = tmp_path_factory.mktemp("figures_page")
    report = tmp / "qinghe_report.txt"
    report.write_text(REPORT, encoding="utf-8")
    db = tmp / "figures.duckdb"
    load_paths([ROOT / "seeds", council[0], report], db)
    with pointed_at(db, tmp / "reviews.sqlite"):
        queries.clear_cache()
        yield db
    queries.clear_cache()


@pytest.fixture
def sql(figures_db):
    return sql_runner(figures_db)


@pytest.fixture(autouse=True)
def fresh_cache(figures_db):
    queries.clear_cache()


def open_figures(lang: str = "zh", state: dict | None = None, run: bool = True, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"page": "figures", **params})
    if lang != "zh":
        at.query_params["lang"] = lang
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run() if run else at


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def matching(at: AppTest) -> int:
    """The page's "n figures match" number."""
    for el in at.markdown:
        m = re.search(r"符合条件的数据 ([\d,]+) 条|([\d,]+) figures match", el.value)
        if m:
            return int((m.group(1) or m.group(2)).replace(",", ""))
    raise AssertionError("no count of matching figures on the page")


def chart(at: AppTest, key: str) -> dict | None:
    found = [el for el in at.get("plotly_chart") if el.proto.id.endswith(f"-{key}")]
    return json.loads(found[0].proto.spec) if found else None


def points(spec: dict) -> dict[tuple[str, str], float]:
    """{(trace name, year): value} of a line chart."""
    return {(t["name"], x): y for t in spec["data"] for x, y in zip(t["x"], t["y"])}


def count(sql, where: str = "TRUE", params=None) -> int:
    return sql(f"SELECT count(*) FROM reported_figures f JOIN documents d USING (doc_id) WHERE {where}", params)[0][0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_lists_every_reported_figure(sql, lang):
    at = open_figures(lang)
    no_errors(at)
    total = count(sql)
    assert total > 148  # the seeds' figures, the State Council document's and the report's
    assert matching(at) == total
    assert at.title[0].value == ("全部报告数据" if lang == "zh" else "Every reported figure")
    shown = at.dataframe[0].value
    assert len(shown) == min(total, 200)
    assert ("数值(含单位)" if lang == "zh" else "Value (with unit)") in shown.columns


def test_the_overview_counts_the_figures(sql):
    at = AppTest.from_file(APP, default_timeout=60).run()
    no_errors(at)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["报告数据(全部数值)"] == f"{count(sql):,}"


def test_a_metric_search_in_traditional_characters_finds_the_simplified_metric(sql):
    at = open_figures(state={"fig_q": "服務企業"})
    no_errors(at)
    assert matching(at) == count(sql, "contains(f.metric, '服务企业')") >= 4  # the report has four


@pytest.mark.parametrize("state, where", [
    ({"fig_kinds": ["share"]}, "f.kind = 'share'"),
    ({"fig_units": ["家"]}, "f.unit = '家'"),
    ({"fig_cumulative": "cumulative"}, "f.is_cumulative"),
    ({"fig_cumulative": "annual", "fig_change": "level"}, "NOT f.is_cumulative AND NOT f.is_change"),
    ({"fig_change": "change"}, "f.is_change"),
    ({"fig_target": "target", "fig_kinds": ["count"]}, "f.is_target AND f.kind = 'count'"),
    ({"fig_years": (2019, 2021)}, f"{YEAR} BETWEEN 2019 AND 2021"),
    ({"fig_q": "企业 培育"}, "contains(f.metric, '企业') AND contains(f.metric, '培育')"),
])
def test_each_filter_keeps_what_sql_keeps(sql, state, where):
    at = open_figures(state=state)
    no_errors(at)
    assert matching(at) == count(sql, where) > 0


def test_the_agency_filter_holds_an_unregistered_agency(sql):
    agency_id = sql("SELECT agency_id FROM agencies WHERE canonical_name = ? AND NOT is_registered", [AGENCY])[0][0]
    at = open_figures(state={"fig_agencies": [agency_id]})
    no_errors(at)
    assert matching(at) == count(sql, "d.file_name = 'qinghe_report.txt'") == 7
    assert at.multiselect(key="fig_agencies").value == [agency_id]
    assert AGENCY in at.multiselect(key="fig_agencies").options
    assert set(at.dataframe[0].value["所属单位"]) == {AGENCY}


def test_the_sidebar_filters_apply(sql):
    council = sql("SELECT doc_id FROM documents WHERE file_name LIKE '22_%'")[0][0]
    at = open_figures(doc=council)  # the sidebar's filters come from the URL
    no_errors(at)
    assert matching(at) == count(sql, "f.doc_id = ?", [council]) > 0
    at = open_figures(q="担保")
    no_errors(at)
    assert matching(at) == count(sql, "contains(f.sentence, '担保')") > 0


def test_the_chart_draws_levels_only_with_running_totals_apart(sql):
    at = open_figures(state={"fig_q": "服务企业"})
    no_errors(at)
    assert at.selectbox(key="fig_metric").value == "服务企业\t家"
    annual, running = chart(at, "figures_chart"), chart(at, "figures_chart_cumulative")
    assert points(annual) == {(AGENCY, "2021"): 1200, (AGENCY, "2022"): 1500}  # never 2700, 25 % or 3000
    assert points(running) == {(AGENCY, "2022"): 3000}
    assert "该指标另有1 条增量或增速未作图" in " ".join(c.value for c in at.caption)


def test_every_charted_point_is_one_figure_never_a_sum(sql):
    at = open_figures()
    no_errors(at)
    checked = 0
    for option in list(at.selectbox(key="fig_metric").options)[:6]:
        at.session_state["fig_metric"] = _raw_option(at, option)
        at.run()
        no_errors(at)
        metric, unit = at.session_state["fig_metric"].split("\t")
        for key, cumulative in (("figures_chart", False), ("figures_chart_cumulative", True)):
            spec = chart(at, key)
            if spec is None:
                continue
            divisor = _divisor(spec)
            for (_, year), y in points(spec).items():
                values = {round(v / divisor, 6) for (v,) in sql(
                    f"SELECT f.value FROM reported_figures f JOIN documents d USING (doc_id) WHERE f.metric = ? "
                    f"AND f.unit = ? AND NOT f.is_change AND f.is_cumulative = ? AND {YEAR} = ?",
                    [metric, unit, cumulative, int(year)])}
                assert round(y, 6) in values, (metric, unit, year, y, values)
                checked += 1
    assert checked >= 6


def _raw_option(at: AppTest, label: str) -> str:
    """The metric option (metric<TAB>unit) a label of the chart's choice stands for."""
    for metric, unit in queries.reported_figure_metrics(queries.Filters(), queries.FigureQuery())[["metric", "unit"]] \
            .itertuples(index=False):
        if label.startswith(f"{metric}({unit},"):
            return f"{metric}\t{unit}"
    raise AssertionError(label)


def _divisor(spec: dict) -> float:
    title = spec["layout"].get("yaxis", {}).get("title", {}).get("text", "")
    return 1e8 if title.startswith("亿") else 1e4 if title.startswith("万") else 1.0


def test_downloads_hold_the_filtered_rows_and_name_the_page_filters(sql):
    at = open_figures(state={"fig_q": "企业", "fig_kinds": ["count"]}, run=False)
    with mock.patch("streamlit.download_button", wraps=st.download_button) as button:
        at.run()
    no_errors(at)
    files = {call.kwargs["key"]: call.kwargs["data"] for call in button.call_args_list}
    expected = count(sql, "contains(f.metric, '企业') AND f.kind = 'count'")
    data = files["figures_csv"]()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == expected > 0
    assert all("企业" in r["指标"] and r["数据类别"] == "数量" for r in rows)
    assert all(r["数值(含单位)"].endswith(r["单位"]) for r in rows)  # 单位 is the unit, 所属单位 the agency
    assert AGENCY in {r["所属单位"] for r in rows}
    wb = load_workbook(io.BytesIO(files["figures_xlsx"]()))
    table = list(wb.worksheets[0].values)
    assert len(table) - 1 == expected
    described = {r[0]: r[1] for r in wb.worksheets[1].values}
    assert described["指标词"] == "企业" and described["类别"] == "数量" and described["行数"] == expected


def test_money_shows_in_yi_or_wan_yuan(sql):
    at = open_figures(state={"fig_kinds": ["money"]})
    no_errors(at)
    shown = at.dataframe[0].value["数值(含单位)"].tolist()
    assert shown and all(v.endswith(("亿元", "万元", "元", "美元")) for v in shown)
    assert any(v.endswith("亿元") for v in shown)


def test_hostile_search_words_are_plain_text(sql):
    for text in ("%", "_", "' OR 1=1 --", "\\", "企业%"):
        at = open_figures(state={"fig_q": text})
        no_errors(at)
        assert matching_or_empty(at) == count(sql, "contains(f.metric, ?)", [text])


def matching_or_empty(at: AppTest) -> int:
    try:
        return matching(at)
    except AssertionError:
        return 0


def test_a_figure_link_opens_the_reader_framed_in_its_sentence(sql):
    figure_id, doc_id, span, sentence = sql(
        "SELECT figure_id, doc_id, span_text, sentence FROM reported_figures WHERE kind = 'share' "
        "ORDER BY figure_id LIMIT 1")[0]
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"page": "documents", "doc": doc_id, "figure": figure_id})
    at.run()
    no_errors(at)
    page = "".join(el.proto.body for el in at.get("html"))
    framed = page[page.index('id="figure-source"'):]
    assert html.unescape(re.sub(r"<[^>]+>", "", framed[framed.index(">") + 1:framed.index("</span>")])) == span
    passage = html.unescape(re.sub(r"<[^>]+>", "", page[:page.index("</div>")]))
    assert passage == sentence
    assert at.query_params["figure"] == figure_id


def test_a_chosen_row_shows_its_sentence_and_links_to_the_reader(sql):
    at = open_figures(state={"fig_q": "服务企业"})
    no_errors(at)
    figure_id, doc_id, span, sentence = sql(
        "SELECT r.figure_id, r.doc_id, r.span_text, r.sentence FROM fact_reported_figures f "
        "JOIN reported_figures r USING (figure_id) WHERE contains(f.metric, '服务企业') ORDER BY f.list_order LIMIT 1")[0]
    at.session_state["figures_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    no_errors(at)
    body = next(el.proto.body for el in at.get("html") if 'id="figure-pick"' in el.proto.body)
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == sentence
    framed = body[body.index('id="figure-pick"'):]
    assert html.unescape(framed[framed.index(">") + 1:framed.index("</span>")]) == span
    link = next(el.proto for el in at.get("page_link") if "阅读器" in el.proto.label)
    assert link.page == "documents"
    assert dict(kv.split("=") for kv in link.query_string.split("&")) == {"page": "documents", "doc": doc_id,
                                                                           "figure": figure_id}


def test_a_deadline_state_filter_keeps_the_figures_of_those_commitments(sql):
    """The sidebar's deadline states split the figures inside commitments (a crash before: the
    figures' query read the review's closed statuses without joining them)."""
    from dashboard.filters_state import BUCKETS

    seen = {}
    for state in BUCKETS:
        at = open_figures(status=state)
        no_errors(at)
        seen[state] = matching(at)
    inside = sql("SELECT count(*) FROM fact_reported_figures WHERE in_commitment")[0][0]
    assert sum(seen.values()) == inside and seen["overdue"] > 0, seen
