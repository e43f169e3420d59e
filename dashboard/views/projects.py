"""Projects: project counts by agency × year, reported vs target; a bar leads to its sentences."""

import streamlit as st

from dashboard import charts, filters, i18n, queries, ui

FIGURE_COLUMNS = ["is_corrected", "agency_name", "year", "year_basis", "span_text", "value", "metric", "is_target",
                  "qualifier", "sentence", "title", "issue_date"]


def main() -> None:
    st.title(i18n.t("projects_title"))
    ui.require_database()
    lang, f = i18n.lang(), filters.current()
    if "projects_target" not in st.session_state:
        st.session_state["projects_target"] = "target" if filters.page_param("target") == "1" else "reported"
    mode = st.segmented_control(i18n.t("reported_or_target"), ("reported", "target"), key="projects_target",
                                format_func=lambda m: i18n.tr("reported" if m == "reported" else "targets", lang))
    is_target = mode == "target"
    filters.set_page_param("target", "1" if is_target else None)

    frame = queries.counts_by_agency_year(f, is_target)
    notes = (i18n.t("projects_note"), i18n.t("year_note"))
    figure = charts.by_agency_year(frame, lang, "count", i18n.t("projects_title"), notes)
    event = ui.chart(figure, "projects_chart", selectable=True)
    st.caption(i18n.t("select_hint"))
    picks = charts.picks_from_selection(event.selection if event else None)
    total = queries.figure_count(f, "count", (), is_target, picks)
    st.subheader(i18n.t("selected_figures" if picks else "all_figures", n=f"{total:,}"))
    if total == 0:
        ui.empty()
    else:
        ui.paged_table(lambda limit, offset: queries.figure_rows(f, "count", (), is_target, picks, limit, offset),
                       total, FIGURE_COLUMNS, "projects_figures", ("figures", "documents"))


main()
