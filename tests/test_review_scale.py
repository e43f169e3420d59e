"""Tests of the review at scale (dashboard/queries_review.py): SQL states, bounded sections, true counts.

The deadline state is computed in SQL (``state_sql``); it must agree with ``review.values.display_state``
for every status and deadline case. Sections hold their first rows only, beside the true counts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from dashboard import meeting_pack
from dashboard import queries_review as qr
from dashboard.filters_state import Filters
from review.store import ReviewStore, StatusChange
from review.values import DEFAULT_STATUS, STATUS_CODES, display_state


ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2022, 12, 10)
SINCE = dt.date(2022, 12, 3)


@pytest.fixture
def store(review_store) -> ReviewStore:
    return review_store


@pytest.mark.parametrize("due_days", [0, 1, 28, 365])
def test_the_sql_state_is_display_state(store, due_days):
    offsets = [None, -400, -1, 0, 1, due_days - 1, due_days, due_days + 1, 4000]
    cases = [(s, None if o is None else AS_OF + dt.timedelta(days=o))
             for s in (*STATUS_CODES, None) for o in offsets]
    frame = pd.DataFrame({"status": [s for s, _ in cases], "deadline_date": [d for _, d in cases]})
    assert qr.display_states(frame, AS_OF, due_days) == [display_state(s, d, AS_OF, due_days) for s, d in cases]


def test_sections_hold_their_first_rows_beside_the_true_counts(store):
    full = qr.load_review(Filters(), AS_OF, SINCE, 28, "en", store)
    cut = qr.load_review(Filters(), AS_OF, SINCE, 28, "en", store, limit=2, changes_limit=3)
    assert cut.counts == full.counts and cut.status_counts == full.status_counts
    assert cut.summary.equals(full.summary)
    for name in qr.SCOPES:
        assert len(cut.section(name)) == min(2, full.count(name))
        assert cut.section(name)["commitment_id"].tolist() == full.section(name)["commitment_id"].tolist()[:2]
    assert cut.is_cut("overdue") and not full.is_cut("overdue")
    assert cut.count("all") == len(full.rows) and cut.count("not_assessed") == len(full.rows)
    assert cut.etl_changes_count == full.etl_changes_count
    assert len(cut.etl_changes) == min(3, full.etl_changes_count)
    again = cut.expanded()
    assert {n: len(again.section(n)) for n in qr.SCOPES} == full.counts


def test_counts_by_agency_come_from_sql_and_count_each_lead(store, facts_db):
    overdue = [r for r in qr.load_review(Filters(), AS_OF, SINCE, 28, "en", store).section("overdue")["commitment_id"]]
    store.record_statuses([StatusChange(overdue[0], "completed"), StatusChange(overdue[1], "delayed")], "Ann")
    data = qr.load_review(Filters(), AS_OF, SINCE, 28, "en", store)
    rows = data.rows.assign(key=[k or [qr.UNKNOWN_AGENCY] for k in data.rows["lead_keys"]]).explode("key")
    expected = rows.groupby("key").size().sort_index()
    got = data.summary.set_index("agency_key")["commitments"].sort_index()
    assert got.to_dict() == expected.to_dict()
    assert data.status_counts["completed"] == 1 and data.status_counts["delayed"] == 1
    assert data.status_counts[DEFAULT_STATUS] == data.count("all") - 2
    by_overdue = data.counts_by_agency("overdue")
    assert by_overdue["n"].sum() == (data.summary["overdue"]).sum() and by_overdue["n"].is_monotonic_decreasing


def test_a_cut_section_says_so_in_the_pack(store):
    data = qr.load_review(Filters(), AS_OF, SINCE, 28, "en", store, limit=1)
    cut = dict((key, (n, m)) for key, n, m in meeting_pack.cut_tables(data))
    assert cut["sheet_overdue"] == (1, data.count("overdue"))
    about = [k for k, _ in meeting_pack.about_rows(data, [], dt.datetime(2022, 12, 10))]
    assert f"Overdue: the first 1 of {data.count('overdue')} rows" in about
    assert f"Showing 1 of {data.count('overdue')}" in meeting_pack.html_report(data)


def _filter_cases(facts_db: Path) -> list[Filters]:
    import duckdb

    con = duckdb.connect(str(facts_db), read_only=True)
    try:
        doc_type, doc_id = con.execute("SELECT doc_type, doc_id FROM documents ORDER BY doc_id LIMIT 1").fetchone()
        agency = con.execute("SELECT unnest(lead_agency_ids) FROM commitments LIMIT 1").fetchone()[0]
        word = con.execute("SELECT substr(text, 1, 2) FROM commitments ORDER BY commitment_id LIMIT 1").fetchone()[0]
    finally:
        con.close()
    return [Filters(doc_types=(doc_type,)), Filters(doc_ids=(doc_id,)), Filters(agency_ids=(agency,)),
            Filters(keyword=word), Filters(buckets=("overdue",)), Filters(agency_ids=(agency,), keyword=word)]


def test_filters_keep_the_same_commitments_as_the_other_pages(store, facts_db):
    from dashboard import queries

    cid = qr.load_review(Filters(), AS_OF, SINCE, 28, "en", store).rows["commitment_id"][0]
    store.record_statuses([StatusChange(cid, "at_risk")], "Ann")
    store.record_correction("commitment", cid, {"deadline_date": "2023-06-30"}, "annex", "Ann")
    for f in _filter_cases(facts_db):
        data = qr.load_review(f, AS_OF, SINCE, 28, "en", store)
        assert data.count("all") == queries.commitment_count(f.with_(as_of=AS_OF)), f
        assert set(data.rows["commitment_id"]) == set(queries.commitment_rows(f.with_(as_of=AS_OF))["commitment_id"])
        assert set(data.status_changes["commitment_id"]) <= set(data.rows["commitment_id"])
