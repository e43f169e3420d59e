"""Speak 中文 or English: UI strings, vocabulary names and column labels.

Interface for every page (ours and other agents'):

- ``lang() -> "zh" | "en"``: the language chosen in the sidebar (default ``"zh"``, kept in
  the URL as ``?lang=en``).
- ``t(key, **fmt) -> str``: the UI string ``key`` in the current language, formatted with
  ``fmt`` (``t("rows", n=3)``). An unknown key returns the key itself, so a missing
  translation shows up on screen instead of raising.
- ``tr(key, lang, **fmt)``: the same without Streamlit (for pure code: charts, exports).
- ``column_label(column, lang, tables=())``: a column's header, from ``etl/schema.py``'s
  ``label_zh``/``label_en`` (tables listed first win), else from the dashboard's derived
  columns below.
- ``vocab(kind, value, lang)``: the display name of a status or kind value
  (``vocab("money_kind", "fiscal", "en") == "Fiscal spending"``).

Other pages add their own strings with ``register({...})`` at import time.
"""

from __future__ import annotations

from etl.schema import TABLES

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_NAMES = {"zh": "中文", "en": "English"}

STRINGS: dict[str, tuple[str, str]] = {
    # App and pages
    "app_title": ("承诺与资金看板", "Commitments & Funding Dashboard"),
    "page_overview": ("总览", "Overview"),
    "page_funding": ("资金", "Funding"),
    "page_projects": ("项目数", "Projects"),
    "page_deadlines": ("期限", "Deadlines"),
    "page_commitments": ("承诺", "Commitments"),
    "page_documents": ("文档", "Documents"),
    "page_review": ("审核", "Review"),
    "page_intake": ("导入", "Intake"),
    "show_original": ("显示原文(繁体)", "Show the original (traditional characters)"),
    "show_original_help": ("抽取时已将繁体转为简体;原文逐字对应,高亮位置不变。",
                           "Traditional characters were converted to simplified for extraction, character for "
                           "character, so the highlights fall on the same places."),
    "language": ("语言 / Language", "语言 / Language"),
    # Sidebar filters
    "filters": ("筛选", "Filters"),
    "clear_filters": ("清除筛选", "Clear filters"),
    "merge_predecessors": ("合并前身单位", "Merge predecessor agencies"),
    "merge_help": ("开启时,撤并前的单位计入现单位(如 市工信委 → 市工业和信息化局);关闭时分开显示。",
                   "On: a predecessor counts under its successor (e.g. 市工信委 → 市工业和信息化局). "
                   "Off: shown apart."),
    "agency": ("单位", "Agency"),
    "agency_role": ("单位角色", "Agency role"),
    "role_lead": ("牵头", "Lead"),
    "role_any": ("任何角色", "Any role"),
    "jurisdiction": ("辖区", "Jurisdiction"),
    "doc_type": ("文档类型", "Document type"),
    "document": ("文档", "Document"),
    "issue_years": ("发文年份", "Issue year"),
    "deadline_years": ("期限年份", "Deadline year"),
    "deadline_bucket": ("期限状态", "Deadline status"),
    "as_of": ("基准日", "As of"),
    "keyword": ("关键词(承诺内容)", "Keyword (commitment text)"),
    "keyword_help": ("中文子串匹配:承诺内容,或数据所在句子。", "Substring match on commitment text, or the figure's sentence."),
    "all": ("全部", "All"),
    "share_hint": ("地址栏链接包含当前页面与筛选,可直接分享。", "The address bar link holds this page and its filters: share it."),
    # States
    "no_db_title": ("尚无数据库", "No database yet"),
    "no_db_body": ("在 `{path}` 没有找到数据库。请在项目目录运行 `make run`,或 `python -m etl load seeds --db {path}`,然后刷新本页。",
                   "No database at `{path}`. Run `make run` in the project folder, or "
                   "`python -m etl load seeds --db {path}`, then reload this page."),
    "db_empty": ("数据库 `{path}` 中还没有文档。运行 `python -m etl load <文件夹> --db {path}` 载入。",
                 "The database `{path}` holds no documents yet. Run `python -m etl load <folder> --db {path}`."),
    "db_busy": ("数据库正被 ETL 更新,请稍后刷新。", "The ETL is updating the database; reload in a moment."),
    "db_outdated": ("数据库 `{path}` 由较早版本的 ETL 生成,缺少看板所需的汇总表。运行 `make etl`(或 `python -m etl load seeds --db {path}`)即可升级,已载入的文档会从存储的文本重新提取。",
                    "The database `{path}` was written by an older ETL and lacks the tables the dashboard reads. "
                    "Run `make etl` (or `python -m etl load seeds --db {path}`) to upgrade it: stored documents are re-extracted from their stored text."),
    "db_broken": ("无法读取数据库 `{path}`:{reason}。重新运行 `python -m etl load` 生成。",
                  "Cannot read the database `{path}`: {reason}. Run `python -m etl load` again."),
    "corrections_failed": ("无法读取人工更正({reason}),以下显示未更正的数据。",
                           "Could not read the analysts' corrections ({reason}); showing uncorrected data."),
    "empty": ("当前筛选条件下没有数据。", "No data for these filters."),
    "rows": ("{n} 行", "{n} rows"),
    "rows_of": ("第 {a}–{b} 行,共 {n} 行", "Rows {a}–{b} of {n}"),
    "table_page": ("页码", "Page"),
    "export_cut": ("下载最多 {n} 行(Excel 单表上限)", "Downloads hold the first {n} rows (Excel's sheet limit)"),
    "find_document": ("查找文档(标题或文件名)", "Find a document (title or file name)"),
    "find_document_help": ("共 {n} 份文档:输入标题中的词,再从下方选择。", "{n} documents: type words of a title, then pick below."),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "filters_sheet": ("筛选条件", "Filters"),
    "data_sheet": ("数据", "Data"),
    "filter_none": ("(无筛选)", "(no filters)"),
    "exported_at": ("导出时间", "Exported at"),
    "database": ("数据库", "Database"),
    "row_count": ("行数", "Rows"),
    "corrected_mark": ("✎ 表示经人工更正", "✎ marks an analyst's correction"),
    # Overview
    "overview_title": ("总览", "Overview"),
    "kpi_documents": ("文档", "Documents"),
    "kpi_commitments": ("承诺", "Commitments"),
    "kpi_agencies": ("牵头单位", "Lead agencies"),
    "kpi_money_reported": ("已报告财政与基金资金", "Public money reported"),
    "kpi_money_target": ("目标资金(承诺投入)", "Money committed (targets)"),
    "kpi_due_90": ("90 天内到期", "Due in 90 days"),
    "kpi_overdue": ("已过期限", "Overdue"),
    "kpi_no_deadline": ("未写明期限", "No deadline stated"),
    "kpi_money_help": ("财政资金与基金,不含补贴标准与经济指标。", "Fiscal and fund money; excludes subsidy rates and economic figures."),
    "go_funding": ("查看资金 →", "Open Funding →"),
    "go_deadlines": ("查看期限 →", "Open Deadlines →"),
    "go_projects": ("查看项目数 →", "Open Projects →"),
    "go_commitments": ("查看承诺 →", "Open Commitments →"),
    "chart_money_by_year": ("财政与基金资金(按年份)", "Fiscal and fund money by year"),
    "chart_buckets": ("承诺期限状态", "Commitments by deadline status"),
    "chart_projects_by_year": ("项目数(按年份)", "Project counts by year"),
    # Funding / projects
    "funding_title": ("资金:按单位与年份", "Funding by agency and year"),
    "money_kinds": ("资金类别", "Money kind"),
    "reported_or_target": ("已报告 / 目标", "Reported / target"),
    "reported": ("已报告", "Reported"),
    "targets": ("目标(承诺)", "Targets (committed)"),
    "subsidy_note": ("补贴标准按每个受助对象计算,不计入合计,单独列示。",
                     "Subsidy rates are per recipient: never added to the totals, shown apart."),
    "subsidy_title": ("补贴标准(每个受助对象,不合计)", "Subsidy rates (per recipient, not summed)"),
    "year_note": ("年份:原文注明的年份;未注明时按发文年份。", "Year: as stated in the text; the issue year when none is stated."),
    "top_note": ("图中显示合计最大的 {n} 个单位;下表列出全部。", "The chart shows the {n} largest agencies; the table lists all."),
    "select_hint": ("点击柱形(或框选)查看对应数据及原句。", "Click a bar (or box-select) to list its figures with their sentences."),
    "selected_figures": ("所选柱形的数据({n} 条)", "Figures behind the selection ({n})"),
    "all_figures": ("全部数据({n} 条)", "All figures ({n})"),
    "rates_largest": ("图中为最高的 {n} 项补助比例(共 {total} 项),全部见下表。",
                      "The chart shows the {n} highest subsidy rates of {total}; the table lists them all."),
    "clear_selection": ("清除选择", "Clear selection"),
    "projects_title": ("项目数:按单位与年份", "Project counts by agency and year"),
    "projects_note": ("“其中…”所列的分项不重复计入合计(可在文档阅读器中查看)。",
                      "Parts listed after “其中” (of which) are not added again to the totals (see them in the reader)."),
    "axis_amount_yi": ("金额(亿元)", "Amount (CNY 100 million, 亿元)"),
    "axis_amount_wan": ("金额(万元)", "Amount (CNY 10 thousand, 万元)"),
    "axis_count": ("项目数(个)", "Projects (个)"),
    "axis_agency": ("单位", "Agency"),
    "axis_year": ("年份", "Year"),
    "axis_commitments": ("承诺数(项)", "Commitments"),
    "axis_deadline": ("期限", "Deadline"),
    "axis_elapsed": ("已过期限比例(%)", "Term elapsed (%)"),
    "unit_yi": ("亿元", "× CNY 100m"),
    "unit_wan": ("万元", "× CNY 10k"),
    "unit_count": ("个", "projects"),
    "unknown_agency": ("未注明单位", "Agency not stated"),
    "unknown_year": ("年份不详", "Year unknown"),
    "hover_figures": ("{n} 条数据", "{n} figures"),
    "hover_more": ("……另有 {n} 条", "… and {n} more"),
    "hover_corrected": ("✎ 含人工更正", "✎ includes corrections"),
    # Deadlines
    "deadlines_title": ("期限", "Deadlines"),
    "timeline_title": ("承诺期限时间线(按牵头单位)", "Commitment deadlines by lead agency"),
    "terms_first": ("图中为仍在有效期内、最先到期的 {n} 项政策(共 {total} 项)。",
                    "The chart shows the {n} policies in force that expire first ({total} in all)."),
    "timeline_by_year": ("期限很多,按年汇总:每个点是该年到期的承诺数。",
                         "Very many deadlines: grouped by year (each mark counts the commitments due that year)."),
    "timeline_by_month": ("期限较多,按月汇总:每个点是该月到期的承诺数。",
                          "Many deadlines: grouped by month (each mark counts the commitments due that month)."),
    "by_agency_title": ("各牵头单位的承诺(按期限状态)", "Commitments per lead agency, by deadline status"),
    "by_agency_note": ("有多个牵头单位的承诺,每个单位各计一次。", "A commitment with several lead agencies counts once for each."),
    "by_year_title": ("承诺数(按期限年份)", "Commitments by deadline year"),
    "terms_title": ("政策有效期已过比例", "Share of each policy's term elapsed"),
    "terms_empty": ("筛选范围内没有写明有效期的政策文件。", "No policy with a stated term in these filters."),
    "no_deadline_count": ("另有 {n} 项承诺未写明期限,不在时间线上。", "{n} more commitments state no deadline and are not on the timeline."),
    "as_of_line": ("基准日 {d}", "As of {d}"),
    # Commitments
    "commitments_title": ("承诺一览", "Commitments explorer"),
    "select_row_hint": ("选中一行,查看完整承诺及其在原文中的位置。", "Select a row to see the full commitment and its source passage."),
    "commitment_detail": ("承诺详情", "Commitment"),
    "source_passage": ("原文位置(高亮)", "Source passage (highlighted)"),
    "open_in_reader": ("在文档阅读器中打开 →", "Open in the document reader →"),
    "figures_inside": ("其中的金额、项目数与目标", "Money, counts and targets inside"),
    "commitment_missing": ("找不到承诺 {id}(可能已被删除或驳回)。", "Commitment {id} not found (removed or rejected)."),
    "deadline_label": ("期限", "Deadline"),
    "basis_label": ("依据", "Basis"),
    "leads_label": ("牵头单位", "Lead agencies"),
    "none_stated": ("未写明", "not stated"),
    # Documents
    "documents_title": ("文档", "Documents"),
    "reader": ("阅读器", "Reader"),
    "pick_document": ("选择文档", "Choose a document"),
    "legend": ("图例", "Legend"),
    "unplaced_title": ("未能在原文中定位的数据", "Facts that could not be placed in the text"),
    "unplaced_none": ("所有数据均已在原文中定位。", "Every fact is placed in the text."),
    "reason_validity": ("期限来自文件有效期({until}),原文无对应字句", "Deadline from the document's validity period ({until}); no words in the passage"),
    "reason_not_found": ("原文中未找到", "Not found in the text"),
    "reason_offsets": ("位置超出原文或与原文不符", "Offsets outside the text or not matching it"),
    "doc_meta": ("文档信息", "Document details"),
    "warnings": ("提示", "Warnings"),
    "count_label": ("数量", "Count"),
    "written_label": ("原文", "As written"),
    "kind_label": ("类别", "Kind"),
    "reason_label": ("原因", "Reason"),
}

