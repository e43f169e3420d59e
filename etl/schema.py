"""Declare every field once and every table as a list of fields: the DDL, the dashboard's labels and tests use this.

In: nothing. Out: ``FIELDS`` (name -> Field: type, labels, description, accepted values, unit),
``TABLES`` (name -> Table: its columns, each a field with the table's own nullability, fewer
accepted values or description where those differ) and ``ddl()`` (the CREATE statements).
Units sit at the end of column names (``amount_yuan``), kinds in prefixes/suffixes
(``is_target``, ``deadline_date``, ``issue_year``), offsets as ``char_start``/``char_end``
into ``documents.text``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One kind of value, declared once: ``nullable`` holds where a table does not say otherwise,
    ``column`` is its column's name where two fields share one."""

    name: str
    sql_type: str
    label_zh: str
    label_en: str
    description: str = ""
    nullable: bool = True
    accepted: tuple[str, ...] = ()
    unit: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class Column:
    """A field as one table holds it."""

    field: Field
    nullable: bool
    accepted: tuple[str, ...]
    description: str

    @property
    def name(self) -> str:
        return self.field.column or self.field.name

    @property
    def sql_type(self) -> str:
        return self.field.sql_type

    @property
    def label_zh(self) -> str:
        return self.field.label_zh

    @property
    def label_en(self) -> str:
        return self.field.label_en

    @property
    def unit(self) -> str | None:
        return self.field.unit


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()

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
DEADLINE_MOVES = ("slipped", "brought_forward", "same", "unknown")


def _registry(*fields: Field) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for f in fields:
        if f.name in out:
            raise ValueError(f"field {f.name} declared twice")
        out[f.name] = f
    return out


