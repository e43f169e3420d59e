"""Read the facts for the pages: every fact query, with bound parameters.

In: ``Filters`` and a few page controls. Out: DataFrames (one row per chart mark or table row).

- Queries run through ``dashboard.data.connection`` (a read-only in-memory DuckDB per file
  version, with the analysts' corrections applied by ``dashboard.data.corrections``), cached on
  the files' stamp. Each query is a ``Statement``: its name (the cache key) and how it runs.
- Charts and filters read the ETL's derived tables (``fact_commitments``, ``fact_figures``,
  see ``etl/derive.py``), as corrected (``com_eff``, ``fig_eff``): one row per fact with its
  document's columns and agency keys. The filters are ``dashboard.data.sql.filtered``.
- A list is one statement: its rows' keys in list order (``limit``/``offset`` take a slice of
  it; ``None`` for every row, as downloads do), then their text by ID.

SQL is assembled only from constant fragments (which fragments, by which filters are set); user
input always travels as named parameters (``$agency_ids``, ``$keyword`` …).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from dashboard.data import connection, corrections, sql
from dashboard.data.connection import Statement, by_ids, execute
from dashboard.filters_state import Filters, keyword_pattern
from etl import derive
from etl.schema import MONEY_KINDS

SUMMED_KINDS = tuple(k for k in MONEY_KINDS if k != "subsidy_rate")
"""Money kinds a chart or headline sums, each on its own (fiscal spending, funds' size, financing, economic
figures): one is never added to another. Subsidy rates are per recipient and never summed."""
DEFAULT_KIND = "fiscal"
"""The kind the headline and the charts show first: public spending."""
SPENDING_KINDS = (DEFAULT_KIND,)
DOCUMENT_CHOICES_MAX = 1000
"""Up to this many documents the sidebar lists them all; beyond, it offers a title search."""

_cached = connection.results
"""The results cache by the name ``bench/dashboard_bench.py`` clears between timed runs (results only)."""


def _fixed(name: str, text: str) -> Statement:
    """A statement of constant SQL."""
    return Statement(name, lambda cur, values: execute(cur, text, values))


def _over_filters(name: str, tail: str) -> Statement:
    """A statement over the filtered facts: ``sql.chart`` for one that reads ``fig_sel``, ``sql.filtered``
    narrowed to money for one of money alone (``_MONEY_ONLY``), else ``sql.filtered``."""
    def run(cur, values: dict) -> pd.DataFrame:
        if name in _CHARTS:
            head = sql.chart(values)
        else:
            head = sql.filtered(values, sql.MONEY_FIGURES if name in _MONEY_ONLY else ())
        return execute(cur, head + tail, values)
    return Statement(name, run)


def _run(statement: Statement, params: dict) -> pd.DataFrame:
    return connection.run(statement, params)


def clear_cache() -> None:
    """Forget every cached result and close the open databases (for benchmarks and tests)."""
    connection.clear()


def corrections_warning() -> str | None:
    """Return why the corrections could not be read, or None."""
    s = connection.stamp()
    return corrections.corrections(s.reviews, s.reviews_mtime_ns, s.reviews_wal_mtime_ns)[2]



def _commitment_list(cur, values: dict) -> pd.DataFrame:
    """The rows of ``commitment_rows``: a slice of the filtered list's keys, then the text of those rows by ID."""
    page = _COMMITMENT_KEYS.run(cur, values)
    ids = page["commitment_id"].tolist()
    text = by_ids(cur, _COMMITMENT_TEXT, ids)
    titles = by_ids(cur, DOCUMENT_TITLES_BY_ID, page["doc_id"].tolist())[["doc_id", "title"]]
    out = page.merge(text, on="commitment_id", how="left").merge(titles, on="doc_id", how="left")
    return out[COMMITMENT_ROW_COLUMNS]


def _figure_list(cur, values: dict) -> pd.DataFrame:
    """The rows of ``figure_rows``: a slice of the chart's figures, then the sentences of those rows by ID."""
    page = _FIGURE_KEYS.run(cur, values)
    detail = by_ids(cur, _FIGURE_TEXT, page["figure_id"].tolist())
    titles = by_ids(cur, DOCUMENT_TITLES_BY_ID, detail["doc_id"].tolist())[["doc_id", "title", "issue_date"]]
    out = page.merge(detail, on="figure_id", how="left").merge(titles, on="doc_id", how="left")
    out["amount_yiyuan"] = (out["amount_yuan"] / 1e8).round(6)
    return out[FIGURE_ROW_COLUMNS]


def _timeline(cur, values: dict) -> pd.DataFrame:
    """Dated commitments per lead agency × day × status; per month (then per year) when there are too many marks.

    Up to three texts per mark (the newest documents') when the marks are few enough to hover over.
    """
    frame = _TIMELINE_COUNTS.run(cur, {**values, "max_marks": TIMELINE_MARKS})
    if frame.empty or len(frame) > TIMELINE_HOVER_MARKS or (frame["granularity"] != "day").any():
        return frame.assign(items=[[] for _ in range(len(frame))])
    keys = ["lead_key", "deadline_date", "deadline_bucket"]
    latest = _TIMELINE_ITEMS.run(cur, values)
    groups = [_listed(group) for group in latest["latest_ids"]]
    ids = [i for group in groups for i in group]
    text = dict(by_ids(cur, _COMMITMENT_TEXT, ids)[["commitment_id", "text"]].itertuples(index=False))
    latest["items"] = [[text[i] for i in group if i in text] for group in groups]
    out = frame.merge(latest[keys + ["items"]], on=keys, how="left")
    out["items"] = [v if isinstance(v, list) else [] for v in out["items"]]
    return out


def _listed(value) -> list:
    """A list cell as a list: a missing one (SQL NULL, pandas NA) is empty."""
    if value is None or value is pd.NA or isinstance(value, (str, float)):
        return []
    return list(value)


TIMELINE_MARKS = 2000
"""Past this many agency × day marks the timeline groups deadlines by month; past this many by month, by year."""
TIMELINE_HOVER_MARKS = 300
"""Up to this many marks, each mark's hover lists its commitments (the newest three)."""

COMMITMENT_ROW_COLUMNS = [
    "commitment_id", "item_label", "text", "lead_agency_names", "lead_agency_ids", "lead_keys", "title", "issue_date",
    "deadline_date", "deadline_year", "deadline_basis", "deadline_text", "deadline_bucket", "figures_text", "doc_id",
    "char_start", "char_end", "is_corrected", "first_lead_key", "first_lead_name", "first_lead_short", "first_lead_en"]
FIGURE_ROW_COLUMNS = [
    "figure_id", "agency_key", "agency_name", "short_name", "agency_name_en", "year", "year_basis", "span_text",
    "amount_yuan", "amount_yiyuan", "value", "unit", "qualifier", "money_kind", "is_target", "metric", "sentence",
    "title", "issue_date", "doc_id", "commitment_id", "char_start", "char_end", "is_corrected"]

DOCUMENT_TITLES_BY_ID = "SELECT doc_id, title, file_name, issue_date FROM documents WHERE doc_id IN ({ids})"
"""A template for ``by_ids``: documents' titles, file names and issue dates."""

_COMMITMENT_TEXT = """
        SELECT commitment_id, item_label, text, lead_agency_names, lead_agency_ids, deadline_basis, deadline_text, char_end
        FROM eff_commitments WHERE commitment_id IN ({ids})
    """
