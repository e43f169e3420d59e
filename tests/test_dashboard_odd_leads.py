"""Every page in AppTest on documents whose lead agencies are outside the registry, or missing.

The database: the seeds, two real State Council documents (../shared/corpus: measures led by
ministries the Guangzhou registry does not hold, no issue date),
a reply with neither a date nor a lead agency nor an issuer, and one with dated commitments and no lead
agency. No page may raise or show an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import queries, queries_review

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
CORPUS = ROOT.parent / "shared" / "corpus" / "docs"
STATE_COUNCIL = ("16_guofa2018-38-ftz-measures.txt", "17_guobanfa2018-128-zero-waste-plan.txt")
NO_DATES_NO_LEADS = """关于第20230001号建议的答复

王代表:
您提出的关于加强社区服务的建议收悉。现答复如下:
一、关于加强社区服务
下一步,我们将继续加强社区服务工作,完善服务体系。
下一步,将推动相关工作落到实处。
感谢您对我们工作的关心和支持。
"""
DATED_NO_LEADS = """关于第20230002号建议的答复

李代表:
您提出的关于完善社区养老服务的建议收悉。现答复如下:
下一步,将于2024年底前完成社区养老服务平台建设。
下一步,力争2025年6月底前实现服务全覆盖。
感谢您对我们工作的关心和支持。
"""
PAGES = ("overview", "funding", "projects", "deadlines", "commitments", "documents", "review", "intake")


@pytest.fixture(scope="module")
def odd_db(tmp_path_factory):
    from etl.pipeline import load_paths

    missing = [name for name in STATE_COUNCIL if not (CORPUS / name).exists()]
    if missing:
        pytest.skip(f"../shared/corpus is not there ({', '.join(missing)})")
    tmp = tmp_path_factory.mktemp("odd")
    synthetic = tmp / "no-dates-no-leads.txt"
    synthetic.write_text(NO_DATES_NO_LEADS, encoding="utf-8")
    dated = tmp / "dated-no-leads.txt"
    dated.write_text(DATED_NO_LEADS, encoding="utf-8")
    db = tmp / "c.duckdb"
    load_paths([ROOT / "seeds", *(CORPUS / name for name in STATE_COUNCIL), synthetic, dated], db)
    return db, tmp / "reviews.sqlite"


@pytest.fixture
def odd_env(odd_db, monkeypatch):
    db, reviews = odd_db
    monkeypatch.setenv("COMMITMENTS_DB", str(db))
    monkeypatch.setenv("COMMITMENTS_REVIEWS_DB", str(reviews))
    queries_review.clear_cache()
    yield db
    queries_review.clear_cache()


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_the_database_holds_what_the_pages_are_tested_on(odd_env):
    import duckdb

    con = duckdb.connect(str(odd_env), read_only=True)
    try:
        unregistered, unled, no_issue = con.execute("""
            SELECT count(*) FILTER (WHERE c.deadline_date IS NOT NULL AND list_contains(
                       (SELECT list(agency_id) FROM agencies WHERE NOT is_registered), c.lead_agency_ids[1])),
                   count(*) FILTER (WHERE c.deadline_date IS NOT NULL AND len(COALESCE(c.lead_agency_ids, [])) = 0),
                   count(*) FILTER (WHERE d.issue_date IS NULL AND c.deadline_date IS NOT NULL)
            FROM commitments c JOIN documents d USING (doc_id)""").fetchall()[0]
    finally:
        con.close()
    assert unregistered > 0 and unled > 0 and no_issue > 0


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_unregistered_and_missing_leads(odd_env, page, lang):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"page": page, "lang": lang})
    at.run()
    no_errors(at)
    if page == "review":  # only the open tab is drawn: open each one
        for label in [tab.label for tab in at.tabs]:
            at.session_state["review_tab"] = label
            at.run()
            no_errors(at)


def test_the_deadline_timeline_holds_unled_and_unregistered_leads(odd_env):
    frame = queries.deadline_timeline(queries.Filters())
    assert frame["lead_key"].isna().any()
    assert all(isinstance(items, list) for items in frame["items"])
    by_agency = queries.deadlines_by_agency(queries.Filters())
    assert by_agency["n_commitments"].sum() >= frame["n"].sum()


@pytest.mark.parametrize("name", ["no-dates-no-leads", "zero-waste"])
def test_the_reader_opens_each_odd_document(odd_env, name):
    docs = queries.document_rows(queries.Filters())
    doc_id = docs[docs["file_name"].str.contains(name)]["doc_id"].iloc[0]
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"page": "documents", "doc": doc_id})
    at.run()
    no_errors(at)
    assert at.selectbox(key="documents_pick").value == doc_id
