"""Projects: project counts by metric (stage) and year, then one metric by agency × year; a bar leads to its sentences.

新洽谈, 签约 and 注册 projects are stages of the same projects: each metric is charted on its own,
and a total adds only counts of one metric.
"""

import streamlit as st

from dashboard import charts, filters, i18n, queries, ui

FIGURE_COLUMNS = ["is_corrected", "agency_name", "year", "year_basis", "span_text", "value", "metric", "is_target",
                  "qualifier", "sentence", "title", "issue_date"]


def metric_control(f, is_target: bool, lang: str) -> str | None:
    """Draw the choice of one metric (stage), most figures first, kept in the URL as ``metric``."""
    metrics = queries.count_metrics(f, is_target)
    keys = [k for k in metrics["metric_key"].tolist() if isinstance(k, str)]
    if not keys:
        return None
    wanted = filters.page_param("metric")
    if st.session_state.get("projects_metric") not in keys:
        st.session_state["projects_metric"] = wanted if wanted in keys else keys[0]
    key = st.selectbox(i18n.t("count_metric"), keys, key="projects_metric",
                       format_func=lambda k: charts.metric_label(k, lang))
    filters.set_page_param("metric", key)
    return key


def main() -> None:
    st.title(i18n.t("projects_title"))
    ui.require_database()
    lang, f = i18n.lang(), filters.current()
    ui.chart(charts.by_metric_year(queries.counts_by_year(f), lang, i18n.t("chart_projects_by_year"),
                                   (i18n.t("stages_note"), i18n.t("year_note"))), "projects_stages")
    if "projects_target" not in st.session_state:
        st.session_state["projects_target"] = "target" if filters.page_param("target") == "1" else "reported"
    left, right = st.columns([2, 3])
    with left:
        mode = st.segmented_control(i18n.t("reported_or_target"), ("reported", "target"), key="projects_target",
                                    format_func=lambda m: i18n.tr("reported" if m == "reported" else "targets", lang))
    is_target = mode == "target"
    filters.set_page_param("target", "1" if is_target else None)
    with right:
        metric = metric_control(f, is_target, lang)
    if metric is None:
        ui.empty()
        return

    frame = queries.counts_by_agency_year(f, is_target, metric)
    notes = (i18n.t("projects_note"), i18n.t("year_note"))
    title = i18n.t("projects_title") + " · " + charts.metric_label(metric, lang)
    figure = charts.by_agency_year(frame, lang, "count", title, notes)
    event = ui.chart(figure, "projects_chart", selectable=True)
    st.caption(i18n.t("select_hint"))
    picks = charts.picks_from_selection(event.selection if event else None)
    total = queries.figure_count(f, "count", (metric,), is_target, picks)
    st.subheader(i18n.t("selected_figures" if picks else "all_figures", n=f"{total:,}"))
    choices = [(i18n.t("count_metric"), charts.metric_label(metric, lang)),
               (i18n.t("reported_or_target"), i18n.t("targets" if is_target else "reported"))]
    if picks:
        choices.append((i18n.t("picked_bars"), charts.describe_picks(picks, charts.frame_labels(frame, lang), lang)))
    if total == 0:
        ui.empty()
    else:
        ui.paged_table(lambda limit, offset: queries.figure_rows(f, "count", (metric,), is_target, picks, limit,
                                                                 offset),
                       total, FIGURE_COLUMNS, "projects_figures", ("figures", "documents"), choices=choices)


main()
