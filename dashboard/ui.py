"""Shared page pieces: the database gate, tables with CSV/XLSX downloads, headline tiles.

Pages call these so every table looks, downloads and labels itself the same way.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Callable

import pandas as pd
import streamlit as st

from dashboard import exports, filters, i18n, queries
from dashboard.data import connection

PAGE_ROWS = 200
"""Rows a table shows at a time; the rest are a page number away (and all are in the downloads)."""


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text) -> str:
    r"""Return a document's or an analyst's words for ``st.markdown``: every Markdown, HTML and
    LaTeX character escaped, so ``![x](http://…)`` or ``<img>`` is shown as written, never run.

    >>> print(plain("![x](u) <b>"))
    \!\[x\]\(u\) \<b\>
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", "" if text is None else str(text))


def require_database() -> None:
    """Stop the page with a plain message (which command to run) unless the database is usable."""
    status = queries.database_status()
    if status.state == "missing":
        st.info(f"**{i18n.t('no_db_title')}**\n\n" + i18n.t("no_db_body", path=status.path))
        st.stop()
    if status.state == "empty":
        st.info(i18n.t("db_empty", path=status.path))
        st.stop()
    if status.state == "busy":
        st.warning(i18n.t("db_busy"))
        st.stop()
    if status.state == "outdated":
        st.warning(i18n.t("db_outdated", path=status.path))
        st.stop()
    if status.state == "broken":
        st.error(i18n.t("db_broken", path=status.path, reason=status.reason))
        st.stop()
    warning = queries.corrections_warning()
    if warning:
        st.warning(i18n.t("corrections_failed", reason=warning))


def options():
    """Return the sidebar options (cached per database file)."""
    return queries.filter_options()


def table(frame: pd.DataFrame, columns: list[str], key: str, tables: tuple[str, ...] = (),
          selectable: bool = False, height: int | str = "auto", column_config: dict | None = None,
          export_columns: list[str] | None = None, choices: list[tuple[str, str]] | None = None) -> list[int]:
    """Show ``frame[columns]`` with headers in the UI language and CSV/XLSX downloads of exactly its rows.

    ``export_columns`` (default: ``columns``) lets a download carry what the screen shortens.
    Returns the selected row positions when ``selectable``. For long lists use ``paged_table``.
    """
    lang = i18n.lang()
    shown = exports.localize(frame, lang, columns, tables)
    rows = _show(shown, key, selectable, height, column_config, tables)
    downloads(shown if export_columns is None else exports.localize(frame, lang, export_columns, tables), key,
              choices=choices)
    return rows


def paged_table(fetch: Callable[[int | None, int], pd.DataFrame], total: int, columns: list[str], key: str,
                tables: tuple[str, ...] = (), selectable: bool = False, height: int | str = "auto",
                column_config: dict | None = None, export_columns: list[str] | None = None,
                choices: list[tuple[str, str]] | None = None) -> tuple[pd.DataFrame, list[int]]:
    """Show ``total`` rows a page at a time (``fetch(limit, offset)`` gives a page) with downloads of all.

    The page number is a widget under the table when there is more than one page; the downloads
    fetch every row (up to Excel's sheet limit) only when clicked. Returns the shown page and
    the selected positions in it.
    """
    pages = max(1, math.ceil(total / PAGE_ROWS))
    number = 1
    if pages > 1:
        state = f"{key}_page"
        if int(st.session_state.get(state) or 1) > pages:
            st.session_state[state] = pages
        number = int(st.session_state.get(state) or 1)
    offset = (number - 1) * PAGE_ROWS
    frame = fetch(PAGE_ROWS, offset)
    lang = i18n.lang()
    shown = exports.localize(frame, lang, columns, tables)
    rows = _show(shown, key, selectable, height, column_config, tables)
    if pages > 1:
        left, right = st.columns([1, 4])
        left.number_input(i18n.t("table_page"), min_value=1, max_value=pages, step=1, key=f"{key}_page")
        right.caption(i18n.t("rows_of", a=f"{offset + 1:,}", b=f"{offset + len(frame):,}", n=f"{total:,}"))
    cols = export_columns or columns
    downloads(lambda: exports.localize(fetch(exports.EXPORT_ROWS_MAX, 0), lang, cols, tables), key, n_rows=total,
              choices=choices)
    return frame, rows


def _show(shown: pd.DataFrame, key: str, selectable: bool, height, column_config, tables) -> list[int]:
    lang = i18n.lang()
    config = {i18n.column_label(c, lang, tables): v for c, v in (column_config or {}).items()}
    kwargs = {"hide_index": True, "width": "stretch", "height": height, "column_config": config, "key": f"{key}_table"}
    screen = exports.for_screen(shown)
    if selectable:
        event = st.dataframe(screen, on_select="rerun", selection_mode="single-row", **kwargs)
        return list(event.selection.rows) if event is not None else []
    st.dataframe(screen, **kwargs)
    return []


def filter_record(choices: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """Return every filter that shapes a download: the sidebar's, the page's own choices, the page itself."""
    lang = i18n.lang()
    page = st.session_state.get("_current_page")
    rows = [(i18n.t("export_page"), i18n.t(f"page_{page}"))] if page else []
    return rows + filters.describe(filters.current(), lang, options()) + list(choices or [])


def filters_csv_bytes(record: list[tuple[str, str]], n_rows: int, source: str, lang: str) -> bytes:
    """Return the filter record as a two-column CSV (the sidecar of a CSV download: the data file stays plain)."""
    rows = list(record) + [(i18n.tr("row_count", lang), f"{n_rows}"),
                           (i18n.tr("exported_at", lang), dt.datetime.now().replace(microsecond=0).isoformat(" ")),
                           (i18n.tr("database", lang), source)]
    return exports.to_csv_bytes(pd.DataFrame(rows, columns=[i18n.tr("filters", lang), i18n.tr("filter_value", lang)]))


def downloads(shown: pd.DataFrame | Callable[[], pd.DataFrame], key: str, n_rows: int | None = None,
              choices: list[tuple[str, str]] | None = None) -> None:
    """Offer the localized table as CSV (UTF-8 with BOM, with a sidecar CSV of its filters) and XLSX with a sheet
    naming the filters.

    ``shown`` may be a function giving the table: it then runs only when a button is clicked.
    ``choices`` are the page's own controls in words (money kind, reported or target, picked bars …).
    The record names the database by its file name, never by a path on the server.
    """
    lang = i18n.lang()
    stamp = dt.date.today().isoformat()
    described = filter_record(choices)
    source = connection.db_path().name
    table = shown if callable(shown) else (lambda: shown)
    n = len(shown) if n_rows is None and not callable(shown) else int(n_rows or 0)
    left, middle, right, note = st.columns([1, 1, 1, 3])
    with left:
        st.download_button(i18n.t("download_csv"), data=lambda: exports.to_csv_bytes(table()),
                           file_name=f"{key}_{stamp}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore",
                           icon=":material/download:")
    with middle:
        st.download_button(i18n.t("download_filters_csv"), data=lambda: filters_csv_bytes(described, n, source, lang),
                           file_name=f"{key}_{stamp}_filters.csv", mime="text/csv", key=f"{key}_csv_filters",
                           on_click="ignore", icon=":material/filter_alt:", help=i18n.t("download_filters_help"))
    with right:
        st.download_button(i18n.t("download_xlsx"),
                           data=lambda: exports.to_xlsx_bytes(table(), described, lang, source),
                           file_name=f"{key}_{stamp}.xlsx", key=f"{key}_xlsx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/table:")
    with note:
        caption = i18n.t("rows", n=f"{n:,}") + " · " + i18n.t("corrected_mark")
        if n > exports.EXPORT_ROWS_MAX:
            caption += " · " + i18n.t("export_cut", n=f"{exports.EXPORT_ROWS_MAX:,}")
        st.caption(caption)


def chart(fig, key: str, selectable: bool = False):
    """Show a Plotly figure as drawn by ``charts`` (our fonts and colours, not the theme's).

    With ``selectable``, clicking or box-selecting bars reruns the page; returns the event.
    """
    config = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d"]}
    if selectable:
        return st.plotly_chart(fig, key=key, theme=None, config=config, on_select="rerun",
                               selection_mode=("points", "box"))
    st.plotly_chart(fig, key=key, theme=None, config=config)
    return None


def join(values, lang: str) -> str:
    """Join names for a sentence: 、 in Chinese, a comma in English."""
    return ("、" if lang == "zh" else ", ").join(values)


def deadline_tiles(states: pd.DataFrame) -> None:
    """Show overdue (split by deadline basis), due within 90 days, no deadline, completed or dropped.

    ``states`` is ``queries.deadline_states``: the same counts on every page that shows them.
    """
    lang = i18n.lang()
    n = states.groupby("deadline_bucket")["n_commitments"].sum().to_dict() if len(states) else {}
    overdue = states[states["deadline_bucket"] == "overdue"].groupby("deadline_basis")["n_commitments"].sum()
    parts = join([f"{i18n.vocab('deadline_basis', b, lang)} {int(overdue[b]):,}" for b in overdue.index
                     if overdue[b]], lang)
    cols = st.columns(4)
    cols[0].metric(i18n.t("kpi_overdue"), f"{int(n.get('overdue', 0)):,}", help=i18n.t("overdue_rule"))
    if parts:
        cols[0].caption(i18n.t("overdue_by_basis", parts=parts))
    cols[1].metric(i18n.t("kpi_due_90"), f"{int(n.get('due_30', 0) + n.get('due_90', 0)):,}")
    cols[2].metric(i18n.t("kpi_no_deadline"), f"{int(n.get('none', 0)):,}")
    cols[3].metric(i18n.t("kpi_closed"), f"{int(n.get('completed', 0) + n.get('dropped', 0)):,}")
    overdue_rule()


def kind_control(key: str, kinds: tuple[str, ...] | None = None) -> str:
    """Draw a choice of one money kind (kept in the URL as ``kind``); return it (fiscal spending by default).

    One kind at a time: fiscal spending, funds, financing and economic figures are never added together.
    """
    kinds = kinds or queries.SUMMED_KINDS
    if key not in st.session_state:
        wanted = filters.page_param("kind")
        st.session_state[key] = wanted if wanted in kinds else queries.DEFAULT_KIND
    lang = i18n.lang()
    kind = st.segmented_control(i18n.t("money_kind_one"), kinds, key=key,
                                format_func=lambda k: i18n.vocab("money_kind", k, lang))
    kind = kind if kind in kinds else queries.DEFAULT_KIND
    filters.set_page_param("kind", None if kind == queries.DEFAULT_KIND else kind)
    return kind


def overdue_rule() -> None:
    """Say what overdue means (``review.values.OVERDUE_RULE``), under every count of it."""
    st.caption(i18n.t("overdue_rule"))


def empty() -> None:
    """Say there is nothing for these filters."""
    st.info(i18n.t("empty"))


def link(page_key: str, label_key: str, **extra: str) -> None:
    """Link to one of the dashboard's pages, keeping the filters and language in the URL."""
    from dashboard.filters_state import to_query

    st.page_link(f"views/{page_key}.py", label=i18n.t(label_key),
                 query_params=to_query(filters.current(), i18n.lang(), page_key, extra))
