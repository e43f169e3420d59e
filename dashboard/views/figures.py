"""Figures: every reported number, searched by metric words and filtered; one metric charted over the years
by agency (levels only, running totals apart); a paged table whose rows open their sentence in the reader."""

import streamlit as st

from dashboard import charts_figures, filters, highlight, i18n, queries, ui

KINDS = ("money", "count", "share", "measure")
COLUMNS = ["value_text", "metric", "span_text", "figure_kind", "qualifier", "year", "year_basis", "is_cumulative",
           "is_change", "is_target", "figure_agency", "sentence", "title", "issue_date"]
EXPORT_COLUMNS = COLUMNS[:1] + ["value", "unit"] + COLUMNS[1:] + ["doc_id", "char_start", "char_end"]
TABLES = ("reported_figures", "documents")
SPLIT = "\t"  # joins a metric and its unit in the chart's metric choice


def controls(choices: queries.FigureChoices, lang: str) -> tuple[queries.FigureQuery, list[tuple[str, str]]]:
    """Draw the page's filters; return them as a query and in words (for the downloads' filter sheet)."""
    f = filters.current()
    top = st.columns([3, 2, 3])
    text = top[0].text_input(i18n.t("fig_search"), key="fig_q", help=i18n.t("fig_search_help"),
                             placeholder="高新技术企业")
    kinds = top[1].pills(i18n.t("fig_kinds"), KINDS, selection_mode="multi", key="fig_kinds",
                         format_func=lambda k: i18n.vocab("figure_kind", k, lang)) or []
    units_shown = choices.units if not kinds else choices.units[choices.units["kind"].isin(kinds)]
    unit_names = units_shown["unit"].tolist()
    st.session_state["fig_units"] = [u for u in st.session_state.get("fig_units") or [] if u in unit_names]
    units = top[2].multiselect(i18n.t("fig_units"), unit_names, key="fig_units", placeholder=i18n.t("all"),
                               format_func=lambda u: f"{u} ({int(units_shown.set_index('unit').at[u, 'n']):,})")

    middle = st.columns([3, 2])
    agencies = queries.reported_figure_agencies(f)
    names = {("" if a is None or a != a else a): charts_figures.agency_name(r, lang)
             for a, r in zip(agencies["agency_key"], agencies.to_dict("records"))}
    st.session_state["fig_agencies"] = [a for a in st.session_state.get("fig_agencies") or [] if a in names]
    picked = middle[0].multiselect(i18n.t("fig_agencies"), list(names), key="fig_agencies", placeholder=i18n.t("all"),
                                   format_func=lambda a: names.get(a, a), help=i18n.t("fig_agencies_help"))
    years = None
    if choices.years and choices.years[0] < choices.years[1]:
        lo, hi = st.session_state.get("fig_years") or choices.years
        st.session_state["fig_years"] = (max(choices.years[0], min(int(lo), choices.years[1])),
                                         min(choices.years[1], max(int(hi), choices.years[0])))
        chosen = middle[1].slider(i18n.t("fig_years"), min_value=choices.years[0], max_value=choices.years[1],
                                  key="fig_years", step=1, help=i18n.t("year_note"))
        years = None if tuple(chosen) == tuple(choices.years) else (int(chosen[0]), int(chosen[1]))

    flags = st.columns(3)
    sides = {}
    for col, (name, options) in zip(flags, (("cumulative", queries.CUMULATIVE_CHOICES),
                                            ("change", queries.CHANGE_CHOICES),
                                            ("target", queries.TARGET_CHOICES))):
        st.session_state.setdefault(f"fig_{name}", "all")
        value = col.segmented_control(i18n.t(f"fig_{name}"), options, key=f"fig_{name}",
                                      format_func=lambda c: i18n.tr(f"fig_choice_{c}", lang))
        sides[name] = value if value in options else "all"

    q = queries.FigureQuery(words=queries.metric_words(text), units=tuple(units), kinds=tuple(kinds),
                            agencies=tuple(picked), years=years, **sides)
    words = [(i18n.t("fig_search"), " ".join(q.words))] if q.words else []
    words += [(i18n.t("fig_kinds"), "、".join(i18n.vocab("figure_kind", k, lang) for k in q.kinds))] if q.kinds else []
    words += [(i18n.t("fig_units"), "、".join(q.units))] if q.units else []
    words += [(i18n.t("fig_agencies"), "、".join(names.get(a, a) for a in q.agencies))] if q.agencies else []
    words += [(i18n.t("fig_years"), f"{years[0]}–{years[1]}")] if years else []
    words += [(i18n.t(f"fig_{n}"), i18n.t(f"fig_choice_{v}")) for n, v in sides.items() if v != "all"]
    return q, words


