"""Documents: the loaded documents, and a reader highlighting every extracted fact by kind."""

from collections import Counter

import pandas as pd
import streamlit as st

from dashboard import filters, highlight, i18n, queries, ui

COLUMNS = ["title", "doc_type", "issuer_name", "jurisdiction", "issue_date", "proposal_no", "valid_from",
           "valid_until", "n_commitments", "n_figures", "char_count", "file_name"]
META = ["doc_type", "issuer_name", "jurisdiction", "issue_date", "proposal_no", "addressee", "co_agencies",
        "valid_from", "valid_until", "file_name", "source_format", "encoding", "char_count"]


def reader(doc_id: str, focus: str | None = None) -> None:
    """Show the stored text with every fact highlighted, a legend, and the facts not placed.

    ``focus`` (a commitment of the document) is framed, and the text opens scrolled to it.
    """
    lang = i18n.lang()
    doc = queries.document(doc_id)
    if doc is None:
        ui.empty()
        return
    st.subheader(f"{i18n.t('reader')} · {doc['title'] or doc['file_name']}")
    figure_passage(doc)
    with st.expander(i18n.t("doc_meta")):
        meta = pd.DataFrame([doc])
        ui.table(meta, META, "document_meta", ("documents",))
        if doc.get("warnings") is not None and len(doc["warnings"]):
            st.warning(i18n.t("warnings") + ": " + "; ".join(doc["warnings"]))
    facts = queries.document_facts(doc_id)
    spans, unplaced = highlight.place_facts(doc["text"], facts, lang, doc.get("valid_until"))
    st.html(highlight.legend(Counter(s.kind for s in spans), lang))
    original = doc.get("original_text")
    shown = doc["text"]
    if isinstance(original, str) and original and len(original) == len(shown):
        # Traditional characters were simplified for extraction, in place: the same offsets
        # highlight the original as written.
        if st.toggle(i18n.t("show_original"), key=f"original_{doc_id}", help=i18n.t("show_original_help")):
            shown = original
    if focus and not (facts["commitments"]["commitment_id"] == focus).any():
        focus = None
    bounds = highlight.page_bounds(shown)  # a long document is read a page at a time
    start, end = bounds[0]
    if len(bounds) > 1:
        first = 1
        if focus:  # open the page that holds the linked commitment
            at = int(facts["commitments"].loc[facts["commitments"]["commitment_id"] == focus, "char_start"].iloc[0])
            first = next((k + 1 for k, (s, e) in enumerate(bounds) if s <= at < e), 1)
        n = st.number_input("页" if lang == "zh" else "Page", 1, len(bounds), first, key=f"reader_page_{doc_id}")
        start, end = bounds[int(n) - 1]
        st.caption(f"{start + 1:,}–{end:,} / {len(shown):,}")
    if focus:
        st.caption(i18n.t("reader_focus"))
    st.html(highlight.page(highlight.render(shown, spans, start, end, focus=focus)))
    if focus:
        st.html(highlight.SCROLL_TO_FOCUS, unsafe_allow_javascript=True)
    st.markdown(f"**{i18n.t('unplaced_title')}**")
    if unplaced.empty:
        st.caption(i18n.t("unplaced_none"))
    else:
        ui.table(unplaced, ["kind", "written", "reason", "count"], "document_unplaced")


def figure_passage(doc: dict) -> None:
    """Frame the figure a link names (``figure`` in the URL, from the Figures page) in its sentence, above the text."""
    wanted = filters.page_param("figure")
    figure = queries.reported_figure(wanted) if wanted else None
    if figure is None or figure["doc_id"] != doc["doc_id"]:
        return
    st.markdown(f"**{i18n.t('fig_reader_focus')}** {figure['span_text']} · {figure['metric']}")
    st.html(highlight.page(highlight.framed(doc["text"], int(figure["char_start"]), int(figure["char_end"]),
                                            int(figure["sentence_start"]), int(figure["sentence_end"])), "30vh"))
    st.caption(i18n.t("fig_in_text"))


def main() -> None:
    st.title(i18n.t("documents_title"))
    ui.require_database()
    f = filters.current()
    total = queries.document_count(f)
    if total == 0:
        ui.empty()
        return
    rows, picked = ui.paged_table(lambda limit, offset: queries.document_rows(f, limit, offset), total, COLUMNS,
                                  "documents", ("documents",), selectable=True)
    ids = list(rows["doc_id"])
    titles = dict(zip(rows["doc_id"], rows["title"].fillna(rows["file_name"])))
    wanted = filters.page_param("doc")
    if wanted and wanted not in titles:  # a linked document outside the filters still opens
        doc = queries.document(wanted)
        if doc is not None:
            ids.append(wanted)
            titles[wanted] = doc["title"] or doc["file_name"]
    row_pick = rows.iloc[picked[0]]["doc_id"] if picked else None
    if row_pick and row_pick != st.session_state.get("_documents_row_pick"):
        st.session_state["documents_pick"] = row_pick
    elif wanted in titles and wanted != st.session_state.get("_documents_wanted"):  # a link names the document
        st.session_state["documents_pick"] = wanted
    elif st.session_state.get("documents_pick") not in titles:
        st.session_state["documents_pick"] = wanted if wanted in titles else ids[0]
    st.session_state["_documents_row_pick"] = row_pick
    choice = st.selectbox(i18n.t("pick_document"), ids, format_func=lambda d: titles.get(d, d), key="documents_pick")
    st.session_state["_documents_wanted"] = choice
    filters.set_page_param("doc", choice)
    focus = filters.page_param("commitment") if choice == wanted else None
    if not focus:
        filters.set_page_param("commitment", None)
    reader(choice, focus)


main()