# Vocabularies: value -> (zh, en)
VOCAB: dict[str, dict[str, tuple[str, str]]] = {
    "money_kind": {
        "fiscal": ("财政资金", "Fiscal spending"),
        "fund": ("基金", "Funds"),
        "subsidy_rate": ("补贴标准", "Subsidy rate"),
        "economic": ("经济指标", "Economic figure"),
    },
    "deadline_basis": {
        "explicit": ("原文写明", "Stated"),
        "validity": ("文件有效期", "Validity period"),
        "reply_year": ("答复当年", "Reply year"),
        "none": ("未写明", "None stated"),
    },
    "deadline_bucket": {
        "overdue": ("已过期限", "Overdue"),
        "due_30": ("30 天内到期", "Due in 30 days"),
        "due_90": ("31–90 天内到期", "Due in 31–90 days"),
        "later": ("90 天以后", "Later"),
        "none": ("未写明期限", "No deadline stated"),
    },
    "doc_type": {
        "npc_suggestion_reply": ("人大建议答复", "NPC suggestion reply"),
        "cppcc_proposal_reply": ("政协提案答复", "CPPCC proposal reply"),
        "policy_measures": ("政策措施", "Policy measures"),
        "other": ("其他", "Other"),
    },
    "figure_type": {
        "money": ("金额", "Money"),
        "count": ("项目数", "Project count"),
        "target": ("目标", "Target"),
    },
    "is_target": {True: ("目标", "Target"), False: ("已报告", "Reported")},
    "year_basis": {"stated": ("原文注明", "Stated"), "issue_year": ("按发文年份", "Issue year")},
    "qualifier": {
        "exact": ("确数", "exact"), "approx": ("约数", "approx."), "over": ("超过", "over"),
        "min": ("不少于", "at least"), "max": ("最高", "at most"),
    },
    "fact_kind": {
        "commitment": ("承诺", "Commitment"),
        "money": ("金额", "Money"),
        "count": ("项目数", "Project count"),
        "target": ("目标", "Target"),
        "agency": ("单位", "Agency"),
        "deadline": ("期限", "Deadline"),
    },
    "bool": {True: ("是", "yes"), False: ("否", "no")},
}

