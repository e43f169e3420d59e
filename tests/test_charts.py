"""dashboard/charts.py: pure figures from small frames (units, stacking, picks, hover evidence)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import charts

FRAME = pd.DataFrame({
    "agency_key": ["ag_a", "ag_a", "ag_b", None],
    "canonical_name": ["广州市工业和信息化局", "广州市工业和信息化局", "广州市财政局", None],
    "short_name": ["市工业和信息化局", "市工业和信息化局", "市财政局", None],
    "name_en": ["Guangzhou Municipal Bureau of Industry", "Guangzhou Municipal Bureau of Industry", None, None],
    "year": pd.array([2021, 2022, 2021, None], dtype="Int64"),
    "total": [4.343e9, 1.2e10, 3.5e8, 2e8],
    "n_figures": [2, 1, 1, 1],
    "is_corrected": [False, True, False, False],
    "examples": [["43.43亿元 · 答复A", "8.89亿元 · 答复A"], ["120亿元 · 答复B"], ["3.5亿元 · 答复C"], ["2亿元 · 答复D"]],
})


def bars(fig):
    return [t for t in fig.data if t.type == "bar"]


@pytest.mark.parametrize("yuan,lang,text", [
    (4.343e9, "zh", "43.43 亿元"), (2.56e7, "zh", "2,560 万元"), (2e5, "zh", "20 万元"), (7.46e11, "zh", "7,460 亿元"),
    (4.343e9, "en", "CNY 4.34 bn"), (2.56e7, "en", "CNY 25.6 m"), (None, "zh", "—")])
def test_money_is_written_with_its_unit(yuan, lang, text):
    assert charts.fmt_money(yuan, lang) == text


def test_count_unit():
    assert charts.fmt_count(1157, "zh") == "1,157 个"
    assert charts.fmt_count(16, "en") == "16 projects"


def test_stacked_bars_one_trace_per_year_values_in_yi_yuan():
    fig = charts.by_agency_year(FRAME, "zh", "money", "资金")
    traces = {t.name: t for t in bars(fig)}
    assert list(traces) == ["2021", "2022", "年份不详"]
    assert fig.layout.barmode == "stack"
    assert "亿元" in fig.layout.xaxis.title.text
    t2021 = traces["2021"]
    assert list(t2021.y) == ["市工业和信息化局", "市财政局"]
    assert list(t2021.x) == pytest.approx([43.43, 3.5])
    assert [c[0] for c in t2021.customdata] == ["ag_a|2021", "ag_b|2021"]
    assert "43.43亿元 · 答复A" in t2021.customdata[0][1]  # hover: as written, and the document
    assert traces["年份不详"].y[0] == "未注明单位"
    assert "✎" in traces["2022"].customdata[0][1]
    labels = {a.text for a in fig.layout.annotations}
    assert "163.4 亿元" in labels  # the agency's total at the end of its bar


def test_small_totals_switch_the_axis_to_wan_yuan():
    small = FRAME.assign(total=[2e5, 1e5, 3e5, 1e4])
    fig = charts.by_agency_year(small, "zh", "money", "资金")
    assert "万元" in fig.layout.xaxis.title.text
    assert bars(fig)[0].x[0] == pytest.approx(20)


def test_english_labels_and_counts():
    fig = charts.by_agency_year(FRAME.assign(total=[16, 3147, 5, 1]), "en", "count", "Projects")
    assert "Bureau of Industry" in set(bars(fig)[0].y)  # "Guangzhou Municipal " trimmed
    assert "个" in fig.layout.xaxis.title.text
    assert "Agency not stated" in set(bars(fig)[-1].y)


def test_top_agencies_only_and_said_so():
    many = pd.DataFrame({
        "agency_key": [f"ag_{i}" for i in range(20)], "canonical_name": [f"单位{i}" for i in range(20)],
        "short_name": [f"单位{i}" for i in range(20)], "name_en": [None] * 20, "year": [2021] * 20,
        "total": [float(i + 1) * 1e8 for i in range(20)], "n_figures": [1] * 20, "is_corrected": [False] * 20,
        "examples": [[]] * 20})
    fig = charts.by_agency_year(many, "zh", "money", "资金")
    assert len(bars(fig)[0].y) == charts.TOP_N
    assert "单位19" in set(bars(fig)[0].y) and "单位0" not in set(bars(fig)[0].y)
    assert "15" in fig.layout.title.text


def test_clashing_short_names_fall_back_to_full_names():
    frame = pd.DataFrame({"agency_key": ["a", "b"], "canonical_name": ["黄埔区工业和信息化局", "番禺区工业和信息化局"],
                          "short_name": ["区工信局", "区工信局"], "name_en": [None, None]})
    assert set(charts.agency_labels(frame, "zh").values()) == {"黄埔区工业和信息化局", "番禺区工业和信息化局"}


def test_picks_from_a_plotly_selection():
    selection = {"points": [{"customdata": ["ag_a|2021", "hover"]}, {"customdata": ["ag_a|2021", "x"]},
                            {"customdata": ["|", "hover"]}, {"x": 3}]}
    assert charts.picks_from_selection(selection) == ("ag_a|2021", "|")
    assert charts.picks_from_selection(None) == ()
    assert charts.pick_of(None, None) == "|"


def test_subsidy_rates_are_points_with_a_note_never_bars():
    rates = pd.DataFrame({"agency_key": ["ag_a", "ag_a"], "agency_name": ["广州市工业和信息化局"] * 2,
                          "short_name": ["市工业和信息化局"] * 2, "agency_name_en": [None, None],
                          "amount_yuan": [5e6, 2e5], "span_text": ["500万元", "20万元"],
                          "title": ["答复A", "答复A"], "sentence": ["每家最高奖励500万元。", "给予20万元补贴。"]})
    fig = charts.subsidy_points(rates, "zh")
    assert not bars(fig) and fig.data[0].mode.startswith("markers")
    assert "不计入合计" in fig.layout.title.text
    assert list(fig.data[0].x) == pytest.approx([500, 20])


def test_empty_frames_give_a_labelled_empty_chart():
    fig = charts.by_agency_year(FRAME.iloc[0:0], "en", "money", "Funding")
    assert fig.layout.annotations[0].text == "No data for these filters."


def test_deadline_timeline_marks_the_as_of_date_and_sizes_marks_by_count():
    frame = pd.DataFrame({
        "lead_key": ["a", "b"], "lead_name": ["甲局", "乙局"], "lead_short": ["甲局", "乙局"],
        "lead_en": [None, None], "deadline_date": pd.to_datetime(["2023-04-01", "2020-12-31"]),
        "deadline_bucket": ["due_30", "overdue"], "n": [2, 1], "items": [["甲", "乙"], ["丙"]],
        "granularity": ["day", "day"]})
    fig = charts.deadline_timeline(frame, dt.date(2023, 3, 15), "zh")
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"30 天内到期", "已逾期"}
    assert list(by_name["30 天内到期"].text) == ["2"]
    assert "甲" in by_name["30 天内到期"].customdata[0] and "2023-04-01" in by_name["30 天内到期"].customdata[0]
    assert any("2023-03-15" in a.text for a in fig.layout.annotations)


def test_deadline_timeline_by_month_says_so():
    frame = pd.DataFrame({
        "lead_key": ["a"], "lead_name": ["甲局"], "lead_short": ["甲局"], "lead_en": [None],
        "deadline_date": pd.to_datetime(["2023-04-01"]), "deadline_bucket": ["later"], "n": [12_345],
        "items": [[]], "granularity": ["month"]})
    fig = charts.deadline_timeline(frame, dt.date(2023, 3, 15), "en")
    assert list(fig.data[0].text) == ["12k"]
    assert "2023-04" in fig.data[0].customdata[0]
    assert any("month" in (a.text or "") for a in fig.layout.annotations)


def test_policy_terms_in_percent():
    frame = pd.DataFrame({"title": ["广州市加快打造数字经济创新引领型城市的若干措施"], "valid_from": [pd.Timestamp("2020-04-02")],
                          "valid_until": [pd.Timestamp("2023-04-01")], "term_elapsed_pct": [50.0]})
    fig = charts.policy_terms(frame, "zh")
    assert list(fig.data[0].text) == ["50%"]
    assert fig.layout.xaxis.range == (0, 105)


def test_the_top_agencies_are_the_same_in_both_languages():
    """Ties at the cut are broken by agency, not by the label's spelling in one language."""
    frame = pd.DataFrame({
        "agency_key": [f"k{i:02d}" for i in range(20)],
        "canonical_name": [f"第{i}局" for i in range(20)], "short_name": [f"{i}局" for i in range(20)],
        "name_en": [f"{chr(90 - i)} Bureau" for i in range(20)], "year": [2021] * 20,
        "total": [5.0] * 20, "n_figures": [1] * 20, "is_corrected": [False] * 20, "examples": [[]] * 20})
    picked = {}
    for lang in ("zh", "en"):
        fig = charts.by_agency_year(frame, lang, "count", "t", top_n=15)
        keys = {c[0].split("|")[0] for trace in fig.data for c in trace.customdata}
        picked[lang] = keys
    assert picked["zh"] == picked["en"] and len(picked["zh"]) == 15
