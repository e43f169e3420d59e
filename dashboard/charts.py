"""Turn query results into Plotly figures: pure functions of DataFrames and the language.

In: frames from ``dashboard/queries.py``. Out: ``plotly.graph_objects.Figure``s sized and
lettered for a meeting-room screen, with units (亿元 / 万元 / 个) on axes and labels, and
``customdata`` carrying what a click selects (``pick_of``). No Streamlit, no database.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard import i18n

pio.templates.default = "plotly_white"
"""The house template, set once: a figure takes it when made, where setting it on each figure costs 10 ms
(plotly validates and copies the whole template)."""

FONT = "'Noto Sans CJK SC', 'WenQuanYi Zen Hei', 'Microsoft YaHei', 'PingFang SC', 'Helvetica Neue', sans-serif"
FONT_SIZE = 16
YEAR_COLORS = ("#1971C2", "#F08C00", "#2F9E44", "#C2255C", "#7048E8", "#0C8599", "#E8590C", "#5C940D",
               "#862E9C", "#364FC7")
UNKNOWN_COLOR = "#868E96"
BUCKET_COLORS = {"overdue": "#E03131", "due_30": "#F76707", "due_90": "#FAB005", "later": "#2F9E44",
                 "none": "#ADB5BD", "completed": "#1F7A1F", "dropped": "#5C5C5C"}
TARGET_COLORS = {False: "#1971C2", True: "#F08C00"}
BASIS_COLORS = {"explicit": "#C92A2A", "validity": "#F59F00", "reply_year": "#7048E8", "none": "#ADB5BD"}
"""Deadline bases: a date written in the text, the policy's term, the reply's year, none."""
TOP_N = 15
WAN, YI = 1e4, 1e8


# ---------------------------------------------------------------------------------------------
# Numbers and labels
# ---------------------------------------------------------------------------------------------

def money_unit(max_yuan: float | None) -> tuple[float, str]:
    """Return (divisor, unit key): 亿元 from 1 亿 up, else 万元.

    >>> money_unit(4.3e9)
    (100000000.0, 'unit_yi')
    >>> money_unit(2e5)
    (10000.0, 'unit_wan')
    """
    return (YI, "unit_yi") if (max_yuan or 0) >= YI else (WAN, "unit_wan")


def short_number(value: float) -> str:
    """Return a number with thousands separators and at most two decimals, fewer as it grows."""
    if value == 0:
        return "0"
    digits = 2 if abs(value) < 100 else 1 if abs(value) < 1000 else 0
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:,.0f}"


def fmt_money(yuan: float | None, lang: str) -> str:
    """Return an amount with its unit: 亿元 / 万元 in Chinese, CNY bn / m in English.

    >>> fmt_money(4.343e9, "zh"), fmt_money(2.56e7, "zh"), fmt_money(4.343e9, "en")
    ('43.43 亿元', '2,560 万元', 'CNY 4.34 bn')
    """
    if yuan is None or (isinstance(yuan, float) and math.isnan(yuan)):
        return "—"
    if lang == "en":
        if abs(yuan) >= 1e9:
            return f"CNY {short_number(yuan / 1e9)} bn"
        if abs(yuan) >= 1e6:
            return f"CNY {short_number(yuan / 1e6)} m"
        return f"CNY {short_number(yuan)}"
    divisor, unit = money_unit(abs(yuan))
    return f"{short_number(yuan / divisor)} {i18n.tr(unit, lang)}"


def fmt_count(n: float | None, lang: str) -> str:
    """Return a project count with its unit (个 / projects)."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "—"
    return f"{short_number(float(n))} {i18n.tr('unit_count', lang)}"


def agency_label(canonical, short, name_en, lang: str, use_short: bool = True) -> str:
    """Return an agency's display name (short name in Chinese, English name in English)."""
    def ok(v):
        return isinstance(v, str) and v != ""

    if lang == "en" and ok(name_en):
        return name_en.replace("Guangzhou Municipal ", "").replace("Guangzhou ", "")
    if use_short and ok(short):
        return short
    return canonical if ok(canonical) else i18n.tr("unknown_agency", lang)


