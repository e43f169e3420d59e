"""Add documents: drop files, see what each one gave, and find the new facts on every page at once.

The work is done by ``etl.intake`` (safe stored names, the size limit, one ETL run for the batch);
this page only wires the uploader to it and shows the outcome per file.
"""

import pandas as pd
import streamlit as st

from dashboard import i18n
from dashboard.data import connection
from etl.intake import intake, max_upload_bytes
from etl.pipeline import NOTHING_FOUND
from etl.read import SUPPORTED_SUFFIXES

i18n.register({
    "intake_title": ("添加文档", "Add documents"),
    "intake_help": (
        "可上传 .txt(UTF-8、GB18030、Big5 等)、网页 .html、Word .docx、带文字层的 PDF。每个文件不超过 {mb} MB。"
        "同名文件的新版本会替换旧版本,分析员的状态和更正随承诺保留;名称相近的不同文件分别保存;正文相同的文件(即使编码或格式不同)不会重复载入。",
        "Upload .txt (UTF-8, GB18030, Big5 …), saved web pages (.html), Word (.docx) or PDFs with a text layer, "
        "up to {mb} MB a file. A new version of a file replaces the old one and analysts' statuses and corrections "
        "stay with their commitments; different files whose names look alike are kept apart; the same text (in any encoding or format) is not loaded twice."),
    "intake_files": ("选择文件", "Choose files"),
    "intake_run": ("载入", "Load"),
    "intake_none": ("请先选择文件。", "Choose files first."),
    "intake_done": ("已处理 {n} 个文件:载入 {loaded},未变化 {unchanged},重复 {duplicate},失败 {failed}。",
                    "{n} files processed: {loaded} loaded, {unchanged} unchanged, {duplicate} duplicate, {failed} failed."),
    "intake_file": ("文件", "File"),
    "intake_stored": ("保存为", "Stored as"),
    "intake_outcome": ("结果", "Outcome"),
    "intake_reason": ("原因", "Reason"),
    "intake_commitments": ("承诺数", "Commitments"),
    "intake_figures": ("数据数", "Figures"),
    "outcome_loaded": ("已载入", "loaded"),
    "outcome_unchanged": ("未变化", "unchanged"),
    "outcome_duplicate": ("重复(未载入)", "duplicate (not loaded)"),
    "outcome_failed": ("失败", "failed"),
    "intake_nothing": ("{n} 个文件已载入,但未找到承诺、数据或文档信息(不像政府文件?)。",
                       "{n} files loaded, but no commitments, figures or metadata found (not a government document?)."),
})


def results_table(results, lang: str) -> pd.DataFrame:
    """One row per uploaded file, headers and outcomes in the UI language."""
    rows = [{
        i18n.tr("intake_file", lang): r.uploaded_name,
        i18n.tr("intake_outcome", lang): i18n.tr(f"outcome_{r.outcome}", lang),
        i18n.tr("intake_commitments", lang): r.commitments,
        i18n.tr("intake_figures", lang): r.figures,
        i18n.tr("intake_reason", lang): r.reason or "",
        i18n.tr("intake_stored", lang): r.stored_name or "",
    } for r in results]
    return pd.DataFrame(rows)


def main() -> None:
    lang = i18n.lang()
    st.title(i18n.t("intake_title"))
    mb = max_upload_bytes() / 2**20
    st.caption(i18n.t("intake_help", mb=f"{mb:g}"))
    uploads = st.file_uploader(i18n.t("intake_files"), accept_multiple_files=True, key="intake_files",
                               type=sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES if s))
    if st.button(i18n.t("intake_run"), type="primary", key="intake_run"):
        if not uploads:
            st.info(i18n.t("intake_none"))
        else:
            db = connection.db_path()
            with st.spinner("…"):
                results = intake([(u.name, u.getvalue()) for u in uploads], db, db.parent / "uploads")
            st.session_state["intake_results"] = results
    results = st.session_state.get("intake_results")
    if results:
        counts = {k: sum(r.outcome == k for r in results) for k in ("loaded", "unchanged", "duplicate", "failed")}
        message = i18n.t("intake_done", n=len(results), **counts)
        (st.warning if counts["failed"] else st.success)(message)
        nothing = sum(r.outcome == "loaded" and r.reason == NOTHING_FOUND for r in results)
        if nothing:
            st.info(i18n.t("intake_nothing", n=nothing))
        st.dataframe(results_table(results, lang), hide_index=True, width="stretch")


main()
