"""The dashboard in AppTest on the seeds database: pages, languages, filters, URL, downloads."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
from collections import Counter
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import streamlit as st
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from dashboard import queries

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
PAGES = {"overview": ("总览", "Overview"), "funding": ("资金:按单位与年份", "Funding by agency and year"),
         "projects": ("项目数:按单位与年份", "Project counts by agency and year"), "deadlines": ("期限", "Deadlines"),
         "commitments": ("承诺一览", "Commitments explorer"), "documents": ("文档", "Documents")}
GONGXINWEI = "ag_29fa076bd347"
GONGXINJU = "ag_b3938d4ad565"

pytestmark = pytest.mark.usefixtures("commitments_db")


@pytest.fixture(autouse=True)
def fresh_cache():
    queries.clear_cache()


def open_app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def chart(at: AppTest, key: str) -> dict:
    found = [el for el in at.get("plotly_chart") if el.proto.id.endswith(f"-{key}")]
    assert found, f"no chart {key}"
    return json.loads(found[0].proto.spec)


def values(array) -> list:
    """Decode a Plotly JSON array (plain list, or {"dtype", "bdata"} base64)."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def bar_totals(spec: dict) -> dict[tuple[str, str], float]:
    """Return {(agency label, year trace name): bar length} of a stacked bar chart."""
    out = {}
    for trace in spec["data"]:
        if trace.get("type") == "bar":
            for label, x in zip(values(trace["y"]), values(trace["x"])):
                out[(label, trace["name"])] = x
    return out


FUNDING_SQL = """
    SELECT sum(f.amount_yuan) FROM figures f JOIN documents d USING (doc_id)
    LEFT JOIN commitments c USING (commitment_id)
    JOIN agencies a ON a.agency_id = COALESCE(f.agency_id, c.lead_agency_ids[1], d.issuer_id)
    WHERE f.figure_type = 'money' AND f.money_kind = 'fiscal' AND NOT f.is_target
      AND NOT f.is_breakdown AND NOT f.is_cumulative
      AND (CASE WHEN ? THEN a.current_id ELSE a.agency_id END) = ?
      AND COALESCE(f.figure_year, d.issue_year) = ?
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_in_both_languages(page, lang):
    at = open_app(page=page, lang=lang)
    no_errors(at)
    assert at.title[0].value == PAGES[page][0 if lang == "zh" else 1]
    assert at.query_params.get("page") == page
    if page in ("overview", "funding", "projects", "deadlines"):
        assert at.get("plotly_chart")
    assert ("English" if lang == "en" else "中文") == {"zh": "中文", "en": "English"}[at.sidebar.radio(key="lang").value]


def test_funding_chart_follows_the_filters_as_the_database_says(sql):
    at = open_app(page="funding", merge="0")
    no_errors(at)
    totals = bar_totals(chart(at, "funding_chart"))
    expected = sql(FUNDING_SQL, [False, GONGXINWEI, 2016])[0][0]
    assert totals[("市工信委", "2016")] * 1e8 == pytest.approx(expected)

    at.sidebar.multiselect(key="f_agency").set_value([GONGXINWEI]).run()
    no_errors(at)
    totals = bar_totals(chart(at, "funding_chart"))
    assert {label for label, _ in totals} == {"市工信委"}
    assert totals[("市工信委", "2016")] * 1e8 == pytest.approx(expected)
    assert at.query_params["agency"] == GONGXINWEI

    at.sidebar.toggle(key="f_merge").set_value(True).run()  # 市工信委 → 市工业和信息化局
    no_errors(at)
    totals = bar_totals(chart(at, "funding_chart"))
    assert {label for label, _ in totals} == {"市工业和信息化局"}
    for year in (2016, 2021, 2022):
        assert totals[("市工业和信息化局", str(year))] * 1e8 == pytest.approx(sql(FUNDING_SQL, [True, GONGXINJU, year])[0][0])
    assert at.query_params["agency"] == GONGXINJU and "merge" not in at.query_params


@pytest.mark.parametrize("metric,like", [("negotiating", "%洽谈%"), ("signed", "%签约%"), ("registered", "%注册%")])
def test_counts_are_charted_by_stage_and_equal_sql(sql, metric, like):
    """新洽谈 3147, 签约 1157, 注册 1267 (2021) are one funnel's stages: each apart, never a 5,571 bar."""
    at = open_app(page="projects", metric=metric)
    no_errors(at)
    totals = bar_totals(chart(at, "projects_chart"))
    expected = sql("SELECT sum(value) FROM figures WHERE figure_type = 'count' AND NOT is_target "
                   "AND figure_year = 2021 AND metric LIKE ?", [like])[0][0]
    assert totals[("市工业和信息化局", "2021")] == pytest.approx(expected)
    stages = chart(at, "projects_stages")
    assert {t["name"] for t in stages["data"]} >= {"新洽谈项目", "签约项目", "注册(落户)项目"}
    assert all(v <= 3147 for t in stages["data"] for v in values(t["y"]))  # no year sums the stages
    assert stages["layout"]["barmode"] == "group"