# Columns the dashboard derives (not in etl/schema.py): column -> (zh, en)
DERIVED_LABELS: dict[str, tuple[str, str]] = {
    "agency_label": ("单位", "Agency"),
    "agency_name": ("单位", "Agency"),
    "lead_labels": ("牵头单位", "Lead agencies"),
    "year": ("年份", "Year"),
    "year_basis": ("年份依据", "Year basis"),
    "amount_yiyuan": ("金额(亿元)", "Amount (CNY 100m)"),
    "amount_wanyuan": ("金额(万元)", "Amount (CNY 10k)"),
    "deadline_bucket": ("期限状态", "Deadline status"),
    "is_corrected": ("✎", "✎"),
    "figures_text": ("所含金额与目标", "Money and targets inside"),
    "n_commitments": ("承诺数", "Commitments"),
    "n_figures": ("数据数", "Figures"),
    "term_elapsed_pct": ("已过期限比例(%)", "Term elapsed (%)"),
    "short_text": ("承诺内容(节选)", "Commitment (shortened)"),
    "total": ("合计", "Total"),
    "kind": ("类别", "Kind"),
    "written": ("原文", "As written"),
    "reason": ("原因", "Reason"),
    "count": ("数量", "Count"),
}


# Every reported figure (issue 15): the Figures page, its reader link and the Overview's count.
STRINGS.update({
    "page_figures": ("数据", "Figures"),
    "figures_title": ("全部报告数据", "Every reported figure"),
    "figures_intro": ("文档中报告的每一个数:金额、数量(家、个、人…)、比例与计量。按指标词搜索,再按单位、类别、单位(部门)、年份与口径筛选。",
                      "Every number the documents report: money, counts (家, 个, 人 …), shares and measures. Search by "
                      "metric words, then narrow by unit, kind, agency, year and basis."),
    "fig_search": ("指标词", "Metric words"),
    "fig_search_help": ("指标中须含全部词语(以空格分隔),如“高新技术企业”或“企业 培育”;繁体、全角均可。",
                        "Every word (separated by spaces) must occur in the metric, e.g. 高新技术企业 or 企业 培育; "
                        "traditional or full-width characters work too."),
    "fig_kinds": ("类别", "Kind"),
    "fig_units": ("计量单位", "Unit"),
    "fig_agencies": ("所属单位", "Agency"),
    "fig_agencies_help": ("数据归属:句中点名的单位,否则所在承诺的牵头单位,否则发文单位。侧栏的单位筛选同样适用。",
                          "A figure belongs to the agency its sentence names, else its commitment's lead, else the "
                          "issuer. The sidebar's agency filter applies as well."),
    "fig_no_agency": ("(未明确单位)", "(no agency)"),
    "fig_years": ("数据年份", "Figure year"),
    "fig_cumulative": ("累计口径", "Running totals"),
    "fig_change": ("水平或增量", "Level or change"),
    "fig_target": ("实际或目标", "Reported or target"),
    "fig_choice_all": ("全部", "All"),
    "fig_choice_annual": ("非累计", "Not cumulative"),
    "fig_choice_cumulative": ("仅累计", "Cumulative only"),
    "fig_choice_level": ("水平值", "Levels"),
    "fig_choice_change": ("增量、增速", "Changes and rates"),
    "fig_choice_reported": ("已报告", "Reported"),
    "fig_choice_target": ("目标", "Targets"),
    "fig_matching": ("符合条件的数据 {n} 条(共 {total} 条)", "{n} figures match (of {total})"),
    "fig_none_loaded": ("数据库中还没有报告数据:请用当前版本重新运行 `make etl`。",
                        "The database holds no reported figures yet: run `make etl` with this version."),
    "fig_chart_heading": ("单个指标的历年数值(按单位)", "One metric over the years, by agency"),
    "fig_chart_metric": ("图表指标(计量单位)", "Metric charted (unit)"),
    "fig_chart_metric_option": ("{metric}({unit},{n} 条)", "{metric} ({unit}, {n})"),
    "fig_chart_none": ("当前筛选下没有可作图的水平值(增量、增速不作图)。", "No levels to chart in these filters (changes "
                       "and rates are never charted)."),
    "fig_chart_title": ("{metric}({unit})", "{metric} ({unit})"),
    "fig_chart_cumulative_title": ("{metric}({unit})· 累计数,单列", "{metric} ({unit}) · running totals, apart"),
    "fig_chart_note": ("只画水平值:增量、增速不与水平值相加;累计数单列,不与年度数相加。",
                       "Levels only: changes and rates are never added to levels; running totals are drawn apart."),
    "fig_chart_note_latest": ("每点是一条数据,从不相加:同一单位同一年有多条时,取最新文档所报。",
                              "Each point is one figure, never a sum: of several for an agency and year, the newest "
                              "document's."),
    "fig_chart_target_note": ("虚线、空心点为目标值。", "Dashed lines and open markers are targets."),
    "fig_chart_left_out": ("该指标另有{parts}未作图(见下表)。", "Not charted (they are in the table): {parts}."),
    "fig_left_changes": ("{n} 条增量或增速", "{n} changes or rates"),
    "fig_left_no_year": ("{n} 条无年份的数据", "{n} figures without a year"),
    "fig_chart_top": ("图中为数据最多的 {n} 个单位。", "The {n} agencies with most figures are drawn."),
    "fig_reported_series": ("{agency}", "{agency}"),
    "fig_target_series": ("{agency}(目标)", "{agency} (target)"),
    "fig_hover_several": ("共 {n} 条,范围 {lo}–{hi}", "{n} figures, from {lo} to {hi}"),
    "fig_table_heading": ("数据一览({n} 条)", "Figures ({n})"),
    "fig_select_hint": ("选中一行,查看所在句子,并可在文档阅读器中打开。", "Select a row to see its sentence and open it in "
                        "the document reader."),
    "fig_sentence": ("所在句子", "Its sentence"),
    "fig_open_reader": ("在文档阅读器中打开该句 →", "Open this sentence in the document reader →"),
    "fig_reader_focus": ("所选数据(橙色边框)所在句子:", "The chosen figure (framed in orange) in its sentence:"),
    "fig_in_text": ("下方为全文:承诺、金额、项目数与目标按类别高亮。", "The full text follows, with commitments, money, "
                    "project counts and targets highlighted by kind."),
    "kpi_reported_figures": ("报告数据(全部数值)", "Reported figures (every number)"),
    "go_figures": ("查看全部数据 →", "Open Figures →"),
    "fig_unit_unknown": ("(未登记单位)", "(undeclared unit)"),
})
VOCAB["figure_kind"] = {"money": ("金额", "Money"), "count": ("数量", "Count"), "share": ("比例", "Share"),
                        "measure": ("计量", "Measure")}