FIELDS: dict[str, Field] = _registry(
    # documents
    Field("doc_id", "VARCHAR", "文档编号", "Document ID", "Stable ID from the file name", nullable=False),
    Field("file_name", "VARCHAR", "文件名", "File name", nullable=False),
    Field("source_path", "VARCHAR", "来源路径", "Source path"),
    Field("content_sha256", "VARCHAR", "内容哈希", "Content hash", "SHA-256 of the file bytes", nullable=False),
    Field("text_sha256", "VARCHAR", "正文哈希", "Text hash",
          "SHA-256 of the stored text folded, without white space: the same document in any encoding or format"),
    Field("source_format", "VARCHAR", "格式", "Format", accepted=("txt", "html", "docx", "pdf")),
    Field("encoding", "VARCHAR", "编码", "Encoding"),
    Field("doc_type", "VARCHAR", "文档类型", "Document type", nullable=False, accepted=DOC_TYPES),
    Field("title", "VARCHAR", "标题", "Title"),
    Field("issuer_id", "VARCHAR", "发文单位编号", "Issuer ID"),
    Field("issuer_name", "VARCHAR", "发文单位", "Issuer"),
    Field("jurisdiction", "VARCHAR", "辖区", "Jurisdiction"),
    Field("issue_date", "DATE", "发文日期", "Issue date"),
    Field("issue_year", "INTEGER", "发文年份", "Issue year"),
    Field("proposal_no", "VARCHAR", "建议/提案号", "Proposal no."),
    Field("doc_no", "VARCHAR", "文号", "Document no.", "As written in the header, e.g. 国办函〔2006〕70号"),
    Field("addressee", "VARCHAR", "答复对象", "Addressee"),
    Field("co_agencies", "VARCHAR[]", "会办单位", "Co-handling agencies", "Canonical names, in order of mention"),
    Field("valid_from", "DATE", "施行日期", "Valid from"),
    Field("valid_until", "DATE", "有效期至", "Valid until"),
    Field("text", "VARCHAR", "正文", "Text", "Stored text (simplified); offsets index it", nullable=False),
    Field("original_text", "VARCHAR", "原文", "Original text", "As decoded, before traditional→simplified"),
    Field("char_count", "INTEGER", "字数", "Characters", nullable=False),
    Field("warnings", "VARCHAR[]", "提示", "Warnings"),
    # agencies
    Field("agency_id", "VARCHAR", "单位编号", "Agency ID", nullable=False),
    Field("canonical_name", "VARCHAR", "单位", "Agency", nullable=False),
    Field("short_name", "VARCHAR", "简称", "Short name"),
    Field("name_en", "VARCHAR", "英文名", "English name"),
    Field("level", "VARCHAR", "层级", "Level", accepted=AGENCY_LEVELS),
    Field("aliases", "VARCHAR[]", "别名", "Aliases"),
    Field("successor_id", "VARCHAR", "继任单位编号", "Successor ID"),
    Field("current_id", "VARCHAR", "现单位编号", "Current agency ID", "Last successor in the chain (itself if none)",
          nullable=False),
    Field("is_registered", "BOOLEAN", "已登记", "Registered", nullable=False),
    # commitments and the agencies they name
    Field("commitment_id", "VARCHAR", "承诺编号", "Commitment ID", "Stable ID from document and text", nullable=False),
    Field("item_label", "VARCHAR", "条目", "Item"),
    Field("task_no", "INTEGER", "分项", "Task", nullable=False),
    Field("section_path", "VARCHAR", "所在章节", "Section"),
    Field("commitment_text", "VARCHAR", "承诺内容", "Commitment", nullable=False, column="text"),
    Field("char_start", "INTEGER", "起始位置", "Start", nullable=False),
    Field("char_end", "INTEGER", "结束位置", "End", nullable=False),
    Field("lead_agency_ids", "VARCHAR[]", "牵头单位编号", "Lead agency IDs"),
    Field("lead_agency_names", "VARCHAR[]", "牵头单位", "Lead agencies"),
    Field("deadline_date", "DATE", "期限", "Deadline"),
    Field("deadline_year", "INTEGER", "期限年份", "Deadline year"),
    Field("deadline_basis", "VARCHAR", "期限依据", "Deadline basis", accepted=DEADLINE_BASES),
    Field("deadline_text", "VARCHAR", "期限原文", "Deadline as written"),
    Field("role", "VARCHAR", "角色", "Role", nullable=False, accepted=("lead", "support")),
    Field("written_as", "VARCHAR", "原文写法", "Written as"),
    Field("position", "INTEGER", "顺序", "Order", nullable=False),
    # figures
    Field("figure_id", "VARCHAR", "数据编号", "Figure ID", "Stable ID from document, span and sentence", nullable=False),
    Field("figure_type", "VARCHAR", "类别", "Type", nullable=False, accepted=FIGURE_TYPES),
    Field("span_text", "VARCHAR", "原文", "As written", nullable=False),
    Field("value", "DOUBLE", "数值", "Value", "In the base unit of `unit` (万/亿/千 multiplied in)", nullable=False),
    Field("unit", "VARCHAR", "单位", "Unit", nullable=False),
    Field("amount_yuan", "DOUBLE", "金额(元)", "Amount (yuan)", "Money only", unit="元"),
    Field("qualifier", "VARCHAR", "限定", "Qualifier", nullable=False, accepted=QUALIFIERS),
    Field("money_kind", "VARCHAR", "资金类别", "Money kind", accepted=MONEY_KINDS),
    Field("figure_year", "INTEGER", "年份", "Year"),
    Field("is_target", "BOOLEAN", "目标", "Target", nullable=False),
    Field("is_breakdown", "BOOLEAN", "其中项", "Breakdown", "Part of an earlier figure of its sentence (其中…): "
          "listed, never added to totals", nullable=False),
    Field("is_cumulative", "BOOLEAN", "累计", "Cumulative", "A running total (累计, 截至…, …以来): never summed "
          "with annual figures", nullable=False),
    Field("metric", "VARCHAR", "指标", "Metric", nullable=False),
    Field("agency_ids", "VARCHAR[]", "相关单位编号", "Agency IDs"),
    Field("sentence", "VARCHAR", "所在句子", "Sentence", nullable=False),
    Field("sentence_start", "INTEGER", "句子起始", "Sentence start", nullable=False),
    Field("sentence_end", "INTEGER", "句子结束", "Sentence end", nullable=False),
    Field("is_unit_known", "BOOLEAN", "单位已登记", "Unit declared", "False when the unit is kept as written",
          nullable=False),
    Field("kind", "VARCHAR", "数据类别", "Kind", nullable=False, accepted=FIGURE_KINDS),
    Field("year", "INTEGER", "年份", "Year", "The figure's year, else its document's issue year"),
    Field("year_basis", "VARCHAR", "年份依据", "Year basis", nullable=False,
          accepted=FIGURE_YEAR_BASES + ("issue_year",)),
    Field("is_change", "BOOLEAN", "增量", "Change", "A change or rate (同比增长, 净增): never added to a level",
          nullable=False),
    # sections
    Field("section_no", "INTEGER", "序号", "No.", nullable=False),
    Field("section_level", "INTEGER", "层级", "Level", nullable=False, column="level"),
    Field("label", "VARCHAR", "编号", "Label", nullable=False),
    Field("heading", "VARCHAR", "标题", "Heading"),
    # the ETL's runs, files and changes
    Field("run_id", "VARCHAR", "运行编号", "Run ID", nullable=False),
    Field("started_at", "TIMESTAMP", "开始时间", "Started", nullable=False),
    Field("finished_at", "TIMESTAMP", "结束时间", "Finished", nullable=False),
    Field("files_seen", "INTEGER", "文件数", "Files", nullable=False),
    Field("loaded", "INTEGER", "已载入", "Loaded", nullable=False),
    Field("unchanged", "INTEGER", "未变化", "Unchanged", nullable=False),
    Field("failed", "INTEGER", "失败", "Failed", nullable=False),
    Field("seconds", "DOUBLE", "耗时(秒)", "Seconds", nullable=False, unit="秒"),
    Field("path", "VARCHAR", "路径", "Path", nullable=False),
    Field("outcome", "VARCHAR", "结果", "Outcome", nullable=False, accepted=FILE_OUTCOMES),
    Field("failure_reason", "VARCHAR", "原因", "Reason", column="reason"),
    Field("commitments", "INTEGER", "承诺数", "Commitments"),
    Field("figures", "INTEGER", "数据数", "Figures"),
    Field("changed_at", "TIMESTAMP", "时间", "When", nullable=False),
    Field("entity", "VARCHAR", "对象", "Entity", nullable=False, accepted=("document", "commitment", "figure")),
    Field("entity_id", "VARCHAR", "编号", "ID", nullable=False),
    Field("change", "VARCHAR", "变化", "Change", nullable=False, accepted=CHANGE_KINDS),
    Field("summary", "VARCHAR", "摘要", "Summary"),
    # derived
    Field("lead_ids", "VARCHAR[]", "牵头单位编号", "Lead agency IDs", "As extracted (empty list if none)", nullable=False),
    Field("lead_current_ids", "VARCHAR[]", "牵头单位现编号", "Lead agencies (current)",
          "lead_ids with each agency replaced by its current successor", nullable=False),
    Field("other_ids", "VARCHAR[]", "其他单位编号", "Other agency IDs", "Supporting agencies, then the issuer",
          nullable=False),
    Field("any_ids", "VARCHAR[]", "相关单位编号", "Agency IDs", nullable=False),
    Field("any_current_ids", "VARCHAR[]", "相关单位现编号", "Agency IDs (current)", nullable=False),
    Field("figures_text", "VARCHAR", "所含数据", "Figures inside", "The figures written inside it, in text order, "
          "joined with 、"),
    Field("change_times", "TIMESTAMP[]", "变更时间", "Change times", "When ETL runs added or changed it "
          "(etl_changes), oldest first", nullable=False),
    Field("list_order", "INTEGER", "列表顺序", "List order", "Its place in lists: newest document first, then "
          "document, then position in the text", nullable=False),
    Field("is_corrected", "BOOLEAN", "已更正", "Corrected", "Always false here; true in the dashboard's "
          "corrected rows", nullable=False),
    Field("is_lead_corrected", "BOOLEAN", "牵头已更正", "Leads corrected", nullable=False),
    Field("metric_key", "VARCHAR", "统计口径", "Metric", "What a count counts: a stage of the project funnel "
          "(etl.derive.STAGES: negotiating, signed, registered, started, completed), else the metric as written"),
    Field("agency_current_id", "VARCHAR", "现单位编号", "Current agency ID"),
    Field("in_commitment", "BOOLEAN", "属于承诺", "In a commitment", nullable=False),
    Field("n_led", "INTEGER", "牵头承诺数", "Commitments led", nullable=False),
    # follow-through candidates
    Field("target_id", "VARCHAR", "目标编号", "Target ID", "figures.figure_id of the target", nullable=False),
    Field("score", "DOUBLE", "得分", "Score", "Metric similarity less the years between them (0–100)",
          nullable=False),
    Field("metric_score", "DOUBLE", "指标相似度", "Metric similarity", nullable=False),
    Field("rank", "INTEGER", "排名", "Rank", "1 = best candidate of its target", nullable=False),
    Field("reason", "VARCHAR", "理由", "Reason", nullable=False),
    Field("group_id", "VARCHAR", "同一事实组", "Same-fact group", "The first citation's figure_id", nullable=False),
    Field("first_figure_id", "VARCHAR", "首次引用", "First citation", nullable=False),
    Field("is_first", "BOOLEAN", "首次引用", "Is first citation", nullable=False),
    Field("n_citations", "INTEGER", "引用次数", "Citations", nullable=False),
    Field("from_commitment_id", "VARCHAR", "原承诺编号", "Earlier commitment", nullable=False),
    Field("to_commitment_id", "VARCHAR", "重申承诺编号", "Restating commitment", nullable=False),
    Field("wording_similarity", "DOUBLE", "相似度", "Similarity", nullable=False, column="score"),
    Field("from_deadline_date", "DATE", "原期限", "Earlier deadline"),
    Field("to_deadline_date", "DATE", "新期限", "Later deadline"),
    Field("deadline_move", "VARCHAR", "期限变化", "Deadline move", nullable=False, accepted=DEADLINE_MOVES),
)


