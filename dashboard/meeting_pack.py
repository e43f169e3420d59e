"""Build the weekly meeting pack: an XLSX workbook, a self-contained HTML report, optionally a PDF.

In: ``ReviewData`` (``dashboard/queries_review.py``), the language and the filters in words. The
tables hold the rows the data holds: the review page passes ``ReviewData.expanded(PACK_ROWS_MAX)``
(``exports.EXPORT_ROWS_MAX``, Excel's limit, is the most any sheet can take); the HTML
report and the PDF list at most ``REPORT_ROWS_MAX`` rows per table. A cut table says so
("showing N of M"), in the workbook's about sheet and under the report's headings.
Out: ``workbook()`` (sheets: about, summary by agency, overdue, due soon, changes since the last
meeting, full status list with history, history, no longer extracted), ``html_report()`` (plotly
embedded, opens offline, prints on A4 through CSS ``@page``), ``pdf_report()`` (headless
Chromium's ``page.pdf()`` when ``/usr/bin/chromium`` exists) and the review charts, which the
review page shows too. Also the review's UI strings (registered with ``dashboard.i18n``).
Pure: no Streamlit, no database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import math
import os
import unicodedata
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dashboard import charts, exports, i18n
from dashboard.colours import STATE_COLOURS, STATUS_COLOURS
from dashboard.queries_review import SECTIONS, ReviewData, history_text
from review.values import STATUSES, state_name, status_name

CHROMIUM = "/usr/bin/chromium"
TOP_AGENCIES = 20
REPORT_AGENCIES = 10
"""Agencies the report's agenda chart draws (one landscape page); the summary table lists all."""
REPORT_ROWS_MAX = 1_000
"""Rows each table of the HTML report (and the PDF printed from it) lists; the workbook has more."""
PACK_ROWS_MAX = 50_000
"""Rows each sheet of the pack built on the review page holds (overdue, due soon, all statuses, changes).

openpyxl writes some 6,000 rows a second: 50,000 rows a sheet keeps a build under half a minute
at 600k commitments. Never more than ``exports.EXPORT_ROWS_MAX`` (Excel's limit).
"""