def agency_labels(frame: pd.DataFrame, lang: str, key: str = "agency_key", canonical: str = "canonical_name",
                  short: str = "short_name", name_en: str = "name_en") -> dict:
    """Return agency key -> unique display label (short names that clash fall back to full names)."""
    rows = frame[[key, canonical, short, name_en]].drop_duplicates(subset=[key])
    labels = {}
    for r in rows.itertuples(index=False):
        k, c, s, e = r
        labels[_key(k)] = agency_label(c, s, e, lang) if not _blank(k) else i18n.tr("unknown_agency", lang)
    counts = pd.Series(list(labels.values())).value_counts()
    for r in rows.itertuples(index=False):
        k, c, s, e = r
        if not _blank(k) and counts.get(labels[_key(k)], 0) > 1:
            labels[_key(k)] = agency_label(c, s, e, lang, use_short=False)
    return labels


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v == ""


def _key(v) -> str:
    return "" if _blank(v) else str(v)


def _year_text(year, lang: str) -> str:
    return i18n.tr("unknown_year", lang) if _blank(year) else str(int(year))


def pick_of(agency_key, year) -> str:
    """Return the pick a bar stands for ("<agency_key>|<year>"), as ``queries.figure_rows`` takes."""
    return f"{_key(agency_key)}|{'' if _blank(year) else int(year)}"


def frame_labels(frame: pd.DataFrame, lang: str) -> dict:
    """Return agency key -> label of a chart frame (``by_agency_year``'s), as its bars are labelled."""
    return agency_labels(frame, lang) if len(frame) else {}


def describe_picks(picks, labels: dict, lang: str) -> str:
    """Return the picked bars in words ("市工信委 2016、市商务局 年份不详"), for an export's filter record."""
    out = []
    for pick in picks:
        key, _, year = str(pick).partition("|")
        agency = labels.get(key) or (i18n.tr("unknown_agency", lang) if not key else key)
        out.append(f"{agency} {year or i18n.tr('unknown_year', lang)}")
    return ("、" if lang == "zh" else "; ").join(out)


def picks_from_selection(selection) -> tuple[str, ...]:
    """Return the picks of the bars selected in ``st.plotly_chart(on_select=...)``'s state."""
    if not selection:
        return ()
    points = selection.get("points", []) if isinstance(selection, dict) else getattr(selection, "points", [])
    picks = []
    for p in points or []:
        data = p.get("customdata")
        if isinstance(data, (list, tuple)) and data and isinstance(data[0], str) and "|" in data[0]:
            picks.append(data[0])
    return tuple(dict.fromkeys(picks))


def _wrap_width(text: str, width: int) -> list[str]:
    """Cut ``text`` into lines of at most ``width`` display columns (a CJK character counts two)."""
    lines, line, used = [], "", 0
    for ch in str(text):
        w = 2 if ord(ch) > 0x2E80 else 1
        if used + w > width and line:
            lines.append(line)
            line, used = "", 0
        line += ch
        used += w
    return lines + ([line] if line else [])