TABLES: dict[str, Table] = {}


def _table(name: str, description: str, fields: tuple[str, ...], *, primary_key: tuple[str, ...] = (),
           nullable: tuple[str, ...] = (), not_null: tuple[str, ...] = (),
           accepted: dict[str, tuple[str, ...]] | None = None, descriptions: dict[str, str] | None = None) -> Table:
    """Register a table of ``fields`` with what is its own: nullability, fewer accepted values, a description."""
    accepted, descriptions = accepted or {}, descriptions or {}
    stray = {*nullable, *not_null, *accepted, *descriptions} - set(fields)
    if stray:
        raise ValueError(f"{name}: {sorted(stray)} are not among its fields")
    same = ([f for f in nullable if FIELDS[f].nullable] + [f for f in not_null if not FIELDS[f].nullable]
            + [f for f, values in accepted.items() if set(values) == set(FIELDS[f].accepted)]
            + [f for f, text in descriptions.items() if text == FIELDS[f].description])
    wider = [f for f, values in accepted.items() if not set(values) <= set(FIELDS[f].accepted)]
    if same or wider:
        raise ValueError(f"{name}: {same} override nothing; {wider} accept values their field does not")
    columns = tuple(Column(f, f.name in nullable or (f.nullable and f.name not in not_null),
                           tuple(accepted.get(f.name, f.accepted)), descriptions.get(f.name, f.description))
                    for f in map(FIELDS.__getitem__, fields))
    TABLES[name] = table = Table(name, description, columns, primary_key)
    return table


