"""Totals count one fact once: a figure restated in a later reply adds nothing, unless the analyst splits it."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import queries
from dashboard.filters_state import Filters
from etl.pipeline import load_paths
from review import link_decisions
from review.link_decisions import LinkDecision
from tests.test_linking import SEEDS, later_reply, rows


GONGXINJU = "ag_b3938d4ad565"  # 广州市工业和信息化局: signs seed 000 and the constructed 2023 reply


@pytest.fixture
def restated_db(tmp_path_factory, monkeypatch):
    tmp = tmp_path_factory.mktemp("once")
    (tmp / "later").mkdir()
    (tmp / "later" / "2023_reply.txt").write_text(later_reply(), encoding="utf-8")
    db = tmp / "c.duckdb"
    assert load_paths([SEEDS, tmp / "later"], db).ok
    monkeypatch.setenv("COMMITMENTS_DB", str(db))
    monkeypatch.setenv("COMMITMENTS_REVIEWS_DB", str(tmp / "reviews.sqlite"))
    queries.clear_cache()
    yield db
    queries.clear_cache()


def bar(frame: pd.DataFrame, agency: str, year: int) -> float:
    return float(frame[(frame["agency_key"] == agency) & (frame["year"] == year)]["total"].iloc[0])


def test_a_double_citation_is_counted_once_in_funding_by_agency_year(restated_db):
    every = rows(restated_db, """
        SELECT sum(amount_yuan), count(*) FROM fact_figures
        WHERE figure_type = 'money' AND NOT is_target AND NOT is_breakdown AND NOT is_cumulative
          AND money_kind = 'fiscal' AND agency_current_id = ? AND year = 2021""", [GONGXINJU])[0]
    cited = rows(restated_db, "SELECT count(*) FROM fact_figures WHERE span_text = '43.43亿元'")[0][0]
    assert cited == 2
    frame = queries.funding_by_agency_year(Filters(merge=True))  # fiscal, reported, one year's amounts
    assert bar(frame, GONGXINJU, 2021) == pytest.approx(every[0] - 43.43e8)
    assert queries.merged_citations(Filters(merge=True)) == {"n_merged": 1, "amount_merged": pytest.approx(43.43e8)}
    kinds = queries.money_by_kind(Filters())
    fiscal = kinds[(kinds["money_kind"] == "fiscal") & ~kinds["is_target"] & ~kinds["is_cumulative"]]
    total = rows(restated_db, "SELECT sum(amount_yuan) FROM figures WHERE figure_type = 'money' AND NOT is_target "
                              "AND NOT is_breakdown AND NOT is_cumulative AND money_kind = 'fiscal'")[0][0]
    assert float(fiscal["amount_yuan"].iloc[0]) == pytest.approx(total - 43.43e8)  # the headline tile


def test_a_split_pair_counts_twice_and_the_list_shows_both_then(restated_db):
    first, other = rows(restated_db, """
        SELECT s.first_figure_id, s.figure_id FROM link_same_facts s JOIN figures f USING (figure_id)
        WHERE f.span_text = '43.43亿元' AND NOT s.is_first""")[0]
    before = queries.funding_by_agency_year(Filters(merge=True))
    link_decisions.record([LinkDecision("same_fact", first, other, "split")], "王")
    after = queries.funding_by_agency_year(Filters(merge=True))
    assert bar(after, GONGXINJU, 2021) == pytest.approx(bar(before, GONGXINJU, 2021) + 43.43e8)
    assert queries.merged_citations(Filters(merge=True))["n_merged"] == 0
    listed = queries.figure_rows(Filters(merge=True), "money", ("fiscal", "fund"), False, (f"{GONGXINJU}|2021",))
    assert (listed["span_text"] == "43.43亿元").sum() == 2


def test_a_repeat_whose_first_citation_is_filtered_out_still_counts(restated_db):
    """Only the later reply in view (its document picked): the restated figure is its total's own."""
    doc = rows(restated_db, "SELECT doc_id FROM documents WHERE issue_year = 2023")[0][0]
    frame = queries.funding_by_agency_year(Filters(merge=True, doc_ids=(doc,)))
    assert bar(frame, GONGXINJU, 2021) == pytest.approx(43.43e8)
