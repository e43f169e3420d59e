"""Declare every table and column once: the DDL, the dashboard's labels and the schema test use this.

In: nothing. Out: ``TABLES`` (name -> Table) and ``ddl()`` (the CREATE statements).
Units sit at the end of column names (``amount_yuan``), kinds in prefixes/suffixes
(``is_target``, ``deadline_date``, ``issue_year``), offsets as ``char_start``/``char_end``
into ``documents.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    label_zh: str
    label_en: str
    description: str = ""
    nullable: bool = True
    accepted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name}.{name}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


DOC_TYPES = ("npc_suggestion_reply", "cppcc_proposal_reply", "policy_measures", "other")
DEADLINE_BASES = ("explicit", "validity", "reply_year", "none")
QUALIFIERS = ("exact", "approx", "over", "min", "max")
MONEY_KINDS = ("fiscal", "fund", "financing", "subsidy_rate", "economic")
"""fiscal: public money; fund: a fund's size; financing: a bank financing programme or credit line;
subsidy_rate: an award or cap per recipient; economic: any other economic magnitude. Never added across kinds."""
FIGURE_TYPES = ("money", "count", "target")
FIGURE_KINDS = ("money", "count", "share", "measure")
FIGURE_YEAR_BASES = ("stated", "since", "relative", "none")
AGENCY_LEVELS = ("government", "department", "office", "party", "military", "organization", "enterprise", "group", "unknown")
FILE_OUTCOMES = ("loaded", "unchanged", "duplicate", "failed")
CHANGE_KINDS = ("added", "changed", "removed")


def C(name, sql_type, zh, en, description="", nullable=True, accepted=()):  # noqa: N802 - table literal helper
    return Column(name, sql_type, zh, en, description, nullable, tuple(accepted))


TABLES: dict[str, Table] = {}


def _table(table: Table) -> Table:
    TABLES[table.name] = table
    return table


DOCUMENTS = _table(Table(
    "documents",
    "One loaded document: its stored text (every offset indexes it) and its metadata.",
    (
        C("doc_id", "VARCHAR", "文档编号", "Document ID", "Stable ID from the file name", nullable=False),
        C("file_name", "VARCHAR", "文件名", "File name", nullable=False),
        C("source_path", "VARCHAR", "来源路径", "Source path"),
        C("content_sha256", "VARCHAR", "内容哈希", "Content hash", "SHA-256 of the file bytes", nullable=False),
        C("text_sha256", "VARCHAR", "正文哈希", "Text hash",
          "SHA-256 of the stored text folded, without white space: the same document in any encoding or format"),
        C("source_format", "VARCHAR", "格式", "Format", accepted=("txt", "html", "docx", "pdf")),
        C("encoding", "VARCHAR", "编码", "Encoding"),
        C("doc_type", "VARCHAR", "文档类型", "Document type", nullable=False, accepted=DOC_TYPES),
        C("title", "VARCHAR", "标题", "Title"),
        C("issuer_id", "VARCHAR", "发文单位编号", "Issuer ID"),
        C("issuer_name", "VARCHAR", "发文单位", "Issuer"),
        C("jurisdiction", "VARCHAR", "辖区", "Jurisdiction"),
        C("issue_date", "DATE", "发文日期", "Issue date"),
        C("issue_year", "INTEGER", "发文年份", "Issue year"),
        C("proposal_no", "VARCHAR", "建议/提案号", "Proposal no."),
        C("doc_no", "VARCHAR", "文号", "Document no.", "As written in the header, e.g. 国办函〔2006〕70号"),
        C("addressee", "VARCHAR", "答复对象", "Addressee"),
        C("co_agencies", "VARCHAR[]", "会办单位", "Co-handling agencies", "Canonical names, in order of mention"),
        C("valid_from", "DATE", "施行日期", "Valid from"),
        C("valid_until", "DATE", "有效期至", "Valid until"),
        C("text", "VARCHAR", "正文", "Text", "Stored text (simplified); offsets index it", nullable=False),
        C("original_text", "VARCHAR", "原文", "Original text", "As decoded, before traditional→simplified"),
        C("char_count", "INTEGER", "字数", "Characters", nullable=False),
        C("warnings", "VARCHAR[]", "提示", "Warnings"),
    ),
    primary_key=("doc_id",),
))

AGENCIES = _table(Table(
    "agencies",
    "Agency registry plus the unregistered agencies the recogniser found (kept as written).",
    (
        C("agency_id", "VARCHAR", "单位编号", "Agency ID", nullable=False),
        C("canonical_name", "VARCHAR", "单位", "Agency", nullable=False),
        C("short_name", "VARCHAR", "简称", "Short name"),
        C("name_en", "VARCHAR", "英文名", "English name"),
        C("level", "VARCHAR", "层级", "Level", accepted=AGENCY_LEVELS),
        C("jurisdiction", "VARCHAR", "辖区", "Jurisdiction"),
        C("aliases", "VARCHAR[]", "别名", "Aliases"),
        C("successor_id", "VARCHAR", "继任单位编号", "Successor ID"),
        C("current_id", "VARCHAR", "现单位编号", "Current agency ID", "Last successor in the chain (itself if none)", nullable=False),
        C("is_registered", "BOOLEAN", "已登记", "Registered", nullable=False),
    ),
    primary_key=("agency_id",),
))

COMMITMENTS = _table(Table(
    "commitments",
    "One forward-looking undertaking: a 下一步 item, or a measure's clause group with its own leads.",
    (
        C("commitment_id", "VARCHAR", "承诺编号", "Commitment ID", "Stable ID from document and text", nullable=False),
        C("doc_id", "VARCHAR", "文档编号", "Document ID", nullable=False),
        C("item_label", "VARCHAR", "条目", "Item"),
        C("task_no", "INTEGER", "分项", "Task", nullable=False),
        C("section_path", "VARCHAR", "所在章节", "Section"),
        C("text", "VARCHAR", "承诺内容", "Commitment", nullable=False),
        C("char_start", "INTEGER", "起始位置", "Start", nullable=False),
        C("char_end", "INTEGER", "结束位置", "End", nullable=False),
        C("lead_agency_ids", "VARCHAR[]", "牵头单位编号", "Lead agency IDs"),
        C("lead_agency_names", "VARCHAR[]", "牵头单位", "Lead agencies"),
        C("deadline_date", "DATE", "期限", "Deadline"),
        C("deadline_year", "INTEGER", "期限年份", "Deadline year"),
        C("deadline_basis", "VARCHAR", "期限依据", "Deadline basis", nullable=False, accepted=DEADLINE_BASES),
        C("deadline_text", "VARCHAR", "期限原文", "Deadline as written"),
    ),
    primary_key=("commitment_id",),
))

COMMITMENT_AGENCIES = _table(Table(
    "commitment_agencies",
    "Which agencies a commitment names, and in what role.",
    (
        C("commitment_id", "VARCHAR", "承诺编号", "Commitment ID", nullable=False),
        C("agency_id", "VARCHAR", "单位编号", "Agency ID", nullable=False),
        C("role", "VARCHAR", "角色", "Role", nullable=False, accepted=("lead", "support")),
        C("written_as", "VARCHAR", "原文写法", "Written as"),
        C("position", "INTEGER", "顺序", "Order", nullable=False),
    ),
    primary_key=("commitment_id", "agency_id", "role"),
))

FIGURES = _table(Table(
    "figures",
    "Money amounts, project counts and targets, each with its evidence sentence.",
    (
        C("figure_id", "VARCHAR", "数据编号", "Figure ID", nullable=False),
        C("doc_id", "VARCHAR", "文档编号", "Document ID", nullable=False),
        C("commitment_id", "VARCHAR", "承诺编号", "Commitment ID", "The commitment whose span holds it"),
        C("figure_type", "VARCHAR", "类别", "Type", nullable=False, accepted=FIGURE_TYPES),
        C("span_text", "VARCHAR", "原文", "As written", nullable=False),
        C("value", "DOUBLE", "数值", "Value", nullable=False),
        C("unit", "VARCHAR", "单位", "Unit", nullable=False),
        C("amount_yuan", "DOUBLE", "金额(元)", "Amount (yuan)", "Money only"),
        C("qualifier", "VARCHAR", "限定", "Qualifier", nullable=False, accepted=QUALIFIERS),
        C("money_kind", "VARCHAR", "资金类别", "Money kind", accepted=MONEY_KINDS),
        C("figure_year", "INTEGER", "年份", "Year"),
        C("is_target", "BOOLEAN", "目标", "Target", nullable=False),
        C("is_breakdown", "BOOLEAN", "其中项", "Breakdown", "Part of an earlier figure of its sentence (其中…): "
          "listed, never added to totals", nullable=False),
        C("is_cumulative", "BOOLEAN", "累计数", "Cumulative", "A running total (累计, 截至…, …以来): never summed "
          "with one year's figures", nullable=False),
        C("metric", "VARCHAR", "指标", "Metric"),
        C("agency_id", "VARCHAR", "单位编号", "Agency ID"),
        C("agency_ids", "VARCHAR[]", "相关单位编号", "Agency IDs"),
        C("char_start", "INTEGER", "起始位置", "Start", nullable=False),
        C("char_end", "INTEGER", "结束位置", "End", nullable=False),
        C("sentence", "VARCHAR", "所在句子", "Sentence", nullable=False),
        C("sentence_start", "INTEGER", "句子起始", "Sentence start", nullable=False),
        C("sentence_end", "INTEGER", "句子结束", "Sentence end", nullable=False),
    ),
    primary_key=("figure_id",),
))

REPORTED_FIGURES = _table(Table(
    "reported_figures",
    "Every quantity a document states (etl.figures): money, counts of things and people, shares and rates, "
    "physical measures; one row per occurrence, with its evidence sentence.",
    (
        C("figure_id", "VARCHAR", "数据编号", "Figure ID", "Stable ID from document, span and sentence", nullable=False),
        C("doc_id", "VARCHAR", "文档编号", "Document ID", nullable=False),
        C("commitment_id", "VARCHAR", "承诺编号", "Commitment ID", "The commitment whose span holds it"),
        C("span_text", "VARCHAR", "原文", "As written", "The number with its unit (qualifier words outside it)",
          nullable=False),
        C("value", "DOUBLE", "数值", "Value", "In the base unit of `unit` (万/亿/千 multiplied in)", nullable=False),
        C("unit", "VARCHAR", "单位", "Unit", "Base unit from etl.units (元 for all money), else as written",
          nullable=False),
        C("is_unit_known", "BOOLEAN", "单位已登记", "Unit declared", "False when the unit is kept as written",
          nullable=False),
        C("qualifier", "VARCHAR", "限定", "Qualifier", nullable=False, accepted=QUALIFIERS),
        C("kind", "VARCHAR", "数据类别", "Kind", nullable=False, accepted=FIGURE_KINDS),
        C("metric", "VARCHAR", "指标", "Metric", "The noun phrase measured (etl.figures.normalise_metric)",
          nullable=False),
        C("year", "INTEGER", "年份", "Year", "The year the text gives it, else null"),
        C("year_basis", "VARCHAR", "年份依据", "Year basis", nullable=False, accepted=FIGURE_YEAR_BASES),
        C("is_cumulative", "BOOLEAN", "累计", "Cumulative", "A running total (累计, 截至…, …以来): never summed "
          "with annual figures", nullable=False),
        C("is_change", "BOOLEAN", "增量", "Change", "A change or rate (同比增长, 净增): never added to a level",
          nullable=False),
        C("is_target", "BOOLEAN", "目标", "Target", nullable=False),
        C("agency_id", "VARCHAR", "单位编号", "Agency ID", "The agency its sentence names last before it"),
        C("char_start", "INTEGER", "起始位置", "Start", nullable=False),
        C("char_end", "INTEGER", "结束位置", "End", nullable=False),
        C("sentence", "VARCHAR", "所在句子", "Sentence", nullable=False),
        C("sentence_start", "INTEGER", "句子起始", "Sentence start", nullable=False),
        C("sentence_end", "INTEGER", "句子结束", "Sentence end", nullable=False),
    ),
    primary_key=("figure_id",),
))

AGENCY_MENTIONS = _table(Table(
    "agency_mentions",
    "Every place an agency is named in a document (for the reader's highlights).",
    (
        C("doc_id", "VARCHAR", "文档编号", "Document ID", nullable=False),
        C("agency_id", "VARCHAR", "单位编号", "Agency ID", nullable=False),
        C("written_as", "VARCHAR", "原文写法", "Written as", nullable=False),
        C("char_start", "INTEGER", "起始位置", "Start", nullable=False),
        C("char_end", "INTEGER", "结束位置", "End", nullable=False),
    ),
    primary_key=("doc_id", "char_start", "char_end"),
))

SECTIONS = _table(Table(
    "sections",
    "The numbering outline of each document (一、 / (一) / 1. / 一是 …).",
    (
        C("doc_id", "VARCHAR", "文档编号", "Document ID", nullable=False),
        C("section_no", "INTEGER", "序号", "No.", nullable=False),
        C("level", "INTEGER", "层级", "Level", nullable=False),
        C("label", "VARCHAR", "编号", "Label", nullable=False),
        C("heading", "VARCHAR", "标题", "Heading"),
        C("char_start", "INTEGER", "起始位置", "Start", nullable=False),
        C("char_end", "INTEGER", "结束位置", "End", nullable=False),
    ),
    primary_key=("doc_id", "section_no"),
))

ETL_RUNS = _table(Table(
    "etl_runs",
    "One row per `python -m etl load` that completed.",
    (
        C("run_id", "VARCHAR", "运行编号", "Run ID", nullable=False),
        C("started_at", "TIMESTAMP", "开始时间", "Started", nullable=False),
        C("finished_at", "TIMESTAMP", "结束时间", "Finished", nullable=False),
        C("files_seen", "INTEGER", "文件数", "Files", nullable=False),
        C("loaded", "INTEGER", "已载入", "Loaded", nullable=False),
        C("unchanged", "INTEGER", "未变化", "Unchanged", nullable=False),
        C("failed", "INTEGER", "失败", "Failed", nullable=False),
        C("seconds", "DOUBLE", "耗时(秒)", "Seconds", nullable=False),
    ),
    primary_key=("run_id",),
))

ETL_FILES = _table(Table(
    "etl_files",
    "What happened to each file of each run, with the reason when it failed.",
    (
        C("run_id", "VARCHAR", "运行编号", "Run ID", nullable=False),
        C("path", "VARCHAR", "路径", "Path", nullable=False),
        C("content_sha256", "VARCHAR", "内容哈希", "Content hash"),
        C("outcome", "VARCHAR", "结果", "Outcome", nullable=False, accepted=FILE_OUTCOMES),
        C("reason", "VARCHAR", "原因", "Reason"),
        C("doc_id", "VARCHAR", "文档编号", "Document ID"),
        C("commitments", "INTEGER", "承诺数", "Commitments"),
        C("figures", "INTEGER", "数据数", "Figures"),
    ),
))

ETL_CHANGES = _table(Table(
    "etl_changes",
    "What each run added, changed or removed (documents, commitments, figures), for 'changed since'.",
    (
        C("run_id", "VARCHAR", "运行编号", "Run ID", nullable=False),
        C("changed_at", "TIMESTAMP", "时间", "When", nullable=False),
        C("entity", "VARCHAR", "对象", "Entity", nullable=False, accepted=("document", "commitment", "figure")),
        C("entity_id", "VARCHAR", "编号", "ID", nullable=False),
        C("doc_id", "VARCHAR", "文档编号", "Document ID", nullable=False),
        C("change", "VARCHAR", "变化", "Change", nullable=False, accepted=CHANGE_KINDS),
        C("summary", "VARCHAR", "摘要", "Summary"),
    ),
))


# Derived tables: rebuilt in full by ``etl.derive`` at the end of every load, from the tables
# above. They hold what the dashboard filters, groups and sums on, one row per fact, with the
# document's columns and the agency keys (as written and merged to the current agency) worked
# out once, so a chart over a million figures is one scan of one table.

FACT_COMMITMENTS = _table(Table(
    "fact_commitments",
    "Derived (etl.derive): one row per commitment with its document's columns and agency keys.",
    (
        C("commitment_id", "VARCHAR", "承诺编号", "Commitment ID", nullable=False),
        C("doc_id", "VARCHAR", "文档编号", "Document ID", nullable=False),
        C("char_start", "INTEGER", "起始位置", "Start", nullable=False),
        C("issue_date", "DATE", "发文日期", "Issue date"),
        C("issue_year", "INTEGER", "发文年份", "Issue year"),
        C("doc_type", "VARCHAR", "文档类型", "Document type", nullable=False, accepted=DOC_TYPES),
        C("jurisdiction", "VARCHAR", "辖区", "Jurisdiction"),
        C("deadline_date", "DATE", "期限", "Deadline"),
        C("deadline_year", "INTEGER", "期限年份", "Deadline year"),
        C("deadline_basis", "VARCHAR", "期限依据", "Deadline basis", accepted=DEADLINE_BASES),
        C("lead_ids", "VARCHAR[]", "牵头单位编号", "Lead agency IDs", "As extracted (empty list if none)", nullable=False),
        C("lead_current_ids", "VARCHAR[]", "牵头单位现编号", "Lead agencies (current)",
          "lead_ids with each agency replaced by its current successor", nullable=False),
        C("other_ids", "VARCHAR[]", "其他单位编号", "Other agency IDs", "Supporting agencies, then the issuer",
          nullable=False),
        C("any_ids", "VARCHAR[]", "相关单位编号", "Agency IDs", "lead_ids then other_ids", nullable=False),
        C("any_current_ids", "VARCHAR[]", "相关单位现编号", "Agency IDs (current)", nullable=False),
        C("figures_text", "VARCHAR", "所含数据", "Figures inside", "The figures written inside it, in text order, "
          "joined with 、"),
        C("change_times", "TIMESTAMP[]", "变更时间", "Change times", "When ETL runs added or changed it "
          "(etl_changes), oldest first", nullable=False),
        C("list_order", "INTEGER", "列表顺序", "List order", "Its place in lists: newest document first, then "
          "document, then position in the text", nullable=False),
        C("is_corrected", "BOOLEAN", "已更正", "Corrected", "Always false here; true in the dashboard's "
          "corrected rows", nullable=False),
        C("is_lead_corrected", "BOOLEAN", "牵头已更正", "Leads corrected", nullable=False),
    ),
))

FACT_FIGURES = _table(Table(
    "fact_figures",
    "Derived (etl.derive): one row per figure with the year and agency it is charted under.",
    (
        C("figure_id", "VARCHAR", "数据编号", "Figure ID", nullable=False),
        C("doc_id", "VARCHAR", "文档编号", "Document ID", nullable=False),
        C("commitment_id", "VARCHAR", "承诺编号", "Commitment ID"),
        C("figure_type", "VARCHAR", "类别", "Type", nullable=False, accepted=FIGURE_TYPES),
        C("money_kind", "VARCHAR", "资金类别", "Money kind", accepted=MONEY_KINDS),
        C("is_target", "BOOLEAN", "目标", "Target", nullable=False),
        C("is_breakdown", "BOOLEAN", "其中项", "Breakdown", nullable=False),
        C("is_cumulative", "BOOLEAN", "累计数", "Cumulative", nullable=False),
        C("metric_key", "VARCHAR", "统计口径", "Metric", "What a count counts: a stage of the project funnel "
          "(etl.derive.STAGES: negotiating, signed, registered, started, completed), else the metric as written"),
        C("amount", "DOUBLE", "数额", "Amount", "amount_yuan for money, value for counts and targets"),
        C("span_text", "VARCHAR", "原文", "As written", nullable=False),
        C("year", "INTEGER", "年份", "Year", "The figure's year, else its document's issue year"),
        C("year_basis", "VARCHAR", "年份依据", "Year basis", nullable=False, accepted=("stated", "issue_year")),
        C("issue_date", "DATE", "发文日期", "Issue date"),
        C("issue_year", "INTEGER", "发文年份", "Issue year"),
        C("doc_type", "VARCHAR", "文档类型", "Document type", nullable=False, accepted=DOC_TYPES),
        C("jurisdiction", "VARCHAR", "辖区", "Jurisdiction"),
        C("agency_id", "VARCHAR", "单位编号", "Agency ID", "The agency it is charted under: its own, else its "
          "commitment's first lead, else the issuer"),
        C("agency_current_id", "VARCHAR", "现单位编号", "Current agency ID"),
        C("any_ids", "VARCHAR[]", "相关单位编号", "Agency IDs", "Every agency it names or its commitment names",
          nullable=False),
        C("any_current_ids", "VARCHAR[]", "相关单位现编号", "Agency IDs (current)", nullable=False),
        C("in_commitment", "BOOLEAN", "属于承诺", "In a commitment", nullable=False),
        C("deadline_date", "DATE", "期限", "Deadline", "Its commitment's deadline"),
        C("deadline_year", "INTEGER", "期限年份", "Deadline year"),
        C("deadline_basis", "VARCHAR", "期限依据", "Deadline basis", "Its commitment's", accepted=DEADLINE_BASES),
        C("is_corrected", "BOOLEAN", "已更正", "Corrected", nullable=False),
    ),
))

FACT_AGENCIES = _table(Table(
    "fact_agencies",
    "Derived (etl.derive): every agency some fact names, with how many commitments it leads.",
    (
        C("agency_id", "VARCHAR", "单位编号", "Agency ID", nullable=False),
        C("n_led", "INTEGER", "牵头承诺数", "Commitments led", nullable=False),
    ),
    primary_key=("agency_id",),
))

FACT_REPORTED_FIGURES = _table(Table(
    "fact_reported_figures",
    "Derived (etl.derive): one row per reported figure with the year and agency it is charted under (the "
    "Figures page).",
    (
        C("figure_id", "VARCHAR", "数据编号", "Figure ID", nullable=False),
        C("doc_id", "VARCHAR", "文档编号", "Document ID", nullable=False),
        C("commitment_id", "VARCHAR", "承诺编号", "Commitment ID"),
        C("kind", "VARCHAR", "数据类别", "Kind", nullable=False, accepted=FIGURE_KINDS),
        C("unit", "VARCHAR", "单位", "Unit", nullable=False),
        C("metric", "VARCHAR", "指标", "Metric", nullable=False),
        C("value", "DOUBLE", "数值", "Value", nullable=False),
        C("is_cumulative", "BOOLEAN", "累计", "Cumulative", nullable=False),
        C("is_change", "BOOLEAN", "增量", "Change", nullable=False),
        C("is_target", "BOOLEAN", "目标", "Target", nullable=False),
        C("year", "INTEGER", "年份", "Year", "The figure's year, else its document's issue year"),
        C("year_basis", "VARCHAR", "年份依据", "Year basis", "The figure's basis, or issue_year when the year is "
          "its document's", nullable=False, accepted=FIGURE_YEAR_BASES + ("issue_year",)),
        C("issue_date", "DATE", "发文日期", "Issue date"),
        C("issue_year", "INTEGER", "发文年份", "Issue year"),
        C("doc_type", "VARCHAR", "文档类型", "Document type", nullable=False, accepted=DOC_TYPES),
        C("jurisdiction", "VARCHAR", "辖区", "Jurisdiction"),
        C("agency_id", "VARCHAR", "单位编号", "Agency ID", "The agency it is charted under: the one its sentence "
          "names, else its commitment's first lead, else the issuer"),
        C("agency_current_id", "VARCHAR", "现单位编号", "Current agency ID"),
        C("any_ids", "VARCHAR[]", "相关单位编号", "Agency IDs", "Its agency and every agency its commitment names",
          nullable=False),
        C("any_current_ids", "VARCHAR[]", "相关单位现编号", "Agency IDs (current)", nullable=False),
        C("in_commitment", "BOOLEAN", "属于承诺", "In a commitment", nullable=False),
        C("deadline_date", "DATE", "期限", "Deadline", "Its commitment's deadline"),
        C("deadline_year", "INTEGER", "期限年份", "Deadline year"),
        C("list_order", "INTEGER", "列表顺序", "List order", "Its place in lists: newest document first, then "
          "document, then position in the text", nullable=False),
    ),
))


# Follow-through candidates: rebuilt in full by ``etl.linking`` after the derived tables. Nothing
# here is a link until an analyst confirms it (``review.link_decisions`` keeps the decisions).

DEADLINE_MOVES = ("slipped", "brought_forward", "same", "unknown")

LINK_FULFILMENT = _table(Table(
    "link_fulfilment",
    "Candidates (etl.linking): a later reported figure that may show how far a target got, ranked.",
    (
        C("target_id", "VARCHAR", "目标编号", "Target ID", "figures.figure_id of the target", nullable=False),
        C("figure_id", "VARCHAR", "数据编号", "Figure ID", "reported_figures.figure_id", nullable=False),
        C("score", "DOUBLE", "得分", "Score", "Metric similarity less the years between them (0–100)",
          nullable=False),
        C("metric_score", "DOUBLE", "指标相似度", "Metric similarity", nullable=False),
        C("rank", "INTEGER", "排名", "Rank", "1 = best candidate of its target", nullable=False),
        C("reason", "VARCHAR", "理由", "Reason", nullable=False),
    ),
    primary_key=("target_id", "figure_id"),
))

LINK_SAME_FACTS = _table(Table(
    "link_same_facts",
    "Candidates (etl.linking): figures stating one fact (equal value, unit, year; alike metric).",
    (
        C("figure_id", "VARCHAR", "数据编号", "Figure ID", nullable=False),
        C("group_id", "VARCHAR", "同一事实组", "Same-fact group", "The first citation's figure_id", nullable=False),
        C("first_figure_id", "VARCHAR", "首次引用", "First citation", nullable=False),
        C("is_first", "BOOLEAN", "首次引用", "Is first citation", nullable=False),
        C("n_citations", "INTEGER", "引用次数", "Citations", nullable=False),
    ),
    primary_key=("figure_id",),
))

LINK_THREADS = _table(Table(
    "link_threads",
    "Candidates (etl.linking): a later commitment restating an earlier one, with how its deadline moved.",
    (
        C("from_commitment_id", "VARCHAR", "原承诺编号", "Earlier commitment", nullable=False),
        C("to_commitment_id", "VARCHAR", "重申承诺编号", "Restating commitment", nullable=False),
        C("score", "DOUBLE", "相似度", "Similarity", nullable=False),
        C("from_deadline_date", "DATE", "原期限", "Earlier deadline"),
        C("to_deadline_date", "DATE", "新期限", "Later deadline"),
        C("deadline_move", "VARCHAR", "期限变化", "Deadline move", nullable=False, accepted=DEADLINE_MOVES),
        C("reason", "VARCHAR", "理由", "Reason", nullable=False),
    ),
    primary_key=("from_commitment_id", "to_commitment_id"),
))


def ddl() -> list[str]:
    """Return the CREATE TABLE statements for every declared table."""
    statements = []
    for table in TABLES.values():
        cols = [f"{c.name} {c.sql_type}{'' if c.nullable else ' NOT NULL'}" for c in table.columns]
        if table.primary_key:
            cols.append(f"PRIMARY KEY ({', '.join(table.primary_key)})")
        statements.append(f"CREATE TABLE IF NOT EXISTS {table.name} (\n  " + ",\n  ".join(cols) + "\n)")
    return statements


def label(table: str, column: str, lang: str = "zh") -> str:
    """Return a column's display label in ``lang`` ('zh' or 'en')."""
    col = TABLES[table].column(column)
    return col.label_zh if lang == "zh" else col.label_en