DOCUMENTS = _table(
    "documents",
    "One loaded document: its stored text (every offset indexes it) and its metadata.",
    ("doc_id", "file_name", "source_path", "content_sha256", "text_sha256", "source_format", "encoding", "doc_type",
     "title", "issuer_id", "issuer_name", "jurisdiction", "issue_date", "issue_year", "proposal_no", "doc_no",
     "addressee", "co_agencies", "valid_from", "valid_until", "text", "original_text", "char_count", "warnings"),
    primary_key=("doc_id",),
)

AGENCIES = _table(
    "agencies",
    "Agency registry plus the unregistered agencies the recogniser found (kept as written).",
    ("agency_id", "canonical_name", "short_name", "name_en", "level", "jurisdiction", "aliases", "successor_id",
     "current_id", "is_registered"),
    primary_key=("agency_id",),
)

COMMITMENTS = _table(
    "commitments",
    "One forward-looking undertaking: a 下一步 item, or a measure's clause group with its own leads.",
    ("commitment_id", "doc_id", "item_label", "task_no", "section_path", "commitment_text", "char_start", "char_end",
     "lead_agency_ids", "lead_agency_names", "deadline_date", "deadline_year", "deadline_basis", "deadline_text"),
    primary_key=("commitment_id",),
    not_null=("deadline_basis",),
)

