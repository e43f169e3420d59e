"""Funding: money of one kind by agency × year (亿元), reported or target; a bar leads to its sentences.

One kind at a time (fiscal spending first): fiscal spending, funds, financing and economic
figures are different things and no bar adds them. Subsidy rates (per recipient) are listed apart.
"""

import streamlit as st

from dashboard import charts, filters, i18n, queries, ui

RATES = "subsidy_rate"
KINDS = (*queries.SUMMED_KINDS, RATES)
FIGURE_COLUMNS = ["is_corrected", "agency_name", "year", "year_basis", "span_text", "amount_yiyuan", "money_kind",
                  "is_target", "qualifier", "sentence", "title", "issue_date"]


def controls() -> tuple[str, bool]:
    """Draw the kind and reported/target controls (kept in the URL); return their values."""
    lang = i18n.lang()
    if "funding_target" not in st.session_state:
        st.session_state["funding_target"] = "target" if filters.page_param("target") == "1" else "reported"
    left, right = st.columns([3, 2])
    with left:
        kind = ui.kind_control("funding_kind", KINDS)
    with right:
        mode = st.segmented_control(i18n.t("reported_or_target"), ("reported", "target"), key="funding_target",
                                    format_func=lambda m: i18n.tr("reported" if m == "reported" else "targets", lang))
    is_target = mode == "target"
    filters.set_page_param("target", "1" if is_target else None)
    return kind, is_target


def page_choices(kind: str, is_target: bool, picks: tuple[str, ...], labels: dict, lang: str) -> list[tuple[str, str]]:
    """The page's own choices in words, for its downloads' filter record."""
    rows = [(i18n.tr("money_kinds", lang), i18n.vocab("money_kind", kind, lang)),
            (i18n.tr("reported_or_target", lang), i18n.tr("targets" if is_target else "reported", lang))]
    if picks:
        rows.append((i18n.tr("picked_bars", lang), charts.describe_picks(picks, labels, lang)))
    return rows


def main() -> None:
    st.title(i18n.t("funding_title"))
    ui.require_database()
    lang, f = i18n.lang(), filters.current()
    kind, is_target = controls()

    if kind != RATES:
        frame = queries.funding_by_agency_year(f, kind, is_target)
        notes = (i18n.t(f"kind_help_{kind}"), i18n.t("year_note"))
        title = i18n.t("funding_title") + " · " + i18n.vocab("money_kind", kind, lang)
        figure = charts.by_agency_year(frame, lang, "money", title, notes)
        event = ui.chart(figure, "funding_chart", selectable=True)
        st.caption(i18n.t("select_hint"))
        merged = queries.merged_citations(f, "money", (kind,), is_target)  # one fact counted once
        if merged["n_merged"]:
            st.caption(i18n.t("merged_note", n=f"{merged['n_merged']:,}",
                              amount=charts.fmt_money(merged["amount_merged"], lang)))
        picks = charts.picks_from_selection(event.selection if event else None)
        total = queries.figure_count(f, "money", (kind,), is_target, picks)
        st.subheader(i18n.t("selected_figures" if picks else "all_figures", n=f"{total:,}"))
        if total == 0:
            ui.empty()
        else:
            ui.paged_table(lambda limit, offset: queries.figure_rows(f, "money", (kind,), is_target, picks,
                                                                     limit, offset),
                           total, FIGURE_COLUMNS, "funding_figures", ("figures", "documents"),
                           choices=page_choices(kind, is_target, picks, charts.frame_labels(frame, lang), lang))
        running = queries.figure_count(f, "money", (kind,), is_target, cumulative=True)
        if running:
            st.subheader(i18n.t("cumulative_title") + f" ({running:,})")
            ui.paged_table(lambda limit, offset: queries.figure_rows(f, "money", (kind,), is_target, (), limit, offset,
                                                                     cumulative=True),
                           running, FIGURE_COLUMNS, "funding_cumulative", ("figures", "documents"),
                           choices=page_choices(kind, is_target, (), {}, lang) + [(i18n.t("cumulative_title"), "✓")])
    else:
        total = queries.figure_count(f, "money", (RATES,), is_target)
        rates = queries.subsidy_rates(f, is_target, limit=ui.PAGE_ROWS)
        ui.chart(charts.subsidy_points(rates, lang), "funding_rates")
        if total == 0:
            ui.empty()
        else:
            if total > len(rates):
                st.caption(i18n.t("rates_largest", n=len(rates), total=f"{total:,}"))
            ui.paged_table(lambda limit, offset: queries.subsidy_rates(f, is_target, limit, offset), total,
                           FIGURE_COLUMNS, "funding_subsidy_rates", ("figures", "documents"),
                           choices=page_choices(kind, is_target, (), {}, lang))


main()