def test_breakdowns_are_listed_but_not_added(sql):
    """近千个,其中500亿级项目6个、百亿级项目超30个: the parts are not added to the whole."""
    at = open_app(page="projects", metric="优质项目")
    totals = bar_totals(chart(at, "projects_chart"))
    whole = sql("SELECT sum(value) FROM figures f JOIN documents d USING (doc_id) WHERE figure_type = 'count' "
                "AND NOT is_target AND NOT is_breakdown AND metric = '优质项目' "
                "AND COALESCE(figure_year, d.issue_year) = 2022")[0][0]
    parts = sql("SELECT sum(value) FROM figures WHERE figure_type = 'count' AND is_breakdown")[0][0]
    assert parts == 36
    assert totals[("市工业和信息化局", "2022")] == pytest.approx(whole)


def test_url_parameters_round_trip():
    params = {"page": "commitments", "lang": "en", "agency": f"{GONGXINJU},{GONGXINWEI}", "role": "any",
              "merge": "0", "jur": "广州市", "type": "npc_suggestion_reply", "issued": "2017-2021",
              "status": "none", "q": "企业", "asof": "2023-03-15"}
    at = open_app(**params)
    no_errors(at)
    assert at.title[0].value == "Commitments explorer"
    assert at.query_params == params
    ss = at.session_state
    assert ss["f_agency"] == [GONGXINJU, GONGXINWEI] and ss["f_role"] == "any" and ss["f_merge"] is False
    assert ss["f_issued"] == (2017, 2021) and ss["f_q"] == "企业" and str(ss["f_asof"]) == "2023-03-15"



def test_widget_changes_reach_the_url():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"lang": "en", "status": "overdue"})
    at.run().switch_page("views/commitments.py").run()
    assert at.query_params == {"page": "commitments", "lang": "en", "status": "overdue"}
    at.sidebar.text_input(key="f_q").set_value("100%").run()
    assert at.query_params["q"] == "100%" and at.title[0].value == "Commitments explorer"
    at.sidebar.button(key="f_clear").click().run()
    assert at.query_params == {"page": "commitments", "lang": "en"}


def test_a_shared_link_names_the_page():
    at = open_app(page="deadlines", lang="en", status="overdue")
    no_errors(at)
    assert at.title[0].value == "Deadlines"
    assert at.query_params["status"] == "overdue"


def test_no_database_says_which_command_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMITMENTS_DB", str(tmp_path / "missing.duckdb"))
    for page in PAGES:
        at = open_app(page=page)
        assert not at.exception
        assert "make run" in at.info[0].value and "python -m etl load" in at.info[0].value


def captured_downloads(at: AppTest) -> dict[str, object]:
    """Run ``at`` with st.download_button wrapped; return {key: data} of every button."""
    with mock.patch("streamlit.download_button", wraps=st.download_button) as button:
        at.run()
    return {call.kwargs["key"]: call.kwargs["data"] for call in button.call_args_list}


def read_csv(data) -> list[dict]:
    data = data() if callable(data) else data
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data) -> tuple[list[dict], dict]:
    wb = load_workbook(io.BytesIO(data() if callable(data) else data))
    rows = list(wb.worksheets[0].values)
    table = [dict(zip(rows[0], r)) for r in rows[1:]]
    return table, {r[0]: r[1] for r in wb.worksheets[1].values}


