"""Funding: money by agency × year (亿元), by kind and reported vs target; a bar leads to its sentences."""

import streamlit as st

from dashboard import charts, filters, i18n, queries, ui

KINDS = ("fiscal", "fund", "subsidy_rate", "economic")
FIGURE_COLUMNS = ["is_corrected", "agency_name", "year", "year_basis", "span_text", "amount_yiyuan", "money_kind",
                  "is_target", "qualifier", "sentence", "title", "issue_date"]


def controls() -> tuple[list[str], bool]:
    """Draw the kind and reported/target controls (kept in the URL); return their values."""
    lang = i18n.lang()
    if "funding_kinds" not in st.session_state:
        wanted = (filters.page_param("kinds") or ",".join(queries.SPENDING_KINDS)).split(",")
        st.session_state["funding_kinds"] = [k for k in KINDS if k in wanted]
    if "funding_target" not in st.session_state:
        st.session_state["funding_target"] = "target" if filters.page_param("target") == "1" else "reported"
    left, right = st.columns([3, 2])
    with left:
        kinds = st.pills(i18n.t("money_kinds"), KINDS, selection_mode="multi", key="funding_kinds",
                         format_func=lambda k: i18n.vocab("money_kind", k, lang))
    with right:
        mode = st.segmented_control(i18n.t("reported_or_target"), ("reported", "target"), key="funding_target",
                                    format_func=lambda m: i18n.tr("reported" if m == "reported" else "targets", lang))
    kinds = [k for k in KINDS if k in (kinds or [])]
    is_target = mode == "target"
    default = list(queries.SPENDING_KINDS)
    filters.set_page_param("kinds", None if kinds == default else ",".join(kinds) or "none")
    filters.set_page_param("target", "1" if is_target else None)
    return kinds, is_target


def main() -> None:
    st.title(i18n.t("funding_title"))
    ui.require_database()
    lang, f = i18n.lang(), filters.current()
    kinds, is_target = controls()
    spending = [k for k in kinds if k != "subsidy_rate"]

    if spending:
        frame = queries.funding_by_agency_year(f, tuple(spending), is_target)
        notes = (i18n.t("subsidy_note"), i18n.t("year_note"))
        title = i18n.t("funding_title") + " · " + ui.join((i18n.vocab("money_kind", k, lang) for k in spending), lang)
        figure = charts.by_agency_year(frame, lang, "money", title, notes)
        event = ui.chart(figure, "funding_chart", selectable=True)
        st.caption(i18n.t("select_hint"))
        merged = queries.merged_citations(f, "money", tuple(spending), is_target)  # one fact counted once
        if merged["n_merged"]:
            st.caption(i18n.t("merged_note", n=f"{merged['n_merged']:,}",
                              amount=charts.fmt_money(merged["amount_merged"], lang)))
        picks = charts.picks_from_selection(event.selection if event else None)
        total = queries.figure_count(f, "money", tuple(spending), is_target, picks)
        st.subheader(i18n.t("selected_figures" if picks else "all_figures", n=f"{total:,}"))
        if total == 0:
            ui.empty()
        else:
            ui.paged_table(lambda limit, offset: queries.figure_rows(f, "money", tuple(spending), is_target, picks,
                                                                     limit, offset),
                           total, FIGURE_COLUMNS, "funding_figures", ("figures", "documents"))

    if "subsidy_rate" in kinds:
        total = queries.figure_count(f, "money", ("subsidy_rate",), is_target)
        rates = queries.subsidy_rates(f, is_target, limit=ui.PAGE_ROWS)
        ui.chart(charts.subsidy_points(rates, lang), "funding_rates")
        if total == 0:
            ui.empty()
        else:
            if total > len(rates):
                st.caption(i18n.t("rates_largest", n=len(rates), total=f"{total:,}"))
            ui.paged_table(lambda limit, offset: queries.subsidy_rates(f, is_target, limit, offset), total,
                           FIGURE_COLUMNS, "funding_subsidy_rates", ("figures", "documents"))
    if not kinds:
        ui.empty()


main()
