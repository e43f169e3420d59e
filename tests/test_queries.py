"""dashboard/queries.py against the seeds database: numbers equal plain SQL over the ETL's tables."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from dashboard import queries
from dashboard.data import connection
from dashboard.filters_state import Filters

pytestmark = pytest.mark.usefixtures("commitments_db")

GONGXINWEI = "ag_29fa076bd347"  # 广州市工业和信息化委员会 (predecessor)
GONGXINJU = "ag_b3938d4ad565"  # 广州市工业和信息化局 (its successor)

# The attribution the dashboard promises: the agency named with the figure, else the first lead
# of the commitment holding it, else the document's issuer; the year as stated, else the issue year.
FUNDING_SQL = """
    SELECT sum(f.amount_yuan) FROM figures f JOIN documents d USING (doc_id)
    LEFT JOIN commitments c USING (commitment_id)
    JOIN agencies a ON a.agency_id = COALESCE(f.agency_id, c.lead_agency_ids[1], d.issuer_id)
    WHERE f.figure_type = 'money' AND list_contains(?, f.money_kind) AND f.is_target = ?
      AND NOT f.is_breakdown AND NOT f.is_cumulative  -- parts and running totals are not a year's amount
      AND (CASE WHEN ? THEN a.current_id ELSE a.agency_id END) = ?
      AND COALESCE(f.figure_year, d.issue_year) = ?