def house_layout(fig: go.Figure, title: str, height: int, notes: tuple[str, ...] | list[str] = (),
                 width: int = 110, legend_below: bool = False) -> go.Figure:
    """Apply the house style: title and the notes at the top, then the legend, then the plot.

    Title and notes are cut at ``width`` display columns (a narrow column passes less), and the
    top margin holds every line, so nothing overlaps; ``legend_below`` puts a long legend under the plot.
    """
    title_lines = _wrap_width(title, max(width * 2 // 3, 20))
    note_lines = [piece for n in notes if n for piece in _wrap_width(n, width)]
    lines = [f"<b>{'<br>'.join(title_lines)}</b>"] + [f"<span style='font-size:15px;color:#495057'>{n}</span>"
                                                       for n in note_lines]
    legend = len(fig.data) > 1
    n_lines = len(title_lines) + len(note_lines)
    top = 62 + 24 * (n_lines - 1) + (36 if legend and not legend_below else 8)
    fig.update_layout(
        title={"text": "<br>".join(lines), "x": 0, "xanchor": "left", "yref": "container", "y": 1,
               "yanchor": "top", "pad": {"t": 26}, "font": {"size": 21}},
        font={"family": FONT, "size": FONT_SIZE, "color": "#212529"},
        height=height + top - 70 + (28 * len(fig.data) if legend_below else 0),
        margin={"l": 10, "r": 30, "t": top, "b": 50 + (28 * len(fig.data) if legend_below else 0)},
        showlegend=legend,
        legend=({"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0, "font": {"size": 14},
                 "traceorder": "normal"} if legend_below else
                {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 15},
                 "traceorder": "normal"}),
        hoverlabel={"font": {"family": FONT, "size": 15}, "align": "left"},
        uniformtext={"minsize": 13, "mode": "show"},
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff", bargap=0.25,
    )
    fig.update_xaxes(tickfont={"size": 15, "color": "#212529"}, title_font={"size": 16, "color": "#343a40"})
    fig.update_yaxes(tickfont={"size": 15, "color": "#212529"}, title_font={"size": 16, "color": "#343a40"})
    return fig


def empty_figure(title: str, lang: str) -> go.Figure:
    """Return a figure saying there is nothing to chart, in the house style."""
    fig = go.Figure()
    fig.add_annotation(text=i18n.tr("empty", lang), showarrow=False, font={"size": 18})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return house_layout(fig, title, 240)


# ---------------------------------------------------------------------------------------------
# Funding and projects
# ---------------------------------------------------------------------------------------------

def by_agency_year(frame: pd.DataFrame, lang: str, kind: str, title: str, notes: tuple[str, ...] = (),
                   top_n: int = TOP_N) -> go.Figure:
    """Return horizontal bars: one per agency, stacked by year (money in 亿元/万元, counts in 个).

    ``frame`` is ``queries.funding_by_agency_year`` / ``counts_by_agency_year``. Each segment's
    ``customdata[0]`` is its pick; hover lists the amounts as written and their documents.
    """
    if frame.empty:
        return empty_figure(title, lang)
    labels = agency_labels(frame, lang)
    data = frame.assign(label=[labels[_key(k)] for k in frame["agency_key"]])
    totals = _ranked(data, "total")
    shown = list(totals.index[:top_n])
    data = data[data["label"].isin(shown)]
    if kind == "money":
        divisor, unit_key = money_unit(float(totals.max()))
        axis = i18n.tr("axis_amount_yi" if unit_key == "unit_yi" else "axis_amount_wan", lang)
    else:
        divisor, unit_key, axis = 1.0, "unit_count", i18n.tr("axis_count", lang)
    unit = i18n.tr(unit_key, lang)
    order = list(reversed(shown))  # largest on top
    fig = go.Figure()
    years = sorted({y for y in data["year"] if not _blank(y)})
    year_list = years + ([None] if data["year"].isna().any() else [])
    for i, year in enumerate(year_list):
        part = data[data["year"].isna()] if year is None else data[data["year"] == year]
        color = UNKNOWN_COLOR if year is None else YEAR_COLORS[i % len(YEAR_COLORS)]
        hover = []
        for r in part.itertuples(index=False):
            examples = list(r.examples) if r.examples is not None else []
            lines = [f"<b>{r.label}</b> · {_year_text(r.year, lang)}",
                     f"{short_number(r.total / divisor)} {unit} · {i18n.tr('hover_figures', lang, n=r.n_figures)}"]
            lines += [_wrap(e) for e in examples]
            if r.n_figures > len(examples):
                lines.append(i18n.tr("hover_more", lang, n=r.n_figures - len(examples)))
            if r.is_corrected:
                lines.append(i18n.tr("hover_corrected", lang))
            hover.append("<br>".join(lines))
        fig.add_bar(
            y=part["label"], x=part["total"] / divisor, orientation="h", name=_year_text(year, lang),
            marker={"color": color}, customdata=[[pick_of(k, y), h] for k, y, h in
                                                 zip(part["agency_key"], part["year"], hover)],
            hovertemplate="%{customdata[1]}<extra></extra>",
        )
    for label in shown:
        total = totals[label]
        fig.add_annotation(x=total / divisor, y=label, text=f"{short_number(total / divisor)} {unit}", showarrow=False,
                           xanchor="left", xshift=6, font={"size": 15, "color": "#212529"})
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=order, title=None, automargin=True,
                     tickfont={"size": 16})
    fig.update_xaxes(title=axis, gridcolor="#e9ecef", rangemode="tozero",
                     range=[0, float(totals.max()) / divisor * 1.22])
    if len(totals) > top_n:
        notes = (*notes, i18n.tr("top_note", lang, n=top_n))
    return house_layout(fig, title, max(380, 150 + 46 * len(shown)), notes)