"""A template for ``by_ids``: the text columns of a slice of commitments."""
_FIGURE_TEXT = """
        SELECT figure_id, figure_type, span_text, value, unit, qualifier, metric, sentence, doc_id, commitment_id,
               char_start, char_end
        FROM figures WHERE figure_id IN ({ids})
    """
"""A template for ``by_ids``: the sentences of a slice of figures."""


# ---------------------------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    state: str  # ok / missing / empty / busy / broken / outdated
    path: str
    reason: str = ""


_REQUIRED_TABLES = ("documents", "agencies", "commitments", "commitment_agencies", "figures",
                    "agency_mentions", "sections")


def database_status() -> Status:
    """Say whether the database is there, readable, written by this ETL and holds documents."""
    s = connection.stamp()
    if s.db_mtime_ns == 0:
        return Status("missing", s.db)
    try:
        tables = _run(_TABLES, {})
    except connection.NoDatabase:
        return Status("missing", s.db)
    except duckdb.IOException as exc:
        state = "busy" if "lock" in str(exc).lower() else "broken"
        return Status(state, s.db, str(exc).splitlines()[0])
    except duckdb.Error as exc:
        return Status("broken", s.db, str(exc).splitlines()[0])
    have = set(tables["table_name"])
    missing = [t for t in _REQUIRED_TABLES if t not in have]
    if missing:
        return Status("broken", s.db, "missing tables: " + ", ".join(missing))
    derived = [t for t in derive.DERIVED if t not in have]
    if derived:
        return Status("outdated", s.db, "missing tables: " + ", ".join(derived))
    frame = _run(_DERIVED_COLUMNS, {"tables": list(derive.DERIVED)})
    present = set(zip(frame["table_name"], frame["column_name"]))
    lacking = [f"{t}.{c}" for t in derive.DERIVED for c in derive.TABLES[t].column_names if (t, c) not in present]
    if lacking:  # written by an older ETL: the next load re-derives them
        return Status("outdated", s.db, "missing columns: " + ", ".join(lacking))
    if int(_run(_DOCUMENT_COUNT_ALL, {}).iloc[0, 0]) == 0:
        return Status("empty", s.db)
    from etl.damage import damage_seen  # a truncated file still opens: ask the ETL's own check
    if damaged := damage_seen(s.db):
        return Status("broken", s.db, damaged)
    return Status("ok", s.db)