STRINGS: dict[str, tuple[str, str]] = {
    "review_title": ("每周审核", "Weekly review"),
    "review_intro": ("记录每项承诺的进展状态、查看自上次会议以来的变化,并生成会议材料。所有记录保存在独立的审核库中,ETL 重新运行不会影响。",
                     "Record each commitment's status, see what changed since the last meeting and produce the "
                     "meeting pack. Everything is kept in the review store, which ETL re-runs never touch."),
    "reviewer": ("审核人", "Reviewer"),
    "reviewer_help": ("每个会话输入一次(切换页面后仍保留);每条记录都会注明审核人。",
                      "Entered once per session (kept across pages); every entry records it."),
    "reviewer_in_link": ("在地址栏链接中保留审核人", "Keep the reviewer in the page link"),
    "reviewer_needed": ("请先在上方输入审核人姓名,才能保存。", "Enter a reviewer name above before saving."),
    "meeting_date": ("会议日期(基准日)", "Meeting date (as of)"),
    "since_date": ("自此日期以来的变化", "Changes since"),
    "since_help": ("默认为上一次记录的审核日期。", "Defaults to the previous review date recorded."),
    "due_weeks": ("即将到期(周)", "Due within (weeks)"),
    "status_legend": ("状态说明", "What the statuses mean"),
    "sec_overdue": ("已逾期", "Overdue"),
    "sec_due_soon": ("{w} 周内到期", "Due within {w} weeks"),
    "sec_changed": ("自上次会议以来有变化", "Changed since the last meeting"),
    "sec_not_assessed": ("尚未评估", "Not yet assessed"),
    "sec_orphans": ("已不再提取", "No longer extracted"),
    "tab_agenda": ("会议议程", "Agenda"),
    "by_agency": ("按牵头单位统计", "Counts by lead agency"),
    "record_title": ("记录状态", "Record statuses"),
    "record_scope": ("表格显示", "Show in the table"),
    "scope_all": ("全部承诺", "All commitments"),
    "record_hint": ("在表格中修改状态和备注,然后点击保存;只保存有改动的行。",
                    "Change status and note in the table, then save: only changed rows are saved."),
    "save": ("保存", "Save"),
    "saved_n": ("已保存 {n} 条状态变更。", "Saved {n} status changes."),
    "saved_none": ("没有改动需要保存。", "Nothing changed, nothing saved."),
    "saved_conflicts": ("其中 {n} 项在您打开页面后已被他人修改;两条记录都保留在历史中:{ids}",
                        "{n} of them had been changed by someone else since you loaded the page; both entries "
                        "are kept in the history: {ids}"),
    "save_failed": ("保存失败,未保存任何内容:{reason}", "Not saved, nothing was written: {reason}"),
    "record_meeting": ("记录本次会议日期", "Record this meeting date"),
    "meeting_recorded": ("已记录会议日期 {d}。", "Meeting date {d} recorded."),
    "review_dates": ("已记录的审核日期", "Review dates recorded"),
    "none_yet": ("暂无", "none yet"),
    "changes_etl": ("数据变化(ETL 运行)", "Data changes (ETL runs)"),
    "changes_status": ("状态变更", "Status changes"),
    "changes_corrections": ("人工更正", "Corrections"),
    "no_changes": ("此期间没有变化。", "No changes in this period."),
    "orphans_intro": ("这些承诺或数据有状态或更正记录,但最新一次 ETL 已不再提取(原文被修改或删除)。记录不会被删除;请处理:忽略,或关联到新的承诺。",
                      "These facts have statuses or corrections but the latest ETL run no longer extracts them "
                      "(the document was edited or removed). Nothing is deleted: dismiss them or relink them "
                      "to the new commitment."),
    "orphans_none": ("没有需要处理的条目。", "Nothing to resolve."),
    "orphan_pick": ("选择要处理的条目", "Item to resolve"),
    "orphan_action": ("处理方式", "Resolution"),
    "action_dismissed": ("忽略(保留历史)", "Dismiss (history kept)"),
    "action_relinked": ("关联到新的承诺(沿用当前状态与更正)", "Relink to a new commitment (carries status and corrections)"),
    "relink_to": ("新的承诺", "New commitment"),
    "resolve": ("确认处理", "Resolve"),
    "resolved": ("已处理 {id}。", "Resolved {id}."),
    "history_title": ("承诺历史", "A commitment's history"),
    "history_pick": ("选择承诺", "Choose a commitment"),
    "history_empty": ("这项承诺还没有状态记录。", "No status recorded for this commitment yet."),
    "corrections_log": ("更正记录", "Corrections"),
    "correct_title": ("更正提取结果", "Correct an extracted fact"),
    "correct_intro": ("更正与 ETL 结果分开保存,在看板各处覆盖显示(标记 ✎),ETL 重新运行后依然有效。必须填写原因。",
                      "Corrections are kept apart from the ETL output, applied wherever the dashboard reads "
                      "(marked ✎) and survive every ETL re-run. A reason is required."),
    "correct_what": ("更正对象", "What to correct"),
    "correct_commitment": ("承诺", "Commitment"),
    "correct_figure": ("数据(金额、项目数、目标)", "Figure (money, count, target)"),
    "etl_value": ("ETL 提取值", "As extracted"),
    "leads_new": ("牵头单位", "Lead agencies"),
    "deadline_new": ("期限", "Deadline"),
    "deadline_none": ("无期限", "No deadline"),
    "fix_leads": ("更正牵头单位", "Correct the lead agencies"),
    "fix_deadline": ("更正期限", "Correct the deadline"),
    "not_commitment": ("不是承诺", "Not a commitment"),
    "not_money": ("不是有效数据(如不是金额)", "Not a valid figure (e.g. not money)"),
    "restore": ("撤销“不是承诺/不是数据”的标记", "Undo 'not a commitment / not a figure'"),
    "fix_amount": ("更正金额(元)", "Correct the amount (yuan)"),
    "fix_kind": ("更正资金类别", "Correct the money kind"),
    "fix_year": ("更正年份", "Correct the year"),
    "fix_target": ("更正“是否目标”", "Correct 'is a target'"),
    "is_target_new": ("是目标(承诺投入)", "Is a target (committed)"),
    "reason": ("原因(必填)", "Reason (required)"),
    "save_correction": ("保存更正", "Save correction"),
    "correction_saved": ("已保存 {n} 项更正。", "Saved {n} corrected fields."),
    "pick_figure": ("选择数据", "Choose a figure"),
    "no_figures": ("该承诺所在文档没有提取到数据。", "No figures extracted from this commitment's document."),
    "evidence_url": ("证据链接(可选)", "Evidence URL (optional)"),
    "evidence_doc": ("证据文档(可选)", "Evidence document (optional)"),
    "pack_title": ("会议材料", "Meeting pack"),
    "pack_intro": ("按当前筛选条件和会议日期生成:Excel 工作簿与可离线打开、可打印为 A4 的 HTML 报告。",
                   "For the current filters and meeting date: an Excel workbook and an HTML report that opens "
                   "offline and prints on A4."),
    "pack_build": ("生成会议材料", "Build the meeting pack"),
    "pack_xlsx": ("下载 Excel 工作簿", "Download the workbook"),
    "pack_html": ("下载 HTML 报告", "Download the HTML report"),
    "pack_pdf": ("下载 PDF", "Download the PDF"),
    "pack_no_pdf": ("本机没有 Chromium,未生成 PDF(可在浏览器中打印 HTML 报告)。",
                    "No Chromium on this machine, so no PDF: print the HTML report from a browser."),
    "pack_ready": ("会议材料已生成。", "The meeting pack is ready."),
    "shown_of": ("显示前 {n} 条,共 {m} 条。", "Showing {n} of {m}."),
    "sheet_cut": ("{sheet}:列出前 {n} 条,共 {m} 条", "{sheet}: the first {n} of {m} rows"),
    "report_cut": ("显示前 {n} 条,共 {m} 条;完整列表见 Excel 工作簿。", "Showing {n} of {m}; the workbook lists more."),
    # sheets
    "sheet_about": ("说明", "About"),
    "sheet_summary": ("按单位汇总", "Summary by agency"),
    "sheet_overdue": ("已逾期", "Overdue"),
    "sheet_due_soon": ("即将到期", "Due soon"),
    "sheet_changes": ("自上次会议以来的变化", "Changes since last meeting"),
    "sheet_statuses": ("全部状态", "All statuses"),
    "sheet_history": ("状态历史", "Status history"),
    "sheet_orphans": ("已不再提取", "No longer extracted"),
    "pack_heading": ("承诺审核会议材料", "Commitments review: meeting pack"),
    "generated_at": ("生成时间", "Generated"),
    "period": ("期间", "Period"),
    "chart_sections": ("各牵头单位:逾期、即将到期、未评估", "By lead agency: overdue, due soon, not assessed"),
    "chart_statuses": ("状态分布", "Statuses"),
    "top_agencies_note": ("图中显示数量最多的 {n} 个单位;表格列出全部。", "The chart shows the {n} largest agencies; the tables list all."),
    # columns
    "col_state": ("期限状态", "Deadline state"),
    "col_status": ("状态", "Status"),
    "col_note": ("备注", "Note"),
    "col_reviewer": ("审核人", "Reviewer"),
    "col_changed_at": ("记录时间", "Recorded"),
    "col_old_status": ("原状态", "Old status"),
    "col_history": ("状态历史", "History"),
    "col_days": ("距期限(天)", "Days to deadline"),
    "col_agency": ("牵头单位", "Lead agency"),
    "col_commitments": ("承诺数", "Commitments"),
    "col_what": ("类别", "What"),
    "col_change": ("变化", "Change"),
    "col_summary": ("内容", "Summary"),
    "col_field": ("字段", "Field"),
    "col_value": ("更正值", "Corrected value"),
    "col_reason": ("原因", "Reason"),
    "col_entity": ("对象", "Entity"),
    "col_id": ("编号", "ID"),
    "col_evidence": ("证据", "Evidence"),
    "col_last_changed": ("最后记录", "Last entry"),
    "col_n_status": ("状态记录数", "Status entries"),
    "col_n_corr": ("更正数", "Corrections"),
    "col_corrected": ("已更正", "Corrected"),
    "what_document": ("文档", "Document"),
    "what_commitment": ("承诺", "Commitment"),
    "what_figure": ("数据", "Figure"),
    "what_status": ("状态", "Status"),
    "what_correction": ("更正", "Correction"),
    "change_added": ("新增", "Added"),
    "change_changed": ("修改", "Changed"),
    "change_removed": ("移除", "Removed"),
    "field_rejected": ("不是承诺/不是数据", "Not a commitment / figure"),
    "agenda_title": ("本次会议议程", "Agenda"),
    "agenda_item": ("议题", "Item"),
    "agenda_count": ("项数", "Items"),
    "agenda_agencies": ("涉及最多的单位", "Agencies with most"),
    "assessed_title": ("已评估的承诺(状态与备注)", "Assessed commitments (status and note)"),
    "assessed_note": ("未评估的承诺不在此列出;全部承诺见 Excel 工作簿“全部状态”表。",
                      "Commitments not yet assessed are not listed here; the workbook's “All statuses” sheet "
                      "lists every commitment."),
}
i18n.register(STRINGS)