def _ranked(data: pd.DataFrame, value: str) -> pd.Series:
    """Return label -> total, largest first, ties broken by agency key: the same agencies in every language."""
    keys = data.assign(_k=[_key(k) for k in data["agency_key"]])
    sums = keys.groupby(["_k", "label"], sort=False)[value].sum().reset_index()
    sums = sums.sort_values([value, "_k"], ascending=[False, True], kind="mergesort")
    return pd.Series(sums[value].to_numpy(), index=sums["label"].to_numpy())


def _wrap(text: str, width: int = 40) -> str:
    text = str(text)
    return "<br>".join(text[i:i + width] for i in range(0, len(text), width))


def subsidy_points(frame: pd.DataFrame, lang: str) -> go.Figure:
    """Return the subsidy rates as points per agency (per recipient: nothing is summed)."""
    title = i18n.tr("subsidy_title", lang)
    if frame.empty:
        return empty_figure(title, lang)
    labels = agency_labels(frame, lang, canonical="agency_name", name_en="agency_name_en")
    data = frame.assign(label=[labels[_key(k)] for k in frame["agency_key"]])
    divisor, unit_key = money_unit(float(data["amount_yuan"].max()))
    unit = i18n.tr(unit_key, lang)
    hover = [f"<b>{s}</b> · {short_number(a / divisor)} {unit}<br>{_wrap(t or '')}<br>{_wrap(sent)}"
             for s, a, t, sent in zip(data["span_text"], data["amount_yuan"], data["title"], data["sentence"])]
    fig = go.Figure(go.Scatter(
        x=data["amount_yuan"] / divisor, y=data["label"], mode="markers+text",
        text=data["span_text"], textposition="top center",
        marker={"size": 16, "color": "#7048E8", "line": {"width": 1, "color": "#fff"}},
        customdata=[[f"{k}|", h] for k, h in zip(data["agency_key"].fillna(""), hover)],
        hovertemplate="%{customdata[1]}<extra></extra>", name="",
    ))
    axis = i18n.tr("axis_amount_yi" if unit_key == "unit_yi" else "axis_amount_wan", lang)
    fig.update_xaxes(title=axis, gridcolor="#e9ecef", rangemode="tozero")
    fig.update_yaxes(title=None, automargin=True)
    return house_layout(fig, title, max(300, 170 + 60 * data["label"].nunique()), [i18n.tr("subsidy_note", lang)])


