"""Draw the global sidebar filters and keep them, the page and the language in the URL.

Interface for every page (ours and other agents'):

- ``current() -> Filters``: the filters the sidebar holds now (see ``dashboard/filters_state.py``;
  pass it to any ``dashboard.queries`` function). Works on any page, every run.
- ``describe(filters, lang) -> list[(label, value)]``: the filters in words, for export sheets.
- ``page_param(name)`` / ``set_page_param(name, value)``: a value of the current page kept in
  the URL next to the filters (the open commitment, the document in the reader …); it is
  dropped when the user moves to another page.

``app.py`` calls ``load_url()`` once per session (before any widget), ``sidebar(options)``
every run, and ``sync_url(page)`` at the end of every run.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import i18n
from dashboard.filters_state import BASES, BUCKETS, ROLES, Filters, from_query, to_query

KEYS = {
    "jurisdictions": "f_jur", "agency_ids": "f_agency", "agency_role": "f_role", "doc_types": "f_type",
    "doc_ids": "f_doc", "issue_years": "f_issued", "deadline_years": "f_due", "figure_years": "f_year", "buckets": "f_status", "bases": "f_basis",
    "keyword": "f_q", "merge": "f_merge", "as_of": "f_asof",
}
PAGE_PARAMS = ("commitment", "doc", "kind", "kinds", "target", "metric", "reviewer", "figure")
_LOADED = "_url_loaded"
_URL_PAGE = "_url_page"
_PAGE_VALUES = "_page_values"


def load_url() -> None:
    """Seed the widgets' state from the URL once per session (a pasted link reopens its view)."""
    if st.session_state.get(_LOADED):
        return
    params = {k: st.query_params.get(k) for k in st.query_params.keys()}
    filters, lang, page = from_query(params)
    st.session_state["lang"] = lang
    for attr, key in KEYS.items():
        st.session_state[key] = _widget_value(attr, getattr(filters, attr))
    st.session_state[_URL_PAGE] = page
    st.session_state[_PAGE_VALUES] = {"page": page, "values": {k: params[k] for k in PAGE_PARAMS if params.get(k)}}
    st.session_state[_LOADED] = True


def _widget_value(attr: str, value):
    if attr in ("jurisdictions", "agency_ids", "doc_types", "doc_ids", "buckets", "bases"):
        return list(value)
    return value


def adopt_page_params(page: str) -> None:
    """On arriving at another page, take its values from the URL (a link such as "open in the reader" carries them).

    Called by ``app.py`` every run before the page; values set on the page itself stay.
    """
    slot = st.session_state.setdefault(_PAGE_VALUES, {"page": None, "values": {}})
    if slot.get("page") in (None, page):
        return
    values = {k: st.query_params.get(k) for k in PAGE_PARAMS if st.query_params.get(k)}
    st.session_state[_PAGE_VALUES] = {"page": page, "values": values}


def url_page() -> str | None:
    """Return the page named in the URL when the session started (then forget it)."""
    return st.session_state.pop(_URL_PAGE, None)


def current() -> Filters:
    """Return the filters the sidebar holds now."""
    ss = st.session_state
    return Filters(
        jurisdictions=tuple(ss.get(KEYS["jurisdictions"]) or ()),
        agency_ids=tuple(ss.get(KEYS["agency_ids"]) or ()),
        agency_role=ss.get(KEYS["agency_role"]) if ss.get(KEYS["agency_role"]) in ROLES else "lead",
        doc_types=tuple(ss.get(KEYS["doc_types"]) or ()),
        doc_ids=tuple(ss.get(KEYS["doc_ids"]) or ()),
        issue_years=_narrowed(ss.get(KEYS["issue_years"]), ss.get("_bounds_issue")),
        deadline_years=_narrowed(ss.get(KEYS["deadline_years"]), ss.get("_bounds_due")),
        figure_years=_narrowed(ss.get(KEYS["figure_years"]), ss.get("_bounds_year")),
        buckets=tuple(ss.get(KEYS["buckets"]) or ()),
        bases=tuple(ss.get(KEYS["bases"]) or ()),
        keyword=(ss.get(KEYS["keyword"]) or "").strip(),
        merge=bool(ss.get(KEYS["merge"], True)),
        as_of=ss.get(KEYS["as_of"]) or dt.date.today(),
    )


def _narrowed(value, bounds) -> tuple[int, int] | None:
    """Return a year range, or None when it spans the whole data (no filter)."""
    if not value:
        return None
    lo, hi = int(value[0]), int(value[1])
    if bounds and (lo, hi) == tuple(bounds):
        return None
    return (lo, hi)


