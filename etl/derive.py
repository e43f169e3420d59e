"""Derive the dashboard's fact tables from the loaded tables, in SQL.

In: a read-write DuckDB connection holding the loaded tables. Out: ``fact_commitments``,
``fact_figures`` and ``fact_agencies`` rebuilt in full (``rebuild``), one row per commitment,
per figure and per agency named anywhere; then the follow-through candidates (``etl.linking``).

Each row carries what the dashboard filters, groups and sums on, worked out once: the
document's columns (type, jurisdiction, issue date), the year a figure is charted under, the
agency it is charted under (its own, else its commitment's first lead, else the issuer), every
agency it names, and each of these agency lists again with every agency replaced by its
current successor (the "merge predecessors" view). A chart over a million figures is then one
scan of one table, with no joins and no list lookups per row; ``STORAGE_ORDER`` stores the rows
so that the scan of one type or kind of figure skips the row groups of the others.

``commitments_select`` and ``figures_select`` are the definitions: the ETL runs them over the
loaded tables; the dashboard runs them again over its corrected views, for the few rows an
analyst corrected, so a correction moves a figure exactly as the ETL would have placed it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from etl.schema import TABLES

DERIVED = ("fact_commitments", "fact_figures", "fact_agencies", "fact_reported_figures")

STORAGE_ORDER = {"fact_figures": "figure_type, money_kind, agency_current_id, year, figure_id",
                 "fact_commitments": "list_order"}
"""How derived tables store their rows, so that DuckDB skips a row group whose minimum and maximum rule it out:
each chart reads one figure type (money of one kind), often of one agency; a list of commitments is read in
list order, a page at a time. Row order means nothing else."""

_CURRENT = "current_of AS (SELECT map(list(agency_id), list(current_id)) AS m FROM agencies)"


@dataclass(frozen=True)
class Stage:
    """A stage of the project funnel, recognised in a count's metric (新洽谈…项目, 签约项目, 注册项目 …).

    The same projects are counted at each stage, so counts are summed only within one stage.
    """

    key: str
    pattern: str  # a regular expression over the metric, as written
    examples: tuple[str, ...]
    non_examples: tuple[str, ...] = ()


STAGES = (
    Stage("negotiating", "洽谈|在谈", ("新洽谈产业招商项目", "在谈项目"), ("签约项目",)),
    Stage("signed", "签约|签订", ("签约项目", "新签约项目"), ("注册项目",)),
    Stage("registered", "注册|落户|落地", ("注册项目", "落户企业"), ("签约项目",)),
    Stage("started", "开工|动工", ("新开工项目",), ("竣工项目",)),
    Stage("completed", "竣工|建成|投产", ("竣工项目", "建成投产项目"), ("开工项目",)),
)
"""Funnel stages, in funnel order (the first that matches a metric wins)."""


def metric_key_sql(metric: str) -> str:
    """Return the SQL of a count's metric key: its funnel stage (first that matches), else the metric as written."""
    cases = " ".join(f"WHEN regexp_matches({metric}, '{s.pattern}') THEN '{s.key}'" for s in STAGES)
    return f"CASE WHEN {metric} IS NULL THEN NULL {cases} ELSE {metric} END"


LIST_ORDER = "issue_date DESC NULLS LAST, doc_id, char_start, commitment_id"
"""How lists of commitments are sorted (``list_order`` numbers the rows in this order)."""


