"""Weekly review: what is overdue, due soon, changed and unassessed; record statuses; correct facts; the pack.

Wires widgets to ``dashboard/queries_review.py`` (what to show), ``review/`` (the
analysts' store: every save is committed before the page says so) and
``dashboard/meeting_pack.py`` (charts, tables, the workbook and the report). Works inside the
dashboard's ``st.navigation`` (sidebar filters and language) and on its own.

Counts cover every commitment in the filters; the tables and the bulk editor hold each section's
first ``queries_review.SECTION_ROWS_MAX`` rows and say "showing N of M" when there are more. The
meeting pack fetches its rows (up to ``meeting_pack.PACK_ROWS_MAX`` a sheet) only when asked to build it.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard import filters, i18n, meeting_pack, queries, ui  # noqa: E402
from dashboard import queries_review as qr  # noqa: E402
from dashboard.colours import STATE_COLOURS, STATUS_COLOURS  # noqa: E402
from dashboard.data import connection  # noqa: E402
from dashboard.review_edits import changes_from_table  # noqa: E402
from review.facts import facts_snapshots  # noqa: E402
from review.store import ReviewStore, StoreError, store_problem  # noqa: E402
from etl.schema import MONEY_KINDS  # noqa: E402
from review.values import STATUS_CODES, STATUSES, state_name, status_name  # noqa: E402

EDITOR = "review_editor"
FLASH = "review_flash"
PACK = "review_pack"
SCOPES = ("overdue", "due_soon", "not_assessed", "changed", "all")  # the order of the editor's choices

t = i18n.t


def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault(FLASH, []).append((kind, text))


def _show_flash() -> None:
    """Show the messages of the last save in a container that is always there.

    Adding or removing elements above ``st.tabs`` would make the browser reopen the first tab.
    """
    box = st.container()
    for kind, text in st.session_state.pop(FLASH, []):
        getattr(box, kind)(text)


KEPT = ("review_reviewer", "review_reviewer_in_link", "review_as_of", "review_weeks")


def _restore() -> None:
    """Give the session's reviewer, meeting date and window back to their widgets.

    Streamlit forgets a widget's value when another page runs; the copies under ``_kept_*``
    survive, so the reviewer name is entered once per session.
    """
    for key in KEPT:
        if key not in st.session_state and f"_kept_{key}" in st.session_state:
            st.session_state[key] = st.session_state[f"_kept_{key}"]


def _keep() -> None:
    for key in KEPT:
        if key in st.session_state:
            st.session_state[f"_kept_{key}"] = st.session_state[key]


def _table(frame: pd.DataFrame, **kwargs):
    """``st.dataframe`` with empty cells left empty (never "None" or "nan")."""
    shown = frame.copy()
    for col in shown.columns:
        if shown[col].dtype == object:
            shown[col] = [("" if v is None or (isinstance(v, float) and v != v) else v) for v in shown[col]]
    return st.dataframe(shown, **kwargs)


def _reviewer() -> str:
    return (st.session_state.get("review_reviewer") or "").strip()


def _label(row: dict | pd.Series, width: int = 48) -> str:
    text = str(row.get("text") or "")
    item = row.get("item_label")
    head = f"{item} " if isinstance(item, str) and item and not text.startswith(item) else ""
    return (head + text)[:width] + ("…" if len(head + text) > width else "")


# --------------------------------------------------------------------------------------
# Controls


def controls(store: ReviewStore) -> tuple[dt.date, dt.date, int]:
    """Draw reviewer, meeting date, since date and due-soon weeks; return (as_of, since, weeks)."""
    c1, c2, c3, c4 = st.columns([2, 1.3, 1.3, 1])
    _restore()
    linked = filters.page_param("reviewer")
    if linked and "review_reviewer" not in st.session_state:  # a link that carries the reviewer's name
        st.session_state["review_reviewer"] = linked
        st.session_state.setdefault("review_reviewer_in_link", True)
    c1.text_input(t("reviewer"), key="review_reviewer", help=t("reviewer_help"))
    in_link = c1.checkbox(t("reviewer_in_link"), key="review_reviewer_in_link")
    filters.set_page_param("reviewer", _reviewer() if in_link else None)
    st.session_state.setdefault("review_as_of", filters.current().as_of)
    as_of = c2.date_input(t("meeting_date"), key="review_as_of")
    since_key = f"review_since_{as_of.isoformat()}"  # a new meeting date brings its own default
    st.session_state.setdefault(since_key, qr.default_since(store, as_of))
    since = c3.date_input(t("since_date"), key=since_key, help=t("since_help"), max_value=as_of)
    st.session_state.setdefault("review_weeks", 4)
    weeks = int(c4.number_input(t("due_weeks"), min_value=1, max_value=52, step=1, key="review_weeks"))
    _keep()
    dates = store.review_dates()
    left, right = st.columns([3, 1])
    left.caption(t("review_dates") + ": " + (", ".join(d.isoformat() for d in dates[-8:]) or t("none_yet")))
    if right.button(t("record_meeting"), key="review_record_meeting", disabled=as_of in dates):
        store.record_review(as_of, _reviewer() or None)
        _flash("success", t("meeting_recorded", d=as_of.isoformat()))
        st.rerun()
    return as_of, since, weeks


def legend(lang: str) -> None:
    with st.expander(t("status_legend")):
        st.markdown(t("overdue_rule"))
        st.markdown("  \n".join(f"{mark} {state_name(state, lang)}" for state, mark in STATE_MARKS.items()))
        lines = [f"- <span style='color:{STATUS_COLOURS[s.code]}'>●</span> **{s.name(lang)}** — {s.definition(lang)}"
                 for s in STATUSES.values()]
        st.markdown("\n".join(lines), unsafe_allow_html=True)


# --------------------------------------------------------------------------------------
# Agenda: the four sections, each with counts by lead agency


def _shown_of(data: qr.ReviewData, name: str) -> None:
    """Say "showing N of M" under a table that holds only a section's first rows."""
    if data.is_cut(name):
        st.caption(t("shown_of", n=f"{len(data.section(name)):,}", m=f"{data.count(name):,}"))