def page_param(name: str) -> str | None:
    """Return a page value kept in the URL (e.g. the open commitment), or None."""
    return st.session_state.get(_PAGE_VALUES, {}).get("values", {}).get(name)


def set_page_param(name: str, value: str | None) -> None:
    """Keep (or with None, drop) a value of the current page in the URL."""
    slot = st.session_state.setdefault(_PAGE_VALUES, {"page": None, "values": {}})
    slot["page"] = st.session_state.get("_current_page")
    if value:
        slot["values"][name] = value
    else:
        slot["values"].pop(name, None)


def sync_url(page: str) -> None:
    """Write the page, language, filters and page values into the URL."""
    slot = st.session_state.get(_PAGE_VALUES, {"page": None, "values": {}})
    if slot.get("page") not in (None, page):
        slot = {"page": page, "values": {}}
        st.session_state[_PAGE_VALUES] = slot
    slot["page"] = page
    wanted = to_query(current(), i18n.lang(), page, slot["values"])
    have = {k: st.query_params.get(k) for k in st.query_params.keys()}
    if have != wanted:
        st.query_params.from_dict(wanted)


def _clear() -> None:
    for attr, key in KEYS.items():
        default = getattr(Filters(), attr)
        if attr == "issue_years":
            default = st.session_state.get("_bounds_issue")
        elif attr == "deadline_years":
            default = st.session_state.get("_bounds_due")
        elif attr == "figure_years":
            default = st.session_state.get("_bounds_year")
        st.session_state[key] = _widget_value(attr, default)


def _agency_label(row, lang: str) -> str:
    if lang == "en" and isinstance(row.get("name_en"), str) and row["name_en"]:
        return row["name_en"]
    return row["canonical_name"]


def sidebar(options) -> None:
    """Draw the filter widgets (``options`` from ``queries.filter_options()``)."""
    lang = i18n.lang()
    ss = st.session_state
    st.sidebar.subheader(i18n.t("filters"))
    st.sidebar.button(i18n.t("clear_filters"), on_click=_clear, key="f_clear")

    ss.setdefault(KEYS["merge"], True)
    st.sidebar.toggle(i18n.t("merge_predecessors"), key=KEYS["merge"], help=i18n.t("merge_help"))
    merge = bool(ss[KEYS["merge"]])

    agencies = options.agencies
    current_of = dict(zip(agencies["agency_id"], agencies["current_id"]))
    if merge:
        shown = agencies[agencies["agency_id"] == agencies["current_id"]]
    else:
        shown = agencies
    labels = {r["agency_id"]: _agency_label(r, lang) for r in shown.to_dict("records")}
    chosen = [current_of.get(a, a) if merge else a for a in ss.get(KEYS["agency_ids"]) or []]
    ss[KEYS["agency_ids"]] = [a for a in dict.fromkeys(chosen) if a in labels]
    st.sidebar.multiselect(i18n.t("agency"), options=sorted(labels, key=lambda a: labels[a]),
                           format_func=lambda a: labels.get(a, a), key=KEYS["agency_ids"],
                           placeholder=i18n.t("all"))
    ss.setdefault(KEYS["agency_role"], "lead")
    st.sidebar.radio(i18n.t("agency_role"), ROLES, key=KEYS["agency_role"], horizontal=True,
                     format_func=lambda r: i18n.tr(f"role_{r}", lang))

    _multiselect("jurisdictions", options.jurisdictions, lambda j: j, "jurisdiction")
    _multiselect("doc_types", options.doc_types, lambda d: i18n.vocab("doc_type", d, lang), "doc_type")
    _document_picker(options)

    _year_slider("issue_years", options.issue_years, "_bounds_issue", "issue_years")
    _year_slider("figure_years", options.figure_years, "_bounds_year", "figure_years")
    _year_slider("deadline_years", options.deadline_years, "_bounds_due", "deadline_years")
    _multiselect("buckets", list(BUCKETS), lambda b: i18n.vocab("deadline_bucket", b, lang), "deadline_bucket")
    _multiselect("bases", list(BASES), lambda b: i18n.vocab("deadline_basis", b, lang), "deadline_basis")
    ss.setdefault(KEYS["as_of"], dt.date.today())
    st.sidebar.date_input(i18n.t("as_of"), key=KEYS["as_of"])
    ss.setdefault(KEYS["keyword"], "")
    st.sidebar.text_input(i18n.t("keyword"), key=KEYS["keyword"], help=i18n.t("keyword_help"))
    st.sidebar.caption(i18n.t("share_hint"))


