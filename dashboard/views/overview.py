"""Overview: the headline numbers and small charts that lead to the other pages.

Money is shown by kind (fiscal spending, funds, financing, economic figures), each named and
never added to another; the chart by year shows one kind at a time, fiscal spending first.
"""

import streamlit as st

from dashboard import charts, filters, i18n, queries, ui

NARROW = 44  # display columns a title or note line holds in one of the three chart columns


def money_tiles(money, lang: str) -> None:
    """One tile per kind of money (reported), the targets of each kind under it."""
    kinds = [k for k in queries.SUMMED_KINDS if k == queries.DEFAULT_KIND or (money["money_kind"] == k).any()]
    st.markdown(f"**{i18n.t('money_heading')}**")
    cols = st.columns(max(len(kinds), 1))
    for col, kind in zip(cols, kinds):
        rows = money[money["money_kind"] == kind]
        target, running = rows["is_target"].astype(bool), rows["is_cumulative"].astype(bool)
        reported = rows.loc[~target & ~running, "amount_yuan"]
        col.metric(i18n.t("kpi_money_kind", kind=i18n.vocab("money_kind", kind, lang)),
                   charts.fmt_money(reported.sum() if len(reported) else None, lang), help=i18n.t(f"kind_help_{kind}"))
        if (target & ~running).any():
            col.caption(i18n.t("kpi_money_kind_target", amount=charts.fmt_money(
                rows.loc[target & ~running, "amount_yuan"].sum(), lang)))
        if running.any():
            col.caption(i18n.t("kpi_money_kind_cumulative", n=int(rows.loc[running, "n_figures"].sum()),
                               amount=charts.fmt_money(rows.loc[running, "amount_yuan"].max(), lang)))
    st.caption(i18n.t("money_apart_note"))


def main() -> None:
    st.title(i18n.t("overview_title"))
    ui.require_database()
    lang, f = i18n.lang(), filters.current()
    n = queries.headline_numbers(f)

    row1 = st.columns(4)
    row1[0].metric(i18n.t("kpi_documents"), f"{n['documents']:,}")
    row1[1].metric(i18n.t("kpi_commitments"), f"{n['commitments']:,}")
    row1[2].metric(i18n.t("kpi_agencies"), f"{n['lead_agencies']:,}")
    row1[3].metric(i18n.t("kpi_reported_figures"), f"{queries.reported_figure_count(f):,}")
    with row1[3]:
        ui.link("figures", "go_figures")
    money_tiles(queries.money_by_kind(f), lang)
    states = queries.deadline_states(f)
    ui.deadline_tiles(states)
    st.caption(i18n.t("as_of_line", d=f.as_of.isoformat()))
    merged = queries.merged_citations(f)  # one fact counted once in the money above
    if merged["n_merged"]:
        st.caption(i18n.t("merged_note", n=f"{merged['n_merged']:,}",
                          amount=charts.fmt_money(merged["amount_merged"], lang)))
    ui.link("commitments", "go_commitments")

    left, middle, right = st.columns(3)
    with left:
        kind = ui.kind_control("overview_kind")
        title = i18n.t("chart_money_by_year", kind=i18n.vocab("money_kind", kind, lang))
        money = queries.money_by_year(f, kind)
        ui.chart(charts.by_year(money, lang, "money", title, (i18n.t("year_note"),), NARROW), "overview_money")
        ui.link("funding", "go_funding")
    with middle:
        counts = queries.counts_by_year(f)
        ui.chart(charts.by_metric_year(counts, lang, i18n.t("chart_projects_by_year"), (i18n.t("stages_note"),),
                                       width=NARROW), "overview_counts")
        ui.link("projects", "go_projects")
    with right:
        ui.chart(charts.bucket_counts(states, lang, i18n.t("chart_buckets"), NARROW), "overview_buckets")
        ui.link("deadlines", "go_deadlines")


main()
