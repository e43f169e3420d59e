"""etl/derive.py: the derived fact tables hold, per fact, what the plain tables say."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from etl import derive
from etl.pipeline import load_paths
from tests.conftest import sql_runner

pytestmark = pytest.mark.usefixtures("commitments_db")


def test_one_derived_row_per_commitment_and_figure(sql):
    n = sql("SELECT (SELECT count(*) FROM commitments), (SELECT count(*) FROM fact_commitments), "
            "(SELECT count(*) FROM figures), (SELECT count(*) FROM fact_figures)")[0]
    assert n[0] == n[1] > 0 and n[2] == n[3] > 0
    assert sql("SELECT count(*) FROM fact_figures x LEFT JOIN figures f USING (figure_id) WHERE f.figure_id IS NULL")[0][0] == 0


def test_a_figure_is_charted_under_its_agency_else_its_first_lead_else_the_issuer(sql):
    wrong = sql("""
        SELECT x.figure_id FROM fact_figures x JOIN figures f USING (figure_id) JOIN documents d ON d.doc_id = f.doc_id
        LEFT JOIN commitments c ON c.commitment_id = f.commitment_id
        JOIN agencies a ON a.agency_id = x.agency_id
        WHERE x.agency_id IS DISTINCT FROM COALESCE(f.agency_id, c.lead_agency_ids[1], d.issuer_id)
           OR x.agency_current_id IS DISTINCT FROM a.current_id
           OR x.year IS DISTINCT FROM COALESCE(f.figure_year, d.issue_year)
           OR x.year_basis <> CASE WHEN f.figure_year IS NULL THEN 'issue_year' ELSE 'stated' END
           OR x.amount_yuan IS DISTINCT FROM CASE WHEN f.figure_type = 'money' THEN f.amount_yuan END
           OR x.value <> f.value OR x.unit <> f.unit
           OR x.in_commitment <> (c.commitment_id IS NOT NULL)
           OR x.deadline_date IS DISTINCT FROM c.deadline_date
    """)
    assert wrong == []


def test_agency_lists_hold_leads_supports_and_the_issuer(sql):
    rows = sql("""
        SELECT x.commitment_id, x.lead_ids, x.any_ids, list(ca.agency_id ORDER BY ca.position), d.issuer_id
        FROM fact_commitments x JOIN documents d USING (doc_id)
        LEFT JOIN commitment_agencies ca ON ca.commitment_id = x.commitment_id AND ca.role = 'support'
        GROUP BY ALL
    """)
    assert rows
    for cid, leads, any_ids, support, issuer in rows:
        support = [s for s in support if s is not None]
        assert any_ids == leads + support + ([issuer] if issuer else []), cid
    merged = sql("SELECT count(*) FROM fact_commitments x, unnest(x.lead_current_ids) AS u(k) "
                 "WHERE k NOT IN (SELECT current_id FROM agencies)")[0][0]
    assert merged == 0


def test_every_agency_named_by_a_fact_is_listed_once(sql):
    used = {r[0] for r in sql("SELECT unnest(any_ids) FROM fact_figures UNION SELECT unnest(any_ids) FROM fact_commitments")}
    listed = [r[0] for r in sql("SELECT agency_id FROM fact_agencies")]
    assert used <= set(listed) and len(listed) == len(set(listed))
    led = dict(sql("SELECT agency_id, n_led FROM fact_agencies"))
    counts = dict(sql("SELECT k, count(*) FROM (SELECT unnest(lead_ids) AS k FROM fact_commitments) GROUP BY k"))
    assert {k: v for k, v in led.items() if v} == counts


def test_a_load_rebuilds_derived_tables_that_do_not_match(commitments_db, tmp_path):
    db = tmp_path / "c.duckdb"
    shutil.copyfile(commitments_db, db)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM fact_figures")
    assert not derive.is_current(con)
    con.close()
    report = load_paths([], db)  # nothing to load: only the derived tables are redone
    assert report.ok
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert derive.is_current(con)
        assert con.execute("SELECT count(*) FROM fact_figures").fetchall()[0][0] == \
            con.execute("SELECT count(*) FROM figures").fetchall()[0][0]
    finally:
        con.close()


def test_list_order_and_figures_text_follow_the_documents(sql):
    ordered = [r[0] for r in sql("SELECT commitment_id FROM fact_commitments ORDER BY list_order")]
    expected = [r[0] for r in sql("SELECT c.commitment_id FROM commitments c JOIN documents d USING (doc_id) "
                                  "ORDER BY d.issue_date DESC NULLS LAST, c.doc_id, c.char_start, c.commitment_id")]
    assert ordered == expected
    texts = dict(sql("SELECT commitment_id, figures_text FROM fact_commitments"))
    for cid, spans in sql("SELECT commitment_id, list(span_text ORDER BY char_start, span_text) FROM "
                          "(SELECT DISTINCT commitment_id, span_text, char_start FROM figures "
                          " WHERE commitment_id IS NOT NULL) GROUP BY commitment_id"):
        assert texts[cid] == "、".join(spans)
    assert sum(v is not None for v in texts.values()) == len(
        sql("SELECT DISTINCT commitment_id FROM figures WHERE commitment_id IS NOT NULL"))


def test_change_times_are_the_change_logs_entries(sql):
    logged = {cid: times for cid, times in sql(
        "SELECT entity_id, list(changed_at ORDER BY changed_at) FROM etl_changes WHERE entity = 'commitment' "
        "GROUP BY entity_id")}
    derived = dict(sql("SELECT commitment_id, change_times FROM fact_commitments"))
    assert logged and all(derived[cid] == logged.get(cid, []) for cid in derived)


def test_funnel_stages_match_their_examples_and_not_their_non_examples():
    import duckdb

    from etl import derive

    con = duckdb.connect()
    try:
        def key(metric):
            return con.execute(f"SELECT {derive.metric_key_sql('$m::VARCHAR')}", {"m": metric}).fetchone()[0]

        for stage in derive.STAGES:
            for example in stage.examples:
                assert key(example) == stage.key, example
            for other in stage.non_examples:
                assert key(other) != stage.key, other
        assert key("优质项目") == "优质项目"  # no stage: the metric as written
        assert key(None) is None
    finally:
        con.close()


def test_a_reported_figure_is_placed_once_with_its_agency_year_and_list_order(sql):
    n = sql("SELECT (SELECT count(*) FROM reported_figures), (SELECT count(*) FROM fact_reported_figures), "
            "(SELECT count(DISTINCT list_order) FROM fact_reported_figures)")[0]
    assert n[0] == n[1] == n[2] > 0
    wrong = sql("""
        SELECT x.figure_id FROM fact_reported_figures x JOIN reported_figures f USING (figure_id)
        JOIN documents d ON d.doc_id = f.doc_id LEFT JOIN commitments c ON c.commitment_id = f.commitment_id
        LEFT JOIN agencies a ON a.agency_id = x.agency_id
        WHERE x.agency_id IS DISTINCT FROM COALESCE(f.agency_id, c.lead_agency_ids[1], d.issuer_id)
           OR x.agency_current_id IS DISTINCT FROM COALESCE(a.current_id, x.agency_id)
           OR x.year IS DISTINCT FROM COALESCE(f.year, d.issue_year)
           OR x.year_basis <> CASE WHEN f.year IS NOT NULL THEN f.year_basis
                                   WHEN d.issue_year IS NOT NULL THEN 'issue_year' ELSE 'none' END
           OR (x.value, x.unit, x.kind, x.metric) IS DISTINCT FROM (f.value, f.unit, f.kind, f.metric)
           OR (x.is_cumulative, x.is_change, x.is_target) IS DISTINCT FROM (f.is_cumulative, f.is_change, f.is_target)
           OR x.in_commitment <> (c.commitment_id IS NOT NULL)
    """)
    assert wrong == []
    newest_first = sql("SELECT d.issue_date FROM fact_reported_figures x JOIN documents d USING (doc_id) "
                       "ORDER BY x.list_order")
    dates = [r[0] for r in newest_first if r[0] is not None]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("table", sorted(derive.STORAGE_ORDER))
def test_derived_rows_are_stored_in_the_order_pages_read_them(sql, table):
    """``derive.STORAGE_ORDER``: the row order DuckDB's min/max pruning relies on (figures by type and kind,
    so a chart skips the other row groups; commitments in list order, so a page skips the rest)."""
    order = derive.STORAGE_ORDER[table]
    stored = sql(f"SELECT {order} FROM {table} ORDER BY rowid")
    assert len(stored) > 10 and len(set(stored)) > 1
    assert stored == sql(f"SELECT {order} FROM {table} ORDER BY {order}")


def test_the_bench_copies_derived_rows_in_their_storage_order(commitments_db, tmp_path):
    from bench import facts

    target = tmp_path / "copied.duckdb"
    counts = facts.build(commitments_db, target, 3 * sql_runner(commitments_db)("SELECT count(*) FROM figures")[0][0])
    assert counts["figures"] > 0
    copied = sql_runner(target)
    for table, order in derive.STORAGE_ORDER.items():
        stored = copied(f"SELECT {order} FROM {table} ORDER BY rowid")
        assert len(stored) > counts["documents"] and stored == copied(f"SELECT {order} FROM {table} ORDER BY {order}")