def _document_picker(options) -> None:
    """Offer every document, or with many documents a title search whose matches can be picked."""
    docs = options.documents
    if options.all_documents_listed:
        titles = dict(zip(docs["doc_id"], docs["title"].fillna(docs["file_name"])))
    else:
        from dashboard import queries

        text = st.sidebar.text_input(i18n.t("find_document"), key="f_doc_search",
                                     help=i18n.t("find_document_help", n=f"{options.n_documents:,}"))
        titles = queries.document_titles(st.session_state.get(KEYS["doc_ids"]) or [])
        if text.strip():
            found = queries.find_documents(text)
            titles.update(zip(found["doc_id"], found["title"].fillna(found["file_name"])))
    _multiselect("doc_ids", list(titles), lambda d: titles.get(d, d), "document")


def _multiselect(attr: str, choices: list[str], label_of, label_key: str) -> None:
    key = KEYS[attr]
    st.session_state[key] = [v for v in st.session_state.get(key) or [] if v in choices]
    st.sidebar.multiselect(i18n.t(label_key), options=choices, format_func=label_of, key=key,
                           placeholder=i18n.t("all"))


def _year_slider(attr: str, bounds: tuple[int, int] | None, bounds_key: str, label_key: str) -> None:
    key = KEYS[attr]
    st.session_state[bounds_key] = bounds
    if bounds is None or bounds[0] == bounds[1]:
        st.session_state[key] = None
        return
    lo, hi = st.session_state.get(key) or bounds
    lo, hi = max(bounds[0], min(int(lo), bounds[1])), max(bounds[0], min(int(hi), bounds[1]))
    st.session_state[key] = (min(lo, hi), max(lo, hi))
    st.sidebar.slider(i18n.t(label_key), min_value=bounds[0], max_value=bounds[1], key=key, step=1)


def describe(filters: Filters, lang: str, options=None) -> list[tuple[str, str]]:
    """Return the applied filters in words: [(name, value)], for an export's filter sheet."""
    tr = i18n.tr
    names: dict[str, str] = {}
    titles: dict[str, str] = {}
    if options is not None:
        names = {r["agency_id"]: _agency_label(r, lang) for r in options.agencies.to_dict("records")}
        titles = dict(zip(options.documents["doc_id"], options.documents["title"].fillna("")))
        if filters.doc_ids and not set(filters.doc_ids) <= set(titles):
            from dashboard import queries

            titles.update(queries.document_titles(filters.doc_ids))
    rows: list[tuple[str, str]] = []
    if filters.agency_ids:
        rows.append((tr("agency", lang), "、".join(names.get(a, a) for a in filters.agency_ids)))
        rows.append((tr("agency_role", lang), tr(f"role_{filters.agency_role}", lang)))
    if filters.jurisdictions:
        rows.append((tr("jurisdiction", lang), "、".join(filters.jurisdictions)))
    if filters.doc_types:
        rows.append((tr("doc_type", lang), "、".join(i18n.vocab("doc_type", d, lang) for d in filters.doc_types)))
    if filters.doc_ids:
        rows.append((tr("document", lang), "、".join(titles.get(d, d) for d in filters.doc_ids)))
    if filters.issue_years:
        rows.append((tr("issue_years", lang), f"{filters.issue_years[0]}–{filters.issue_years[1]}"))
    if filters.figure_years:
        rows.append((tr("figure_years", lang), f"{filters.figure_years[0]}–{filters.figure_years[1]}"))
    if filters.deadline_years:
        rows.append((tr("deadline_years", lang), f"{filters.deadline_years[0]}–{filters.deadline_years[1]}"))
    if filters.buckets:
        rows.append((tr("deadline_bucket", lang),
                     "、".join(i18n.vocab("deadline_bucket", b, lang) for b in filters.buckets)))
    if filters.bases:
        rows.append((tr("deadline_basis", lang),
                     "、".join(i18n.vocab("deadline_basis", b, lang) for b in filters.bases)))
    if filters.keyword:
        rows.append((tr("keyword", lang), filters.keyword))
    rows.append((tr("merge_predecessors", lang), i18n.vocab("bool", filters.merge, lang)))
    rows.append((tr("as_of", lang), filters.as_of.isoformat()))
    return rows
