"""Targets: each target against what later documents reported, and restated commitments (threads).

Each target shows its ranked candidates (``etl.linking``) with confirm/reject buttons, its latest
confirmed figure, progress (reported ÷ target, met as the qualifier reads: 超600家 at 601), the
deadline and the evidence sentence of both sides with a link to the reader. Confirmed threads show
the first promise, every restatement and how the deadline moved. Decisions are saved at once in
the analysts' store (``review.link_decisions``).
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboard import charts, exports, i18n, queries_links as ql, ui
from review import link_decisions
from review.link_decisions import LinkDecision

t = i18n.t
EXPORT_COLUMNS = ql.EXPORT_COLUMNS


def _missing(v) -> bool:
    return v is None or (not isinstance(v, (str, list, tuple)) and pd.isna(v))


def _date(v) -> str:
    return "—" if _missing(v) else str(pd.Timestamp(v).date())


def _agency(row: dict, lang: str) -> str:
    name = row.get("agency_name_en") if lang == "en" and not _missing(row.get("agency_name_en")) else row.get(
        "agency_name")
    if not _missing(name):
        return str(name)
    key = row.get("agency_key")
    return t("no_agency") if _missing(key) else f"{key} ({t('unregistered_agency')})"


def _deadline(row: dict) -> str:
    if not _missing(row.get("deadline_date")):
        return _date(row["deadline_date"])
    return "—" if _missing(row.get("year")) else f"{int(row['year'])}"


def _number(value, unit) -> str:
    if _missing(value):
        return "—"
    if unit == "元":
        return charts.fmt_money(float(value), i18n.lang())
    v = float(value)
    return (f"{int(v):,}" if v.is_integer() else f"{v:,.2f}") + ("" if _missing(unit) else str(unit))


def _reviewer() -> str:
    return (st.session_state.get("links_reviewer") or "").strip()


def _save(kind: str, a: str, b: str, decision: str) -> None:
    reviewer = _reviewer()
    if not reviewer:
        st.session_state["_links_flash"] = ("warning", t("links_reviewer_needed"))
        return
    link_decisions.record([LinkDecision(kind, a, b, decision)], reviewer)
    st.session_state["_links_flash"] = ("success", t("link_saved", what=t(
        "decision_" + decision if decision in ("confirmed", "rejected", "split") else "link_clear")))


def _buttons(kind: str, a: str, b: str, decision, key: str) -> None:
    if decision in ("confirmed", "rejected", "split"):
        st.markdown(f"**{t('decision_' + decision)}**")
        st.button(t("link_clear"), key=f"clear_{key}", on_click=_save, args=(kind, a, b, "cleared"))
        return
    left, right = st.columns(2)
    left.button(t("link_confirm"), key=f"confirm_{key}", type="primary", on_click=_save,
                args=(kind, a, b, "confirmed"))
    right.button(t("link_reject"), key=f"reject_{key}", on_click=_save, args=(kind, a, b, "rejected"))


def _reader(doc_id, key: str) -> None:
    if not _missing(doc_id):
        ui.link("documents", "open_in_reader", doc=str(doc_id))


def target_card(row: dict, cands: pd.DataFrame, lang: str) -> None:
    """One target: the numbers, the evidence of both sides, the ranked candidates with their buttons."""
    tid = row["target_id"]
    latest = ql.latest_confirmed(cands) if len(cands) else None
    prog = ql.progress(row, latest)
    with st.container(border=True):
        metric = row.get("metric") or ""
        st.markdown(f"**{metric or row['span_text']}** · {row['span_text']} · {_agency(row, lang)}")
        c = st.columns(4)
        c[0].metric(t("target_label"), _number(row.get("value"), row.get("unit")),
                    help=i18n.vocab("qualifier", row.get("qualifier"), lang))
        c[1].metric(t("target_deadline"), _deadline(row))
        c[2].metric(t("target_latest"), "—" if latest is None else _number(latest.get("value"), latest.get("unit")),
                    help=None if latest is None else f"{latest.get('title') or ''} {_date(latest.get('issue_date'))}")
        if prog is None or prog.ratio is None:
            c[3].metric(t("target_progress"), t("target_no_link") if latest is None else "—")
        else:
            c[3].metric(t("target_progress"), f"{100 * prog.ratio:.1f}%",
                        t("target_met") if prog.met else t("target_not_met"),
                        delta_color="normal" if prog.met else "inverse")
        st.caption(f"{t('target_evidence')} · {row.get('title') or row.get('file_name') or ''} · "
                   f"{_date(row.get('issue_date'))}")
        st.markdown(f"> {row.get('sentence') or ''}")
        _reader(row.get("doc_id"), f"t_{tid}")
        if latest is not None:
            st.caption(f"{t('reported_evidence')} · {latest.get('title') or latest.get('file_name') or ''} · "
                       f"{_date(latest.get('issue_date'))}")
            st.markdown(f"> {latest.get('sentence') or ''}")
            _reader(latest.get("doc_id"), f"r_{tid}")
        if cands.empty:
            st.caption(t("no_candidates"))
            return
        st.markdown(f"*{t('candidates_title')}*")
        for cand in cands.to_dict("records"):
            cols = st.columns([1, 3, 5, 2])
            cols[0].markdown("—" if _missing(cand.get("rank")) else f"#{int(cand['rank'])}")
            cols[1].markdown(f"**{cand.get('span_text') or cand['figure_id']}** · {cand.get('metric') or ''}"
                             + ("" if _missing(cand.get("year")) else f" · {int(cand['year'])}"))
            cols[2].caption(f"{cand.get('title') or cand.get('file_name') or ''} · {_date(cand.get('issue_date'))}"
                            f" · {cand.get('sentence') or ''}")
            with cols[3]:
                _buttons("fulfilment", tid, cand["figure_id"], cand.get("decision"), f"f_{tid}_{cand['figure_id']}")


def _page_start(total: int, per_page: int, key: str) -> int:
    """Return the first row of the page the reader picked (a page number input only when there is more than one)."""
    pages = max(1, math.ceil(total / per_page))
    number = 1
    if pages > 1:
        number = int(st.number_input(t("page_label"), min_value=1, max_value=pages, step=1, key=key))
    return (number - 1) * per_page


def targets_section(lang: str) -> None:
    total = ql.target_count()
    confirmed = ql.decisions()
    n_confirmed = int(((confirmed["link_kind"] == "fulfilment") & (confirmed["decision"] == "confirmed")).sum())
    st.caption(t("targets_count", n=f"{total:,}", c=f"{n_confirmed:,}"))
    if total == 0:
        st.info(t("targets_none"))
        return
    frame = ql.target_page(ql.PAGE_TARGETS, _page_start(total, ql.PAGE_TARGETS, "targets_page"))
    cands = ql.candidates(frame["target_id"])
    for row in frame.to_dict("records"):
        target_card(row, cands[cands["target_id"] == row["target_id"]] if len(cands) else cands, lang)


def _commitment_line(step: dict) -> str:
    text = step.get("text") or step.get("commitment_id") or ""
    return (f"{text[:160]}{'…' if len(text) > 160 else ''}  \n"
            f"*{step.get('title') or step.get('file_name') or ''} · {_date(step.get('issue_date'))} · "
            f"{t('target_deadline')} {_date(step.get('deadline_date'))}*")


def threads_section() -> None:
    st.subheader(t("threads_confirmed"))
    chains = ql.confirmed_threads()
    if not chains:
        st.caption(t("threads_none"))
    for n, chain in enumerate(chains):
        with st.container(border=True):
            st.markdown(f"**{t('thread_first')}** · " + _commitment_line(chain[0]))
            for step in chain[1:]:
                move = step.get("move") or ""
                st.markdown(f"**{t('thread_restated')}** · `{move}` · " + _commitment_line(step))
    st.subheader(t("threads_candidates"))
    total = ql.thread_count()
    if total == 0:
        st.caption(t("threads_none"))
        return
    frame = ql.thread_page(ql.PAGE_THREADS, _page_start(total, ql.PAGE_THREADS, "threads_page"))
    info = ql.commitments(set(frame["from_commitment_id"]) | set(frame["to_commitment_id"]))
    info = {r["commitment_id"]: r for r in info.to_dict("records")}
    d = ql.decisions()
    status = {(r.from_id, r.to_id): r.decision for r in d[d["link_kind"] == "thread"].itertuples()}
    for row in frame.to_dict("records"):
        a, b = row["from_commitment_id"], row["to_commitment_id"]
        with st.container(border=True):
            cols = st.columns([5, 5, 2])
            cols[0].markdown(f"**{t('thread_earlier')}** · " + _commitment_line(info.get(a, {"commitment_id": a})))
            cols[1].markdown(f"**{t('thread_later')}** · `{ql.move_text(row['from_deadline_date'], row['to_deadline_date'])}`"
                             " · " + _commitment_line(info.get(b, {"commitment_id": b})))
            with cols[2]:
                _buttons("thread", a, b, status.get((a, b)), f"t_{a}_{b}")


def same_facts_section() -> None:
    """Groups of one fact cited several times (counted once in totals): every citation, a split button."""
    total = ql.same_fact_count()
    st.caption(t("same_facts_intro"))
    if total == 0:
        st.caption(t("same_facts_none"))
        return
    whole = tuple(sorted(k[len("whole_s_"):] for k, v in st.session_state.items()
                         if isinstance(k, str) and k.startswith("whole_s_") and v))
    frame = ql.same_fact_page(ql.PAGE_THREADS, _page_start(total, ql.PAGE_THREADS, "same_page"),
                              shown=ql.SAME_FACT_SHOWN, whole=whole)
    for group, members in frame.groupby("group_id", sort=False):
        with st.container(border=True):
            n = int(members["n_citations"].iloc[0])
            if n > ql.SAME_FACT_SHOWN:
                st.toggle(t("same_fact_whole", n=n), key=f"whole_s_{group}")
            for m in members.to_dict("records"):
                cols = st.columns([2, 8, 2])
                cols[0].markdown(f"**{m['span_text']}**" + ("" if _missing(m.get("year")) else f" · {int(m['year'])}"))
                cols[1].caption(f"{m.get('title') or m.get('file_name') or ''} · {_date(m.get('issue_date'))} · "
                                f"{m.get('sentence') or ''}")
                with cols[2]:
                    if m["is_first"]:
                        st.caption(t("same_fact_first"))
                    elif m["is_split"]:
                        st.markdown(f"**{t('decision_split')}**")
                        st.button(t("link_clear"), key=f"clear_s_{m['figure_id']}", on_click=_save,
                                  args=("same_fact", group, m["figure_id"], "cleared"))
                    else:
                        st.button(t("same_fact_split"), key=f"split_s_{m['figure_id']}", on_click=_save,
                                  args=("same_fact", group, m["figure_id"], "split"))


def main() -> None:
    st.title(t("targets_title"))
    st.caption(t("targets_intro"))
    ui.require_database()
    lang = i18n.lang()
    if "links_reviewer" not in st.session_state:
        st.session_state["links_reviewer"] = st.session_state.get("review_reviewer") or ""
    st.text_input(t("links_reviewer"), key="links_reviewer")
    flash = st.session_state.pop("_links_flash", None)
    if flash:
        (st.success if flash[0] == "success" else st.warning)(flash[1])
    targets_section(lang)
    st.divider()
    st.header(t("threads_title"))
    threads_section()
    st.divider()
    st.header(t("same_facts_title"))
    same_facts_section()
    st.divider()
    st.subheader(t("links_export"))
    ui.downloads(lambda: exports.localize(ql.export_frame(), lang, EXPORT_COLUMNS), "confirmed_links")


main()