COMMITMENT_AGENCIES = _table(
    "commitment_agencies",
    "Which agencies a commitment names, and in what role.",
    ("commitment_id", "agency_id", "role", "written_as", "position"),
    primary_key=("commitment_id", "agency_id", "role"),
)

FIGURES = _table(
    "figures",
    "Money amounts, project counts and targets, each with its evidence sentence.",
    ("figure_id", "doc_id", "commitment_id", "figure_type", "span_text", "value", "unit", "amount_yuan", "qualifier",
     "money_kind", "figure_year", "is_target", "is_breakdown", "is_cumulative", "metric", "agency_id", "agency_ids",
     "char_start", "char_end", "sentence", "sentence_start", "sentence_end"),
    primary_key=("figure_id",),
    nullable=("commitment_id", "metric", "agency_id"),
    descriptions={"commitment_id": "The commitment whose span holds it"},
)

REPORTED_FIGURES = _table(
    "reported_figures",
    "Every quantity a document states (etl.figures): money, counts of things and people, shares and rates, "
    "physical measures; one row per occurrence, with its evidence sentence.",
    ("figure_id", "doc_id", "commitment_id", "span_text", "value", "unit", "is_unit_known", "qualifier", "kind",
     "metric", "year", "year_basis", "is_cumulative", "is_change", "is_target", "agency_id", "char_start",
     "char_end", "sentence", "sentence_start", "sentence_end"),
    primary_key=("figure_id",),
    nullable=("commitment_id", "agency_id"),
    accepted={"year_basis": FIGURE_YEAR_BASES},
    descriptions={
        "commitment_id": "The commitment whose span holds it",
        "span_text": "The number with its unit (qualifier words outside it)",
        "unit": "Base unit from etl.units (元 for all money), else as written",
        "metric": "The noun phrase measured (etl.figures.normalise_metric)",
        "year": "The year the text gives it, else null",
        "agency_id": "The agency its sentence names last before it",
    },
)

AGENCY_MENTIONS = _table(
    "agency_mentions",
    "Every place an agency is named in a document (for the reader's highlights).",
    ("doc_id", "agency_id", "written_as", "char_start", "char_end"),
    primary_key=("doc_id", "char_start", "char_end"),
    not_null=("written_as",),
)

SECTIONS = _table(
    "sections",
    "The numbering outline of each document (一、 / (一) / 1. / 一是 …).",
    ("doc_id", "section_no", "section_level", "label", "heading", "char_start", "char_end"),
    primary_key=("doc_id", "section_no"),
)

ETL_RUNS = _table(
    "etl_runs",
    "One row per `python -m etl load` that completed.",
    ("run_id", "started_at", "finished_at", "files_seen", "loaded", "unchanged", "failed", "seconds"),
    primary_key=("run_id",),
)

ETL_FILES = _table(
    "etl_files",
    "What happened to each file of each run, with the reason when it failed.",
    ("run_id", "path", "content_sha256", "outcome", "failure_reason", "doc_id", "commitments", "figures"),
    nullable=("content_sha256", "doc_id"),
)

ETL_CHANGES = _table(
    "etl_changes",
    "What each run added, changed or removed (documents, commitments, figures), for 'changed since'.",
    ("run_id", "changed_at", "entity", "entity_id", "doc_id", "change", "summary"),
)