def tr(key: str, lang: str, **fmt) -> str:
    return i18n.tr(key, lang, **fmt)


# --------------------------------------------------------------------------------------
# Charts (also shown on the review page)

SECTION_COLOURS = {"overdue": STATE_COLOURS["overdue"], "due_soon": STATE_COLOURS["due_soon"],
                   "not_assessed": STATUS_COLOURS["not_assessed"]}


def section_title(name: str, data: ReviewData) -> str:
    if name == "due_soon":
        return tr("sec_due_soon", data.lang, w=max(1, round(data.due_days / 7)))
    return tr(f"sec_{name}", data.lang)


def agenda_agencies(data: ReviewData, top: int = TOP_AGENCIES) -> pd.DataFrame:
    """Return the agencies the agenda chart draws: the most agenda items (overdue + due soon + not assessed) first.

    Ranked on all three, so an agency whose items are all unassessed is drawn like any other;
    ties by name. At most ``top`` (the tables list every agency).
    """
    s = data.summary_by_agency()
    items = s["overdue"] + s["due_soon"] + s["not_assessed"]
    s = s.assign(_items=items)[items > 0]
    return s.sort_values(["_items", "overdue", "agency"], ascending=[False, False, True]).head(top).drop(columns="_items")


def sections_chart(data: ReviewData, top: int = TOP_AGENCIES, bar_height: int = 48) -> go.Figure:
    """Return horizontal grouped bars per lead agency: overdue, due soon, not assessed (the ``top`` agencies)."""
    lang = data.lang
    shown = agenda_agencies(data, top).iloc[::-1]
    n_agencies = int(((data.summary["overdue"] + data.summary["due_soon"] + data.summary["not_assessed"]) > 0).sum())
    fig = go.Figure()
    for name in ("overdue", "due_soon", "not_assessed"):
        fig.add_bar(y=shown["agency"], x=shown[name], name=section_title(name, data), orientation="h",
                    marker_color=SECTION_COLOURS[name], text=[str(v) if v else "" for v in shown[name]],
                    textposition="outside", cliponaxis=False)
    fig.update_layout(barmode="group")
    fig.update_xaxes(title=tr("col_commitments", lang), rangemode="tozero")
    fig.update_yaxes(automargin=True)
    notes = [tr("top_agencies_note", lang, n=len(shown))] if n_agencies > len(shown) else []
    return charts.house_layout(fig, tr("chart_sections", lang), max(260, 60 + bar_height * len(shown)), notes)


def status_chart(data: ReviewData) -> go.Figure:
    """Return one bar per status (RAG colours), counting the commitments in the filters."""
    lang = data.lang
    counts = data.status_counts
    codes = list(STATUSES)
    fig = go.Figure(go.Bar(x=[status_name(c, lang) for c in codes], y=[int(counts.get(c, 0)) for c in codes],
                           marker_color=[STATUS_COLOURS[c] for c in codes],
                           text=[int(counts.get(c, 0)) for c in codes], textposition="outside"))
    fig.update_yaxes(title=tr("col_commitments", lang), rangemode="tozero")
    return charts.house_layout(fig, tr("chart_statuses", lang), 320, [])