"""


@pytest.fixture(autouse=True)
def fresh_cache():
    queries.clear_cache()
    yield
    queries.clear_cache()


def bar_total(frame: pd.DataFrame, agency_key: str, year: int) -> float:
    row = frame[(frame["agency_key"] == agency_key) & (frame["year"] == year)]
    assert len(row) == 1, frame
    return float(row["total"].iloc[0])


@pytest.mark.parametrize("merge,agency,year", [
    (False, GONGXINWEI, 2016), (True, GONGXINJU, 2016), (True, GONGXINJU, 2021), (True, GONGXINJU, 2022)])
def test_funding_total_for_one_agency_and_year_equals_sql(sql, merge, agency, year):
    frame = queries.funding_by_agency_year(Filters(merge=merge), "fiscal", False)
    expected = sql(FUNDING_SQL, [["fiscal"], False, merge, agency, year])[0][0]
    assert bar_total(frame, agency, year) == pytest.approx(expected)


def test_kinds_of_money_are_never_added_together(sql):
    with pytest.raises(ValueError):
        queries.funding_by_agency_year(Filters(), ("fiscal", "fund"))
    with pytest.raises(ValueError):
        queries.money_by_year(Filters(), "subsidy_rate")
    by_kind = queries.money_by_kind(Filters())
    assert not by_kind.duplicated(["money_kind", "is_target", "is_cumulative"]).any()  # one total per kind
    for r in by_kind.itertuples():
        assert r.amount_yuan == pytest.approx(sql(
            "SELECT sum(amount_yuan) FROM figures WHERE figure_type = 'money' AND NOT is_breakdown "
            "AND money_kind = ? AND is_target = ? AND is_cumulative = ?",
            [r.money_kind, r.is_target, r.is_cumulative])[0][0])
    assert "subsidy_rate" not in set(by_kind["money_kind"])
    fund = queries.money_by_year(Filters(), "fund")
    fiscal = queries.money_by_year(Filters(), "fiscal")
    yearly = by_kind[~by_kind["is_cumulative"]]
    assert fund["amount_yuan"].sum() + fiscal["amount_yuan"].sum() == pytest.approx(
        yearly[yearly["money_kind"].isin(["fund", "fiscal"])]["amount_yuan"].sum())
    assert by_kind["is_cumulative"].any()  # the seeds' 累计… figures: apart, never in a year's sum


def test_predecessor_merge_moves_money_to_the_successor():
    apart = queries.funding_by_agency_year(Filters(merge=False))
    merged = queries.funding_by_agency_year(Filters(merge=True))
    assert GONGXINWEI in set(apart["agency_key"])
    assert GONGXINWEI not in set(merged["agency_key"])
    assert merged["total"].sum() == pytest.approx(apart["total"].sum())
    assert bar_total(merged, GONGXINJU, 2016) == pytest.approx(bar_total(apart, GONGXINWEI, 2016))


def test_selecting_a_bar_lists_exactly_the_figures_it_adds_up():
    f = Filters()
    frame = queries.funding_by_agency_year(f)
    for row in frame.itertuples():
        pick = f"{row.agency_key}|{int(row.year)}"
        rows = queries.figure_rows(f, "money", ("fiscal",), False, (pick,))
        assert len(rows) == row.n_figures
        assert rows["amount_yuan"].sum() == pytest.approx(row.total)
        assert rows["sentence"].str.len().min() > 0


def test_subsidy_rates_are_never_summed_with_spending():
    with pytest.raises(ValueError):
        queries.funding_by_agency_year(Filters(), ("fiscal", "subsidy_rate"))
    spending = queries.figure_rows(Filters(), "money", ("fiscal", "fund"), False)
    assert "subsidy_rate" not in set(spending["money_kind"])
    rates = queries.subsidy_rates(Filters())
    assert set(rates["money_kind"]) == {"subsidy_rate"}


def test_headline_numbers_equal_sql(sql):
    n = queries.headline_numbers(Filters(as_of=dt.date(2023, 3, 15)))
    assert n["documents"] == sql("SELECT count(*) FROM documents")[0][0]
    assert n["commitments"] == sql("SELECT count(*) FROM commitments")[0][0]
    assert n["no_deadline"] == sql("SELECT count(*) FROM commitments WHERE deadline_date IS NULL")[0][0]
    assert n["overdue"] == sql("SELECT count(*) FROM commitments WHERE deadline_date < DATE '2023-03-15'")[0][0]
    assert n["due_90"] == sql("SELECT count(*) FROM commitments WHERE deadline_date >= DATE '2023-03-15' "
                              "AND deadline_date <= DATE '2023-03-15' + 90")[0][0]
    assert n["due_90"] > 0


def test_deadline_buckets_follow_the_as_of_date():
    f = Filters(as_of=dt.date(2023, 3, 15))
    rows = queries.commitment_rows(f)
    soon = rows[rows["deadline_date"] == pd.Timestamp("2023-04-01")]
    assert len(soon) and set(soon["deadline_bucket"]) == {"due_30"}
    later = queries.commitment_rows(f.with_(as_of=dt.date(2023, 1, 15)))
    assert set(later[later["deadline_date"] == pd.Timestamp("2023-04-01")]["deadline_bucket"]) == {"due_90"}
    only = queries.commitment_rows(f.with_(buckets=("due_30",)))
    assert len(only) == len(soon)


@pytest.mark.parametrize("keyword", ["数字", "100%", "%", "_", "数据_", "\\"])
def test_keyword_is_a_literal_substring_match(sql, keyword):
    rows = queries.commitment_rows(Filters(keyword=keyword))
    expected = sql("SELECT count(*) FROM commitments WHERE strpos(text, ?) > 0", [keyword])[0][0]
    assert len(rows) == expected
    assert all(keyword in text for text in rows["text"])


def test_agency_filter_lead_or_any_role(sql):
    lead = queries.commitment_rows(Filters(agency_ids=(GONGXINJU,), merge=False))
    expected = sql("SELECT count(*) FROM commitments WHERE list_contains(lead_agency_ids, ?)", [GONGXINJU])[0][0]
    assert len(lead) == expected
    any_role = queries.commitment_rows(Filters(agency_ids=(GONGXINJU,), merge=False, agency_role="any"))
    assert len(any_role) >= len(lead)
    merged = queries.commitment_rows(Filters(agency_ids=(GONGXINJU,)))
    assert len(merged) == len(lead) + sql(
        "SELECT count(*) FROM commitments WHERE list_contains(lead_agency_ids, ?)", [GONGXINWEI])[0][0]


def test_document_level_filters_reach_every_fact(sql):
    f = Filters(jurisdictions=("天河区",))
    docs = queries.document_rows(f)
    assert set(docs["jurisdiction"]) == {"天河区"}
    assert set(queries.commitment_rows(f)["doc_id"]) <= set(docs["doc_id"])
    years = queries.document_rows(Filters(issue_years=(2020, 2022)))
    assert len(years) == sql("SELECT count(*) FROM documents WHERE issue_year BETWEEN 2020 AND 2022")[0][0]


def test_policy_terms_elapsed_share():
    terms = queries.policy_terms(Filters(as_of=dt.date(2021, 10, 1)))
    row = terms[terms["title"].str.contains("数字经济")].iloc[0]
    start, end = pd.Timestamp(row["valid_from"]), pd.Timestamp(row["valid_until"])
    expected = 100 * (pd.Timestamp("2021-10-01") - start).days / (end - start).days
    assert row["term_elapsed_pct"] == pytest.approx(expected)
    assert queries.policy_terms(Filters(as_of=dt.date(2030, 1, 1)))["term_elapsed_pct"].max() == 100


def test_missing_database_is_reported_not_raised(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMITMENTS_DB", str(tmp_path / "nothing.duckdb"))
    assert queries.database_status().state == "missing"
    with pytest.raises(connection.NoDatabase):
        queries.commitment_rows(Filters())


def test_a_broken_file_is_reported_as_broken(tmp_path, monkeypatch):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database" * 100)
    monkeypatch.setenv("COMMITMENTS_DB", str(bad))
    status = queries.database_status()
    assert status.state == "broken" and "not a valid DuckDB database" in status.reason


def test_a_new_database_file_shows_without_clearing_the_cache(commitments_db, tmp_path, monkeypatch):
    import shutil

    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(commitments_db, copy)
    monkeypatch.setenv("COMMITMENTS_DB", str(copy))
    before = len(queries.document_rows(Filters()))
    from etl.pipeline import load_paths

    smaller = tmp_path / "smaller.duckdb"
    seeds = sorted((connection.REPO_ROOT / "seeds").glob("*.txt"))[:2]
    load_paths(seeds, smaller)
    os.replace(smaller, copy)
    os.utime(copy, ns=(os.stat(copy).st_atime_ns, os.stat(copy).st_mtime_ns + 1_000_000))
    assert len(queries.document_rows(Filters())) == 2 < before


def test_a_writer_holding_the_file_is_waited_for(commitments_db, tmp_path, monkeypatch):
    import shutil

    copy = tmp_path / "locked.duckdb"
    shutil.copyfile(commitments_db, copy)
    monkeypatch.setenv("COMMITMENTS_DB", str(copy))
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(copy)!r})
        print("held", flush=True)
        time.sleep(0.8)
        con.close()
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert len(queries.document_rows(Filters())) == 5
    finally:
        holder.wait(timeout=30)


# --- the effective layer: analysts' corrections ------------------------------------------------

@pytest.fixture
def fake_reviews(monkeypatch, commitments_db):
    """Replace the store's corrections with frames the test controls; bump the reviews file's mtime on change."""
    from review import store

    state = {"figures": pd.DataFrame(), "commitments": pd.DataFrame()}
    monkeypatch.setattr(store, "figure_corrections", lambda path=None: state["figures"])
    monkeypatch.setattr(store, "commitment_corrections", lambda path=None: state["commitments"])
    path = commitments_db.parent / "reviews.sqlite"
    path.write_bytes(b"")
    tick = [os.stat(path).st_mtime_ns]

    def save(**frames):
        state.update(frames)
        tick[0] += 1_000_000
        os.utime(path, ns=(tick[0], tick[0]))

    yield save
    path.unlink()


def test_figure_corrections_flow_into_totals_and_are_marked(fake_reviews, sql):
    f = Filters()
    fid, amount, year = sql("SELECT figure_id, amount_yuan, figure_year FROM figures "
                            "WHERE span_text = '43.43亿元'")[0]
    before = bar_total(queries.funding_by_agency_year(f), GONGXINJU, year)
    fake_reviews(figures=pd.DataFrame([{"figure_id": fid, "amount_yuan": 1e8, "money_kind": None,
                                        "figure_year": None, "is_target": None, "is_rejected": False}]))
    after = bar_total(queries.funding_by_agency_year(f), GONGXINJU, year)
    assert after == pytest.approx(before - amount + 1e8)
    rows = queries.figure_rows(f)
    assert rows.set_index("figure_id").loc[fid, "is_corrected"]
    assert rows["is_corrected"].sum() == 1

    fake_reviews(figures=pd.DataFrame([{"figure_id": fid, "is_rejected": True}]))
    assert fid not in set(queries.figure_rows(f)["figure_id"])
    assert bar_total(queries.funding_by_agency_year(f), GONGXINJU, year) == pytest.approx(before - amount)


def test_commitment_corrections_change_leads_and_deadlines(fake_reviews, sql):
    cid = sql("SELECT commitment_id FROM commitments WHERE deadline_basis = 'reply_year'")[0][0]
    fake_reviews(commitments=pd.DataFrame([{
        "commitment_id": cid, "lead_agency_ids": [GONGXINWEI], "deadline_date": None,
        "deadline_basis": "none", "is_rejected": False}]))
    row = queries.commitment_rows(Filters(merge=False)).set_index("commitment_id").loc[cid]
    assert list(row["lead_agency_ids"]) == [GONGXINWEI]
    assert list(row["lead_agency_names"]) == ["广州市工业和信息化委员会"]
    assert pd.isna(row["deadline_date"]) and row["deadline_bucket"] == "none"
    assert row["is_corrected"]
    money = queries.figure_rows(Filters(merge=False), "money", ("fiscal",), True)
    assert set(money[money["commitment_id"] == cid]["agency_key"]) == {GONGXINWEI}

    fake_reviews(commitments=pd.DataFrame([{"commitment_id": cid, "is_rejected": True}]))
    assert cid not in set(queries.commitment_rows(Filters())["commitment_id"])
    assert queries.commitment(cid) is None


def test_no_review_store_means_no_corrections(monkeypatch, commitments_db, tmp_path):
    monkeypatch.setenv("COMMITMENTS_REVIEWS_DB", str(tmp_path / "absent.sqlite"))
    rows = queries.commitment_rows(Filters())
    assert len(rows) == 68 and not rows["is_corrected"].any()
    assert queries.corrections_warning() is None


# --- paging, counts and the scale paths ---------------------------------------------------------

def same_rows(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Assert two frames hold the same values (missing values alike however pandas typed them)."""
    def plain(frame):
        frame = frame.reset_index(drop=True).astype(object)
        return frame.where(frame.notna(), None)
    pd.testing.assert_frame_equal(plain(a), plain(b), check_dtype=False)