def _held_rows(data: qr.ReviewData) -> pd.DataFrame:
    """Return every row the data holds (all sections), once each, the "all" scope's first."""
    frames = [data.rows] + [data.section(s) for s in qr.SECTIONS]
    return pd.concat(frames, ignore_index=True).drop_duplicates("commitment_id").reset_index(drop=True)


TAB_KEY = "review_tab"  # the open tab (a tab's content is drawn only while it is open)
# A sign before each deadline state's name, from the fonts every machine has (CJK fonts carry these; colour
# emoji are missing on many servers), instead of a coloured, styled table (a fifth of a second a run).
STATE_MARKS = {"overdue": "▲", "due_soon": "△", "completed": "√", "dropped": "×", "open": "○", "no_deadline": "–"}


def _state_text(state: str, lang: str) -> str:
    return f"{STATE_MARKS.get(state, '')} {state_name(state, lang)}".strip()


def _section_rows(frame: pd.DataFrame, lang: str, labels: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({
        t("col_state"): [_state_text(s, lang) for s in frame["state"]],
        i18n.column_label("deadline_date", lang, ("commitments",)): [  # ISO text: sorts as dates, blank when none
            "" if pd.isna(d) else pd.Timestamp(d).date().isoformat() for d in frame["deadline_date"]],
        t("col_agency"): meeting_pack.lead_labels(frame, labels, lang),
        i18n.column_label("text", lang, ("commitments",)): frame["text"].tolist(),
        t("col_status"): [status_name(s, lang) for s in frame["status"]],
        t("col_note"): frame["note"].tolist(),
        t("col_corrected"): ["✎" if v else "" for v in frame["is_corrected"]],
    })


def agenda(data: qr.ReviewData) -> None:
    lang = data.lang
    st.plotly_chart(meeting_pack.sections_chart(data), key="review_sections_chart")
    for name in qr.SECTIONS:
        frame = data.section(name)
        st.subheader(f"{meeting_pack.section_title(name, data)} ({data.count(name):,})")
        if frame.empty and name != "changed":
            st.caption(t("empty"))
            continue
        left, right = st.columns([1.4, 3])
        with left:
            st.caption(t("by_agency"))
            counts = data.counts_by_agency(name).rename(columns={"agency": t("col_agency"), "n": t("col_commitments")})
            _table(counts.drop(columns="agency_key"), hide_index=True, key=f"review_counts_{name}")
        with right:
            if name == "changed":
                changes = meeting_pack.changes_table(data)
                if changes.empty:
                    st.caption(t("no_changes"))
                else:
                    if len(data.etl_changes) < data.etl_changes_count:
                        st.caption(t("shown_of", n=f"{len(changes):,}",
                                     m=f"{len(changes) + data.etl_changes_count - len(data.etl_changes):,}"))
                    _table(changes, hide_index=True, key="review_changes_table")
            else:
                _shown_of(data, name)
                _table(_section_rows(frame, lang, data.labels), hide_index=True,
                             key=f"review_rows_{name}",
                             column_config={i18n.column_label("text", lang, ("commitments",)):
                                            st.column_config.TextColumn(width="large")})


# --------------------------------------------------------------------------------------
# Recording statuses: one table, one save


def editor_frame(rows: pd.DataFrame, lang: str, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Return the rows as the bulk editor shows them (status/note/evidence editable)."""
    return pd.DataFrame({
        "state": [state_name(s, lang) for s in rows["state"]],
        "deadline_date": [None if pd.isna(d) else pd.Timestamp(d).date() for d in rows["deadline_date"]],
        "status": rows["status"].tolist(),
        "note": [n if isinstance(n, str) else "" for n in rows["note"]],
        "lead_agency_names": (meeting_pack.lead_labels(rows, labels, lang) if labels is not None
                              else [meeting_pack.join_list(v) for v in rows["lead_agency_names"]]),
        "text": [_label(r, 80) for r in rows.to_dict("records")],
        "evidence_url": [""] * len(rows),
        "evidence_doc_id": [None] * len(rows),
        "commitment_id": rows["commitment_id"].tolist(),
    })


def record(data: qr.ReviewData, store: ReviewStore) -> None:
    lang = data.lang
    st.caption(t("record_hint"))
    scope_names = {s: (t("scope_all") if s == "all" else meeting_pack.section_title(s, data)) for s in SCOPES}
    scope = st.radio(t("record_scope"), SCOPES, key="review_scope", horizontal=True, format_func=scope_names.get)
    rows = data.section(scope)
    if rows.empty:
        st.info(t("empty"))
        return
    _shown_of(data, scope)
    base = editor_frame(rows, lang, data.labels)
    docs = qr.evidence_documents(rows["doc_id"].unique())  # the rows' own documents and the newest ones
    titles = dict(zip(docs["doc_id"], docs["title"].fillna(docs["file_name"])))
    version = st.session_state.setdefault("review_editor_version", 0)
    with st.form("review_save_form", border=False):
        edited = st.data_editor(
            base, key=f"{EDITOR}_{scope}_{version}", hide_index=True, num_rows="fixed", width="stretch",
            disabled=["state", "deadline_date", "lead_agency_names", "text", "commitment_id"],
            column_config={
                "state": st.column_config.TextColumn(t("col_state"), width="small"),
                "deadline_date": st.column_config.DateColumn(i18n.column_label("deadline_date", lang, ("commitments",)),
                                                             format="YYYY-MM-DD", width="small"),
                "lead_agency_names": st.column_config.TextColumn(t("col_agency")),
                "text": st.column_config.TextColumn(i18n.column_label("text", lang, ("commitments",)), width="medium"),
                "status": st.column_config.SelectboxColumn(t("col_status"), options=list(STATUS_CODES), required=True,
                                                           format_func=lambda c: status_name(c, lang)),
                "note": st.column_config.TextColumn(t("col_note"), width="medium"),
                "evidence_url": st.column_config.LinkColumn(t("evidence_url")),
                "evidence_doc_id": st.column_config.SelectboxColumn(t("evidence_doc"), options=list(titles),
                                                                    format_func=lambda d: titles.get(d, d)),
                "commitment_id": st.column_config.TextColumn(i18n.column_label("commitment_id", lang, ("commitments",))),
            })
        submitted = st.form_submit_button(t("save"), type="primary", icon=":material/save:")
    if not submitted:
        return
    changes = changes_from_table(base, edited)
    if not changes:
        st.info(t("saved_none"))
        return
    if not _reviewer():
        st.error(t("reviewer_needed"))
        return
    ids = [c.commitment_id for c in changes]
    try:
        result = store.record_statuses(changes, _reviewer(),
                                       snapshots=facts_snapshots("commitment", ids, connection.db_path()))
    except (StoreError, OSError, ValueError) as exc:
        st.error(t("save_failed", reason=exc))
        return
    _flash("success", t("saved_n", n=result.saved))
    if result.conflicts:
        _flash("warning", t("saved_conflicts", n=len(result.conflicts), ids=", ".join(result.conflicts)))
    st.session_state["review_editor_version"] = version + 1  # a fresh editor over the saved statuses
    st.rerun()


# --------------------------------------------------------------------------------------
# A commitment's history


def _commitment_options(data: qr.ReviewData) -> dict[str, str]:
    opts = {r["commitment_id"]: f"{_label(r)} · {r['title'] or ''}"[:90] for r in _held_rows(data).to_dict("records")}
    for r in data.orphans.to_dict("records"):
        if r["entity"] == "commitment":
            opts[r["entity_id"]] = f"[{t('sec_orphans')}] {_label(r)}"
    return opts


def history(data: qr.ReviewData, store: ReviewStore) -> None:
    lang = data.lang
    opts = _commitment_options(data)
    if not opts:
        st.info(t("empty"))
        return
    wanted = filters.page_param("commitment")
    if wanted in opts and "review_history_pick" not in st.session_state:
        st.session_state["review_history_pick"] = wanted
    cid = st.selectbox(t("history_pick"), list(opts), key="review_history_pick", format_func=opts.get)
    r = data.row(cid)
    if r is not None:
        st.markdown(f"**{ui.plain(r['title'] or '')}** · {ui.plain(r['item_label'] or '')}")
        st.text(r["text"])  # a document's words, shown as text (never as Markdown)
        deadline = "—" if pd.isna(r["deadline_date"]) else pd.Timestamp(r["deadline_date"]).date().isoformat()
        colour = STATE_COLOURS[r["state"]]
        st.markdown(f"{t('col_agency')}: {ui.plain(meeting_pack.join_list(r['lead_agency_names']) or '—')} · "
                    f"{i18n.column_label('deadline_date', lang, ('commitments',))}: {deadline} · "
                    f"<span style='color:{colour}'>● {state_name(r['state'], lang)}</span> · "
                    f"{t('col_status')}: **{status_name(r['status'], lang)}**" + (" · ✎" if r["is_corrected"] else ""),
                    unsafe_allow_html=True)
    hist = store.history(cid)
    if hist.empty:
        st.caption(t("history_empty"))
    else:
        view = pd.DataFrame({
            t("col_changed_at"): [meeting_pack.local_time(x) for x in hist["changed_at"]],
            t("col_old_status"): [status_name(s, lang) for s in hist["old_status"]],
            t("col_status"): [status_name(s, lang) for s in hist["status"]],
            t("col_note"): hist["note"].tolist(),
            t("col_reviewer"): hist["reviewer"].tolist(),
            t("col_evidence"): [meeting_pack.join_list([x for x in (u, d) if isinstance(x, str) and x]) or None
                                for u, d in zip(hist["evidence_url"], hist["evidence_doc_id"])],
        }).iloc[::-1]
        _table(view, hide_index=True, key="review_history_table")
    log = store.correction_log("commitment", cid)
    if not log.empty:
        st.caption(t("corrections_log"))
        _table(_log_view(log), hide_index=True, key="review_history_corrections")


def _log_view(log: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("col_changed_at"): [meeting_pack.local_time(x) for x in log["changed_at"]],
        t("col_field"): log["field"].tolist(),
        t("col_value"): ["—" if a == "clear" else meeting_pack.join_list(v) if isinstance(v, list) else v
                         for a, v in zip(log["action"], log["value"])],
        t("col_reason"): log["reason"].tolist(),
        t("col_reviewer"): log["reviewer"].tolist(),
    }).iloc[::-1]


# --------------------------------------------------------------------------------------
# Corrections


def correct(data: qr.ReviewData, store: ReviewStore) -> None:
    lang = data.lang
    st.caption(t("correct_intro"))
    opts = {r["commitment_id"]: f"{_label(r)} · {r['title'] or ''}"[:90] for r in _held_rows(data).to_dict("records")}
    if not opts:
        st.info(t("empty"))
        return
    what = st.radio(t("correct_what"), ("commitment", "figure"), key="review_fix_what", horizontal=True,
                    format_func=lambda w: i18n.tr(f"correct_{w}", lang))
    cid = st.selectbox(t("correct_commitment"), list(opts), key="review_fix_commitment", format_func=opts.get)
    etl_row = qr.etl_commitment(cid)
    if etl_row is None:
        st.info(t("empty"))
        return
    if what == "commitment":
        _correct_commitment(cid, etl_row, store, lang)
    else:
        _correct_figure(etl_row, store, lang)


def _correct_commitment(cid: str, etl_row: dict, store: ReviewStore, lang: str) -> None:
    agencies = qr.agencies()
    labels = dict(zip(agencies["agency_id"], agencies["canonical_name"]))
    etl_leads = [a for a in (etl_row["lead_agency_ids"] if etl_row["lead_agency_ids"] is not None else [])]
    etl_deadline = None if pd.isna(etl_row["deadline_date"]) else pd.Timestamp(etl_row["deadline_date"]).date()
    st.caption(f"{t('etl_value')}: {t('col_agency')} {'、'.join(labels.get(a, a) for a in etl_leads) or '—'} · "
               f"{t('deadline_new')} {etl_deadline or '—'} ({i18n.vocab('deadline_basis', etl_row['deadline_basis'], lang)})")
    with st.form("review_fix_commitment_form"):
        fix_leads = st.checkbox(t("fix_leads"), key="review_fix_leads_on")
        leads = st.multiselect(t("leads_new"), list(labels), default=[a for a in etl_leads if a in labels],
                               format_func=labels.get, key=f"review_fix_leads_{cid}")
        fix_deadline = st.checkbox(t("fix_deadline"), key="review_fix_deadline_on")
        c1, c2 = st.columns(2)
        deadline = c1.date_input(t("deadline_new"), value=etl_deadline or dt.date.today(), key=f"review_fix_date_{cid}",
                                 min_value=dt.date(1949, 1, 1), max_value=dt.date(2100, 12, 31))
        no_deadline = c2.checkbox(t("deadline_none"), key=f"review_fix_nodate_{cid}")
        rejected = st.checkbox(t("not_commitment"), key="review_fix_reject")
        restore = st.checkbox(t("restore"), key="review_fix_restore")
        st.text_input(t("reason"), key="review_fix_reason")  # read by _save_correction from the session
        submitted = st.form_submit_button(t("save_correction"), type="primary")
    if submitted:
        values: dict = {}
        if fix_leads:
            values["lead_agency_ids"] = leads
        if fix_deadline:
            values.update({"deadline_basis": "none"} if no_deadline else {"deadline_date": deadline,
                                                                          "deadline_basis": "explicit"})
        if rejected or restore:
            values["is_rejected"] = bool(rejected and not restore)
        old = {"lead_agency_ids": etl_leads, "deadline_date": etl_deadline and etl_deadline.isoformat(),
               "deadline_basis": etl_row["deadline_basis"]}
        _save_correction("commitment", cid, values, old, store)
    _correction_history(store, "commitment", cid, "review_fix_log")


def _correct_figure(etl_row: dict, store: ReviewStore, lang: str) -> None:
    figures = qr.etl_figures(doc_id=etl_row["doc_id"])
    if figures.empty:
        st.info(t("no_figures"))
        return
    inside = figures["commitment_id"] == etl_row["commitment_id"]
    figures = pd.concat([figures[inside], figures[~inside]])
    labels = {r["figure_id"]: f"{r['span_text']} · {i18n.vocab('figure_type', r['figure_type'], lang)} · "
                              f"{str(r['sentence'])[:40]}" for r in figures.to_dict("records")}
    fid = st.selectbox(t("pick_figure"), list(labels), key="review_fix_figure", format_func=labels.get)
    f = figures.set_index("figure_id").loc[fid]
    from dashboard.charts import fmt_count, fmt_money

    value = (fmt_money(float(f["amount_yuan"]), lang) if pd.notna(f["amount_yuan"])
             else fmt_count(f["value"], lang) if pd.notna(f["value"]) else "—")
    st.caption(f"{t('etl_value')}: {ui.plain(f['span_text'])} = {value}"
               f" · {i18n.vocab('money_kind', f['money_kind'], lang) or '—'} · {f['figure_year'] if pd.notna(f['figure_year']) else '—'}"
               f" · {t('is_target_new')}: {i18n.vocab('bool', bool(f['is_target']), lang)}")
    st.text(f["sentence"])  # a document's sentence, shown as text
    with st.form("review_fix_figure_form"):
        c1, c2 = st.columns(2)
        fix_amount = c1.checkbox(t("fix_amount"), key="review_fix_amount_on")
        amount = c1.number_input(t("fix_amount"), min_value=0.0, value=float(f["amount_yuan"]) if pd.notna(f["amount_yuan"])
                                 else 0.0, step=1e4, format="%.0f", key=f"review_fix_amount_{fid}", label_visibility="collapsed")
        fix_kind = c2.checkbox(t("fix_kind"), key="review_fix_kind_on")
        kinds = list(MONEY_KINDS)
        kind = c2.selectbox(t("fix_kind"), kinds, index=kinds.index(f["money_kind"]) if f["money_kind"] in kinds else 0,
                            format_func=lambda k: i18n.vocab("money_kind", k, lang), key=f"review_fix_kind_{fid}",
                            label_visibility="collapsed")
        fix_year = c1.checkbox(t("fix_year"), key="review_fix_year_on")
        year = c1.number_input(t("fix_year"), min_value=1949, max_value=2100, step=1,
                               value=int(f["figure_year"]) if pd.notna(f["figure_year"]) else dt.date.today().year,
                               key=f"review_fix_year_{fid}", label_visibility="collapsed")
        fix_target = c2.checkbox(t("fix_target"), key="review_fix_target_on")
        is_target = c2.toggle(t("is_target_new"), value=bool(f["is_target"]), key=f"review_fix_is_target_{fid}")
        rejected = st.checkbox(t("not_money"), key="review_fix_fig_reject")
        restore = st.checkbox(t("restore"), key="review_fix_fig_restore")
        st.text_input(t("reason"), key="review_fix_fig_reason")  # read by _save_correction from the session
        submitted = st.form_submit_button(t("save_correction"), type="primary")
    if submitted:
        values: dict = {}
        if fix_amount:
            values["amount_yuan"] = amount
        if fix_kind:
            values["money_kind"] = kind
        if fix_year:
            values["figure_year"] = int(year)
        if fix_target:
            values["is_target"] = bool(is_target)
        if rejected or restore:
            values["is_rejected"] = bool(rejected and not restore)
        old = {k: meeting_pack.plain_cell(f[k]) for k in ("amount_yuan", "money_kind", "figure_year", "is_target")}
        _save_correction("figure", fid, values, old, store, reason_key="review_fix_fig_reason")
    _correction_history(store, "figure", fid, "review_fix_fig_log")


def _correction_history(store: ReviewStore, entity: str, eid: str, key: str) -> None:
    """Show every correction entry of one fact, when there is any."""
    log = store.correction_log(entity, eid)
    if not log.empty:
        st.caption(t("corrections_log"))
        _table(_log_view(log), hide_index=True, key=key)


def _save_correction(entity: str, eid: str, values: dict, old: dict, store: ReviewStore,
                     reason_key: str = "review_fix_reason") -> None:
    """Record the corrected values of one fact with a snapshot of it as the ETL has it now."""
    if not _reviewer():
        st.error(t("reviewer_needed"))
        return
    if not values:
        st.info(t("saved_none"))
        return
    snapshot = facts_snapshots(entity, [eid], connection.db_path())
    try:
        n = store.record_correction(entity, eid, values, st.session_state.get(reason_key, ""), _reviewer(),
                                    old_values=old, snapshot=snapshot[0] if snapshot else None)
    except ValueError as exc:
        st.error(str(exc))
        return
    except (StoreError, OSError) as exc:
        st.error(t("save_failed", reason=exc))
        return
    _flash("success", t("correction_saved", n=n))
    st.rerun()


# --------------------------------------------------------------------------------------
# No longer extracted


def _relink_targets(data: qr.ReviewData, doc_id: str | None) -> dict[str, str]:
    """Return commitment_id -> label: the orphan's document's commitments first, then the held rows."""
    ids = qr.document_commitment_ids(doc_id)
    rows = pd.concat([qr.commitment_details(ids).set_index("commitment_id").reindex(ids).reset_index(),
                      _held_rows(data)], ignore_index=True).drop_duplicates("commitment_id")
    return {r["commitment_id"]: f"{_label(r)} · {r['title'] or ''}"[:90] for r in rows.to_dict("records")}


def orphans(data: qr.ReviewData, store: ReviewStore) -> None:
    st.caption(t("orphans_intro"))
    if data.orphans.empty:
        st.caption(t("orphans_none"))
        return
    _table(meeting_pack.orphans_table(data), hide_index=True, key="review_orphans_table")
    labels = {r["entity_id"]: f"{r['entity_id']} · {_label(r, 40)}" for r in data.orphans.to_dict("records")}
    entity_of = dict(zip(data.orphans["entity_id"], data.orphans["entity"]))
    doc_of = dict(zip(data.orphans["entity_id"], data.orphans["doc_id"]))
    with st.form("review_resolve_form"):
        eid = st.selectbox(t("orphan_pick"), list(labels), format_func=labels.get, key="review_orphan_pick")
        action = st.radio(t("orphan_action"), ("dismissed", "relinked"), key="review_orphan_action",
                          format_func=lambda a: i18n.tr(f"action_{a}", data.lang))
        targets = _relink_targets(data, doc_of.get(eid))
        new_id = st.selectbox(t("relink_to"), list(targets), format_func=targets.get, key="review_orphan_target")
        note = st.text_input(t("col_note"), key="review_orphan_note")
        submitted = st.form_submit_button(t("resolve"))
    if submitted:
        if not _reviewer():
            st.error(t("reviewer_needed"))
            return
        try:
            store.resolve(entity_of[eid], eid, action, _reviewer(), note=note or None,
                          new_id=new_id if action == "relinked" else None)
        except (ValueError, StoreError, OSError) as exc:
            st.error(t("save_failed", reason=exc))
            return
        _flash("success", t("resolved", id=eid))
        st.rerun()


# --------------------------------------------------------------------------------------
# Meeting pack


def pack(data: qr.ReviewData) -> None:
    st.caption(t("pack_intro"))
    if st.button(t("pack_build"), key="review_pack_build", type="primary", icon=":material/description:"):
        described = filters.describe(filters.current(), data.lang, queries.filter_options())
        with st.spinner(t("pack_build")):  # the rows of every sheet (up to PACK_ROWS_MAX), only now
            st.session_state[PACK] = meeting_pack.build(data.expanded(meeting_pack.PACK_ROWS_MAX), described)
    built = st.session_state.get(PACK)
    if built is None:
        return
    st.success(t("pack_ready"))
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("pack_xlsx"), data=built.xlsx, file_name=f"{built.stem}.xlsx", key="review_pack_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                       icon=":material/table:")
    c2.download_button(t("pack_html"), data=built.html.encode("utf-8"), file_name=f"{built.stem}.html",
                       mime="text/html", key="review_pack_html", on_click="ignore", icon=":material/web:")
    if built.pdf:
        c3.download_button(t("pack_pdf"), data=built.pdf, file_name=f"{built.stem}.pdf", mime="application/pdf",
                           key="review_pack_pdf", on_click="ignore", icon=":material/picture_as_pdf:")
    else:
        c3.caption(t("pack_no_pdf"))


# --------------------------------------------------------------------------------------
# Slipped deadlines (issue 14): confirmed restatements whose deadline moved later


SLIPPED_COLUMNS = ["move", "from_text", "from_deadline_date", "to_text", "to_deadline_date", "to_title",
                   "to_issue_date"]


def slipped() -> None:
    st.caption(t("slipped_intro"))
    frame = qr.slipped_deadlines()
    if frame.empty:
        st.info(t("slipped_none"))
        return
    from dashboard import ui

    ui.table(frame, SLIPPED_COLUMNS, "review_slipped")


# --------------------------------------------------------------------------------------


def main() -> None:
    lang = i18n.lang()
    st.title(t("review_title"))
    st.caption(t("review_intro"))
    try:
        from dashboard import ui

        ui.require_database()
    except ImportError:
        pass
    store = ReviewStore()
    if problem := store_problem(store.path, lang):  # damaged: say so and what to do, in one line
        st.error(problem)
        st.stop()
    as_of, since, weeks = controls(store)
    _show_flash()
    data = qr.load_review(filters.current(), as_of, since, weeks * 7, lang, store, limit=qr.SECTION_ROWS_MAX)

    cols = st.columns(5)
    for col, name in zip(cols, qr.SECTIONS):
        col.metric(meeting_pack.section_title(name, data), f"{data.count(name):,}")
    cols[4].metric(t("sec_orphans"), f"{len(data.orphans):,}")
    st.caption(t("overdue_rule"))
    legend(lang)

    # Only the open tab is drawn (each tab's tables and forms cost time at a million facts).
    parts = {t("tab_agenda"): lambda: agenda(data), t("record_title"): lambda: record(data, store),
             t("history_title"): lambda: history(data, store), t("correct_title"): lambda: correct(data, store),
             t("sec_orphans"): lambda: orphans(data, store), t("pack_title"): lambda: pack(data)}
    parts[t("sec_slipped")] = slipped
    if st.session_state.get(TAB_KEY) not in parts:
        st.session_state.pop(TAB_KEY, None)  # e.g. the language changed: back to the agenda
    tabs = st.tabs(list(parts), key=TAB_KEY, on_change="rerun")
    for tab, draw in zip(tabs, parts.values()):
        if tab.open:
            with tab:
                draw()

main()