# --------------------------------------------------------------------------------------
# Tables (one function per sheet; the HTML report shows the same frames)


def join_list(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    try:
        items = list(v)
    except TypeError:
        return None if _missing(v) else str(v)
    return "、".join(str(x) for x in items if x is not None)


def _missing(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def lead_labels(rows: pd.DataFrame, labels: dict[str, str], lang: str = "zh") -> list[str | None]:
    """Return each row's lead agencies by display name (English where known, as written otherwise).

    From ``lead_keys`` and the review's ``labels``; the names as extracted where a key has no label,
    and "未注明单位" / "Agency not stated" where there is none.
    """
    out = []
    for keys, names in zip(rows["lead_keys"], rows["lead_agency_names"]):
        keys = list(keys) if keys is not None and not isinstance(keys, str) else []
        named = [labels.get(k) for k in keys]
        text = ("、" if lang == "zh" else ", ").join(n for n in named if n) if keys and all(named) else join_list(names)
        out.append(text or tr("unknown_agency", lang))
    return out


def local_time(ts) -> str | None:
    if _missing(ts):
        return None
    t = pd.Timestamp(ts)
    if t.tzinfo is not None:
        t = t.tz_convert(dt.datetime.now().astimezone().tzinfo)
    return t.strftime("%Y-%m-%d %H:%M")


def _day(d) -> dt.date | None:
    if _missing(d):
        return None
    return pd.Timestamp(d).date()


def commitments_table(rows: pd.DataFrame, lang: str, history: dict[str, str] | None = None,
                      labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Return commitments for a sheet: state, deadline, leads, text, status, note, (history)."""
    col = lambda key, table=None: (i18n.column_label(key, lang, (table,)) if table else tr(key, lang))  # noqa: E731
    out = pd.DataFrame({
        col("col_state"): [state_name(s, lang) for s in rows["state"]],
        col("deadline_date", "commitments"): [_day(d) for d in rows["deadline_date"]],
        col("col_days"): [None if _missing(d) else int(d) for d in rows["days_to_deadline"]],
        col("col_agency"): (lead_labels(rows, labels, lang) if labels is not None
                            else [join_list(v) for v in rows["lead_agency_names"]]),
        col("title", "documents"): rows["title"].tolist(),
        col("item_label", "commitments"): rows["item_label"].tolist(),
        col("text", "commitments"): rows["text"].tolist(),
        col("col_status"): [status_name(s, lang) for s in rows["status"]],
        col("col_note"): rows["note"].tolist(),
        col("col_reviewer"): rows["reviewer"].tolist(),
        col("col_changed_at"): [local_time(t) for t in rows["status_changed_at"]],
        col("col_corrected"): ["✎" if bool(v) else "" for v in rows["is_corrected"]],
        col("commitment_id", "commitments"): rows["commitment_id"].tolist(),
    })
    if history is not None:
        out[col("col_history")] = [history.get(c, "") for c in rows["commitment_id"]]
    return out


def summary_table(data: ReviewData) -> pd.DataFrame:
    lang = data.lang
    s = data.summary_by_agency()
    out = pd.DataFrame({tr("col_agency", lang): s["agency"], tr("col_commitments", lang): s["commitments"]})
    for name in SECTIONS:
        out[section_title(name, data)] = s[name]
    for code in STATUSES:
        if code != "not_assessed":  # the section 尚未评估 already counts it
            out[status_name(code, lang)] = s[f"status_{code}"]
    return out


def changes_table(data: ReviewData) -> pd.DataFrame:
    """Return every change the data holds: ETL changes, status changes, corrections (oldest first).

    ``data.etl_changes`` may be the first of more (``data.etl_changes_count``).
    """
    lang = data.lang
    recs = []
    for r in data.etl_changes.itertuples(index=False):
        recs.append({"when": pd.Timestamp(r.changed_at), "what": tr(f"what_{r.entity}", lang),
                     "change": tr(f"change_{r.change}", lang), "title": r.title, "summary": r.summary,
                     "who": None, "id": r.entity_id})
    for r in data.status_changes.itertuples(index=False):
        text = f"{status_name(r.old_status, lang)} → {status_name(r.status, lang)}"
        if isinstance(r.note, str) and r.note:
            text += f":{r.note}" if lang == "zh" else f": {r.note}"
        recs.append({"when": pd.Timestamp(r.changed_at).tz_convert(None) + _utc_offset(), "what": tr("what_status", lang),
                     "change": text, "title": r.title, "summary": r.text, "who": r.reviewer, "id": r.commitment_id})
    for r in data.corrections.itertuples(index=False):
        old = getattr(r, "old_value", None)
        new = None if r.action == "clear" else r.value
        change = f"{correction_field(r.field, lang)}: "
        if old is not None and not (isinstance(old, float) and math.isnan(old)):
            change += f"{correction_value(r.field, old, data)} → "
        change += correction_value(r.field, new, data)
        recs.append({"when": pd.Timestamp(r.changed_at).tz_convert(None) + _utc_offset(),
                     "what": tr("what_correction", lang), "change": change,
                     "title": data.texts.get(r.entity_id) if r.entity == "commitment" else None,
                     "summary": r.reason, "who": r.reviewer})
    recs.sort(key=lambda x: x["when"], reverse=True)  # newest first
    return pd.DataFrame({
        tr("col_changed_at", lang): [x["when"].strftime("%Y-%m-%d %H:%M") for x in recs],
        tr("col_what", lang): [x["what"] for x in recs],
        tr("col_change", lang): [x["change"] for x in recs],
        i18n.column_label("title", lang, ("documents",)): [x["title"] for x in recs],
        tr("col_summary", lang): [x["summary"] for x in recs],
        tr("col_reviewer", lang): [x["who"] for x in recs],
    })


def changes_digest(data: ReviewData) -> pd.DataFrame:
    """Return the changes for the report, newest first: status changes and corrections one by one, the ETL's
    grouped per document and kind ("新增 17 项承诺"), so a re-loaded document is one line, not a page."""
    lang = data.lang
    people = changes_table(dataclasses.replace(data, etl_changes=data.etl_changes.iloc[0:0]))
    etl = data.etl_changes
    if etl.empty:
        return people
    groups = []
    for (doc, entity, change), part in etl.groupby(["doc_id", "entity", "change"], dropna=False, sort=False):
        when = pd.Timestamp(part["changed_at"].max())
        title = next((t for t in part["title"] if isinstance(t, str) and t), None)
        what = tr(f"what_{entity}", lang)
        text = (f"{tr(f'change_{change}', lang)} {len(part)} 项{what}" if lang == "zh"
                else f"{tr(f'change_{change}', lang)}: {len(part)} × {what.lower()}")
        examples = [s for s in part["summary"] if isinstance(s, str) and s][:2]
        groups.append({"when": when, "what": what, "change": text, "title": title,
                       "summary": "\n".join(str(s)[:80] for s in examples)})
    cols = list(people.columns)
    grouped = pd.DataFrame({cols[0]: [g["when"].strftime("%Y-%m-%d %H:%M") for g in groups],
                            cols[1]: [g["what"] for g in groups], cols[2]: [g["change"] for g in groups],
                            cols[3]: [g["title"] for g in groups], cols[4]: [g["summary"] for g in groups],
                            cols[5]: [None] * len(groups)})
    out = pd.concat([people, grouped], ignore_index=True)
    return out.sort_values(cols[0], ascending=False, kind="mergesort").reset_index(drop=True)


def correction_field(field: str, lang: str) -> str:
    """A corrected field's name as people read it (牵头单位, 资金类别 …)."""
    if field == "is_rejected":
        return tr("field_rejected", lang)
    if field == "lead_agency_ids":
        return tr("col_agency", lang)
    return i18n.column_label(field, lang, ("commitments", "figures"))


def correction_value(field: str, value, data: ReviewData) -> str:
    """A corrected value as people read it: agency names, kind and basis names, amounts with units, dates."""
    lang = data.lang
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if field == "lead_agency_ids":
        names = [data.labels.get(str(a), str(a)) for a in (value if isinstance(value, (list, tuple)) else [value])]
        return ("、" if lang == "zh" else ", ").join(names) or "—"
    if field in ("money_kind", "deadline_basis"):
        return i18n.vocab(field, value, lang)
    if field == "amount_yuan":
        from dashboard.charts import fmt_money

        return fmt_money(float(value), lang)
    if field in ("is_target", "is_rejected"):
        return i18n.vocab("bool", bool(value), lang)
    if field == "deadline_date":
        return str(value)[:10]
    return join_list(value) if isinstance(value, (list, tuple)) else str(value)


def _utc_offset() -> pd.Timedelta:
    off = dt.datetime.now().astimezone().utcoffset() or dt.timedelta(0)
    return pd.Timedelta(off)


def history_table(data: ReviewData) -> pd.DataFrame:
    lang = data.lang
    h = data.history
    return pd.DataFrame({
        tr("col_changed_at", lang): [local_time(t) for t in h["changed_at"]],
        i18n.column_label("commitment_id", lang, ("commitments",)): h["commitment_id"].tolist(),
        i18n.column_label("text", lang, ("commitments",)): [data.texts.get(c) for c in h["commitment_id"]],
        tr("col_old_status", lang): [status_name(s, lang) for s in h["old_status"]],
        tr("col_status", lang): [status_name(s, lang) for s in h["status"]],
        tr("col_note", lang): h["note"].tolist(),
        tr("col_reviewer", lang): h["reviewer"].tolist(),
        tr("col_evidence", lang): [join_list([x for x in (u, d) if isinstance(x, str) and x]) or None
                                   for u, d in zip(h["evidence_url"], h["evidence_doc_id"])],
    })


def orphans_table(data: ReviewData) -> pd.DataFrame:
    lang = data.lang
    o = data.orphans
    return pd.DataFrame({
        tr("col_entity", lang): [tr(f"what_{e}", lang) for e in o["entity"]],
        tr("col_id", lang): o["entity_id"].tolist(),
        i18n.column_label("title", lang, ("documents",)): o["title"].tolist(),
        i18n.column_label("text", lang, ("commitments",)): o["text"].tolist(),
        tr("col_status", lang): [status_name(s, lang) if isinstance(s, str) else None for s in o["status"]],
        tr("col_last_changed", lang): [local_time(t) for t in o["last_changed_at"]],
        tr("col_n_status", lang): o["n_status_changes"].tolist(),
        tr("col_n_corr", lang): o["n_corrections"].tolist(),
    })


def about_rows(data: ReviewData, filters: list[tuple[str, str]], generated: dt.datetime) -> list[tuple[str, str]]:
    lang = data.lang
    rows = [(tr("pack_heading", lang), ""), (tr("meeting_date", lang), data.as_of.isoformat()),
            (tr("since_date", lang), data.since.isoformat()),
            (tr("due_weeks", lang), str(max(1, round(data.due_days / 7)))),
            (tr("generated_at", lang), generated.strftime("%Y-%m-%d %H:%M"))]
    rows += [(tr("filters", lang), "")] + list(filters or [(tr("filter_none", lang), "")])
    for key, n, m in cut_tables(data):
        rows.append((tr("sheet_cut", lang, sheet=tr(key, lang), n=n, m=m), ""))
    rows.append((tr("overdue_rule", lang), ""))
    for s in STATUSES.values():
        rows.append((s.name(lang), s.definition(lang)))
    return rows


def cut_tables(data: ReviewData) -> list[tuple[str, int, int]]:
    """Return (sheet key, rows held, rows there are) for every sheet the data holds only part of."""
    out = [(key, len(data.section(name)), data.count(name))
           for key, name in (("sheet_overdue", "overdue"), ("sheet_due_soon", "due_soon"), ("sheet_statuses", "all"))
           if data.is_cut(name)]
    if len(data.etl_changes) < data.etl_changes_count:
        out.append(("sheet_changes", len(data.etl_changes), data.etl_changes_count))
    return out


@dataclass(frozen=True)
class Sheet:
    key: str
    frame: pd.DataFrame


def sheets(data: ReviewData) -> list[Sheet]:
    """Return the workbook's data sheets in order (the about sheet comes first, apart)."""
    lang = data.lang
    hist = history_text(data.history, lang)
    return [
        Sheet("sheet_summary", summary_table(data)),
        Sheet("sheet_overdue", commitments_table(data.section("overdue"), lang, labels=data.labels)),
        Sheet("sheet_due_soon", commitments_table(data.section("due_soon"), lang, labels=data.labels)),
        Sheet("sheet_changes", changes_table(data)),
        Sheet("sheet_statuses", commitments_table(data.rows, lang, hist, data.labels)),
        Sheet("sheet_history", history_table(data)),
        Sheet("sheet_orphans", orphans_table(data)),
    ] + links_sheets(data)


# --------------------------------------------------------------------------------------
# XLSX


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def plain_cell(value):
    if isinstance(value, (list, tuple)):
        return join_list(value)
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def workbook(data: ReviewData, filters: list[tuple[str, str]] | None = None,
             generated: dt.datetime | None = None) -> bytes:
    """Return the meeting pack as .xlsx bytes: about + the data sheets, bold frozen headers.

    Written row by row (openpyxl's write-only mode), so a sheet of a million rows fits in memory.
    """
    lang = data.lang
    generated = generated or dt.datetime.now()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(tr("sheet_about", lang))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 80
    for i, (k, v) in enumerate(about_rows(data, filters or [], generated), start=1):
        if i == 1:
            k = WriteOnlyCell(ws, value=k)
            k.font = Font(bold=True, size=14)
        ws.append(exports.as_text_cells(ws, [k, v]))
    header_fill = PatternFill("solid", fgColor="E9ECEF")
    wrapped = Alignment(wrap_text=True, vertical="top")
    for sheet in sheets(data):
        ws = wb.create_sheet(tr(sheet.key, lang)[:31])
        frame = sheet.frame
        wrap = []
        for idx, col in enumerate(frame.columns, start=1):
            values = [str(v).split("\n", 1)[0] for v in frame[col].tolist()[:300] if not _missing(v)]
            width = max([_width(str(col))] + [_width(v) for v in values]) + 2
            ws.column_dimensions[get_column_letter(idx)].width = max(6, min(60, width))
            if width > 60:
                wrap.append(idx - 1)
        ws.freeze_panes = "A2"
        header = []
        for col in frame.columns:
            cell = WriteOnlyCell(ws, value=str(col))
            cell.font, cell.fill, cell.alignment = Font(bold=True), header_fill, wrapped
            header.append(cell)
        ws.append(exports.as_text_cells(ws, header))
        for row in frame.itertuples(index=False):
            values = [plain_cell(v) for v in row]
            for i in wrap:
                values[i] = WriteOnlyCell(ws, value=values[i])
                values[i].alignment = wrapped
            ws.append(exports.as_text_cells(ws, values))  # texts as strings: no live formula
        if len(frame):
            ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(frame.columns)))}{len(frame) + 1}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# HTML and PDF