# Derived tables: rebuilt in full by ``etl.derive`` at the end of every load, from the tables
# above. They hold what the dashboard filters, groups and sums on, one row per fact, with the
# document's columns and the agency keys (as written and merged to the current agency) worked
# out once, so a chart over a million figures is one scan of one table.

FACT_COMMITMENTS = _table(
    "fact_commitments",
    "Derived (etl.derive): one row per commitment with its document's columns and agency keys.",
    ("commitment_id", "doc_id", "char_start", "issue_date", "issue_year", "doc_type", "jurisdiction",
     "deadline_date", "deadline_year", "deadline_basis", "lead_ids", "lead_current_ids", "other_ids", "any_ids",
     "any_current_ids", "figures_text", "change_times", "list_order", "is_corrected", "is_lead_corrected"),
    descriptions={"any_ids": "lead_ids then other_ids"},
)

FACT_FIGURES = _table(
    "fact_figures",
    "Derived (etl.derive): one row per figure with the year and agency it is charted under.",
    ("figure_id", "doc_id", "commitment_id", "figure_type", "money_kind", "is_target", "is_breakdown",
     "is_cumulative", "metric_key", "amount_yuan", "value", "unit", "span_text", "year", "year_basis", "issue_date",
     "issue_year", "doc_type", "jurisdiction", "agency_id", "agency_current_id", "any_ids", "any_current_ids", "in_commitment",
     "deadline_date", "deadline_year", "deadline_basis", "is_corrected"),
    nullable=("commitment_id", "agency_id"),
    accepted={"year_basis": ("stated", "issue_year")},
    descriptions={
        "agency_id": "The agency it is charted under: its own, else its commitment's first lead, else the issuer",
        "any_ids": "Every agency it names or its commitment names",
        "deadline_date": "Its commitment's deadline",
        "deadline_basis": "Its commitment's",
    },
)

FACT_AGENCIES = _table(
    "fact_agencies",
    "Derived (etl.derive): every agency some fact names, with how many commitments it leads.",
    ("agency_id", "n_led"),
    primary_key=("agency_id",),
)

FACT_REPORTED_FIGURES = _table(
    "fact_reported_figures",
    "Derived (etl.derive): one row per reported figure with the year and agency it is charted under (the "
    "Figures page).",
    ("figure_id", "doc_id", "commitment_id", "kind", "unit", "metric", "value", "is_cumulative", "is_change",
     "is_target", "year", "year_basis", "issue_date", "issue_year", "doc_type", "jurisdiction", "agency_id",
     "agency_current_id", "any_ids", "any_current_ids", "in_commitment", "deadline_date", "deadline_year",
     "list_order"),
    nullable=("commitment_id", "agency_id"),
    descriptions={
        "year_basis": "The figure's basis, or issue_year when the year is its document's",
        "agency_id": "The agency it is charted under: the one its sentence names, else its commitment's first "
                     "lead, else the issuer",
        "any_ids": "Its agency and every agency its commitment names",
        "deadline_date": "Its commitment's deadline",
    },
)


# Follow-through candidates: rebuilt in full by ``etl.linking`` after the derived tables. Nothing
# here is a link until an analyst confirms it (``review.link_decisions`` keeps the decisions).

LINK_FULFILMENT = _table(
    "link_fulfilment",
    "Candidates (etl.linking): a later reported figure that may show how far a target got, ranked.",
    ("target_id", "figure_id", "score", "metric_score", "rank", "reason"),
    primary_key=("target_id", "figure_id"),
    descriptions={"figure_id": "reported_figures.figure_id"},
)

LINK_SAME_FACTS = _table(
    "link_same_facts",
    "Candidates (etl.linking): figures stating one fact (equal value, unit, year; alike metric).",
    ("figure_id", "group_id", "first_figure_id", "is_first", "n_citations"),
    primary_key=("figure_id",),
)

LINK_THREADS = _table(
    "link_threads",
    "Candidates (etl.linking): a later commitment restating an earlier one, with how its deadline moved.",
    ("from_commitment_id", "to_commitment_id", "wording_similarity", "from_deadline_date", "to_deadline_date",
     "deadline_move", "reason"),
    primary_key=("from_commitment_id", "to_commitment_id"),
)


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