VOCAB["is_cumulative"] = {True: ("累计", "running total"), False: ("当期", "for the period")}
VOCAB["is_change"] = {True: ("增量或增速", "change or rate"), False: ("水平值", "level")}
VOCAB["year_basis"] = {**VOCAB["year_basis"], "since": ("起算年(以来)", "Since (以来)"),
                       "relative": ("相对年份(今年、去年)", "Relative (今年, 去年)"), "none": ("未注明", "None")}
DERIVED_LABELS.update({
    "value_text": ("数值(含单位)", "Value (with unit)"),
    "figure_kind": ("数据类别", "Kind"),
    "figure_agency": ("所属单位", "Agency"),
})

def register(strings: dict[str, tuple[str, str]]) -> None:
    """Add UI strings (key -> (zh, en)); other pages call this at import time."""
    STRINGS.update(strings)


def tr(key: str, lang: str, **fmt) -> str:
    """Return the UI string ``key`` in ``lang`` (the key itself when unknown)."""
    pair = STRINGS.get(key)
    text = key if pair is None else pair[0 if lang == "zh" else 1]
    return text.format(**fmt) if fmt else text


def lang() -> str:
    """Return the language chosen in the sidebar ("zh" or "en")."""
    import streamlit as st

    value = st.session_state.get("lang", DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def t(key: str, **fmt) -> str:
    """Return the UI string ``key`` in the current language."""
    return tr(key, lang(), **fmt)


def vocab(kind: str, value, lang: str) -> str:
    """Return the display name of a vocabulary value; unknown values are shown as written."""
    names = VOCAB.get(kind, {})
    if value is None:
        return ""
    pair = names.get(value)
    return str(value) if pair is None else pair[0 if lang == "zh" else 1]


def column_label(column: str, lang: str, tables: tuple[str, ...] = ()) -> str:
    """Return a column header in ``lang``: the schema's label, else a derived column's label."""
    for name in tables:
        table = TABLES.get(name)
        if table is not None and column in table.column_names:
            col = table.column(column)
            return col.label_zh if lang == "zh" else col.label_en
    if column in DERIVED_LABELS:
        return DERIVED_LABELS[column][0 if lang == "zh" else 1]
    for table in TABLES.values():
        if column in table.column_names:
            col = table.column(column)
            return col.label_zh if lang == "zh" else col.label_en
    return column