_CSS = """
@page { size: A4; margin: 12mm 11mm; }
@page wide { size: A4 landscape; margin: 10mm 10mm; }
* { box-sizing: border-box; }
body { font-family: 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif; color: #212529;
       margin: 0 auto; font-size: 10.5pt; line-height: 1.45; }
h1 { font-size: 18pt; margin: 0 0 2mm; } h2 { font-size: 13pt; margin: 5mm 0 2mm; border-bottom: 2px solid #dee2e6; }
.meta { color: #495057; margin-bottom: 2mm; }
.rule { border-left: 4px solid #e03131; padding: 1.5mm 3mm; background: #fff5f5; margin: 3mm 0; }
.agenda td.n { font-size: 15pt; font-weight: bold; text-align: right; white-space: nowrap; width: 5em; }
.agenda td.item { font-weight: bold; width: 16em; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin-bottom: 3mm; }
th, td { border: 1px solid #dee2e6; padding: 1mm 1.5mm; vertical-align: top; text-align: left; min-width: 4.2em; }
th { background: #f1f3f5; white-space: nowrap; } tr { page-break-inside: avoid; } thead { display: table-header-group; }
td.nw, th.nw { white-space: nowrap; }
td.num, th.num { white-space: nowrap; text-align: right; }
td.agency { min-width: 8em; } td.note { min-width: 11em; } td.text { min-width: 18em; }
.chart { page-break-inside: avoid; width: 100%; }
.wide { page: wide; }
.first { page-break-after: always; }
.legend td:first-child { white-space: nowrap; font-weight: bold; }
.chip { display: inline-block; width: 3mm; height: 3mm; border-radius: 50%; margin-right: 1.5mm; }
.muted { color: #868e96; }
@media print { .chart { break-inside: avoid; } h2 { break-after: avoid; } }
"""