def commitments_select(source: str, figures: str = "figures") -> str:
    """Return a SELECT of ``fact_commitments`` rows (all but ``list_order``) for the commitments in ``source``.

    ``source`` is a table or parenthesised query with the columns of ``commitments`` plus
    ``is_corrected`` and ``is_lead_corrected``; ``figures`` is where the figures inside them
    are read (the dashboard passes its corrected view, without rejected figures).
    """
    return f"""
        WITH {_CURRENT},
        src AS (SELECT * FROM {source}),
        inside AS (
            SELECT commitment_id, string_agg(span_text, '、' ORDER BY char_start, span_text) AS figures_text
            FROM (SELECT DISTINCT commitment_id, span_text, char_start FROM {figures}
                  WHERE commitment_id IN (SELECT commitment_id FROM src))
            GROUP BY commitment_id
        ),
        changed AS (
            SELECT entity_id AS commitment_id, list(changed_at ORDER BY changed_at) AS times
            FROM etl_changes
            WHERE entity = 'commitment' AND entity_id IN (SELECT commitment_id FROM src)
            GROUP BY entity_id
        ),
        support AS (
            SELECT commitment_id, list(agency_id ORDER BY position) AS ids
            FROM commitment_agencies
            WHERE role = 'support' AND commitment_id IN (SELECT commitment_id FROM src)
            GROUP BY commitment_id
        ),
        base AS (
            SELECT c.commitment_id, c.doc_id, c.char_start, d.issue_date, d.issue_year, d.doc_type,
                   d.jurisdiction, c.deadline_date, c.deadline_year, c.deadline_basis,
                   COALESCE(c.lead_agency_ids, []) AS lead_ids,
                   COALESCE(s.ids, []) || CASE WHEN d.issuer_id IS NULL THEN [] ELSE [d.issuer_id] END AS other_ids,
                   i.figures_text, COALESCE(g.times, []) AS change_times, c.is_corrected, c.is_lead_corrected
            FROM src c JOIN documents d USING (doc_id) LEFT JOIN support s USING (commitment_id)
            LEFT JOIN inside i USING (commitment_id) LEFT JOIN changed g USING (commitment_id)
        )
        SELECT b.commitment_id, b.doc_id, b.char_start, b.issue_date, b.issue_year, b.doc_type, b.jurisdiction,
               b.deadline_date, b.deadline_year, b.deadline_basis, b.lead_ids,
               list_transform(b.lead_ids, lambda x: COALESCE(current_of.m[x], x)) AS lead_current_ids,
               b.other_ids, b.lead_ids || b.other_ids AS any_ids,
               list_transform(b.lead_ids || b.other_ids, lambda x: COALESCE(current_of.m[x], x)) AS any_current_ids,
               b.figures_text, b.change_times, b.is_corrected, b.is_lead_corrected
        FROM base b CROSS JOIN current_of
    """


def figures_select(source: str, commitments: str) -> str:
    """Return a SELECT of ``fact_figures`` rows for the figures in ``source``.

    ``source`` has the columns of ``figures`` plus ``is_corrected``; ``commitments`` is the
    ``fact_commitments``-shaped relation their commitments are looked up in (a figure whose
    commitment is absent there, e.g. rejected, is charted as if outside any commitment).
    """
    return f"""
        WITH {_CURRENT},
        placed AS (
            SELECT f.*, d.issue_date, d.issue_year, d.doc_type, d.jurisdiction,
                   CASE WHEN c.is_lead_corrected THEN c.lead_ids[1]
                        ELSE COALESCE(f.agency_id, c.lead_ids[1], d.issuer_id) END AS attributed_id,
                   c.any_ids AS commitment_ids, c.commitment_id IS NOT NULL AS found,
                   c.deadline_date AS c_deadline_date, c.deadline_year AS c_deadline_year,
                   c.deadline_basis AS c_deadline_basis
            FROM {source} f JOIN documents d USING (doc_id) LEFT JOIN {commitments} c USING (commitment_id)
        ),
        listed AS (
            SELECT *, COALESCE(agency_ids, []) || COALESCE(commitment_ids, [])
                      || CASE WHEN attributed_id IS NULL THEN [] ELSE [attributed_id] END AS all_ids
            FROM placed
        )
        SELECT p.figure_id, p.doc_id, p.commitment_id, p.figure_type, p.money_kind, p.is_target, p.is_breakdown,
               p.is_cumulative, CASE WHEN p.figure_type = 'count' THEN {metric_key_sql("p.metric")} END AS metric_key,
               CASE WHEN p.figure_type = 'money' THEN p.amount_yuan END AS amount_yuan, p.value, p.unit,
               p.span_text,
               COALESCE(p.figure_year, p.issue_year) AS year,
               CASE WHEN p.figure_year IS NOT NULL THEN 'stated' ELSE 'issue_year' END AS year_basis,
               p.issue_date, p.issue_year, p.doc_type, p.jurisdiction,
               p.attributed_id AS agency_id, COALESCE(current_of.m[p.attributed_id], p.attributed_id) AS agency_current_id,
               p.all_ids AS any_ids, list_transform(p.all_ids, lambda x: COALESCE(current_of.m[x], x)) AS any_current_ids,
               p.found AS in_commitment, p.c_deadline_date AS deadline_date, p.c_deadline_year AS deadline_year,
               p.c_deadline_basis AS deadline_basis,
               p.is_corrected
        FROM listed p CROSS JOIN current_of
    """


REPORTED_LIST_ORDER = "d.issue_date DESC NULLS LAST, f.doc_id, f.char_start, f.figure_id"
"""How lists of reported figures are sorted (``list_order`` numbers the rows in this order)."""