FILTER_CASES = [Filters(), Filters(agency_ids=(GONGXINJU,)), Filters(agency_ids=(GONGXINWEI,), merge=False),
                Filters(agency_ids=(GONGXINJU,), agency_role="any"), Filters(keyword="数字"),
                Filters(buckets=("overdue", "none")), Filters(doc_types=("policy_measures",)),
                Filters(issue_years=(2020, 2022), deadline_years=(2021, 2023))]


@pytest.mark.parametrize("f", FILTER_CASES)
def test_pages_are_slices_of_the_full_list_and_counts_are_its_length(f):
    for rows, count in ((queries.commitment_rows, queries.commitment_count),
                        (queries.document_rows, queries.document_count)):
        full = rows(f)
        assert count(f) == len(full)
        pages = pd.concat([rows(f, 7, offset) for offset in range(0, len(full) + 7, 7)], ignore_index=True)
        assert list(pages.columns) == list(full.columns)
        assert pages["commitment_id" if "commitment_id" in full else "doc_id"].tolist() == \
            full["commitment_id" if "commitment_id" in full else "doc_id"].tolist()
        if len(full):
            same_rows(rows(f, 3, 1), full.iloc[1:4])
    for args in (("money", ("fiscal", "fund"), False), ("money", ("subsidy_rate",), False), ("count", (), True)):
        full = queries.figure_rows(f, *args)
        assert queries.figure_count(f, *args) == len(full)
        page = queries.figure_rows(f, *args, (), 5, 2)
        same_rows(page, full.iloc[2:7])