_FILTERED_SQL = {
    "headline": f"""
        , com_stats AS (
            SELECT count(*) AS commitments,
                   count(*) FILTER (WHERE deadline_bucket IN ('due_30', 'due_90')) AS due_90,
                   count(*) FILTER (WHERE deadline_bucket = 'overdue') AS overdue,
                   count(*) FILTER (WHERE deadline_bucket = 'none') AS no_deadline
            FROM com_f
        )
        SELECT (SELECT count(*) FROM doc_ff) AS documents, s.commitments,
               (SELECT count(DISTINCT k) FROM (SELECT unnest(lead_keys) AS k
                                               FROM (SELECT DISTINCT lead_keys FROM com_f))) AS lead_agencies,
               s.due_90, s.overdue, s.no_deadline
        FROM com_stats s
    """,
    "money_by_kind": f"""
        SELECT money_kind, is_target, is_cumulative, sum(amount_yuan) AS amount_yuan, count(*) AS n_figures
        FROM fig_f WHERE {sql.SUMMED} AND list_contains($summed::VARCHAR[], money_kind)
          AND {sql.not_a_repeat("fig_f")}  -- one fact cited twice counts once
        GROUP BY ALL ORDER BY money_kind, is_target, is_cumulative
    """,
    "money_by_year": f"""
        SELECT year, is_target, sum(amount_yuan) AS amount_yuan, count(*) AS n_figures
        FROM fig_f WHERE {sql.SUMMED} AND NOT is_cumulative AND money_kind = $kind::VARCHAR
          AND {sql.not_a_repeat("fig_f")}
        GROUP BY year, is_target ORDER BY year, is_target
    """,
    "counts_by_year": """
        SELECT year, is_target, metric_key, sum(value) AS total, count(*) AS n_figures
        FROM fig_f WHERE figure_type = 'count' AND NOT is_breakdown AND NOT is_cumulative
        GROUP BY ALL ORDER BY year, is_target, metric_key
    """,
    "count_metrics": """
        SELECT metric_key, count(*) AS n_figures, sum(value) AS total
        FROM fig_f WHERE figure_type = 'count' AND NOT is_breakdown AND NOT is_cumulative AND is_target = $is_target
        GROUP BY metric_key ORDER BY n_figures DESC, total DESC, metric_key
    """,
    "figures_by_agency_year": """
        , grouped AS (
            SELECT agency_key, year, sum(measure) AS total, count(*) AS n_figures, bool_or(is_corrected) AS is_corrected,
                   max_by({'figure_id': figure_id, 'doc_id': doc_id, 'span_text': span_text, 'measure': measure},
                          measure, 5) AS top
            FROM fig_sel GROUP BY agency_key, year
        ),
        examples AS (
            SELECT g.agency_key, g.year,
                   list(t.span_text || ' · ' || COALESCE(d.title, '') ORDER BY t.measure DESC, t.figure_id) AS examples
            FROM (SELECT agency_key, year, unnest(top) AS t FROM grouped) g
            LEFT JOIN documents d ON d.doc_id = g.t.doc_id
            GROUP BY g.agency_key, g.year
        )
        SELECT g.agency_key, la.canonical_name, la.short_name, la.name_en, g.year, g.total, g.n_figures,
               g.is_corrected, e.examples
        FROM grouped g LEFT JOIN agencies la ON la.agency_id = g.agency_key
        LEFT JOIN examples e ON e.agency_key IS NOT DISTINCT FROM g.agency_key AND e.year IS NOT DISTINCT FROM g.year
        ORDER BY g.agency_key, g.year
    """,
    "figure_count": f"""
        SELECT count(*) AS n FROM fig_sel
        WHERE {sql.PICKED}
    """,
    "figure_keys": f"""
        , page AS (
            SELECT figure_id, agency_key, year, year_basis, measure, amount_yuan, money_kind, is_target, is_corrected
            FROM fig_sel WHERE {sql.PICKED}
            ORDER BY measure DESC NULLS LAST, figure_id
            {sql.PAGE}
        )
        SELECT p.*, la.canonical_name AS agency_name, la.short_name, la.name_en AS agency_name_en
        FROM page p LEFT JOIN agencies la ON la.agency_id = p.agency_key
        ORDER BY p.measure DESC NULLS LAST, p.figure_id
    """,
    "commitment_count": "SELECT count(*) AS n FROM com_f",
    "commitment_keys": f"""
        , page AS (
            SELECT * FROM com_f ORDER BY list_order {sql.PAGE}
        )
        SELECT p.commitment_id, p.lead_keys, p.issue_date, p.deadline_date, p.deadline_year, p.deadline_bucket,
               p.figures_text, p.doc_id, p.char_start, p.is_corrected, p.lead_keys[1] AS first_lead_key,
               la.canonical_name AS first_lead_name, la.short_name AS first_lead_short, la.name_en AS first_lead_en
        FROM page p LEFT JOIN agencies la ON la.agency_id = p.lead_keys[1]
        ORDER BY p.list_order
    """,
    "deadline_timeline_marks": f"""
        , per_leads AS (  -- the lists first (few distinct), then one row per lead agency, as deadlines_by_agency
            SELECT lead_keys, deadline_date, deadline_bucket, count(*) AS n
            FROM com_f WHERE deadline_date IS NOT NULL
            GROUP BY ALL
        ),
        by_day AS (
            SELECT lead_key, deadline_date, deadline_bucket, sum(n) AS n
            FROM (SELECT {sql.EACH_LEAD} AS lead_key, deadline_date, deadline_bucket, n FROM per_leads) GROUP BY ALL
        ),
        by_month AS (
            SELECT lead_key, CAST(date_trunc('month', deadline_date) AS DATE) AS deadline_date, deadline_bucket,
                   sum(n) AS n
            FROM by_day GROUP BY ALL
        ),
        by_year AS (
            SELECT lead_key, CAST(date_trunc('year', deadline_date) AS DATE) AS deadline_date, deadline_bucket,
                   sum(n) AS n
            FROM by_month GROUP BY ALL
        ),
        marks AS (SELECT (SELECT count(*) FROM by_day) AS days, (SELECT count(*) FROM by_month) AS months),
        marked AS (
            SELECT *, 'day' AS granularity FROM by_day WHERE (SELECT days FROM marks) <= $max_marks
            UNION ALL
            SELECT *, 'month' AS granularity FROM by_month
            WHERE (SELECT days FROM marks) > $max_marks AND (SELECT months FROM marks) <= $max_marks
            UNION ALL
            SELECT *, 'year' AS granularity FROM by_year WHERE (SELECT months FROM marks) > $max_marks
        )
        SELECT g.lead_key, la.canonical_name AS lead_name, la.short_name AS lead_short,
               la.name_en AS lead_en, g.deadline_date, g.deadline_bucket, CAST(g.n AS BIGINT) AS n,
               g.granularity
        FROM marked g LEFT JOIN agencies la ON la.agency_id = g.lead_key
        ORDER BY g.deadline_date, g.lead_key NULLS LAST, g.deadline_bucket
    """,
    "timeline_items": f"""
        SELECT lead_key, deadline_date, deadline_bucket,
               max_by(commitment_id, -list_order, 3) AS latest_ids  -- list order: newest document first, never NULL
        FROM (SELECT {sql.EACH_LEAD} AS lead_key, deadline_date, deadline_bucket, commitment_id, list_order
              FROM com_f WHERE deadline_date IS NOT NULL)
        GROUP BY ALL
    """,
    "deadlines_by_agency": f"""
        , per_leads AS (  -- the lists first (few distinct), then one row per lead agency
            SELECT lead_keys, deadline_bucket, count(*) AS n FROM com_f GROUP BY ALL
        )
        SELECT k.agency_key, la.canonical_name, la.short_name, la.name_en, k.deadline_bucket,
               CAST(sum(k.n) AS BIGINT) AS n_commitments
        FROM (SELECT {sql.EACH_LEAD} AS agency_key, deadline_bucket, n FROM per_leads) k
        LEFT JOIN agencies la ON la.agency_id = k.agency_key
        GROUP BY ALL ORDER BY k.agency_key, k.deadline_bucket
    """,
    "deadline_states": """
        SELECT deadline_bucket, deadline_basis, count(*) AS n_commitments
        FROM com_f GROUP BY ALL ORDER BY deadline_bucket, deadline_basis
    """,
    "deadlines_by_year": """
        SELECT deadline_year, deadline_bucket, count(*) AS n_commitments
        FROM com_f GROUP BY ALL ORDER BY deadline_year NULLS LAST, deadline_bucket
    """,
    "policy_terms": """
        SELECT doc_id, title, valid_from, valid_until,
               100.0 * least(greatest(date_diff('day', valid_from, $as_of::DATE), 0),
                             date_diff('day', valid_from, valid_until))
                     / nullif(date_diff('day', valid_from, valid_until), 0) AS term_elapsed_pct
        FROM doc_ff
        WHERE valid_from IS NOT NULL AND valid_until IS NOT NULL AND valid_until > valid_from
        ORDER BY valid_until < $as_of::DATE, valid_until, title, doc_id
        LIMIT $limit
    """,
    "policy_count": """
        SELECT count(*) AS n FROM doc_ff
        WHERE valid_from IS NOT NULL AND valid_until IS NOT NULL AND valid_until > valid_from
    """,
    "merged_citations": """
        SELECT count(*) AS n_merged, COALESCE(sum(measure), 0) AS amount_merged
        FROM fig_all WHERE figure_id NOT IN (SELECT figure_id FROM fig_sel)
    """,
    "document_count": "SELECT count(*) AS n FROM doc_ff",
    "document_rows": f"""
        , page AS (SELECT * FROM doc_ff ORDER BY issue_date DESC NULLS LAST, title, doc_id {sql.PAGE}),
        nc AS (SELECT doc_id, count(*) AS n FROM com_eff WHERE doc_id IN (SELECT doc_id FROM page) GROUP BY doc_id),
        nf AS (SELECT doc_id, count(*) AS n FROM fig_eff WHERE doc_id IN (SELECT doc_id FROM page) GROUP BY doc_id)
        SELECT d.doc_id, d.title, d.doc_type, d.issuer_name, d.jurisdiction, d.issue_date, d.proposal_no,
               d.valid_from, d.valid_until, COALESCE(nc.n, 0) AS n_commitments, COALESCE(nf.n, 0) AS n_figures,
               d.char_count, d.file_name
        FROM page d LEFT JOIN nc USING (doc_id) LEFT JOIN nf USING (doc_id)
        ORDER BY d.issue_date DESC NULLS LAST, d.title, d.doc_id
    """,
}
"""SQL over the filtered facts: each follows ``sql.filtered`` (``sql.chart`` where it reads ``fig_sel``)."""

_CHARTS = ("figures_by_agency_year", "figure_count", "figure_keys", "merged_citations")
_MONEY_ONLY = ("money_by_kind", "money_by_year")

