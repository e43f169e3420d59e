"""Commitments: the explorer table; a selected row shows the full text and its source passage."""

import pandas as pd
import streamlit as st

from dashboard import filters, highlight, i18n, queries, ui

COLUMNS = ["is_corrected", "item_label", "short_text", "lead_agency_names", "title", "issue_date", "deadline_date",
           "deadline_basis", "deadline_bucket", "figures_text"]
EXPORT_COLUMNS = COLUMNS[:2] + ["text"] + COLUMNS[3:]
CONTEXT_CHARS = 300


def detail(commitment_id: str) -> None:
    """Show one commitment in full, with its passage highlighted in the document's text."""
    lang = i18n.lang()
    row = queries.commitment(commitment_id)
    if row is None:
        st.warning(i18n.t("commitment_missing", id=commitment_id))
        return
    st.subheader(i18n.t("commitment_detail") + (" ✎" if row["is_corrected"] else ""))
    deadline = "" if pd.isna(row["deadline_date"]) else pd.Timestamp(row["deadline_date"]).date().isoformat()
    leads = ui.join(highlight.listed(row["lead_agency_names"]), lang) or i18n.t("none_stated")
    st.markdown(f"**{ui.plain(row['title'])}** · {ui.plain(row['item_label'] or '')}  \n"
                f"{i18n.t('leads_label')}: {ui.plain(leads)}  \n"
                f"{i18n.t('deadline_label')}: " + (f"{deadline} ({i18n.t('basis_label')}: "
                                                   f"{i18n.vocab('deadline_basis', row['deadline_basis'], lang)})"
                                                   if deadline else i18n.t("none_stated")))
    doc = queries.document(row["doc_id"])
    facts = queries.document_facts(row["doc_id"])
    spans, _ = highlight.place_facts(doc["text"], facts, lang, doc.get("valid_until"))
    start, end = int(row["char_start"]), int(row["char_end"])
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(doc["text"]), end + CONTEXT_CHARS)
    body = ("…" if lo > 0 else "") + highlight.render(doc["text"], spans, lo, hi, focus=commitment_id) + \
        ("…" if hi < len(doc["text"]) else "")
    st.markdown(f"**{i18n.t('source_passage')}**")
    st.html(highlight.legend(None, lang) + highlight.page(body, "55vh"))
    inside = facts["figures"][facts["figures"]["commitment_id"] == commitment_id]
    if not inside.empty:
        st.markdown(f"**{i18n.t('figures_inside')}**")
        ui.table(inside, ["is_corrected", "figure_type", "span_text", "money_kind", "figure_year", "is_target",
                          "metric", "sentence"], "commitment_figures", ("figures",))
    ui.link("documents", "open_in_reader", doc=row["doc_id"], commitment=commitment_id)


def _with_short_text(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.assign(short_text=rows["text"].str.replace(r"\s+", " ", regex=True).str.slice(0, 48) + "…")


def main() -> None:
    st.title(i18n.t("commitments_title"))
    ui.require_database()
    f = filters.current()
    total = queries.commitment_count(f)
    if total == 0:
        ui.empty()
    else:
        st.caption(i18n.t("select_row_hint"))
        ui.overdue_rule()
        rows, picked = ui.paged_table(lambda limit, offset: _with_short_text(queries.commitment_rows(f, limit, offset)),
                                      total, COLUMNS, "commitments", ("commitments", "documents"), selectable=True,
                                      height=420, column_config={"short_text": st.column_config.TextColumn(width="large")},
                                      export_columns=EXPORT_COLUMNS)
        if picked:
            filters.set_page_param("commitment", rows.iloc[picked[0]]["commitment_id"])
    chosen = filters.page_param("commitment")
    if chosen:
        detail(chosen)


main()
