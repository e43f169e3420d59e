"""Shared page pieces: the database gate, tables with CSV/XLSX downloads, headline tiles.

Pages call these so every table looks, downloads and labels itself the same way.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Callable

import pandas as pd
import streamlit as st

from dashboard import exports, filters, i18n, queries

PAGE_ROWS = 200
"""Rows a table shows at a time; the rest are a page number away (and all are in the downloads)."""
EXPORT_MAX_ROWS = 1_048_575
"""Excel's sheet limit less the header row: what a download holds at most."""


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
          export_columns: list[str] | None = None) -> list[int]:
    """Show ``frame[columns]`` with headers in the UI language and CSV/XLSX downloads of exactly its rows.

    ``export_columns`` (default: ``columns``) lets a download carry what the screen shortens.
    Returns the selected row positions when ``selectable``. For long lists use ``paged_table``.
    """
    lang = i18n.lang()
    shown = exports.localize(frame, lang, columns, tables)
    rows = _show(shown, key, selectable, height, column_config, tables)
    downloads(shown if export_columns is None else exports.localize(frame, lang, export_columns, tables), key)
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
    downloads(lambda: exports.localize(fetch(EXPORT_MAX_ROWS, 0), lang, cols, tables), key, n_rows=total,
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


def downloads(shown: pd.DataFrame | Callable[[], pd.DataFrame], key: str, n_rows: int | None = None,
              choices: list[tuple[str, str]] | None = None) -> None:
    """Offer the localized table as CSV (UTF-8 with BOM) and XLSX with a sheet naming the filters.

    ``shown`` may be a function giving the table: it then runs only when a button is clicked.
    ``choices`` are the page's own filters in words (name, value), recorded after the sidebar's.
    """
    lang = i18n.lang()
    stamp = dt.date.today().isoformat()
    described = filters.describe(filters.current(), lang, options()) + list(choices or [])
    table = shown if callable(shown) else (lambda: shown)
    n = len(shown) if n_rows is None and not callable(shown) else int(n_rows or 0)
    left, right, note = st.columns([1, 1, 4])
    with left:
        st.download_button(i18n.t("download_csv"), data=lambda: exports.to_csv_bytes(table()),
                           file_name=f"{key}_{stamp}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore",
                           icon=":material/download:")
    with right:
        st.download_button(i18n.t("download_xlsx"),
                           data=lambda: exports.to_xlsx_bytes(table(), described, lang, str(queries.db_path())),
                           file_name=f"{key}_{stamp}.xlsx", key=f"{key}_xlsx", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/table:")
    with note:
        caption = i18n.t("rows", n=f"{n:,}") + " · " + i18n.t("corrected_mark")
        if n > EXPORT_MAX_ROWS:
            caption += " · " + i18n.t("export_cut", n=f"{EXPORT_MAX_ROWS:,}")
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


def empty() -> None:
    """Say there is nothing for these filters."""
    st.info(i18n.t("empty"))


def link(page_key: str, label_key: str, **extra: str) -> None:
    """Link to one of the dashboard's pages, keeping the filters and language in the URL."""
    from dashboard.filters_state import to_query

    st.page_link(f"views/{page_key}.py", label=i18n.t(label_key),
                 query_params=to_query(filters.current(), i18n.lang(), page_key, extra))