_SQL: dict[str, str] = {
    "tables": "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'facts'",
    "derived_columns": "SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_catalog = 'facts' AND list_contains($tables::VARCHAR[], table_name)",
    "document_count_all": "SELECT count(*) AS n FROM documents",
    "agencies_of": "SELECT agency_id, current_id FROM agencies WHERE list_contains($agency_ids::VARCHAR[], agency_id)",
    "filter_agencies": """
        WITH used AS (
            SELECT agency_id FROM fact_agencies
            UNION SELECT unnest(lead_agency_ids) FROM commitment_corrections
        )
        SELECT a.agency_id, a.current_id, a.canonical_name, a.short_name, a.name_en, a.is_registered
        FROM agencies a
        WHERE a.agency_id IN (SELECT agency_id FROM used)
           OR a.agency_id IN (SELECT b.current_id FROM agencies b JOIN used u USING (agency_id))
        ORDER BY a.canonical_name
    """,
    "filter_documents": """
        SELECT doc_id, title, doc_type, jurisdiction, issue_year, file_name
        FROM documents ORDER BY issue_date DESC NULLS LAST, title, doc_id LIMIT $limit
    """,
    "filter_kinds": """
        SELECT (SELECT list(DISTINCT jurisdiction ORDER BY jurisdiction) FROM documents
                WHERE jurisdiction IS NOT NULL) AS jurisdictions,
               (SELECT list(DISTINCT doc_type ORDER BY doc_type) FROM documents) AS doc_types,
               (SELECT count(*) FROM documents) AS n_documents
    """,
    "find_documents": """
        SELECT doc_id, title, file_name, issue_date FROM documents
        WHERE contains(lower(COALESCE(title, '') || ' ' || file_name), lower($text::VARCHAR))
        ORDER BY issue_date DESC NULLS LAST, title, doc_id LIMIT $limit
    """,
    "filter_bounds": """
        SELECT (SELECT min(issue_year) FROM documents) AS issue_min,
               (SELECT max(issue_year) FROM documents) AS issue_max,
               (SELECT min(deadline_year) FROM com_eff) AS due_min,
               (SELECT max(deadline_year) FROM com_eff) AS due_max,
               (SELECT min(year) FROM fig_eff) AS year_min,
               (SELECT max(year) FROM fig_eff) AS year_max
    """,
    "document": """
        SELECT doc_id, title, doc_type, issuer_name, jurisdiction, issue_date, proposal_no, addressee,
               co_agencies, valid_from, valid_until, file_name, source_format, encoding, char_count, warnings, text,
               original_text
        FROM documents WHERE doc_id = $doc_id
    """,
    "document_commitments": """
        SELECT commitment_id, item_label, text, char_start, char_end, lead_agency_names, deadline_date,
               deadline_basis, deadline_text, is_corrected
        FROM eff_commitments WHERE doc_id = $doc_id ORDER BY char_start
    """,
    "document_figures": """
        SELECT figure_id, figure_type, span_text, amount_yuan, value, unit, money_kind, figure_year, is_target,
               metric, char_start, char_end, sentence, commitment_id, is_corrected
        FROM eff_figures WHERE doc_id = $doc_id ORDER BY char_start
    """,
    "document_mentions": """
        SELECT m.agency_id, a.canonical_name, a.name_en, m.written_as, m.char_start, m.char_end
        FROM agency_mentions m LEFT JOIN agencies a USING (agency_id)
        WHERE m.doc_id = $doc_id ORDER BY m.char_start
    """,
    "commitment": """
        SELECT c.commitment_id, c.doc_id, c.item_label, c.section_path, c.text, c.char_start, c.char_end,
               c.lead_agency_ids, c.lead_agency_names, c.deadline_date, c.deadline_basis, c.deadline_text,
               c.is_corrected, d.title, d.issue_date, d.doc_type
        FROM eff_commitments c JOIN documents d USING (doc_id)
        WHERE c.commitment_id = $commitment_id
    """,
}


def _statements() -> dict[str, Statement]:
    fixed = {name: _fixed(name, text) for name, text in _SQL.items()}
    over = {name: _over_filters(name, tail) for name, tail in _FILTERED_SQL.items()}
    return {**fixed, **over}


_STATEMENTS = _statements()
_TABLES = _STATEMENTS["tables"]
_DERIVED_COLUMNS = _STATEMENTS["derived_columns"]
_DOCUMENT_COUNT_ALL = _STATEMENTS["document_count_all"]
_AGENCIES_OF = _STATEMENTS["agencies_of"]
_FILTER_AGENCIES = _STATEMENTS["filter_agencies"]
_FILTER_DOCUMENTS = _STATEMENTS["filter_documents"]
_FILTER_KINDS = _STATEMENTS["filter_kinds"]
_FIND_DOCUMENTS = _STATEMENTS["find_documents"]
_FILTER_BOUNDS = _STATEMENTS["filter_bounds"]
_DOCUMENT = _STATEMENTS["document"]
_DOCUMENT_COMMITMENTS = _STATEMENTS["document_commitments"]
_DOCUMENT_FIGURES = _STATEMENTS["document_figures"]
_DOCUMENT_MENTIONS = _STATEMENTS["document_mentions"]
_COMMITMENT = _STATEMENTS["commitment"]
_HEADLINE = _STATEMENTS["headline"]
_MONEY_BY_KIND = _STATEMENTS["money_by_kind"]
_MONEY_BY_YEAR = _STATEMENTS["money_by_year"]
_COUNTS_BY_YEAR = _STATEMENTS["counts_by_year"]
_COUNT_METRICS = _STATEMENTS["count_metrics"]
_FIGURES_BY_AGENCY_YEAR = _STATEMENTS["figures_by_agency_year"]
_FIGURE_COUNT = _STATEMENTS["figure_count"]
_FIGURE_KEYS = _STATEMENTS["figure_keys"]
_COMMITMENT_COUNT = _STATEMENTS["commitment_count"]
_COMMITMENT_KEYS = _STATEMENTS["commitment_keys"]
_TIMELINE_COUNTS = _STATEMENTS["deadline_timeline_marks"]
_TIMELINE_ITEMS = _STATEMENTS["timeline_items"]
_DEADLINES_BY_AGENCY = _STATEMENTS["deadlines_by_agency"]
_DEADLINE_STATES = _STATEMENTS["deadline_states"]
_DEADLINES_BY_YEAR = _STATEMENTS["deadlines_by_year"]
_POLICY_TERMS = _STATEMENTS["policy_terms"]
_POLICY_COUNT = _STATEMENTS["policy_count"]
_MERGED_CITATIONS = _STATEMENTS["merged_citations"]
_DOCUMENT_COUNT = _STATEMENTS["document_count"]
_DOCUMENT_ROWS = _STATEMENTS["document_rows"]
_COMMITMENT_ROWS = Statement("commitment_rows", _commitment_list)
_FIGURE_ROWS = Statement("figure_rows", _figure_list)
_DEADLINE_TIMELINE = Statement("deadline_timeline", _timeline)


# ---------------------------------------------------------------------------------------------
# Public query functions (benchmarks time these)
# ---------------------------------------------------------------------------------------------

def filter_params(f: Filters) -> dict:
    """Return the parameters of ``f`` for ``sql.filtered`` (and the statements that follow it)."""
    issue = f.issue_years or (None, None)
    due = f.deadline_years or (None, None)
    year = f.figure_years or (None, None)
    return {
        "merge": bool(f.merge), "agency_ids": list(f.agency_ids), "agency_role": f.agency_role,
        "jurisdictions": list(f.jurisdictions), "doc_types": list(f.doc_types), "doc_ids": list(f.doc_ids),
        "issue_year_min": issue[0], "issue_year_max": issue[1],
        "due_year_min": due[0], "due_year_max": due[1], "year_min": year[0], "year_max": year[1], "buckets": list(f.buckets), "bases": list(f.bases),
        "keyword": keyword_pattern(f.keyword), "keyword_text": f.keyword.strip(), "as_of": f.as_of,
        "fact_filters": f.has_fact_filters, "summed": list(SUMMED_KINDS),
        **_agency_keys(f.agency_ids, bool(f.merge)),
    }


def _agency_keys(agency_ids: tuple[str, ...], merge: bool) -> dict:
    """Return the keys the selected agencies are charted under (their current agency when merging).

    As ``agency_keys`` (the list) and ``key0``, ``key1`` … (one parameter each, for the SQL).
    """
    if not agency_ids:
        return {"agency_keys": []}
    frame = _run(_AGENCIES_OF, {"agency_ids": list(agency_ids)})
    keys = sorted(set(frame["current_id" if merge else "agency_id"]))
    return {"agency_keys": keys, **{f"key{i}": k for i, k in enumerate(keys)}}


