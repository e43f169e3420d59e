"""Overview: the headline numbers and small charts that lead to the other pages."""

import streamlit as st

from dashboard import charts, filters, i18n, queries, ui


def main() -> None:
    st.title(i18n.t("overview_title"))
    ui.require_database()
    lang, f = i18n.lang(), filters.current()
    n = queries.headline_numbers(f)

    row1 = st.columns(4)
    row1[0].metric(i18n.t("kpi_documents"), f"{n['documents']:,}")
    row1[1].metric(i18n.t("kpi_commitments"), f"{n['commitments']:,}")
    row1[2].metric(i18n.t("kpi_agencies"), f"{n['lead_agencies']:,}")
    row1[3].metric(i18n.t("kpi_money_reported"), charts.fmt_money(n["money_reported_yuan"], lang),
                   help=i18n.t("kpi_money_help"))
    row2 = st.columns(4)
    row2[0].metric(i18n.t("kpi_money_target"), charts.fmt_money(n["money_target_yuan"], lang),
                   help=i18n.t("kpi_money_help"))
    row2[1].metric(i18n.t("kpi_due_90"), f"{n['due_90']:,}")
    row2[2].metric(i18n.t("kpi_overdue"), f"{n['overdue']:,}")
    row2[3].metric(i18n.t("kpi_no_deadline"), f"{n['no_deadline']:,}")
    row3 = st.columns(4)
    row3[0].metric(i18n.t("kpi_reported_figures"), f"{queries.reported_figure_count(f):,}")
    with row3[1]:
        ui.link("figures", "go_figures")
    st.caption(i18n.t("as_of_line", d=f.as_of.isoformat()))
    ui.link("commitments", "go_commitments")

    left, middle, right = st.columns(3)
    with left:
        money = queries.money_by_year(f)
        ui.chart(charts.by_year(money, lang, "money", i18n.t("chart_money_by_year")), "overview_money")
        ui.link("funding", "go_funding")
    with middle:
        counts = queries.counts_by_year(f)
        ui.chart(charts.by_year(counts, lang, "count", i18n.t("chart_projects_by_year")), "overview_counts")
        ui.link("projects", "go_projects")
    with right:
        by_year = queries.deadlines_by_year(f)
        ui.chart(charts.bucket_counts(by_year, lang, i18n.t("chart_buckets")), "overview_buckets")
        ui.link("deadlines", "go_deadlines")


main()