def test_a_keyword_with_letters_matches_whatever_their_case(sql):
    expected = {r[0] for r in sql("SELECT commitment_id FROM commitments WHERE text ILIKE '%5g%'")}
    assert expected
    assert set(queries.commitment_rows(Filters(keyword="5g"))["commitment_id"]) == expected
    assert set(queries.commitment_rows(Filters(keyword="5G"))["commitment_id"]) == expected
    chinese = {r[0] for r in sql("SELECT commitment_id FROM commitments WHERE strpos(text, '产业') > 0")}
    assert set(queries.commitment_rows(Filters(keyword="产业"))["commitment_id"]) == chinese


def test_the_timeline_counts_every_dated_commitment_by_day_or_by_month(monkeypatch, sql):
    f = Filters(as_of=dt.date(2022, 1, 1))
    dated = sql("SELECT sum(greatest(len(COALESCE(lead_agency_ids, [])), 1)) FROM commitments "
                "WHERE deadline_date IS NOT NULL")[0][0]  # once for each lead agency
    by_day = queries.deadline_timeline(f)
    assert by_day["n"].sum() == dated and set(by_day["granularity"]) == {"day"}
    assert all(1 <= len(items) <= min(3, n) for items, n in zip(by_day["items"], by_day["n"]))
    monkeypatch.setattr(queries, "TIMELINE_MARKS", 1)
    queries.clear_cache()
    by_month = queries.deadline_timeline(f)
    assert by_month["n"].sum() == dated and set(by_month["granularity"]) == {"year"}  # more than one mark by month
    assert (pd.to_datetime(by_month["deadline_date"]).dt.day_of_year == 1).all()
    month = pd.to_datetime(by_day["deadline_date"]).dt.to_period("M")
    months = len(by_day.assign(month=month).groupby(["lead_key", "month", "deadline_bucket"], dropna=False))
    monkeypatch.setattr(queries, "TIMELINE_MARKS", len(by_day) - 1)
    queries.clear_cache()
    coarser = queries.deadline_timeline(f)
    expected = "month" if months <= len(by_day) - 1 else "year"  # by month if that fits, else by year
    assert coarser["n"].sum() == dated and set(coarser["granularity"]) == {expected}
    assert (pd.to_datetime(coarser["deadline_date"]).dt.day == 1).all()