def by_year(frame: pd.DataFrame, lang: str, kind: str, title: str, notes: tuple[str, ...] = (),
            width: int = 110) -> go.Figure:
    """Return grouped bars per year: reported vs target (money in 亿元, counts in 个)."""
    if frame.empty:
        return empty_figure(title, lang)
    value = "amount_yuan" if kind == "money" else "total"
    if kind == "money":
        divisor, unit_key = money_unit(float(frame[value].max()))
        axis = i18n.tr("axis_amount_yi" if unit_key == "unit_yi" else "axis_amount_wan", lang)
    else:
        divisor, unit_key, axis = 1.0, "unit_count", i18n.tr("axis_count", lang)
    unit = i18n.tr(unit_key, lang)
    fig = go.Figure()
    for is_target in (False, True):
        part = frame[frame["is_target"] == is_target]
        if part.empty:
            continue
        x = [_year_text(y, lang) for y in part["year"]]
        y = part[value] / divisor
        fig.add_bar(x=x, y=y, name=i18n.vocab("is_target", is_target, lang),
                    marker={"color": TARGET_COLORS[is_target]}, text=[f"{short_number(v)}" for v in y],
                    textposition="outside", cliponaxis=False,
                    hovertemplate=f"%{{x}}: %{{y:,.2f}} {unit}<extra></extra>")
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category", title=None, categoryorder="category ascending")
    fig.update_yaxes(title=axis, gridcolor="#e9ecef", rangemode="tozero")
    return house_layout(fig, title, 360, notes, width)


def metric_label(key, lang: str) -> str:
    """A count's metric: its funnel stage's name, else the metric as written."""
    return i18n.tr("unknown_metric", lang) if _blank(key) else i18n.vocab("metric_key", key, lang)


def by_metric_year(frame: pd.DataFrame, lang: str, title: str, notes: tuple[str, ...] = (), top_n: int = 6,
                   width: int = 110) -> go.Figure:
    """Return grouped bars per year, one bar per metric (stage): counts of different metrics are never stacked.

    ``frame`` is ``queries.counts_by_year`` (reported figures are drawn; targets are on the Projects page).
    """
    data = frame[~frame["is_target"].astype(bool)] if len(frame) else frame
    if data.empty:
        return empty_figure(title, lang)
    order = data.groupby("metric_key", dropna=False)["n_figures"].sum().sort_values(ascending=False)
    keys = list(order.index[:top_n])
    fig = go.Figure()
    for i, key in enumerate(keys):
        part = data[data["metric_key"].isna()] if _blank(key) else data[data["metric_key"] == key]
        label = metric_label(key, lang)
        fig.add_bar(x=[_year_text(y, lang) for y in part["year"]], y=part["total"], name=label,
                    marker={"color": YEAR_COLORS[i % len(YEAR_COLORS)]}, text=[short_number(v) for v in part["total"]],
                    textposition="outside", cliponaxis=False,
                    hovertemplate=f"{label} · %{{x}}: %{{y:,}} {i18n.tr('unit_count', lang)}<extra></extra>")
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category", title=None, categoryorder="category ascending")
    fig.update_yaxes(title=i18n.tr("axis_count", lang), gridcolor="#e9ecef", rangemode="tozero")
    if len(order) > top_n:
        notes = (*notes, i18n.tr("top_metrics_note", lang, n=top_n))
    return house_layout(fig, title, 380, notes, width, legend_below=True)


# ---------------------------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------------------------

def bucket_counts(frame: pd.DataFrame, lang: str, title: str, width: int = 110) -> go.Figure:
    """Return one bar per deadline status, stacked by deadline basis (``frame``: ``queries.deadline_states``).

    An overdue bar split into "stated in the text" and "policy term" tells a missed promise from
    an expired policy.
    """
    counts = frame.groupby("deadline_bucket")["n_commitments"].sum().astype(int).to_dict() if len(frame) else {}
    buckets = [b for b in BUCKET_COLORS if counts.get(b)]
    if not buckets:
        return empty_figure(title, lang)
    names = [i18n.vocab("deadline_bucket", b, lang) for b in buckets]
    fig = go.Figure()
    for basis, color in BASIS_COLORS.items():
        part = frame[frame["deadline_basis"] == basis].groupby("deadline_bucket")["n_commitments"].sum()
        if part.sum() == 0:
            continue
        y = [int(part.get(b, 0)) for b in buckets]
        label = i18n.vocab("deadline_basis", basis, lang)
        fig.add_bar(x=names, y=y, name=label, marker={"color": color},
                    hovertemplate="%{x} · " + label + ": %{y}<extra></extra>")
    for name, b in zip(names, buckets):
        fig.add_annotation(x=name, y=counts[b], text=f"{counts[b]:,}", showarrow=False, yshift=12,
                           font={"size": 15})
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=i18n.tr("axis_commitments", lang), gridcolor="#e9ecef", rangemode="tozero",
                     range=[0, max(counts.values()) * 1.18])
    fig.update_xaxes(title=None)
    return house_layout(fig, title, 360, [i18n.tr("basis_note", lang)], width)


