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
from review.values import OVERDUE_RULE

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
    "issue_years": ("发文年份(文档)", "Issue year (documents)"),
    "figure_years": ("数据年份(资金、项目数图表所用)", "Figure year (as Funding and Projects chart it)"),
    "deadline_years": ("期限年份", "Deadline year"),
    "deadline_bucket": ("期限状态", "Deadline status"),
    "deadline_basis": ("期限依据", "Deadline basis"),
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
    "page_failed": ("本页无法显示({reason})。请刷新页面;若仍出错,点击侧栏“清除筛选”,或重新运行 `make etl` 后刷新。"
                    "向维护人员报告时请附上编号 {reference}。",
                    "This page could not be shown ({reason}). Reload the page; if it fails again, click “Clear "
                    "filters” in the sidebar, or run `make etl` and reload. When reporting it, quote reference "
                    "{reference}."),
    "overdue_rule": OVERDUE_RULE,
    "empty": ("当前筛选条件下没有数据。", "No data for these filters."),
    "rows": ("{n} 行", "{n} rows"),
    "rows_of": ("第 {a}–{b} 行,共 {n} 行", "Rows {a}–{b} of {n}"),
    "table_page": ("页码", "Page"),
    "export_cut": ("下载最多 {n} 行(Excel 单表上限)", "Downloads hold the first {n} rows (Excel's sheet limit)"),
    "find_document": ("查找文档(标题或文件名)", "Find a document (title or file name)"),
    "find_document_help": ("共 {n} 份文档:输入标题中的词,再从下方选择。", "{n} documents: type words of a title, then pick below."),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "download_filters_csv": ("筛选条件 CSV", "Filters CSV"),
    "download_filters_help": ("与 CSV 数据配套的说明文件:列出生成这份数据的全部筛选与页面选项。",
                              "The CSV's companion: every filter and page choice that shaped the data."),
    "filter_value": ("取值", "Value"),
    "export_page": ("页面", "Page"),
    "picked_bars": ("所选柱形", "Selected bars"),
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
    "money_heading": ("资金(按性质分列,互不相加)", "Money, by kind (never added together)"),
    "kpi_money_kind": ("{kind}(已报告)", "{kind} (reported)"),
    "kpi_money_kind_target": ("目标(承诺投入):{amount}", "Targets (committed): {amount}"),
    "kpi_money_kind_cumulative": ("另有累计数 {n} 项(最大 {amount}),不计入年度合计", "Plus {n} running totals (largest "
                                  "{amount}), not added to the yearly sums"),
    "cumulative_title": ("累计数(累计、截至、以来):不计入年度合计,单独列示", "Running totals (累计, 截至, 以来): not added to the "
                         "yearly sums, listed apart"),
    "money_apart_note": ("财政资金、基金规模、金融支持(授信、贷款额度等)与经济指标性质不同,分别统计;“其中”所列分项不重复计入。",
                         "Fiscal spending, the size of funds, financing (credit lines, loan quotas) and economic "
                         "figures are different things, each totalled on its own; parts listed after 其中 are not "
                         "added again."),
    "kind_help_fiscal": ("各级财政安排、投入、拨付的资金。", "Money budgeted, spent or granted by governments."),
    "kind_help_fund": ("基金的规模(如产业基金、引导基金),不是当年支出。", "The size of funds (industry or guidance funds), "
                       "not a year's spending."),
    "kind_help_financing": ("银行等金融机构的授信、贷款额度、金融支持计划,不是财政资金。",
                            "Credit lines, loan quotas and financing programmes of banks: not public money."),
    "kind_help_economic": ("产值、投资额、营业收入等经济指标,不是资金投入。",
                           "Output, investment, revenue and other economic figures: not money spent."),
    "money_kind_one": ("资金类别(一次一类)", "Money kind (one at a time)"),
    "kpi_due_90": ("90 天内到期", "Due in 90 days"),
    "kpi_overdue": ("已逾期", "Overdue"),
    "kpi_no_deadline": ("未写明期限", "No deadline stated"),
    "kpi_closed": ("已完成或已取消", "Completed or dropped"),
    "go_funding": ("查看资金 →", "Open Funding →"),
    "go_deadlines": ("查看期限 →", "Open Deadlines →"),
    "go_projects": ("查看项目数 →", "Open Projects →"),
    "go_commitments": ("查看承诺 →", "Open Commitments →"),
    "chart_money_by_year": ("{kind}(按年份)", "{kind} by year"),
    "chart_buckets": ("承诺期限状态(按期限依据)", "Commitments by deadline status and basis"),
    "basis_note": ("颜色=期限依据:原文写明的期限、文件有效期届满、答复当年。",
                   "Colour = deadline basis: stated in the text, the policy's term, the reply's year."),
    "overdue_by_basis": ("其中 {parts}", "Of which {parts}"),
    "chart_projects_by_year": ("项目数(按年份与统计口径)", "Project counts by year and metric"),
    "stages_note": ("洽谈、签约、注册是同一批项目的不同阶段:各口径分列,不相加。", "Negotiated, signed and registered "
                    "are stages of the same projects: each metric apart, never added."),
    "count_metric": ("统计口径(阶段)", "Metric (stage)"),
    "unknown_metric": ("口径不详", "Metric not stated"),
    "top_metrics_note": ("图中为数据最多的 {n} 个口径;项目数页列出全部。", "The {n} metrics with most figures; "
                         "the Projects page lists all."),
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
    "deadlines_list": ("承诺一览({n} 项)", "Commitments ({n})"),
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
    "reader_focus": ("橙色边框标出所选承诺,正文已滚动到该处。", "The chosen commitment is framed in orange; the text opens at it."),
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
        "financing": ("金融支持", "Financing"),
    },
    "deadline_basis": {
        "explicit": ("原文写明", "Stated"),
        "validity": ("文件有效期", "Validity period"),
        "reply_year": ("答复当年", "Reply year"),
        "none": ("未写明", "None stated"),
    },
    "deadline_bucket": {
        "overdue": ("已逾期", "Overdue"),
        "due_30": ("30 天内到期", "Due in 30 days"),
        "due_90": ("31–90 天内到期", "Due in 31–90 days"),
        "later": ("90 天以后", "Later"),
        "none": ("未写明期限", "No deadline stated"),
        "completed": ("已完成", "Completed"),
        "dropped": ("已取消", "Dropped"),
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
    "metric_key": {
        "negotiating": ("新洽谈项目", "Projects under negotiation"),
        "signed": ("签约项目", "Projects signed"),
        "registered": ("注册(落户)项目", "Projects registered"),
        "started": ("开工项目", "Projects started"),
        "completed": ("竣工投产项目", "Projects completed"),
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
    "metric_key": ("统计口径", "Metric"),
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


# Follow-through (issue 14): the Targets page, one fact counted once, slipped deadlines.
register({
    "page_targets": ("目标跟踪", "Targets"),
    "targets_title": ("目标跟踪:说到做到了吗", "Targets: did they do what they said?"),
    "targets_intro": ("每个目标列出其后文件中同一单位(含继任单位)、同一单位量纲、指标相近的数据,按匹配度排序;"
                      "由分析人员确认或否决。已确认的链接保存在审核库中,重新运行 ETL 不受影响。",
                      "Each target lists the figures later documents of the same agency (or its successor) report "
                      "in the same unit with a close metric, best match first; the analyst confirms or rejects "
                      "them. Confirmed links are kept in the reviews store and survive every ETL run."),
    "links_reviewer": ("审核人", "Reviewer"),
    "links_reviewer_needed": ("请先填写审核人。", "Enter a reviewer name first."),
    "targets_none": ("尚无目标。", "No targets yet."),
    "targets_count": ("目标 {n} 个 · 已确认链接 {c} 个", "{n} targets · {c} confirmed links"),
    "target_label": ("目标", "Target"),
    "target_deadline": ("期限", "Deadline"),
    "target_latest": ("最新确认数据", "Latest confirmed figure"),
    "target_progress": ("进度", "Progress"),
    "target_met": ("已达成", "met"),
    "target_not_met": ("未达成", "not met"),
    "target_no_link": ("未确认", "none confirmed"),
    "target_evidence": ("目标原文", "Target sentence"),
    "reported_evidence": ("报告原文", "Reported sentence"),
    "candidates_title": ("候选数据", "Candidates"),
    "no_candidates": ("其后文件中没有相符的数据。", "No matching figure in later documents."),
    "link_confirm": ("确认", "Confirm"),
    "link_reject": ("否决", "Reject"),
    "link_clear": ("撤销", "Undo"),
    "decision_confirmed": ("已确认", "confirmed"),
    "decision_rejected": ("已否决", "rejected"),
    "decision_split": ("已拆分", "split"),
    "link_saved": ("已保存:{what}", "Saved: {what}"),
    "unregistered_agency": ("未登记单位", "unregistered agency"),
    "no_agency": ("未识别单位", "no agency"),
    "threads_title": ("承诺延续:重申的承诺", "Threads: restated commitments"),
    "threads_confirmed": ("已确认的承诺延续", "Confirmed threads"),
    "thread_first": ("首次承诺", "First promise"),
    "thread_restated": ("重申", "Restated"),
    "threads_candidates": ("候选延续", "Proposed threads"),
    "threads_none": ("没有候选的承诺延续。", "No proposed threads."),
    "thread_earlier": ("原承诺", "Earlier"),
    "thread_later": ("重申承诺", "Later"),
    "links_export": ("导出已确认的链接", "Export confirmed links"),
    "merged_note": ("合计中有 {n} 条重复引用(同一数值、年份、指标)只计一次,共 {amount}。",
                    "{n} repeated citations (same value, year and metric) are counted once in these totals "
                    "({amount})."),
    "sec_slipped": ("期限后延", "Slipped deadlines"),
    "slipped_none": ("没有已确认的期限后延。", "No confirmed slipped deadline."),
    "slipped_intro": ("已确认的重申承诺中,期限比原承诺推后的。", "Confirmed restatements whose deadline is later "
                      "than the earlier promise's."),
    "page_label": ("页码", "Page"),
    "same_facts_title": ("同一数据多次引用", "One figure cited several times"),
    "same_facts_intro": ("数值、单位、年份相同且指标相近的数据视为同一事实,合计时只计一次(首次引用);"
                         "若并非同一事实,可拆分。", "Figures of equal value, unit and year with alike metrics are "
                         "one fact, counted once in totals (its first citation); split a pair that is not."),
    "same_facts_none": ("没有重复引用的数据。", "No figure is cited twice."),
    "same_fact_first": ("首次引用(计入合计)", "first citation (counted)"),
    "same_fact_split": ("拆分", "Split"),
    "same_fact_whole": ("列出全部 {n} 处引用", "List all {n} citations"),
})
DERIVED_LABELS.update({
    "link_kind": ("链接类型", "Link kind"),
    "from_id": ("原编号", "From ID"),
    "to_id": ("后续编号", "To ID"),
    "from_span": ("目标", "Target"),
    "from_text": ("原文(目标/原承诺)", "Target / earlier commitment"),
    "from_title": ("原文件", "Earlier document"),
    "from_date": ("原发文日期", "Earlier issue date"),
    "to_span": ("报告数据", "Reported figure"),
    "to_text": ("原文(报告/重申)", "Reported / restating sentence"),
    "to_title": ("后续文件", "Later document"),
    "to_date": ("后续发文日期", "Later issue date"),
    "progress_pct": ("进度(%)", "Progress (%)"),
    "is_met": ("已达成", "Met"),
    "deadline_move": ("期限变化", "Deadline move"),
    "move": ("期限变化", "Deadline move"),
    "from_deadline_date": ("原期限", "Earlier deadline"),
    "to_deadline_date": ("新期限", "Later deadline"),
    "to_issue_date": ("重申日期", "Restated on"),
    "reviewer": ("审核人", "Reviewer"),
    "changed_at": ("时间", "When"),
})
