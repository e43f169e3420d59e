"""Build the SQL of the filtered facts: the one condition builder every page, the review and the pack use.

In: the parameters of a ``Filters`` (``dashboard.queries.filter_params``). Out: SQL text
assembled only from the constant fragments below (which fragments, by which filters are set):
``filtered(p)``, the WITH clause of the filtered facts (``com_f``, ``fig_f``, ``doc_ff``),
``chart(p)`` (the same, with what one chart draws as ``fig_sel``), ``deadline_state`` (the one
meaning of overdue) and the conditions the Figures page reuses. User input always travels as
named parameters (``$agency_ids``, ``$keyword`` …), never in the text.
"""

from __future__ import annotations

from review.values import CLOSED_STATUSES


def deadline_state(status: str, deadline: str, upcoming: str, no_deadline: str = "no_deadline") -> str:
    """Return the SQL deadline state of a commitment: the one definition every page counts with.

    ``status`` and ``deadline`` are SQL expressions (the status may be NULL: not assessed);
    ``$as_of`` is a bound parameter. Completed or dropped gives the status itself; no deadline
    gives ``no_deadline``; past the deadline is ``'overdue'`` (``review.values.OVERDUE_RULE``); otherwise
    the SQL ``upcoming`` says how soon (the review's due-soon window, the pages' 30/90 days).

    >>> print(deadline_state("s", "d", "'open'"))  # doctest: +NORMALIZE_WHITESPACE
    CASE WHEN s IN ('completed', 'dropped') THEN s WHEN d IS NULL THEN 'no_deadline'
         WHEN d < $as_of::DATE THEN 'overdue' ELSE 'open' END
    """
    closed = ", ".join(f"'{c}'" for c in CLOSED_STATUSES)
    return (f"CASE WHEN {status} IN ({closed}) THEN {status} WHEN {deadline} IS NULL THEN '{no_deadline}'\n"
            f"     WHEN {deadline} < $as_of::DATE THEN 'overdue' ELSE {upcoming} END")


def bucket(x: str) -> str:
    """The deadline status of alias ``x`` at ``$as_of``: ``deadline_state`` (the one meaning of
    overdue, also the review's), then due within 30 / 90 days or later.

    ``{x}_closed`` is the commitment's row in ``review_closed`` (completed or dropped), joined by ``filtered``.
    """
    d = f"{x}.deadline_date"
    upcoming = (f"CASE WHEN {d} <= $as_of::DATE + 30 THEN 'due_30' "
                f"WHEN {d} <= $as_of::DATE + 90 THEN 'due_90' ELSE 'later' END")
    return deadline_state(f"{x}_closed.status", d, upcoming, no_deadline="none")


def document_conditions(p: dict, x: str) -> list[str]:
    """Conditions on a document's columns (alias ``x`` has jurisdiction, doc_type, doc_id, issue_year)."""
    out = []
    if p["jurisdictions"]:
        out.append(f"list_contains($jurisdictions::VARCHAR[], {x}.jurisdiction)")
    if p["doc_types"]:
        out.append(f"list_contains($doc_types::VARCHAR[], {x}.doc_type)")
    if p["doc_ids"]:
        out.append(f"list_contains($doc_ids::VARCHAR[], {x}.doc_id)")
    if p["issue_year_min"] is not None:
        out.append(f"{x}.issue_year >= $issue_year_min::INTEGER")
    if p["issue_year_max"] is not None:
        out.append(f"{x}.issue_year <= $issue_year_max::INTEGER")
    return out


def deadline_conditions(p: dict, x: str) -> list[str]:
    out = []
    if p["buckets"]:
        out.append(f"list_contains($buckets::VARCHAR[], {bucket(x)})")
    if p["bases"]:
        out.append(f"list_contains($bases::VARCHAR[], COALESCE({x}.deadline_basis, 'none'))")
    if p["due_year_min"] is not None:
        out.append(f"{x}.deadline_year >= $due_year_min::INTEGER")
    if p["due_year_max"] is not None:
        out.append(f"{x}.deadline_year <= $due_year_max::INTEGER")
    return out