def test_the_timeline_and_the_bars_count_leads_alike():
    """A commitment with two lead agencies is on both agencies' rows of the timeline, as in the bars."""
    f = Filters(as_of=dt.date(2022, 1, 1), merge=False)
    timeline = queries.deadline_timeline(f).groupby("lead_key", dropna=False)["n"].sum()
    bars = queries.deadlines_by_agency(f)
    dated = bars[~bars["deadline_bucket"].isin(["none"])].groupby("agency_key", dropna=False)["n_commitments"].sum()
    assert timeline.to_dict() == dated.to_dict()
    assert (queries.commitment_rows(f)["lead_agency_ids"].map(len) > 1).any()  # the seeds have such commitments


def test_policy_terms_in_force_come_first_and_are_counted():
    f = Filters(as_of=dt.date(2021, 10, 1))
    terms = queries.policy_terms(f)
    assert queries.policy_count(f) == len(terms)
    ended = (pd.to_datetime(terms["valid_until"]) < pd.Timestamp(f.as_of)).tolist()
    assert ended == sorted(ended)
    assert len(queries.policy_terms(f, 1)) == min(1, len(terms))


def test_documents_are_found_by_title_words(sql):
    title = sql("SELECT title FROM documents WHERE title IS NOT NULL ORDER BY title LIMIT 1")[0][0]
    found = queries.find_documents(title[2:8])
    assert title in set(found["title"])
    assert queries.find_documents("没有这样的标题").empty
    ids = list(found["doc_id"])
    assert queries.document_titles(ids)[ids[0]] in set(found["title"])