def deadline_timeline(frame: pd.DataFrame, as_of: dt.date, lang: str) -> go.Figure:
    """Return deadlines on a time axis by first lead agency; marker size = how many share the mark.

    ``frame`` is ``queries.deadline_timeline``: one row per lead agency × date (or month) × status
    with ``n`` and up to three ``items`` (commitment texts) for the hover.
    """
    title = i18n.tr("timeline_title", lang)
    data = frame[frame["deadline_date"].notna()] if not frame.empty else frame
    if data.empty:
        return empty_figure(title, lang)
    labels = agency_labels(data, lang, key="lead_key", canonical="lead_name", short="lead_short", name_en="lead_en")
    granularity = data["granularity"].iloc[0] if "granularity" in data.columns else "day"
    shown_as = {"year": "%Y", "month": "%Y-%m"}.get(granularity, "%Y-%m-%d")
    data = data.assign(label=[labels[_key(k)] for k in data["lead_key"]],
                       day=pd.to_datetime(data["deadline_date"]).dt.date)
    fig = go.Figure()
    for bucket, color in BUCKET_COLORS.items():
        part = data[data["deadline_bucket"] == bucket]
        if part.empty:
            continue
        items = part["items"] if "items" in part.columns else [[]] * len(part)
        hover = [f"<b>{lab}</b> · {day.strftime(shown_as)}<br>{int(n)} · "
                 f"{i18n.vocab('deadline_bucket', bucket, lang)}"
                 + "".join("<br>" + _wrap(str(t)[:80]) for t in list(its if its is not None else [])[:3])
                 for lab, day, n, its in zip(part["label"], part["day"], part["n"], items)]
        fig.add_scatter(
            x=part["day"], y=part["label"], mode="markers+text", name=i18n.vocab("deadline_bucket", bucket, lang),
            marker={"size": [min(16 + 4 * math.sqrt(n), 44) for n in part["n"]], "color": color,
                    "line": {"width": 1, "color": "#fff"}},
            text=[_count_text(n) for n in part["n"]], textposition="middle center",
            textfont={"color": "#fff", "size": 13}, customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    fig.add_vline(x=dt.datetime.combine(as_of, dt.time()).timestamp() * 1000, line={"color": "#212529", "dash": "dash"})
    fig.add_annotation(x=as_of.isoformat(), y=1.02, yref="paper", text=i18n.tr("as_of_line", lang, d=as_of.isoformat()),
                       showarrow=False, xanchor="left", font={"size": 14})
    fig.update_xaxes(title=i18n.tr("axis_deadline", lang), gridcolor="#e9ecef", type="date")
    fig.update_yaxes(title=None, automargin=True, gridcolor="#f1f3f5")
    if granularity in ("month", "year"):
        fig.add_annotation(x=0, y=-0.12, xref="paper", yref="paper", showarrow=False, xanchor="left",
                           text=i18n.tr(f"timeline_by_{granularity}", lang), font={"size": 13})
    n = data["label"].nunique()
    return house_layout(fig, title, max(380, 150 + 40 * n), [i18n.tr("by_agency_note", lang)])


def _count_text(n) -> str:
    """A marker's count, short enough to fit inside it (1.2k for 1,234; 12k for 12,345)."""
    n = int(n)
    if n <= 1:
        return ""
    if n >= 9_950:
        return f"{n / 1000:.0f}k"
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)