def keyword(p: dict, column: str) -> str:
    """A text match: ``contains`` (fast) unless the keyword has letters with a case (then ILIKE)."""
    word = p["keyword_text"]
    if word.lower() != word.upper():
        return f"{column} ILIKE $keyword::VARCHAR ESCAPE '\\'"
    return f"contains({column}, $keyword_text::VARCHAR)"


def any_of(list_column: str, keys: list[str]) -> str:
    """The list column holds one of the keys (``list_contains`` per key: faster than ``list_has_any``)."""
    if not keys:
        return "FALSE"
    return "(" + " OR ".join(f"list_contains({list_column}, {k}::VARCHAR)" for k in keys) + ")"


def where(conditions: list[str]) -> str:
    """Return the WHERE clause of these conditions (none: no clause)."""
    return ("WHERE " + "\n      AND ".join(conditions)) if conditions else ""


def filtered(p: dict, figures: tuple[str, ...] = ()) -> str:
    """Return the WITH clause of the filtered facts: ``com_f``, ``fig_f`` and ``doc_ff``.

    ``figures``: conditions on ``f`` (``fact_figures``) for a statement that reads only those figures.
    They go into the scan, which then skips the row groups that hold none (``etl.derive`` stores the
    figures by type and kind); ``doc_ff``, if read, then follows those figures too.
    """
    merge = p["merge"]
    lead_col = "lead_current_ids" if merge else "lead_ids"
    any_col = "any_current_ids" if merge else "any_ids"
    key_col = "agency_current_id" if merge else "agency_id"

    com = document_conditions(p, "c") + deadline_conditions(p, "c")
    fig = document_conditions(p, "f") + list(figures)
    if p["year_min"] is not None:
        fig.append("f.year >= $year_min::INTEGER")
    if p["year_max"] is not None:
        fig.append("f.year <= $year_max::INTEGER")
    if p["buckets"] or p["bases"] or p["due_year_min"] is not None or p["due_year_max"] is not None:
        fig += ["f.in_commitment"] + deadline_conditions(p, "f")
    if p["agency_ids"]:
        keys = [f"$key{i}" for i in range(len(p["agency_keys"]))]  # one parameter per selected agency key
        if p["agency_role"] == "any":
            com.append(any_of(f"c.{any_col}", keys))
            fig.append(any_of(f"f.{any_col}", keys))
        else:
            com.append(any_of(f"c.{lead_col}", keys))
            fig.append(f"f.{key_col} IN ({', '.join(keys)})" if keys else "FALSE")
    matches = ""
    if p["keyword_text"]:  # the text is searched once per statement, then looked up by ID
        matches = f"""
kw_com AS MATERIALIZED (SELECT commitment_id FROM commitments WHERE {keyword(p, 'text')}),
kw_fig AS MATERIALIZED (SELECT figure_id FROM figures WHERE {keyword(p, 'sentence')}),"""
        com.append("c.commitment_id IN (SELECT commitment_id FROM kw_com)")
        fig.append("(f.figure_id IN (SELECT figure_id FROM kw_fig) "
                   "OR (f.in_commitment AND f.commitment_id IN (SELECT commitment_id FROM kw_com)))")
    docs = document_conditions(p, "d")
    if p["fact_filters"]:
        docs.append("d.doc_id IN (SELECT doc_id FROM com_f UNION SELECT doc_id FROM fig_f)")
    return f"""
WITH{matches}
com_f AS (
    SELECT c.commitment_id, c.doc_id, c.char_start, c.issue_date, c.issue_year, c.deadline_date, c.deadline_year,
           COALESCE(c.deadline_basis, 'none') AS deadline_basis, c.{lead_col} AS lead_keys, {bucket("c")} AS deadline_bucket, c.figures_text, c.list_order, c.change_times,
           c.is_corrected
    FROM com_eff c LEFT JOIN review_closed c_closed ON c_closed.commitment_id = c.commitment_id
    {where(com)}
),
fig_f AS (
    SELECT f.figure_id, f.doc_id, f.commitment_id, f.figure_type, f.money_kind, f.is_target, f.is_breakdown,
           f.is_cumulative, f.metric_key, f.amount_yuan, f.value, f.span_text, f.year, f.year_basis, f.{key_col} AS agency_key, f.is_corrected
    FROM fig_eff f LEFT JOIN review_closed f_closed ON f_closed.commitment_id = f.commitment_id
    {where(fig)}
),
doc_ff AS (
    SELECT d.doc_id, d.title, d.doc_type, d.jurisdiction, d.issue_date, d.issue_year, d.issuer_id, d.issuer_name,
           d.proposal_no, d.valid_from, d.valid_until, d.file_name, d.char_count
    FROM documents d
    {where(docs)}
)"""


