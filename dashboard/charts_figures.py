"""Every reported figure (issue 15): values with their units, and one metric over the years by agency.

In: frames from ``dashboard.queries.reported_figure_*``. Out: value texts (``fmt_value``: 亿元 /
万元 for money, 家 / 个 / 人 / % as the unit says) and a Plotly figure of one metric's levels, one
line per agency, targets dashed, in the house style of ``dashboard.charts``. Pure: no
Streamlit, no database. A chart here never adds figures together: each point is one figure
(the newest document's, where an agency reports the metric several times for a year).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, i18n

WAN, YI = 1e4, 1e8
CURRENCIES = {"元": ("元", "CNY"), "美元": ("美元", "USD"), "港元": ("港元", "HKD"), "欧元": ("欧元", "EUR")}
SHARE_UNITS = {"%", "‰"}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def scale(unit: str, kind: str, max_value: float | None, lang: str) -> tuple[float, str]:
    """Return (divisor, unit text) for an axis of values in ``unit``: money in 亿 / 万, the rest as written.

    >>> scale("元", "money", 4.3e9, "zh"), scale("元", "money", 2e5, "zh"), scale("家", "count", 600, "zh")
    ((100000000.0, '亿元'), (10000.0, '万元'), (1.0, '家'))
    """
    if kind == "money" and unit in CURRENCIES:
        zh, code = CURRENCIES[unit]
        big = (max_value or 0) >= YI
        if lang == "en":
            return (YI, f"{code} 100m") if big else (WAN, f"{code} 10k")
        return (YI, f"亿{zh}") if big else (WAN, f"万{zh}")
    return 1.0, unit


def fmt_value(value, unit: str, kind: str, lang: str) -> str:
    """Return a value with its unit: money in 亿元 / 万元, shares with %, counts and measures as the unit says.

    >>> fmt_value(4.343e9, "元", "money", "zh"), fmt_value(1500, "家", "count", "zh"), fmt_value(32.45, "%", "share", "en")
    ('43.43 亿元', '1,500 家', '32.45%')
    >>> fmt_value(2e10, "条", "count", "zh"), fmt_value(188, "人", "count", "en")
    ('200 亿条', '188 人')
    """
    if _missing(value):
        return "—"
    value = float(value)
    if kind == "money" and unit == "元":
        return charts.fmt_money(value, lang)
    if kind == "money" and unit in CURRENCIES:
        divisor, text = scale(unit, kind, abs(value), lang)
        return f"{charts.short_number(value / divisor)} {text}"
    if unit in SHARE_UNITS:
        return f"{charts.short_number(value)}{unit}"
    if lang == "zh" and abs(value) >= YI:
        return f"{charts.short_number(value / YI)} 亿{unit}"
    if lang == "zh" and abs(value) >= 10 * WAN:
        return f"{charts.short_number(value / WAN)} 万{unit}"
    return f"{charts.short_number(value)} {unit}"


def with_value_text(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return ``rows`` with ``value_text`` (``fmt_value`` of value, unit and figure_kind)."""
    texts = [fmt_value(v, u, k, lang) for v, u, k in zip(rows["value"], rows["unit"], rows["figure_kind"])]
    return rows.assign(value_text=pd.Series(texts, index=rows.index, dtype="object"))


def agency_name(row: dict, lang: str) -> str:
    """Return the name a figure's agency is shown under (English when there is one, "(no agency)" when none)."""
    if _missing(row.get("agency_key")) or row.get("agency_key") is None:
        return i18n.tr("fig_no_agency", lang)
    return charts.agency_label(row.get("canonical_name"), row.get("short_name"), row.get("name_en"), lang) \
        or str(row["agency_key"])


def metric_over_years(series: pd.DataFrame, lang: str, metric: str, unit: str, kind: str, cumulative: bool,
                      notes: tuple[str, ...] = ()) -> go.Figure:
    """Return one metric's levels over the years: a line per agency (reported solid, targets dashed).

    ``series`` is ``queries.reported_figure_series``; only its rows with ``is_cumulative ==
    cumulative`` are drawn (running totals go in a chart of their own). The points are values,
    never sums; the hover says how many figures a point stands for and their range.
    """
    key = "fig_chart_cumulative_title" if cumulative else "fig_chart_title"
    part = series[series["is_cumulative"] == cumulative] if not series.empty else series
    divisor, unit_text = scale(unit, kind, float(part["value"].abs().max()) if not part.empty else None, lang)
    title = i18n.tr(key, lang, metric=metric, unit=unit_text)
    if part.empty:
        return charts.empty_figure(title, lang)
    fig = go.Figure()
    order = list(dict.fromkeys(part["agency_key"].where(part["agency_key"].notna(), "").tolist()))
    for i, agency in enumerate(order):
        color = charts.YEAR_COLORS[i % len(charts.YEAR_COLORS)]
        mine = part[part["agency_key"].where(part["agency_key"].notna(), "") == agency]
        for is_target in (False, True):
            rows = mine[mine["is_target"] == is_target].sort_values("year")
            if rows.empty:
                continue
            records = rows.to_dict("records")
            label = agency_name(records[0], lang)
            name = i18n.tr("fig_target_series" if is_target else "fig_reported_series", lang, agency=label)
            hover = []
            for r in records:
                text = f"{name} · {int(r['year'])}: {fmt_value(r['value'], unit, kind, lang)}"
                if int(r["n_figures"]) > 1:
                    text += "<br>" + i18n.tr("fig_hover_several", lang, n=int(r["n_figures"]),
                                             lo=fmt_value(r["min_value"], unit, kind, lang),
                                             hi=fmt_value(r["max_value"], unit, kind, lang))
                hover.append(text)
            fig.add_scatter(
                x=[str(int(y)) for y in rows["year"]], y=(rows["value"] / divisor).tolist(), name=name,
                mode="lines+markers", legendgroup=str(agency),
                line={"color": color, "width": 3, "dash": "dash" if is_target else "solid"},
                marker={"color": "#ffffff" if is_target else color, "size": 11,
                        "line": {"color": color, "width": 2}, "symbol": "circle"},
                customdata=rows["figure_id"].tolist(), hovertext=hover, hovertemplate="%{hovertext}<extra></extra>")
    fig.update_xaxes(type="category", categoryorder="category ascending", title=None)
    fig.update_yaxes(title=unit_text, gridcolor="#e9ecef", rangemode="tozero")
    charts.house_layout(fig, title, 380, notes)
    if len(fig.data) == 1:  # one line still names its agency
        fig.update_layout(showlegend=True, margin={"t": fig.layout.margin.t + 28}, height=fig.layout.height + 28)
    return fig