REPORTED_FIGURES_SELECT = f"""
    WITH {_CURRENT},
    placed AS (
        SELECT f.*, d.issue_date, d.issue_year, d.doc_type, d.jurisdiction,
               COALESCE(f.agency_id, c.lead_ids[1], d.issuer_id) AS attributed_id,
               c.any_ids AS commitment_ids, c.commitment_id IS NOT NULL AS found,
               c.deadline_date AS c_deadline_date, c.deadline_year AS c_deadline_year,
               CAST(row_number() OVER (ORDER BY {REPORTED_LIST_ORDER}) AS INTEGER) AS list_order
        FROM reported_figures f JOIN documents d USING (doc_id) LEFT JOIN fact_commitments c USING (commitment_id)
    ),
    listed AS (
        SELECT *, CASE WHEN attributed_id IS NULL THEN [] ELSE [attributed_id] END
                  || COALESCE(commitment_ids, []) AS all_ids
        FROM placed
    )
    SELECT p.figure_id, p.doc_id, p.commitment_id, p.kind, p.unit, p.metric, p.value, p.is_cumulative, p.is_change,
           p.is_target, COALESCE(p.year, p.issue_year) AS year,
           CASE WHEN p.year IS NOT NULL THEN p.year_basis WHEN p.issue_year IS NOT NULL THEN 'issue_year'
                ELSE 'none' END AS year_basis,
           p.issue_date, p.issue_year, p.doc_type, p.jurisdiction,
           p.attributed_id AS agency_id, COALESCE(current_of.m[p.attributed_id], p.attributed_id) AS agency_current_id,
           p.all_ids AS any_ids, list_transform(p.all_ids, lambda x: COALESCE(current_of.m[x], x)) AS any_current_ids,
           p.found AS in_commitment, p.c_deadline_date AS deadline_date, p.c_deadline_year AS deadline_year,
           p.list_order
    FROM listed p CROSS JOIN current_of
"""
"""``fact_reported_figures`` rows: every reported figure placed as ``figures_select`` places money (its own
agency, else its commitment's first lead, else the issuer; its year, else the issue year)."""


AGENCIES_SELECT = """
    WITH used AS (
        SELECT unnest(lead_ids) AS agency_id, 1 AS led FROM fact_commitments
        UNION ALL SELECT unnest(other_ids), 0 FROM fact_commitments
        UNION ALL SELECT unnest(any_ids), 0 FROM fact_figures
        UNION ALL SELECT issuer_id, 0 FROM documents WHERE issuer_id IS NOT NULL
    )
    SELECT agency_id, CAST(sum(led) AS INTEGER) AS n_led FROM used WHERE agency_id IS NOT NULL GROUP BY agency_id
"""

_AS_LOADED_COMMITMENTS = "(SELECT *, FALSE AS is_corrected, FALSE AS is_lead_corrected FROM commitments)"
_AS_LOADED_FIGURES = "(SELECT *, FALSE AS is_corrected FROM figures)"


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the derived tables hold one row per commitment and per figure (nothing to redo)."""
    counts = con.execute("""
        SELECT (SELECT count(*) FROM commitments), (SELECT count(*) FROM fact_commitments),
               (SELECT count(*) FROM figures), (SELECT count(*) FROM fact_figures),
               (SELECT count(*) FROM documents), (SELECT count(*) FROM fact_agencies),
               (SELECT count(*) FROM reported_figures), (SELECT count(*) FROM fact_reported_figures)
    """).fetchall()[0]
    return (counts[0] == counts[1] and counts[2] == counts[3] and (counts[4] == 0 or counts[5] > 0)
            and counts[6] == counts[7])


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every derived table from the loaded tables (in the caller's transaction, if any)."""
    for table in DERIVED:
        con.execute(f"DELETE FROM {table}")
    con.execute(f"INSERT INTO fact_commitments BY NAME SELECT *, CAST(row_number() OVER (ORDER BY {LIST_ORDER}) "
                f"AS INTEGER) AS list_order FROM ({commitments_select(_AS_LOADED_COMMITMENTS)}) "
                f"ORDER BY {STORAGE_ORDER['fact_commitments']}")
    con.execute(f"INSERT INTO fact_figures BY NAME SELECT * FROM ({figures_select(_AS_LOADED_FIGURES, 'fact_commitments')}) "
                f"ORDER BY {STORAGE_ORDER['fact_figures']}")
    con.execute(f"INSERT INTO fact_agencies BY NAME {AGENCIES_SELECT}")
    con.execute(f"INSERT INTO fact_reported_figures BY NAME {REPORTED_FIGURES_SELECT}")

    from etl import linking  # the follow-through candidates read the tables above

    linking.rebuild(con)


def columns(table: str) -> str:
    """Return the declared columns of a derived table, comma-separated (for SELECTs that must match it)."""
    return ", ".join(TABLES[table].column_names)