def chart(p: dict) -> str:
    """The filtered facts with the figures one chart draws: a type, reported or target, never 其中 parts,
    some money kinds; running totals (累计…) alone when ``$cumulative``, else never (they are not one year's
    amount). ``fig_all`` holds them with the chart's ``measure`` (``MEASURES``), ``fig_sel`` the same
    without repeated citations of one fact."""
    column = "f.money_kind" if p.get("figure_type") == "money" else "f.metric_key"  # counts: one metric (stage)
    drawn = ("f.figure_type = $figure_type", "f.is_target = $is_target",
             "NOT f.is_breakdown",  # 其中… and 首期… parts of a figure already counted
             "f.is_cumulative = $cumulative::BOOLEAN")
    if p["kinds"]:
        drawn += (f"list_contains($kinds::VARCHAR[], {column})",)
    return filtered(p, drawn) + f""",
fig_all AS (SELECT *, {MEASURES.get(p.get("figure_type"), "value")} AS measure FROM fig_f),
fig_sel AS (SELECT * FROM fig_all WHERE {not_a_repeat("fig_all")})"""


MEASURES = {"money": "amount_yuan", "count": "value"}
"""What a chart of one figure type adds up: yuan for money, the number of things for counts (one unit, 个);
any other type (targets, in many units) is listed by its ``value`` and never summed across units."""


def not_a_repeat(selection: str) -> str:
    """A condition keeping a figure unless it repeats a first citation that is in ``selection``.

    A figure the analyst split from its group (``review.link_decisions``) counts on its own; a repeat
    whose first citation is filtered out (or rejected) counts, so a view never loses the fact.
    """
    return f"""figure_id NOT IN (
        SELECT s.figure_id FROM link_same_facts s
        WHERE NOT s.is_first AND NOT list_contains($split_ids::VARCHAR[], s.figure_id)
          AND s.first_figure_id IN (SELECT figure_id FROM {selection}))"""


MONEY = "figure_type = 'money'"
MONEY_FIGURES = ("f.figure_type = 'money'",)
"""``filtered``'s ``figures`` for a statement of money alone. A same-fact group shares its unit, so a money
figure's first citation is money too: its repeats are looked up in that ``fig_f`` all the same."""


PAGE = "LIMIT $limit OFFSET $offset"
PICKED = ("(len($picks::VARCHAR[]) = 0 OR list_contains($picks::VARCHAR[], "
          "COALESCE(agency_key, '') || '|' || COALESCE(CAST(year AS VARCHAR), '')))")
"""The bars picked in a chart ("<agency_key>|<year>"), or every row when none is."""

SUMMED = f"{MONEY} AND NOT is_breakdown"
"""Money that adds up within one kind: never the 其中 / 首期 parts of a figure already counted."""

EACH_LEAD = "unnest(CASE WHEN len(lead_keys) = 0 THEN [NULL] ELSE lead_keys END)"
"""One row per lead agency of a commitment (one with NULL when it names none): the timeline and the
bars per agency count a commitment once for each of its lead agencies."""
