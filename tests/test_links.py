"""Follow-through candidates: targets against later figures, one fact cited twice, restated commitments."""

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from etl import links
from etl.links import CommitmentRecord, FigureRecord

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def fig(fid, doc, date, value, unit, metric, agency="ag_1", year=None, **kw):
    return FigureRecord(fid, doc, date, value, unit, kw.pop("qualifier", "exact"), year, metric, agency, **kw)


# The seeds' own target (seed 003, 2017): 力争2020年培育各类创新型中小企业超600家.
TARGET = fig("t", "d2017", "2017-07-14", 600, "家", "创新型中小企业", year=2020, qualifier="over", is_target=True)


def test_the_matching_later_report_ranks_first():
    figures = [
        fig("right", "d2021", "2021-04-02", 640, "家", "创新型中小企业", year=2020, is_cumulative=True),
        fig("other_metric", "d2021", "2021-04-02", 12000, "家", "高新技术企业", year=2020),
        fig("earlier_doc", "d2016", "2016-05-01", 300, "家", "创新型中小企业", year=2016),
        fig("other_agency", "d2021", "2021-04-02", 700, "家", "创新型中小企业", agency="ag_2", year=2020),
        fig("other_unit", "d2021", "2021-04-02", 5e8, "元", "创新型中小企业", year=2020),
        fig("a_change", "d2021", "2021-04-02", 12, "%", "创新型中小企业", year=2020, is_change=True),
        fig("older_year", "d2022", "2022-03-01", 500, "家", "培育创新型中小企业", year=2018),
    ]
    got = links.fulfilment_candidates(TARGET, figures)
    assert [c.to_id for c in got] == ["right", "older_year"]
    assert links.is_met(600, "over", 640) and not links.is_met(600, "over", 600)
    assert links.progress(600, 640) == pytest.approx(640 / 600)


@pytest.mark.parametrize("target_metric, reported, distractor", [
    ("市区两级财政科技经费", "市级财政科技经费", "财政科技经费投入企业科研的比例"),  # seed 003's phrases
    ("签约项目", "签约产业项目", "新洽谈产业招商项目"),  # seed 000's funnel stages
    ("规上软件企业", "规模以上软件企业", "软件和信息技术服务业企业"),
])
def test_close_metrics_rank_above_near_misses(target_metric, reported, distractor):
    t = fig("t", "d1", "2020-01-01", 100, "个", target_metric, year=2022, is_target=True)
    got = links.fulfilment_candidates(t, [fig("near", "d2", "2023-01-01", 90, "个", distractor, year=2022),
                                          fig("right", "d2", "2023-01-01", 95, "个", reported, year=2022)])
    assert got and got[0].to_id == "right"


@pytest.mark.skipif(not (CORPUS / "docs").is_dir(), reason="../shared/corpus not present")
def test_a_corpus_target_finds_a_later_report_of_its_metric():
    """A State Council goal (read in place), and a constructed report of the same body two years on."""
    from etl.extract import extract

    path = next((CORPUS / "docs").glob("14_*.txt"))
    ex = extract(path.read_text(encoding="utf-8"))
    goal = next(t for t in ex.targets if t.unit == "元" and t.value >= 1e12)
    t = fig("t", "d", ex.meta.issue_date, goal.value, "元", goal.metric, agency="ag_sport", year=goal.figure_year,
            is_target=True)
    later = fig("r", "d2", "2021-05-01", 1.5e12, "元", goal.metric.replace("总", ""), agency="ag_sport",
                year=goal.figure_year - 5)
    unrelated = fig("u", "d2", "2021-05-01", 3e12, "元", "居民消费总额", agency="ag_sport", year=2020)
    assert [c.to_id for c in links.fulfilment_candidates(t, [unrelated, later])] == ["r"]


def test_one_fact_stated_in_two_documents_is_one_group():
    a = fig("a", "d1", "2022-05-30", 4.343e9, "元", "市级财政投入科技创新专项资金", year=2021)
    b = fig("b", "d2", "2022-06-17", 4.343e9, "元", "市级财政科技创新专项资金", year=2021)
    c = fig("c", "d2", "2022-06-17", 4.343e9, "元", "市级财政科技创新专项资金", year=2020)  # another year
    d = fig("d", "d3", "2022-07-01", 4.343e9, "元", "社会融资规模", year=2021)  # another metric
    assert links.same_fact_groups([b, a, c, d]) == [["a", "b"]]


def test_a_restated_commitment_with_a_later_deadline_slipped():
    a = CommitmentRecord("a", "d1", "2019-03-01", "(三)推进5G基站建设,2020年底前建成5G基站1万座。", ("ag_1",),
                         "2020-12-31")
    b = CommitmentRecord("b", "d2", "2021-04-01", "3.推进5G基站建设,2022年底前建成5G基站1万座。", ("ag_1",),
                         "2022-12-31")
    unrelated = CommitmentRecord("c", "d2", "2021-04-01", "4.完善人才引进政策,优化落户服务。", ("ag_1",), None)
    other_lead = CommitmentRecord("e", "d3", "2021-04-01", "3.推进5G基站建设,2022年底前建成5G基站1万座。",
                                  ("ag_9",), "2022-12-31")
    got = links.thread_candidates([a, b, unrelated, other_lead])
    assert [(c.from_id, c.to_id) for c in got] == [("a", "b")]
    assert got[0].reason == "slipped 2020-12-31 → 2022-12-31"


@given(st.text(min_size=0, max_size=20), st.text(min_size=0, max_size=20))
def test_metric_similarity_is_symmetric_and_bounded(a, b):
    s = links.metric_similarity(a, b)
    assert 0 <= s <= 100
    assert s == pytest.approx(links.metric_similarity(b, a))