def test_funding_downloads_hold_exactly_the_filtered_rows(sql):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"page": "funding", "lang": "en", "agency": GONGXINWEI, "merge": "0"})
    files = captured_downloads(at)
    no_errors(at)
    expected = Counter(r[0] for r in sql(
        "SELECT f.span_text FROM figures f JOIN documents d USING (doc_id) WHERE f.figure_type = 'money' "
        "AND f.money_kind = 'fiscal' AND NOT f.is_target AND NOT f.is_cumulative AND d.issuer_id = ? "
        "AND f.agency_id IS NULL",
        [GONGXINWEI]))
    rows = read_csv(files["funding_figures_csv"])
    assert Counter(r["As written"] for r in rows) == expected
    assert {r["Money kind"] for r in rows} == {"Fiscal spending"}
    table, filters = read_xlsx(files["funding_figures_xlsx"])
    assert Counter(r["As written"] for r in table) == expected
    assert filters["Agency"] == "Guangzhou Municipal Commission of Industry and Information Technology"
    assert filters["Rows"] == sum(expected.values())
    assert filters["Money kind"] == "Fiscal spending" and filters["Reported / target"] == "Reported"
    assert filters["Page"] == "Funding" and filters["Database"] == "c.duckdb"  # a file name, not a server path
    sidecar = {r["Filters"]: r["Value"] for r in read_csv(files["funding_figures_csv_filters"])}
    assert sidecar["Money kind"] == "Fiscal spending" and sidecar["Agency"] == filters["Agency"]
    assert sidecar["Rows"] == str(sum(expected.values())) and "/" not in sidecar["Database"]


def test_commitment_downloads_follow_the_keyword(sql):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"page": "commitments", "q": "数据"})
    files = captured_downloads(at)
    no_errors(at)
    expected = sorted(r[0] for r in sql("SELECT text FROM commitments WHERE strpos(text, '数据') > 0"))
    rows = read_csv(files["commitments_csv"])
    assert sorted(r["承诺内容"] for r in rows) == expected  # full text in the file, shortened on screen
    table, filters = read_xlsx(files["commitments_xlsx"])
    assert sorted(r["承诺内容"] for r in table) == expected
    assert filters["关键词(承诺内容)"] == "数据"


def test_a_linked_commitment_opens_with_its_source_highlighted(sql):
    cid, text = sql("SELECT commitment_id, text FROM commitments WHERE deadline_basis = 'reply_year'")[0]
    at = open_app(page="commitments", commitment=cid)
    no_errors(at)
    page = "".join(el.proto.body for el in at.get("html"))
    focus = page[page.index('id="commitment-source"'):]
    shown = html.unescape(re.sub(r"<[^>]+>", "", focus[focus.index(">") + 1:]))
    assert shown.startswith(text)  # the stored text at the commitment's offsets, framed
    assert at.query_params["commitment"] == cid


def test_the_reader_highlights_facts_and_lists_the_unplaced():
    doc = queries.document_rows(queries.Filters(doc_types=("policy_measures",)))["doc_id"].iloc[0]
    at = open_app(page="documents", doc=doc, lang="en")
    no_errors(at)
    page = "".join(el.proto.body for el in at.get("html"))
    for kind in ("Commitment", "Money", "Project count", "Target", "Agency", "Deadline"):
        assert kind in page
    assert "background:#FFF3BF" in page  # commitments highlighted
    assert "Facts that could not be placed in the text" in [m.value.strip("*") for m in at.markdown]
    reasons = [v for df in at.dataframe if "Reason" in df.value.columns for v in df.value["Reason"]]
    assert reasons and all("validity period" in r for r in reasons)


def test_long_tables_are_paged_and_the_download_holds_every_row(monkeypatch, sql):
    from dashboard import ui

    monkeypatch.setattr(ui, "PAGE_ROWS", 10)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"page": "commitments", "lang": "en"})
    files = captured_downloads(at)
    no_errors(at)
    total = sql("SELECT count(*) FROM commitments")[0][0]
    assert len(at.dataframe[0].value) == 10
    assert any(f"Rows 1–10 of {total}" in c.value for c in at.caption)
    first = list(at.dataframe[0].value.iloc[:, 1])
    at.number_input(key="commitments_page").set_value(2)
    at.run()
    no_errors(at)
    assert any(f"Rows 11–20 of {total}" in c.value for c in at.caption)
    assert list(at.dataframe[0].value.iloc[:, 1]) != first
    assert len(read_csv(files["commitments_csv"])) == total