def _page(limit: int | None, offset: int) -> dict:
    return {"limit": None if limit is None else max(0, int(limit)), "offset": max(0, int(offset))}


@dataclass(frozen=True)
class Options:
    """What the sidebar offers: agencies, documents, jurisdictions, types and year bounds.

    ``documents`` lists every document when there are at most ``DOCUMENT_CHOICES_MAX``
    (``n_documents`` says how many there are); beyond that the sidebar searches titles.
    """

    agencies: pd.DataFrame
    documents: pd.DataFrame
    issue_years: tuple[int, int] | None
    deadline_years: tuple[int, int] | None
    jurisdictions: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    n_documents: int = 0
    figure_years: tuple[int, int] | None = None

    @property
    def all_documents_listed(self) -> bool:
        return self.n_documents <= DOCUMENT_CHOICES_MAX


def filter_options() -> Options:
    """Return the sidebar's choices (agencies that appear in any fact, documents, year bounds)."""
    bounds = _run(_FILTER_BOUNDS, {}).iloc[0]
    kinds = _run(_FILTER_KINDS, {}).iloc[0]

    def pair(lo, hi):
        return None if pd.isna(lo) or pd.isna(hi) else (int(lo), int(hi))

    def listed(v) -> tuple[str, ...]:
        return () if v is None or corrections.is_missing(v) is True else tuple(str(x) for x in v)

    n_documents = int(kinds["n_documents"])
    documents = _run(_FILTER_DOCUMENTS, {"limit": DOCUMENT_CHOICES_MAX if n_documents <= DOCUMENT_CHOICES_MAX else 0})
    return Options(_run(_FILTER_AGENCIES, {}), documents,
                   pair(bounds["issue_min"], bounds["issue_max"]), pair(bounds["due_min"], bounds["due_max"]),
                   listed(kinds["jurisdictions"]), listed(kinds["doc_types"]), n_documents,
                   pair(bounds["year_min"], bounds["year_max"]))


def find_documents(text: str, limit: int = 50) -> pd.DataFrame:
    """Return up to ``limit`` documents whose title or file name contains ``text`` (newest first)."""
    return _run(_FIND_DOCUMENTS, {"text": text.strip(), "limit": int(limit)})


def document_titles(doc_ids) -> dict[str, str]:
    """Return doc_id -> title (else file name) for these documents."""
    if not doc_ids:
        return {}
    with connection.cursor() as cur:
        frame = by_ids(cur, DOCUMENT_TITLES_BY_ID, doc_ids)
    return {r.doc_id: (r.title if isinstance(r.title, str) and r.title else r.file_name)
            for r in frame.itertuples(index=False)}


def headline_numbers(f: Filters) -> dict:
    """Return the Overview's counts: documents, commitments, lead agencies, deadlines (money: ``money_by_kind``)."""
    row = _run(_HEADLINE, filter_params(f)).iloc[0]
    return {k: (None if pd.isna(v) else int(v)) for k, v in row.items()}


def money_by_kind(f: Filters) -> pd.DataFrame:
    """Return money per kind × reported/target × running total: one total per kind (``SUMMED_KINDS``), never one
    of all kinds; cumulative figures (累计…, 截至…) apart from the rest, never added to them.

    Columns: money_kind, is_target, is_cumulative, amount_yuan, n_figures.
    """
    return _run(_MONEY_BY_KIND, filter_params(f))


def _one_kind(kind: str) -> str:
    if kind not in SUMMED_KINDS:
        raise ValueError(f"money of kind {kind!r} is not summed; one of {', '.join(SUMMED_KINDS)}")
    return kind


def money_by_year(f: Filters, kind: str = DEFAULT_KIND) -> pd.DataFrame:
    """Return money of one kind by year and reported/target (kinds are never added together)."""
    return _run(_MONEY_BY_YEAR, {**filter_params(f), "kind": _one_kind(kind)})


def counts_by_year(f: Filters) -> pd.DataFrame:
    """Return project counts by year × reported/target × metric (stage): counts add up only within one metric.

    新洽谈, 签约 and 注册 projects are stages of one funnel (``etl.derive.STAGES``), never one sum.
    """
    return _run(_COUNTS_BY_YEAR, filter_params(f))


def count_metrics(f: Filters, is_target: bool = False) -> pd.DataFrame:
    """Return the metrics (stages) counts are written in: metric_key, n_figures, total; most figures first."""
    return _run(_COUNT_METRICS, {**filter_params(f), "is_target": bool(is_target)})


def _selection_params(f: Filters, figure_type: str, kinds, is_target: bool, cumulative: bool = False) -> dict:
    kinds = [k for k in (kinds or ()) if figure_type != "money" or k]
    return {**filter_params(f), "figure_type": figure_type, "is_target": bool(is_target), "kinds": kinds,
            "cumulative": bool(cumulative)}


def funding_by_agency_year(f: Filters, kinds=SPENDING_KINDS, is_target: bool = False) -> pd.DataFrame:
    """Return money (yuan) of one kind per agency × year; one row per stacked bar segment.

    ``kinds`` holds one summed kind (``SUMMED_KINDS``; a string is taken as that one kind):
    fiscal spending, funds and financing are different things and a bar never adds them.
    Subsidy rates are listed by ``subsidy_rates``, never summed.
    """
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    if len(kinds) != 1:
        raise ValueError("money of different kinds is never added together: chart one kind at a time")
    return _run(_FIGURES_BY_AGENCY_YEAR, _selection_params(f, "money", (_one_kind(kinds[0]),), is_target))


def counts_by_agency_year(f: Filters, is_target: bool = False, metric: str | None = None) -> pd.DataFrame:
    """Return project counts of one metric (stage) per agency × year (every metric when None: a list, not a sum)."""
    return _run(_FIGURES_BY_AGENCY_YEAR, _selection_params(f, "count", (metric,) if metric else (), is_target))


def _figure_params(f: Filters, figure_type: str, kinds, is_target: bool, picks, cumulative: bool = False) -> dict:
    params = _selection_params(f, figure_type, tuple(kinds or ()), is_target, cumulative)
    return {**params, "picks": list(picks)}


def figure_rows(f: Filters, figure_type: str = "money", kinds=SPENDING_KINDS, is_target: bool = False,
                picks: tuple[str, ...] = (), limit: int | None = None, offset: int = 0,
                cumulative: bool = False) -> pd.DataFrame:
    """Return the figures behind a chart, largest first, with their sentences; ``picks`` narrows to bars.

    A pick is ``"<agency_key>|<year>"`` (empty strings for a missing agency or year), as
    ``charts.pick_of`` builds from a selected bar. ``limit``/``offset`` page the rows
    (``figure_count`` says how many there are); ``limit=None`` returns them all.
    """
    return _run(_FIGURE_ROWS, {**_figure_params(f, figure_type, kinds, is_target, picks, cumulative),
                                **_page(limit, offset)})


def figure_count(f: Filters, figure_type: str = "money", kinds=SPENDING_KINDS, is_target: bool = False,
                 picks: tuple[str, ...] = (), cumulative: bool = False) -> int:
    """Return how many rows ``figure_rows`` has for these arguments."""
    return int(_run(_FIGURE_COUNT, _figure_params(f, figure_type, kinds, is_target, picks, cumulative)).iloc[0, 0])