def test_a_database_without_derived_tables_asks_for_an_etl_run(commitments_db, tmp_path, monkeypatch):
    import shutil

    import duckdb

    old = tmp_path / "old.duckdb"
    shutil.copyfile(commitments_db, old)
    con = duckdb.connect(str(old))
    con.execute("DROP TABLE fact_figures")
    con.close()
    monkeypatch.setenv("COMMITMENTS_DB", str(old))
    status = queries.database_status()
    assert status.state == "outdated" and "fact_figures" in status.reason


def test_a_rejected_figure_leaves_the_commitments_figures_text(fake_reviews, sql):
    cid, fid, span = sql("SELECT commitment_id, figure_id, span_text FROM figures WHERE commitment_id IS NOT NULL "
                         "ORDER BY figure_id LIMIT 1")[0]
    before = queries.commitment_rows(Filters(), 500, 0).set_index("commitment_id").loc[cid, "figures_text"]
    assert span in before
    fake_reviews(figures=pd.DataFrame([{"figure_id": fid, "is_rejected": True}]))
    for rows in (queries.commitment_rows(Filters(), 500, 0), queries.commitment_rows(Filters())):
        after = rows.set_index("commitment_id").loc[cid, "figures_text"]
        n_same = sql("SELECT count(*) FROM figures WHERE commitment_id = ? AND span_text = ? AND figure_id <> ?",
                     [cid, span, fid])[0][0]
        assert (span in (after or "")) == bool(n_same)


def test_a_new_file_while_another_thread_queries_breaks_neither(commitments_db, tmp_path, monkeypatch):
    import shutil
    import threading

    copy = tmp_path / "live.duckdb"
    shutil.copyfile(commitments_db, copy)
    monkeypatch.setenv("COMMITMENTS_DB", str(copy))
    errors: list[str] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                queries.clear_cache()
                assert queries.commitment_count(Filters()) == 68
            except Exception as exc:  # noqa: BLE001 - the assertion is that nothing is raised
                errors.append(repr(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(20):  # a new file every few milliseconds: each read may see an older stamp's database
            os.utime(copy, ns=(os.stat(copy).st_atime_ns, os.stat(copy).st_mtime_ns + 1_000_000))
            queries.headline_numbers(Filters())
    finally:
        stop.set()
        thread.join(timeout=60)
    assert errors == []


def test_the_database_stays_open_across_saves_that_correct_nothing(fake_reviews, sql):
    queries.headline_numbers(Filters())
    opened = list(connection._INSTANCES.values())
    fake_reviews()  # the reviews file changes (a status saved), the corrections do not
    queries.headline_numbers(Filters())
    assert list(connection._INSTANCES.values()) == opened
    fid = sql("SELECT figure_id FROM figures ORDER BY figure_id LIMIT 1")[0][0]
    fake_reviews(figures=pd.DataFrame([{"figure_id": fid, "is_rejected": True}]))
    queries.headline_numbers(Filters())
    assert list(connection._INSTANCES.values()) != opened and opened[0].retired


def test_the_figure_year_filter_keeps_the_figures_charted_under_those_years():
    every = queries.funding_by_agency_year(Filters())
    only = queries.funding_by_agency_year(Filters(figure_years=(2021, 2021)))
    assert set(only["year"]) == {2021} and len(set(every["year"])) > 1
    assert only["total"].sum() == pytest.approx(every[every["year"] == 2021]["total"].sum())
    assert queries.commitment_count(Filters(figure_years=(2021, 2021))) == queries.commitment_count(Filters())
    lo, hi = queries.filter_options().figure_years
    assert lo <= every["year"].min() and hi >= every["year"].max()