_NARROW = ("col_state", "col_status", "col_days", "col_changed_at", "col_reviewer", "col_what", "col_corrected")
"""Columns whose cells are short words or dates: kept on one line (never one character a line)."""


def _column_classes(frame: pd.DataFrame, lang: str) -> list[str]:
    """Return a CSS class per column: short ones on one line, numbers right, long text wide enough to read."""
    narrow = {tr(k, lang) for k in _NARROW} | {i18n.column_label("deadline_date", lang, ("commitments",))}
    wide = {tr("col_agency", lang): "agency", tr("col_note", lang): "note", tr("col_change", lang): "note",
            i18n.column_label("text", lang, ("commitments",)): "text", tr("col_summary", lang): "text"}
    out = []
    for col in frame.columns:
        if col in narrow:
            out.append("nw")
        elif col in wide:
            out.append(wide[col])
        elif pd.api.types.is_numeric_dtype(frame[col]):
            out.append("num")
        else:
            out.append("")
    return out


def _table_html(frame: pd.DataFrame, columns: list[str] | None = None, total: int | None = None,
                lang: str = "zh") -> str:
    """Return an HTML table of the first ``REPORT_ROWS_MAX`` rows, saying so when ``total`` is more."""
    frame = frame if columns is None else frame[[c for c in columns if c in frame.columns]]
    if frame.empty:
        return ""
    total = max(len(frame), total or 0)
    frame = frame.head(REPORT_ROWS_MAX)
    note = (f"<p class='muted'>{html.escape(tr('report_cut', lang, n=len(frame), m=total))}</p>"
            if total > len(frame) else "")
    classes = _column_classes(frame, lang)
    head = "".join(f"<th class='{k}'>{html.escape(str(c))}</th>" for c, k in zip(frame.columns, classes))
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for v, k in zip(row, classes):
            text = "" if (not isinstance(v, (list, tuple)) and _missing(v)) else str(v)
            cells.append(f"<td class='{k}'>{html.escape(text).replace(chr(10), '<br>')}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"{note}<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure_html(fig: go.Figure, include_js: bool, width: int = 700) -> str:
    fig = go.Figure(fig)
    fig.update_layout(width=width)
    return "<div class='chart'>" + fig.to_html(full_html=False, include_plotlyjs=include_js,
                                               config={"displayModeBar": False, "staticPlot": True}) + "</div>"


def agenda_rows(data: ReviewData, top: int = 3) -> list[tuple[str, int, str]]:
    """Return the agenda: (section title, how many, the agencies with most of them), in meeting order."""
    out = []
    for name in ("overdue", "due_soon", "changed", "not_assessed"):
        counts = data.counts_by_agency(name).head(top)
        agencies = ("、" if data.lang == "zh" else ", ").join(f"{a} {n}" for a, n in zip(counts["agency"], counts["n"]))
        out.append((section_title(name, data), data.count(name), agencies))
    if len(data.orphans):
        out.append((tr("sec_orphans", data.lang), len(data.orphans), ""))
    return out


def html_report(data: ReviewData, filters: list[tuple[str, str]] | None = None,
                generated: dt.datetime | None = None) -> str:
    """Return a self-contained HTML report (plotly.js inlined: opens offline; A4 when printed).

    Page 1 is the agenda (what the meeting goes through, how many, which agencies); the wide
    tables print on landscape pages; the commitment tables list the overdue, the due soon and
    the assessed ones (the workbook lists every commitment).
    """
    lang = data.lang
    generated = generated or dt.datetime.now()
    t = lambda key, **fmt: html.escape(tr(key, lang, **fmt))  # noqa: E731
    overdue, due_soon = data.section("overdue"), data.section("due_soon")
    parts = [f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>",
             f"<title>{t('pack_heading')} {data.as_of.isoformat()}</title><style>{_CSS}</style></head><body>",
             "<section class='first'>",
             f"<h1>{t('pack_heading')}</h1>",
             f"<div class='meta'>{t('meeting_date')}: <b>{data.as_of.isoformat()}</b> · {t('since_date')}: "
             f"{data.since.isoformat()} · {t('generated_at')}: {generated.strftime('%Y-%m-%d %H:%M')}</div>"]
    if filters:
        parts.append("<div class='meta'>" + " · ".join(f"{html.escape(k)}: {html.escape(v)}" for k, v in filters)
                     + "</div>")
    parts.append(f"<h2>{t('agenda_title')}</h2><table class='agenda'><thead><tr><th>{t('agenda_item')}</th>"
                 f"<th class='num'>{t('agenda_count')}</th><th>{t('agenda_agencies')}</th></tr></thead><tbody>")
    for item, n, agencies in agenda_rows(data):
        parts.append(f"<tr><td class='item'>{html.escape(item)}</td><td class='n'>{n:,}</td>"
                     f"<td>{html.escape(agencies)}</td></tr>")
    parts.append("</tbody></table>")
    parts.append(f"<div class='rule'>{t('overdue_rule')}</div>")
    parts.append(_figure_html(status_chart(data), include_js=True, width=680))
    parts.append("</section>")

    parts.append("<section class='wide'>")
    parts.append(_figure_html(sections_chart(data, REPORT_AGENCIES, 40), include_js=False, width=1000))
    keep = [tr("col_state", lang), i18n.column_label("deadline_date", lang, ("commitments",)), tr("col_agency", lang),
            i18n.column_label("text", lang, ("commitments",)), tr("col_status", lang), tr("col_note", lang)]
    for name, frame in (("overdue", overdue), ("due_soon", due_soon)):
        parts.append(f"<h2>{html.escape(section_title(name, data))} ({data.count(name):,})</h2>")
        parts.append(_table_html(commitments_table(frame.head(REPORT_ROWS_MAX), lang, labels=data.labels), keep,
                                 data.count(name), lang) or f"<p class='muted'>{t('empty')}</p>")
    parts.append(f"<h2>{html.escape(section_title('changed', data))}</h2>")
    changes = changes_digest(data)
    if data.etl_changes_count > len(data.etl_changes):
        parts.append(f"<p class='muted'>{t('report_cut', n=len(data.etl_changes), m=data.etl_changes_count)}</p>")
    parts.append(_table_html(changes, lang=lang) or f"<p class='muted'>{t('no_changes')}</p>")
    parts.append(f"<h2>{t('sheet_summary')}</h2>" + _table_html(summary_table(data), lang=lang))
    if len(data.orphans):
        orphans = orphans_table(data).drop(columns=[tr("col_id", lang)])
        parts.append(f"<h2>{t('sec_orphans')} ({len(data.orphans)})</h2>" + _table_html(orphans, lang=lang))
    parts.append(links_html(data))
    assessed = data.rows[data.rows["status"] != "not_assessed"]
    parts.append(f"<h2>{t('assessed_title')}</h2><p class='muted'>{t('assessed_note')}</p>")
    hist = history_text(data.history, lang)
    parts.append(_table_html(commitments_table(assessed.head(REPORT_ROWS_MAX), lang, hist, data.labels),
                             keep + [tr("col_history", lang)], len(assessed), lang)
                 or f"<p class='muted'>{t('empty')}</p>")
    parts.append(f"<h2>{t('status_legend')}</h2><p>{t('overdue_rule')}</p><table class='legend'><tbody>")
    for s in STATUSES.values():
        parts.append(f"<tr><td><span class='chip' style='background:{STATUS_COLOURS[s.code]}'></span>{html.escape(s.name(lang))}"
                     f"</td><td>{html.escape(s.definition(lang))}</td></tr>")
    parts.append("</tbody></table></section></body></html>")
    return "".join(parts)


def chromium_path() -> str | None:
    """Return the Chromium to print PDFs with ($CHROMIUM, else /usr/bin/chromium), or None."""
    path = os.environ.get("CHROMIUM") or CHROMIUM
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def pdf_report(html_text: str, chromium: str | None = None) -> bytes | None:
    """Return the HTML report printed to A4 PDF by headless Chromium, or None when there is none."""
    exe = chromium or chromium_path()
    if not exe:
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_content(html_text, wait_until="load")
            return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()


@dataclass(frozen=True)
class MeetingPack:
    xlsx: bytes
    html: str
    pdf: bytes | None
    stem: str


def build(data: ReviewData, filters: list[tuple[str, str]] | None = None, with_pdf: bool = True) -> MeetingPack:
    """Build every file of the pack at once (one action on the page)."""
    generated = dt.datetime.now()
    report = html_report(data, filters, generated)
    pdf = None
    if with_pdf:
        try:
            pdf = pdf_report(report)
        except Exception:  # a broken browser must not cost the meeting its workbook
            pdf = None
    return MeetingPack(workbook(data, filters, generated), report, pdf, f"meeting-pack_{data.as_of.isoformat()}")


# --------------------------------------------------------------------------------------
# Confirmed follow-through links (issue 14): targets with the figure that reported on them, threads


i18n.register({"sheet_links": ("已确认的跟踪链接", "Confirmed links")})


def links_table(data: ReviewData) -> pd.DataFrame:
    """Every confirmed fulfilment link (with its progress) and thread step, headers in the pack's language."""
    from dashboard import exports, queries_links

    try:
        frame = queries_links.export_frame()
    except Exception:  # a facts file without the link tables (older ETL) must not stop the pack
        frame = pd.DataFrame(columns=queries_links.EXPORT_COLUMNS)
    return exports.localize(frame, data.lang, queries_links.EXPORT_COLUMNS)


def links_sheets(data: ReviewData) -> list[Sheet]:
    """The confirmed links' sheet, when the analyst has confirmed any."""
    frame = links_table(data)
    return [Sheet("sheet_links", frame)] if len(frame) else []


def links_html(data: ReviewData) -> str:
    frame = links_table(data)
    if frame.empty:
        return ""
    return f"<h2>{html.escape(tr('sheet_links', data.lang))} ({len(frame)})</h2>" + _table_html(frame, lang=data.lang)