def chart(f, q: queries.FigureQuery, lang: str) -> None:
    """Chart one metric (with one unit) over the years by agency: levels only, running totals apart."""
    st.subheader(i18n.t("fig_chart_heading"))
    metrics = queries.reported_figure_metrics(f, q)
    metrics = metrics[metrics["n_levels"] > 0]
    if metrics.empty:
        st.info(i18n.t("fig_chart_none"))
        return
    options = [f"{m}{SPLIT}{u}" for m, u in zip(metrics["metric"], metrics["unit"])]
    counts = dict(zip(options, metrics["n_levels"]))
    kinds = dict(zip(options, metrics["kind"]))
    if st.session_state.get("fig_metric") not in options:
        st.session_state["fig_metric"] = options[0]
    choice = st.selectbox(i18n.t("fig_chart_metric"), options, key="fig_metric",
                          format_func=lambda o: i18n.tr("fig_chart_metric_option", lang, metric=o.split(SPLIT)[0],
                                                        unit=o.split(SPLIT)[1], n=f"{int(counts[o]):,}"))
    metric, unit = choice.split(SPLIT)
    kind = kinds[choice]
    series = queries.reported_figure_series(f, q, metric, unit)
    stats = queries.reported_figure_series_stats(f, q, metric, unit)
    notes = [i18n.t("fig_chart_note"), i18n.t("fig_chart_note_latest")]
    if (~series["is_cumulative"] & series["is_target"]).any():
        notes.append(i18n.t("fig_chart_target_note"))
    annual, running = (~series["is_cumulative"]).any(), series["is_cumulative"].any()
    if annual or not running:
        ui.chart(charts_figures.metric_over_years(series, lang, metric, unit, kind, False, tuple(notes)),
                 "figures_chart")
    if running:
        ui.chart(charts_figures.metric_over_years(series, lang, metric, unit, kind, True,
                                                  () if annual else tuple(notes)), "figures_chart_cumulative")
    left_out = []
    parts = [i18n.t(key, n=f"{stats[name]:,}") for key, name in (("fig_left_changes", "n_changes"),
                                                                  ("fig_left_no_year", "n_no_year")) if stats[name]]
    if parts:
        left_out.append(i18n.t("fig_chart_left_out", parts=ui.join(parts, lang)))
    if series["agency_key"].nunique(dropna=False) >= queries.FIGURE_SERIES_AGENCIES:
        left_out.append(i18n.t("fig_chart_top", n=queries.FIGURE_SERIES_AGENCIES))
    if left_out:
        st.caption(" ".join(left_out))


def _rows(f, q, lang: str, limit, offset):
    rows = charts_figures.with_value_text(queries.reported_figure_rows(f, q, limit, offset), lang)
    none = i18n.tr("fig_no_agency", lang)
    rows["figure_agency"] = rows["agency_name"].where(rows["agency_name"].notna(), none)
    rows["figure_agency_en"] = rows["agency_name_en"].where(rows["agency_name_en"].notna(), rows["figure_agency"])
    return rows


def sentence(row, lang: str) -> None:
    """Show the chosen figure framed in its sentence, and the way to the reader."""
    text, start = str(row["sentence"]), int(row["sentence_start"])
    st.markdown(f"**{i18n.t('fig_sentence')}** · {row['title'] or ''} · {row['value_text']}")
    st.html(highlight.page(highlight.framed(text, int(row["char_start"]) - start, int(row["char_end"]) - start,
                                            0, len(text), "figure-pick"), "30vh"))
    ui.link("documents", "fig_open_reader", doc=row["doc_id"], figure=row["figure_id"])


def main() -> None:
    st.title(i18n.t("figures_title"))
    ui.require_database()
    lang, f = i18n.lang(), filters.current()
    choices = queries.reported_figure_choices()
    if choices.n_figures == 0:
        st.info(i18n.t("fig_none_loaded"))
        return
    st.caption(i18n.t("figures_intro"))
    q, described = controls(choices, lang)
    total = queries.reported_figure_count(f, q)
    st.markdown(f"**{i18n.t('fig_matching', n=f'{total:,}', total=f'{choices.n_figures:,}')}**")
    if total == 0:
        ui.empty()
        return
    chart(f, q, lang)

    st.subheader(i18n.t("fig_table_heading", n=f"{total:,}"))
    st.caption(i18n.t("fig_select_hint"))
    rows, picked = ui.paged_table(lambda limit, offset: _rows(f, q, lang, limit, offset), total, COLUMNS, "figures",
                                  TABLES, selectable=True, height=420, export_columns=EXPORT_COLUMNS,
                                  column_config={"sentence": st.column_config.TextColumn(width="large"),
                                                 "metric": st.column_config.TextColumn(width="medium")},
                                  choices=described)
    if picked:
        sentence(rows.iloc[picked[0]], lang)


main()