def subsidy_rates(f: Filters, is_target: bool = False, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Return the subsidy rates (per recipient), one row per figure: never to be summed."""
    return figure_rows(f, "money", ("subsidy_rate",), is_target, (), limit, offset)


def commitment_rows(f: Filters, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Return the filtered commitments (newest document first) with deadline status and the figures inside.

    ``limit``/``offset`` page the rows (``commitment_count`` says how many there are).
    """
    return _run(_COMMITMENT_ROWS, {**filter_params(f), **_page(limit, offset)})


def commitment_count(f: Filters) -> int:
    """Return how many commitments the filters keep."""
    return int(_run(_COMMITMENT_COUNT, filter_params(f)).iloc[0, 0])


def deadline_timeline(f: Filters) -> pd.DataFrame:
    """Return dated commitments grouped by lead agency × deadline date × status.

    A commitment counts once for each of its lead agencies (as ``deadlines_by_agency``; one
    without a lead counts under NULL). Columns: lead_key/name/short/en, deadline_date,
    deadline_bucket, n, granularity, items (up to three commitment texts, the newest documents').
    """
    return _run(_DEADLINE_TIMELINE, filter_params(f))


def deadlines_by_agency(f: Filters) -> pd.DataFrame:
    """Return commitment counts per lead agency × deadline status (once per lead agency)."""
    return _run(_DEADLINES_BY_AGENCY, filter_params(f))


def deadline_states(f: Filters) -> pd.DataFrame:
    """Return commitment counts per deadline status × deadline basis (explicit, validity, reply_year, none).

    Tells a missed promise (a deadline written in the text) from a policy whose term ended.
    """
    return _run(_DEADLINE_STATES, filter_params(f))


def deadlines_by_year(f: Filters) -> pd.DataFrame:
    """Return commitment counts per deadline year × deadline status."""
    return _run(_DEADLINES_BY_YEAR, filter_params(f))


def policy_terms(f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Return, for each policy with a stated term, the share of it elapsed at ``f.as_of``.

    Policies still in force come first, the next to expire first; ``limit`` keeps that many.
    """
    return _run(_POLICY_TERMS, {**filter_params(f), "limit": limit})


def policy_count(f: Filters) -> int:
    """Return how many policies in the filters state a term."""
    return int(_run(_POLICY_COUNT, filter_params(f)).iloc[0, 0])


def document_rows(f: Filters, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Return the filtered documents (newest first) with their metadata and fact counts."""
    return _run(_DOCUMENT_ROWS, {**filter_params(f), **_page(limit, offset)})


def document_count(f: Filters) -> int:
    """Return how many documents the filters keep."""
    return int(_run(_DOCUMENT_COUNT, filter_params(f)).iloc[0, 0])


def document(doc_id: str) -> dict | None:
    """Return one document's metadata and stored text, or None."""
    frame = _run(_DOCUMENT, {"doc_id": doc_id})
    return None if frame.empty else frame.iloc[0].to_dict()


def document_facts(doc_id: str) -> dict[str, pd.DataFrame]:
    """Return a document's effective commitments, figures and agency mentions (all of them)."""
    return {"commitments": _run(_DOCUMENT_COMMITMENTS, {"doc_id": doc_id}),
            "figures": _run(_DOCUMENT_FIGURES, {"doc_id": doc_id}),
            "mentions": _run(_DOCUMENT_MENTIONS, {"doc_id": doc_id})}


def commitment(commitment_id: str) -> dict | None:
    """Return one effective commitment with its document's title, or None (absent or rejected)."""
    frame = _run(_COMMITMENT, {"commitment_id": commitment_id})
    return None if frame.empty else frame.iloc[0].to_dict()


QUERY_FUNCTIONS = (filter_options, headline_numbers, money_by_kind, money_by_year, counts_by_year, funding_by_agency_year,
                   counts_by_agency_year, count_metrics, figure_rows, figure_count, subsidy_rates, commitment_rows, commitment_count,
                   deadline_timeline, deadlines_by_agency, deadline_states, deadlines_by_year, policy_terms, policy_count, document_rows,
                   document_count, document, document_facts, commitment, find_documents)
"""Every public query, for benchmarks (call ``clear_cache()`` first to time the database)."""



# ---------------------------------------------------------------------------------------------
# One fact counted once (etl.linking's same-fact groups, less the pairs the analyst split: ``$split_ids``)
# ---------------------------------------------------------------------------------------------

def merged_citations(f: Filters, figure_type: str = "money", kinds=SPENDING_KINDS, is_target: bool = False) -> dict:
    """Return how many citations a chart's totals count once with an earlier citation of the same fact."""
    row = _run(_MERGED_CITATIONS, _selection_params(f, figure_type, tuple(kinds), is_target)).iloc[0]
    return {"n_merged": int(row["n_merged"]), "amount_merged": float(row["amount_merged"])}



# ---------------------------------------------------------------------------------------------
# Filters, charts and pages read ``fact_reported_figures`` (etl/derive.py: one row per reported
# figure with its document's columns, its chart year and agency keys, its list order), so each
# statement is one scan of one table; a page's text comes from ``reported_figures`` by ID. Read
# with joins to documents, commitments and agencies instead, the agency filters and the row
# lists took 0.6–1.3 s at a million figures. A figure is charted under the agency its sentence
# names, else its commitment's first lead, else the issuer, and under its year, else the issue
# year. (Analysts' corrections of a commitment's leads do not move these figures.)

CUMULATIVE_CHOICES = ("all", "annual", "cumulative")
CHANGE_CHOICES = ("all", "level", "change")
TARGET_CHOICES = ("all", "reported", "target")
FIGURE_METRICS_MAX = 200
"""How many metrics (with their unit) the chart's metric choice offers, most figures first."""
FIGURE_SERIES_AGENCIES = 12
"""The chart draws this many agencies at most (those with most figures of the metric)."""


@dataclass(frozen=True)
class FigureQuery:
    """The Figures page's own filters (the sidebar's ``Filters`` apply as well).

    ``words`` must all occur in the metric (each normalised as metrics are); ``agencies`` are
    chart keys (current agencies when the sidebar merges predecessors); ``years`` is the year a
    figure is charted under; ``cumulative`` / ``change`` / ``target`` are ``"all"`` or one side.
    """

    words: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    cumulative: str = "all"
    change: str = "all"
    target: str = "all"

    def __post_init__(self):
        for name, allowed in (("cumulative", CUMULATIVE_CHOICES), ("change", CHANGE_CHOICES),
                              ("target", TARGET_CHOICES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, not {getattr(self, name)!r}")


def metric_words(text: str) -> tuple[str, ...]:
    """Return the words of a metric search, each normalised as the ETL normalises metrics.

    >>> metric_words(" 高新技術企業  累计服务 ")
    ('高新技术企业', '服务')
    """
    from etl.figures import normalise_metric

    words = (normalise_metric(w) for w in (text or "").split())
    return tuple(dict.fromkeys(w for w in words if w))


def _rfig_params(f: Filters, q: FigureQuery) -> dict:
    years = q.years or (None, None)
    return {**filter_params(f), "units": list(q.units), "fig_kinds": list(q.kinds), "fig_agencies": list(q.agencies),
            "year_min": years[0], "year_max": years[1], "cumulative": q.cumulative, "change": q.change,
            "target": q.target, **{f"word{i}": w for i, w in enumerate(q.words)}, "n_words": len(q.words)}


_RFIG_FLAGS = {("cumulative", "annual"): "NOT f.is_cumulative", ("cumulative", "cumulative"): "f.is_cumulative",
               ("change", "level"): "NOT f.is_change", ("change", "change"): "f.is_change",
               ("target", "reported"): "NOT f.is_target", ("target", "target"): "f.is_target"}


def _rfig_base(p: dict) -> str:
    """Return ``WITH rf AS (…)``: the figures (``fact_reported_figures``) the filters keep, with their chart key.

    The sentence is searched once (the sidebar's keyword), then looked up by ID, as ``sql.filtered`` does.
    """
    merge = p["merge"]
    key = "f.agency_current_id" if merge else "f.agency_id"
    conditions = sql.document_conditions(p, "f")
    matches = ""
    if p["keyword_text"]:
        matches = f"""
kw_rf AS MATERIALIZED (SELECT figure_id FROM reported_figures WHERE {sql.keyword(p, 'sentence')}),"""
        conditions.append("f.figure_id IN (SELECT figure_id FROM kw_rf)")
    closed = ""
    if p["buckets"] or p["due_year_min"] is not None or p["due_year_max"] is not None:
        conditions += ["f.in_commitment"] + sql.deadline_conditions(p, "f")
        closed = "LEFT JOIN review_closed f_closed ON f_closed.commitment_id = f.commitment_id"  # read by the bucket
    conditions += [f"contains(f.metric, $word{i}::VARCHAR)" for i in range(p["n_words"])]
    if p["units"]:
        conditions.append("list_contains($units::VARCHAR[], f.unit)")
    if p["fig_kinds"]:
        conditions.append("list_contains($fig_kinds::VARCHAR[], f.kind)")
    conditions += [sql for (name, side), sql in _RFIG_FLAGS.items() if p[name] == side]
    if p["year_min"] is not None:
        conditions.append("f.year >= $year_min::INTEGER")
    if p["year_max"] is not None:
        conditions.append("f.year <= $year_max::INTEGER")
    if p["agency_ids"]:
        keys = [f"$key{i}" for i in range(len(p["agency_keys"]))]
        if p["agency_role"] == "any":
            conditions.append(sql.any_of("f." + ("any_current_ids" if merge else "any_ids"), keys))
        else:
            conditions.append(f"{key} IN ({', '.join(keys)})" if keys else "FALSE")
    if p["fig_agencies"]:
        conditions.append(f"list_contains($fig_agencies::VARCHAR[], COALESCE({key}, ''))")
    return f"""
WITH{matches}
rf AS NOT MATERIALIZED (  -- inlined where read twice (a page's places, then its rows): two scans, no copy
    SELECT f.figure_id, f.doc_id, f.value, f.unit, f.kind, f.metric, f.is_cumulative, f.is_change, f.is_target,
           f.year, f.year_basis, f.issue_date, f.list_order, {key} AS agency_key
    FROM fact_reported_figures f {closed}
    {sql.where(conditions)}
)"""


_RFIG_SQL = {  # name -> the statement after ``_rfig_base``
    "reported_figure_count": "SELECT count(*) AS n FROM rf",
    "reported_figure_page": f"""
        , keys AS (  -- the page's places first: a top-N over one integer column (unique: etl.derive numbers the rows)
            SELECT list_order FROM rf ORDER BY list_order {sql.PAGE}
        ),
        page AS (
            SELECT figure_id, doc_id, agency_key, year, year_basis, issue_date, list_order FROM rf
            WHERE list_order IN (SELECT list_order FROM keys)
        )
        SELECT p.*, la.canonical_name AS agency_name, la.short_name, la.name_en AS agency_name_en
        FROM page p LEFT JOIN agencies la ON la.agency_id = p.agency_key
        ORDER BY p.list_order
    """,
    "reported_figure_metrics": """
        SELECT metric, unit, any_value(kind) AS kind, count(*) AS n_figures,
               count(*) FILTER (WHERE NOT is_change) AS n_levels,
               count(DISTINCT year) FILTER (WHERE NOT is_change) AS n_years
        FROM rf WHERE metric <> ''
        GROUP BY metric, unit
        ORDER BY n_years DESC, n_levels DESC, n_figures DESC, metric, unit  -- a line over most years first
        LIMIT $limit
    """,
    "reported_figure_series": """
        , levels AS (  -- levels only: a change or rate is never charted with (or added to) a level
            SELECT * FROM rf WHERE NOT is_change AND metric = $metric::VARCHAR AND unit = $unit::VARCHAR
        ),
        top AS (
            SELECT agency_key FROM levels GROUP BY agency_key
            ORDER BY count(*) DESC, agency_key NULLS LAST LIMIT $max_agencies
        )
        SELECT l.agency_key, la.canonical_name, la.short_name, la.name_en, l.year, l.is_cumulative, l.is_target,
               arg_max(l.value, (l.issue_date, l.value, l.figure_id)) AS value,
               min(l.value) AS min_value, max(l.value) AS max_value, count(*) AS n_figures,
               arg_max(l.figure_id, (l.issue_date, l.value, l.figure_id)) AS figure_id
        FROM levels l LEFT JOIN agencies la ON la.agency_id = l.agency_key
        WHERE l.year IS NOT NULL
          AND (l.agency_key IN (SELECT agency_key FROM top)
               OR (l.agency_key IS NULL AND EXISTS (SELECT 1 FROM top WHERE agency_key IS NULL)))
        GROUP BY ALL
        ORDER BY l.is_cumulative, l.is_target, l.agency_key NULLS LAST, l.year
    """,
    "reported_figure_series_stats": """
        SELECT count(*) FILTER (WHERE NOT is_change AND unit = $unit::VARCHAR AND year IS NOT NULL) AS n_levels,
               count(*) FILTER (WHERE is_change) AS n_changes,  -- in any unit (同比增长25% of a count of 家)
               count(*) FILTER (WHERE NOT is_change AND unit = $unit::VARCHAR AND year IS NULL) AS n_no_year
        FROM rf WHERE metric = $metric::VARCHAR
    """,
}

_RFIG_CHOICES_SQL = """
    WITH per_unit AS (
        SELECT unit, any_value(kind) AS kind, count(*) AS n, min(year) AS year_min, max(year) AS year_max
        FROM fact_reported_figures GROUP BY unit
    )
    SELECT list(struct_pack(unit := unit, kind := kind, n := n) ORDER BY n DESC, unit) AS units,
           min(year_min) AS year_min, max(year_max) AS year_max, COALESCE(sum(n), 0) AS n_figures
    FROM per_unit
"""

_RFIG_AGENCIES_SQL = """
    , keys AS (SELECT agency_key, count(*) AS n FROM rf GROUP BY agency_key)
    SELECT k.agency_key, la.canonical_name, la.short_name, la.name_en, la.is_registered, k.n AS n_figures
    FROM keys k LEFT JOIN agencies la ON la.agency_id = k.agency_key
    ORDER BY k.n DESC, la.canonical_name NULLS LAST, k.agency_key NULLS LAST
    LIMIT $limit
"""

REPORTED_FIGURE_TEXT = """
    SELECT f.figure_id, f.span_text, f.value, f.unit, f.is_unit_known, f.qualifier, f.kind AS figure_kind, f.metric,
           f.is_cumulative, f.is_change, f.is_target, f.sentence, f.doc_id, f.commitment_id, f.char_start, f.char_end,
           f.sentence_start, f.sentence_end
    FROM reported_figures f WHERE f.figure_id IN ({ids})
"""
"""A template for ``by_ids``: a page of reported figures' own columns and sentences."""

REPORTED_FIGURE_ROW_COLUMNS = [
    "figure_id", "agency_key", "agency_name", "short_name", "agency_name_en", "year", "year_basis", "span_text",
    "value", "unit", "is_unit_known", "qualifier", "figure_kind", "metric", "is_cumulative", "is_change", "is_target",
    "sentence", "title", "issue_date", "doc_id", "commitment_id", "char_start", "char_end", "sentence_start",
    "sentence_end"]


def _rfig(name: str) -> Statement:
    """A statement over the reported figures the filters keep (``_rfig_base``)."""
    tail = _RFIG_SQL[name]
    return Statement(name, lambda cur, values: execute(cur, _rfig_base(values) + tail, values))


_RFIG_COUNT, _RFIG_PAGE, _RFIG_METRICS, _RFIG_SERIES, _RFIG_SERIES_STATS = (_rfig(n) for n in _RFIG_SQL)


def _rfig_page(cur, values: dict) -> pd.DataFrame:
    """One page of reported figures: the page's keys from the filters, then their text and titles by ID."""
    page = _RFIG_PAGE.run(cur, values)
    detail = by_ids(cur, REPORTED_FIGURE_TEXT, page["figure_id"].tolist())
    titles = by_ids(cur, DOCUMENT_TITLES_BY_ID, page["doc_id"].tolist())[["doc_id", "title"]]
    out = (page.drop(columns=["doc_id"]).merge(detail, on="figure_id", how="left")
           .merge(titles, on="doc_id", how="left"))
    return out[REPORTED_FIGURE_ROW_COLUMNS]


def _rfig_choices(cur, values: dict) -> pd.DataFrame:
    del values  # over every reported figure: what the page's filters can choose from
    return cur.execute(_RFIG_CHOICES_SQL).df()


def _rfig_agencies(cur, values: dict) -> pd.DataFrame:
    return execute(cur, _rfig_base(values) + _RFIG_AGENCIES_SQL, values)


_RFIG_ROWS = Statement("reported_figure_rows", _rfig_page)
_RFIG_CHOICES = Statement("reported_figure_choices", _rfig_choices)
_RFIG_AGENCIES = Statement("reported_figure_agencies", _rfig_agencies)


@dataclass(frozen=True)
class FigureChoices:
    """What the Figures page's filters offer: units (with kind and count), the year bounds, the total."""

    units: pd.DataFrame
    years: tuple[int, int] | None
    n_figures: int


def reported_figure_choices() -> FigureChoices:
    """Return the units, year bounds and number of every reported figure (the page's filter choices)."""
    row = _run(_RFIG_CHOICES, {}).iloc[0]
    listed = row["units"]
    units = pd.DataFrame([] if listed is None or corrections.is_missing(listed) is True else list(listed), columns=["unit", "kind", "n"])
    years = None if corrections.is_missing(row["year_min"]) or corrections.is_missing(row["year_max"]) else (int(row["year_min"]), int(row["year_max"]))
    return FigureChoices(units, years, int(row["n_figures"]))


def reported_figure_count(f: Filters, q: FigureQuery = FigureQuery()) -> int:
    """Return how many reported figures the sidebar's and the page's filters keep (the Overview's count)."""
    return int(_run(_RFIG_COUNT, _rfig_params(f, q)).iloc[0, 0])


def reported_figure_rows(f: Filters, q: FigureQuery = FigureQuery(), limit: int | None = None,
                         offset: int = 0) -> pd.DataFrame:
    """Return the reported figures the filters keep, newest document first and in reading order within it.

    Columns: ``REPORTED_FIGURE_ROW_COLUMNS`` (value in the base unit of ``unit``; the chart key,
    year and basis as the chart places them). ``limit``/``offset`` page in SQL; ``None`` for all.
    """
    return _run(_RFIG_ROWS, {**_rfig_params(f, q), **_page(limit, offset)})


def reported_figure_metrics(f: Filters, q: FigureQuery = FigureQuery(), limit: int = FIGURE_METRICS_MAX
                            ) -> pd.DataFrame:
    """Return the metrics (each with one unit) of the filtered figures, those whose levels span most years
    first: metric, unit, kind, n_figures, n_levels, n_years. A metric written with two units is two
    choices (never one series)."""
    return _run(_RFIG_METRICS, {**_rfig_params(f, q), "limit": int(limit)})


def reported_figure_series(f: Filters, q: FigureQuery, metric: str, unit: str,
                           max_agencies: int = FIGURE_SERIES_AGENCIES) -> pd.DataFrame:
    """Return one metric's levels by agency × year, running totals and targets apart; never a sum.

    One row per agency × year × is_cumulative × is_target: ``value`` is the figure of the newest
    document (the latest statement of that year's level), with ``min_value``/``max_value`` and
    ``n_figures`` of all figures there. Changes and rates (``is_change``) are left out; figures
    without a year are too. Only the ``max_agencies`` agencies with most figures are drawn.
    """
    return _run(_RFIG_SERIES, {**_rfig_params(f, q), "metric": metric, "unit": unit,
                                           "max_agencies": int(max_agencies)})


def reported_figure_series_stats(f: Filters, q: FigureQuery, metric: str, unit: str) -> dict[str, int]:
    """Return how many of one metric's figures the chart draws and leaves out: n_levels and n_no_year (in
    ``unit``), n_changes (changes and rates of the metric, in any unit)."""
    row = _run(_RFIG_SERIES_STATS, {**_rfig_params(f, q), "metric": metric, "unit": unit}).iloc[0]
    return {k: int(v) for k, v in row.items()}


def reported_figure_agencies(f: Filters, q: FigureQuery = FigureQuery(), limit: int = 500) -> pd.DataFrame:
    """Return the agencies the filtered figures are charted under, most figures first (the page's agency choice).

    ``agency_key`` is null for figures of no agency (no sentence agency, commitment or issuer).
    """
    return _run(_RFIG_AGENCIES, {**_rfig_params(f, q), "limit": int(limit)})


REPORTED_FIGURE_BY_ID = """
    SELECT f.figure_id, f.doc_id, f.span_text, f.metric, f.unit, f.value, f.kind AS figure_kind, f.char_start, f.char_end,
           f.sentence, f.sentence_start, f.sentence_end
    FROM reported_figures f WHERE f.figure_id = $figure_id
"""


_RFIG_ONE = _fixed("reported_figure", REPORTED_FIGURE_BY_ID)


def reported_figure(figure_id: str) -> dict | None:
    """Return one reported figure with its offsets and sentence (for the reader), or None."""
    frame = _run(_RFIG_ONE, {"figure_id": str(figure_id)})
    return None if frame.empty else frame.iloc[0].to_dict()


QUERY_FUNCTIONS = QUERY_FUNCTIONS + (reported_figure_choices, reported_figure_count, reported_figure_rows,
                                     reported_figure_metrics, reported_figure_series, reported_figure_series_stats,
                                     reported_figure_agencies, reported_figure)
