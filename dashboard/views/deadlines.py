"""Deadlines: counts by state and basis, commitments on a timeline by lead agency, counts by agency and year,
policy terms elapsed, and the paged list.

Overdue means what it means everywhere (``review.values.OVERDUE_RULE``); the deadline basis
(written in the text, the policy's term, the reply's year) tells a missed promise from an
expired policy. The timeline and the bars count a commitment once for each of its lead agencies.
"""

import streamlit as st

from dashboard import charts, filters, i18n, queries, ui

TERMS_SHOWN = 30  # policies drawn in the terms chart: those in force, next to expire first
COLUMNS = ["is_corrected", "deadline_bucket", "deadline_date", "deadline_basis", "deadline_text",
           "lead_agency_names", "item_label", "text", "title", "issue_date"]


def main() -> None:
    st.title(i18n.t("deadlines_title"))
    ui.require_database()
    lang, f = i18n.lang(), filters.current()
    st.caption(i18n.t("as_of_line", d=f.as_of.isoformat()))
    n_commitments = queries.commitment_count(f)
    if n_commitments == 0:
        ui.empty()
        return
    states = queries.deadline_states(f)
    ui.deadline_tiles(states)
    left, right = st.columns(2)
    with left:
        ui.chart(charts.bucket_counts(states, lang, i18n.t("chart_buckets")), "deadlines_states")
    by_year = queries.deadlines_by_year(f)
    with right:
        ui.chart(charts.deadlines_by_year(by_year, lang), "deadlines_year")
    ui.chart(charts.deadline_timeline(queries.deadline_timeline(f), f.as_of, lang), "deadlines_timeline")
    undated = int(by_year.loc[by_year["deadline_bucket"] == "none", "n_commitments"].sum())
    if undated:
        st.caption(i18n.t("no_deadline_count", n=undated))
    ui.chart(charts.deadlines_by_agency(queries.deadlines_by_agency(f), lang), "deadlines_agency")
    terms = queries.policy_terms(f, TERMS_SHOWN)
    if terms.empty:
        st.caption(i18n.t("terms_empty"))
    else:
        ui.chart(charts.policy_terms(terms, lang), "deadlines_terms")
        n_policies = queries.policy_count(f)
        if n_policies > len(terms):
            st.caption(i18n.t("terms_first", n=len(terms), total=f"{n_policies:,}"))
    st.subheader(i18n.t("deadlines_list", n=f"{n_commitments:,}"))
    ui.paged_table(lambda limit, offset: queries.commitment_rows(f, limit, offset), n_commitments, COLUMNS,
                   "deadlines", ("commitments", "documents"),
                   column_config={"text": st.column_config.TextColumn(width="large")})


main()