def test_with_many_documents_the_sidebar_searches_titles(monkeypatch, sql):
    monkeypatch.setattr(queries, "DOCUMENT_CHOICES_MAX", 2)
    at = open_app(page="overview", lang="en")
    no_errors(at)
    search = at.sidebar.text_input(key="f_doc_search")
    picker = at.sidebar.multiselect(key="f_doc")
    assert picker.options == []
    doc_id, title = sql("SELECT doc_id, title FROM documents WHERE title LIKE '%数字经济%'")[0]
    search.set_value("数字经济").run()
    picker = at.sidebar.multiselect(key="f_doc")
    assert title in picker.options
    picker.select(doc_id).run()
    no_errors(at)
    assert at.query_params["doc"] == doc_id
    assert at.metric[0].value == "1"  # one document in the filters


def test_no_page_has_a_stray_string_that_streamlit_would_print():
    """Streamlit's "magic" writes any bare expression of a page's module, a string after a constant included."""
    import ast

    for path in sorted((Path(APP).parent / "views").glob("*.py")) + [Path(APP)]:
        body = ast.parse(path.read_text(encoding="utf-8")).body
        stray = [node.lineno for node in body[1:] if isinstance(node, ast.Expr)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)]
        assert not stray, f"{path.name}: lines {stray}"


def test_a_failing_page_shows_what_to_do_not_a_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise TypeError("'NAType' object is not iterable")

    monkeypatch.setattr(queries, "deadline_timeline", broken)
    for lang, words in (("zh", "清除筛选"), ("en", "Clear filters")):
        at = open_app(page="deadlines", lang=lang)
        assert not at.exception
        assert len(at.error) == 1
        message = at.error[0].value
        assert words in message and "TypeError" in message and "NAType" not in message
        assert "Traceback" not in message and "queries.py" not in message
        assert at.sidebar.radio(key="lang").value == lang  # the sidebar still works


def test_the_app_hides_error_details_and_the_deploy_button():
    import tomllib

    config = tomllib.loads((Path(APP).parents[1] / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "viewer"


def test_the_deadlines_table_pages_every_commitment_and_counts_them(monkeypatch, sql):
    from dashboard import ui

    monkeypatch.setattr(ui, "PAGE_ROWS", 10)
    at = open_app(page="deadlines", lang="en")
    no_errors(at)
    total = sql("SELECT count(*) FROM commitments")[0][0]
    assert any(f"Rows 1–10 of {total}" in c.value for c in at.caption)
    assert any(c.value.startswith(f"{total} rows") for c in at.caption)  # the download caption counts the table
    assert at.number_input(key="deadlines_page").max == -(-total // 10)
    assert at.metric[0].label == "Overdue" and "not completed or dropped" in at.metric[0].help



def test_open_in_the_reader_opens_the_linked_document_at_the_commitment(sql):
    """In one session: the reader showed its first document; a commitment's link then names another one."""
    docs = [r[0] for r in sql("SELECT doc_id FROM documents ORDER BY issue_date DESC NULLS LAST, title, doc_id")]
    cid, doc = sql("SELECT commitment_id, doc_id FROM commitments WHERE doc_id <> ? ORDER BY char_start DESC",
                   [docs[0]])[0]
    at = open_app(page="documents")
    assert at.selectbox(key="documents_pick").value == docs[0]
    at.switch_page("views/commitments.py").run()
    no_errors(at)
    at.query_params.update({"doc": doc, "commitment": cid})  # what the link "在文档阅读器中打开 →" carries
    at.switch_page("views/documents.py").run()
    no_errors(at)
    assert at.selectbox(key="documents_pick").value == doc
    page = "".join(el.proto.body for el in at.get("html"))
    assert page.count('id="commitment-source"') == 1 and "scroll-initial-target:nearest" in page
    assert at.query_params["doc"] == doc and at.query_params["commitment"] == cid
