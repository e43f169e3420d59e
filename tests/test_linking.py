"""The ETL stores the follow-through candidates: seeds plus a constructed later reply of the same bureau."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl import linking, links
from etl.pipeline import load_paths

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def seed_sentence(prefix: str, pattern: str) -> str:
    """The seed's own sentence matching ``pattern`` (read in place, never copied into the tests)."""
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return re.search(pattern, text).group(0)


def later_reply() -> str:
    """A reply the successor bureau (工信委 → 工信局) might write in 2023: it reports the 2017 target's
    metric, restates seed 000's 2021 spending figure, and re-promises seed 001's 一张网 item with a later year."""
    spending = seed_sentence("000", r"2021年,市级财政投入科技创新专项资金[\d.]+亿元")
    item = seed_sentence("001", r"\(四\)打造专精特新企业服务“一张网”[^\n]*")
    item = item.replace("全年投入2亿元扶持资金", "力争2024年底前投入扶持资金") + "(市工业和信息化局牵头)"
    return (
        "王明代表:\n"
        "您提出的《关于支持创新型中小企业发展的建议》(第20232001号)收悉,现答复如下:\n"
        "一、工作情况\n"
        f"(一)培育创新型中小企业。截至2020年底,全市累计培育各类创新型中小企业640家。{spending}。\n"
        "二、下一步工作计划\n"
        f"{item}\n"
        "感谢您对我市中小企业发展的关心和支持。\n"
        "广州市工业和信息化局\n"
        "2023年5月8日\n"
    )


@pytest.fixture(scope="module")
def linked_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("linking")
    later = tmp / "later"
    later.mkdir()
    (later / "2023_reply.txt").write_text(later_reply(), encoding="utf-8")
    db = tmp / "c.duckdb"
    report = load_paths([SEEDS, later], db)
    assert report.ok
    return db


def rows(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_the_2017_target_ranks_the_successors_later_report_first(linked_db):
    got = rows(linked_db, """
        SELECT t.span_text, r.span_text, r.metric, l.rank, l.reason
        FROM link_fulfilment l JOIN figures t ON t.figure_id = l.target_id
        JOIN reported_figures r ON r.figure_id = l.figure_id
        WHERE t.span_text = '600家' ORDER BY l.rank""")
    assert got, "the target 超600家 has no candidate"
    assert got[0][1] == "640家" and got[0][3] == 1
    assert "创新型中小企业" in got[0][2]


def test_the_restated_spending_is_one_fact_with_the_first_citation_first(linked_db):
    got = rows(linked_db, """
        SELECT f.doc_id, d.issue_date, s.is_first, s.n_citations, s.group_id
        FROM link_same_facts s JOIN figures f USING (figure_id) JOIN documents d USING (doc_id)
        WHERE f.span_text = '43.43亿元' ORDER BY d.issue_date""")
    assert len(got) == 2 and got[0][3] == 2 and got[0][4] == got[1][4]
    assert got[0][2] and not got[1][2]  # the 2022 reply is the first citation
    assert str(got[0][1]) == "2022-05-30"


def test_the_re_promised_item_is_a_thread_whose_deadline_slipped(linked_db):
    got = rows(linked_db, """
        SELECT t.deadline_move, t.from_deadline_date, t.to_deadline_date, a.doc_id, b.doc_id, t.reason
        FROM link_threads t JOIN commitments a ON a.commitment_id = t.from_commitment_id
        JOIN commitments b ON b.commitment_id = t.to_commitment_id
        WHERE a.text LIKE '%一张网%'""")
    assert len(got) == 1
    move, before, after, *_ , reason = got[0]
    assert move == "slipped" and before.year == 2022 and after.year == 2024
    assert reason.startswith("slipped 2022")


def test_the_stored_candidates_are_the_pure_engines(linked_db):
    """The bulk computation gives what ``links.fulfilment_candidates`` gives one target at a time."""
    con = duckdb.connect(str(linked_db), read_only=True)
    try:
        targets = con.execute(linking.TARGETS_SQL).df()
        reported = con.execute(linking.REPORTED_SQL).df()
        stored = con.execute("SELECT target_id, figure_id, score FROM link_fulfilment "
                             "ORDER BY target_id, rank").fetchall()
    finally:
        con.close()
    figs = [links.FigureRecord(r.figure_id, "", r.issue_date, r.value, r.unit, "exact",
                               None if pd.isna(r.year) else int(r.year), r.metric or "", r.agency_key)
            for r in reported.itertuples() if isinstance(r.metric, str)]
    expected = []
    for t in targets.itertuples():
        target = links.FigureRecord(t.figure_id, "", t.issue_date, t.value, t.unit, t.qualifier,
                                    None if pd.isna(t.year) else int(t.year), t.metric, t.agency_key,
                                    is_target=True)
        expected += [(c.from_id, c.to_id, c.score) for c in links.fulfilment_candidates(target, figs)]
    assert sorted(stored) == sorted(expected)
    assert stored


def test_a_rebuild_replaces_the_candidates(linked_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(linked_db.read_bytes())
    con = duckdb.connect(str(db))
    try:
        before = con.execute("SELECT count(*) FROM link_threads").fetchall()[0][0]
        counts = linking.rebuild(con)
        assert counts["link_threads"] == before == con.execute("SELECT count(*) FROM link_threads").fetchall()[0][0]
    finally:
        con.close()


def test_a_fresh_build_proposes_the_same_pairs_under_the_same_ids(linked_db, tmp_path):
    """Decisions are keyed by fact IDs: a rebuilt database must name the same pairs."""
    later = tmp_path / "later"
    later.mkdir()
    (later / "2023_reply.txt").write_text(later_reply(), encoding="utf-8")
    again = tmp_path / "again.duckdb"
    assert load_paths([SEEDS, later], again).ok
    for table, cols in (("link_fulfilment", "target_id, figure_id, rank"), ("link_threads", "from_commitment_id, "
                        "to_commitment_id"), ("link_same_facts", "figure_id, group_id")):
        sql = f"SELECT {cols} FROM {table} ORDER BY ALL"
        assert rows(linked_db, sql) == rows(again, sql)


def test_one_fact_cited_again_is_the_same_kind_of_figure(linked_db):
    """The dashboard's statements of money read money alone (``sql.MONEY_FIGURES``) and look repeats up
    among it: that holds because a group shares its unit, and so its figure type."""
    groups = rows(linked_db, "SELECT count(*) FROM link_same_facts WHERE NOT is_first")[0][0]
    mixed = rows(linked_db, """
        SELECT count(*) FROM link_same_facts s JOIN figures a ON a.figure_id = s.figure_id
        JOIN figures b ON b.figure_id = s.first_figure_id WHERE a.figure_type <> b.figure_type""")[0][0]
    assert groups > 0 and mixed == 0