def deadlines_by_agency(frame: pd.DataFrame, lang: str) -> go.Figure:
    """Return horizontal bars per lead agency stacked by deadline status."""
    title = i18n.tr("by_agency_title", lang)
    if frame.empty:
        return empty_figure(title, lang)
    labels = agency_labels(frame, lang)
    data = frame.assign(label=[labels[_key(k)] for k in frame["agency_key"]])
    totals = _ranked(data, "n_commitments")
    shown = list(totals.index[:TOP_N])
    data = data[data["label"].isin(shown)]
    fig = go.Figure()
    for bucket, color in BUCKET_COLORS.items():
        part = data[data["deadline_bucket"] == bucket]
        if part.empty:
            continue
        fig.add_bar(y=part["label"], x=part["n_commitments"], orientation="h",
                    name=i18n.vocab("deadline_bucket", bucket, lang), marker={"color": color},
                    hovertemplate="%{y}: %{x}<extra>" + i18n.vocab("deadline_bucket", bucket, lang) + "</extra>")
    for label in shown:
        fig.add_annotation(x=totals[label], y=label, text=str(int(totals[label])), showarrow=False, xanchor="left",
                           xshift=6, font={"size": 15})
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(shown)), title=None, automargin=True)
    fig.update_xaxes(title=i18n.tr("axis_commitments", lang), gridcolor="#e9ecef", rangemode="tozero",
                     range=[0, float(totals.max()) * 1.15])
    notes = [i18n.tr("by_agency_note", lang)]
    if len(totals) > TOP_N:
        notes.append(i18n.tr("top_note", lang, n=TOP_N))
    return house_layout(fig, title, max(380, 150 + 40 * len(shown)), notes)


def deadlines_by_year(frame: pd.DataFrame, lang: str) -> go.Figure:
    """Return bars per deadline year stacked by status (commitments without a deadline apart)."""
    title = i18n.tr("by_year_title", lang)
    if frame.empty:
        return empty_figure(title, lang)
    fig = go.Figure()
    for bucket, color in BUCKET_COLORS.items():
        part = frame[frame["deadline_bucket"] == bucket]
        if part.empty:
            continue
        x = [i18n.tr("none_stated", lang) if _blank(y) else str(int(y)) for y in part["deadline_year"]]
        fig.add_bar(x=x, y=part["n_commitments"], name=i18n.vocab("deadline_bucket", bucket, lang),
                    marker={"color": color}, text=part["n_commitments"], textposition="inside",
                    hovertemplate="%{x}: %{y}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category", title=i18n.tr("axis_year", lang), categoryorder="category ascending")
    fig.update_yaxes(title=i18n.tr("axis_commitments", lang), gridcolor="#e9ecef")
    return house_layout(fig, title, 380)


def policy_terms(frame: pd.DataFrame, lang: str) -> go.Figure:
    """Return one bar per policy: the share of its term elapsed (0–100 %)."""
    title = i18n.tr("terms_title", lang)
    if frame.empty:
        return empty_figure(title, lang)
    labels = [_short_title(t) for t in frame["title"]]
    pct = frame["term_elapsed_pct"].astype(float)
    hover = [f"<b>{_wrap(t or '')}</b><br>{pd.Timestamp(a).date()} → {pd.Timestamp(b).date()}<br>{p:.0f}%"
             for t, a, b, p in zip(frame["title"], frame["valid_from"], frame["valid_until"], pct)]
    fig = go.Figure(go.Bar(
        y=labels, x=pct, orientation="h", marker={"color": ["#E03131" if p >= 100 else "#1971C2" for p in pct]},
        text=[f"{p:.0f}%" for p in pct], textposition="auto", customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
    ))
    fig.update_xaxes(title=i18n.tr("axis_elapsed", lang), range=[0, 105], gridcolor="#e9ecef")
    fig.update_yaxes(title=None, automargin=True, autorange="reversed")
    return house_layout(fig, title, max(260, 150 + 50 * len(frame)))


def _short_title(title, width: int = 16) -> str:
    title = str(title or "")
    return title if len(title) <= width else title[: width - 1] + "…"
