"""Gather what the weekly review needs: facts (DuckDB, read-only) joined with the analysts' store.

In: the sidebar's ``Filters``, the meeting's as-of and since dates, the due-soon window.
Out: ``ReviewData``: every count of the agenda (sections, statuses, per lead agency) computed
in SQL over all commitments in the filters, and only bounded row sets: each section's first
``SECTION_ROWS_MAX`` rows (sorted as the section is) beside its true count, the first
``CHANGES_ROWS_MAX`` ETL changes of the window beside their count, the store's own (small)
entries, and the reviewed facts the ETL no longer extracts. ``ReviewData.expanded(n)`` fetches
up to n (at most ``exports.EXPORT_ROWS_MAX``, Excel's limit) rows per sheet for the meeting pack.
Page-sized reviews are cached on the files' modification stamps.

Statements run on ``dashboard.data.connection.cursor()`` (the facts DB attached read-only, corrections
applied, rejected commitments dropped), with bound parameters only; the store's current statuses
and the IDs it touched in the window are registered into the cursor as DataFrames. The deadline
state is ``dashboard.data.sql.deadline_state`` (``state_sql``), the one the other pages count with. The store is read
through ``review.store``; nothing here writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.data import connection, sql
from dashboard.exports import EXPORT_ROWS_MAX
from dashboard.filters_state import Filters
from review.store import ReviewStore, store_stamp
from review.values import DEFAULT_STATUS, STATUS_CODES, status_name

SECTIONS = ("overdue", "due_soon", "changed", "not_assessed")
SCOPES = (*SECTIONS, "all")
EXPORT_SCOPES = ("overdue", "due_soon", "all")
"""The scopes the meeting pack lists in full (its sheets); the others keep the page's rows."""
UNKNOWN_AGENCY = "__none__"

SECTION_ROWS_MAX = 200
"""Rows each agenda section (and the "all" scope) holds for the page; the true count stands beside."""
CHANGES_ROWS_MAX = 500
"""ETL changes of the window the page holds (oldest first); the true count stands beside."""
IN_LIST_MAX = 5_000
"""Up to this many IDs, rows are fetched by ID (one parameter each: the primary key's index)."""

def state_sql(status: str, deadline: str) -> str:
    """Return the review's deadline state over two columns (parameters $as_of, $due_days).

    ``sql.deadline_state`` (the definition every page counts overdue with), due soon
    within the review's window; ``review.values.display_state`` is the same in Python.
    """
    upcoming = f"CASE WHEN {deadline} - $as_of::DATE <= $due_days::INTEGER THEN 'due_soon' ELSE 'open' END"
    return sql.deadline_state(status, deadline, upcoming)


_ORDER_ROWS = "list_order"  # as queries.commitment_rows (newest document first, then position)
_ORDER_DEADLINE = "deadline_date, commitment_id"
_SECTION_WHERE = {"overdue": "state = 'overdue'", "due_soon": "state = 'due_soon'", "changed": "is_changed",
                  "not_assessed": "status = $default_status", "all": "TRUE"}
_SECTION_ORDER = {"overdue": _ORDER_DEADLINE, "due_soon": _ORDER_DEADLINE, "changed": _ORDER_ROWS,
                  "not_assessed": _ORDER_ROWS, "all": _ORDER_ROWS}

_CHANGED_IN_LOG = """(len(list_filter(c.change_times, lambda t: t >= $since AND t < $until)) > 0
            OR c.commitment_id IN (SELECT commitment_id FROM changed_ids))"""
"""Changed in the window: by an ETL run (the derived ``change_times``: no lookup in the change log) or in the store."""
_CHANGED_IN_STORE = "c.commitment_id IN (SELECT commitment_id FROM changed_ids)"

_REVIEW_ROWS = """,
changed_ids AS (SELECT CAST(commitment_id AS VARCHAR) AS commitment_id FROM review_touched),
review_base AS (
    SELECT c.commitment_id, c.doc_id, c.char_start, c.issue_date, c.deadline_date, c.lead_keys, c.is_corrected, c.list_order,
           COALESCE(s.status, $default_status) AS status,
           {changed} AS is_changed
    FROM com_f c
    LEFT JOIN (SELECT CAST(commitment_id AS VARCHAR) AS commitment_id, CAST(status AS VARCHAR) AS status
               FROM review_status) s USING (commitment_id)
),
rv AS MATERIALIZED (
    SELECT *, {state} AS state FROM review_base
)"""


def _overview_sql(params: dict, has_log: bool, sections: tuple[str, ...]) -> str:
    """The review rows once (``rv``): their groups by lead agencies × state × status × changed, then each
    section's first $limit_<section> rows, in one statement (``part`` says which)."""
    head = sql.filtered(params) + _REVIEW_ROWS.format(
        changed=_CHANGED_IN_LOG if has_log else _CHANGED_IN_STORE, state=state_sql("status", "deadline_date"))
    parts = ["""SELECT 'group' AS part, lead_keys, state, status, is_changed, count(*) AS n,
               NULL::VARCHAR AS commitment_id, NULL::VARCHAR AS doc_id, NULL::INTEGER AS char_start,
               NULL::DATE AS issue_date, NULL::DATE AS deadline_date, NULL::BOOLEAN AS is_corrected
        FROM rv GROUP BY ALL"""]
    for name in sections:
        parts.append(f"""(SELECT '{name}' AS part, lead_keys, state, status, is_changed, NULL::BIGINT AS n,
               commitment_id, doc_id, char_start, issue_date, deadline_date, is_corrected
        FROM rv WHERE {_SECTION_WHERE[name]} ORDER BY {_SECTION_ORDER[name]} LIMIT $limit_{name})""")
    return head + "\n" + "\nUNION ALL ".join(parts)


_SUMMARY_SQL = f"""
    WITH per_agency AS (  -- the groups come by lead-agency list (few distinct): one row per lead agency now
        SELECT unnest(CASE WHEN lead_keys IS NULL OR len(lead_keys) = 0 THEN [$unknown::VARCHAR]
                           ELSE CAST(lead_keys AS VARCHAR[]) END) AS agency_key,
               state, status, is_changed, n
        FROM review_groups
    )
    SELECT agency_key, CAST(sum(n) AS BIGINT) AS commitments,
           CAST(COALESCE(sum(n) FILTER (WHERE state = 'overdue'), 0) AS BIGINT) AS overdue,
           CAST(COALESCE(sum(n) FILTER (WHERE state = 'due_soon'), 0) AS BIGINT) AS due_soon,
           CAST(COALESCE(sum(n) FILTER (WHERE is_changed), 0) AS BIGINT) AS changed,
           CAST(COALESCE(sum(n) FILTER (WHERE status = $default_status), 0) AS BIGINT) AS not_assessed,
           {", ".join(f"CAST(COALESCE(sum(n) FILTER (WHERE status = '{c}'), 0) AS BIGINT) AS status_{c}"
                      for c in STATUS_CODES)}
    FROM per_agency GROUP BY agency_key
"""

_SQL = {
    "agencies": """
        SELECT agency_id, canonical_name, short_name, name_en, current_id, is_registered
        FROM agencies ORDER BY canonical_name
    """,
    "documents": """
        SELECT doc_id, title, file_name, issue_date FROM documents ORDER BY issue_date DESC NULLS LAST, title
    """,
    "has_change_log": "SELECT count(*) AS n FROM information_schema.tables "
                      "WHERE table_catalog = 'facts' AND table_name = 'etl_changes'",
    "present_commitments": """
        SELECT commitment_id FROM commitments
        WHERE commitment_id IN (SELECT CAST(id AS VARCHAR) FROM review_ids)
    """,
    "present_figures": """
        SELECT figure_id FROM figures WHERE figure_id IN (SELECT CAST(id AS VARCHAR) FROM review_ids)
    """,
    "etl_commitment": """
        SELECT c.commitment_id, c.doc_id, c.item_label, c.text, c.lead_agency_ids, c.lead_agency_names,
               c.deadline_date, c.deadline_basis, c.deadline_text, d.title, d.file_name
        FROM commitments c JOIN documents d USING (doc_id) WHERE c.commitment_id = $commitment_id
    """,
    "etl_figures": """
        SELECT f.figure_id, f.doc_id, f.commitment_id, f.figure_type, f.span_text, f.amount_yuan, f.value, f.unit,
               f.money_kind, f.figure_year, f.is_target, f.sentence, d.title, d.file_name
        FROM figures f JOIN documents d USING (doc_id)
        WHERE ($commitment_id::VARCHAR IS NULL OR f.commitment_id = $commitment_id::VARCHAR)
          AND ($doc_id::VARCHAR IS NULL OR f.doc_id = $doc_id::VARCHAR)
        ORDER BY f.doc_id, f.char_start
    """,
    "document_commitments": """
        SELECT commitment_id FROM com_eff WHERE doc_id = $doc_id ORDER BY char_start, commitment_id LIMIT $limit
    """,
    "details_by_ids": """
        SELECT commitment_id, doc_id, item_label, text, lead_agency_names FROM eff_commitments
        WHERE commitment_id IN ({ids})
    """,
    "evidence_documents": """
        SELECT doc_id, title, file_name, issue_date FROM documents
        WHERE doc_id IN ({ids}) OR doc_id IN (SELECT doc_id FROM documents
                                             ORDER BY issue_date DESC NULLS LAST, title, doc_id LIMIT $limit)
        ORDER BY issue_date DESC NULLS LAST, title
    """,
    "details_joined": """
        SELECT c.commitment_id, c.item_label, c.text, c.lead_agency_names, d.title
        FROM eff_commitments c JOIN documents d USING (doc_id)
        WHERE c.commitment_id IN (SELECT CAST(id AS VARCHAR) FROM review_ids)
    """,
}
"""Statements on their own; those over the filtered facts follow ``sql.filtered`` (below)."""

_FILTERED = {
    "in_scope": ", ids AS (SELECT CAST(id AS VARCHAR) AS id FROM review_ids)\n"
                "SELECT id FROM ids WHERE id IN (SELECT commitment_id FROM com_f)",
    "figures_in_scope": ", ids AS (SELECT CAST(id AS VARCHAR) AS id FROM review_ids)\n"
                        "SELECT f.figure_id AS id FROM figures f JOIN ids ON ids.id = f.figure_id\n"
                        "WHERE f.doc_id IN (SELECT doc_id FROM doc_ff)",
}

_CHANGES_COLUMNS = ["changed_at", "entity", "entity_id", "doc_id", "change", "summary", "run_id", "title", "file_name"]


def _changes_sql(params: dict, scoped: bool, count: bool) -> str:
    """ETL changes in [$since, $until): within the filtered documents when ``scoped``; first $limit, or the count."""
    where = ["e.changed_at >= $since", "e.changed_at < $until"]
    if scoped:
        where.append("e.doc_id IN (SELECT doc_id FROM doc_ff)")
    if params["fact_filters"]:
        where.append("(e.entity <> 'commitment' OR e.change = 'removed' "
                     "OR e.entity_id IN (SELECT commitment_id FROM com_f))")
    head = sql.filtered(params) if scoped or params["fact_filters"] else "WITH nothing AS (SELECT 1)"
    if count:
        return head + f"\nSELECT count(*) AS n FROM etl_changes e WHERE {' AND '.join(where)}"
    return head + f"""
        , page AS (  -- in the order each run wrote them: document by document
            SELECT e.changed_at, e.entity, e.entity_id, e.doc_id, e.change, e.summary, e.run_id, e.rowid AS seq
            FROM etl_changes e WHERE {' AND '.join(where)}
            ORDER BY e.changed_at, e.rowid LIMIT $limit
        )
        SELECT p.changed_at, p.entity, p.entity_id, p.doc_id, p.change, p.summary, p.run_id, d.title, d.file_name
        FROM page p LEFT JOIN documents d USING (doc_id)
        ORDER BY p.changed_at, p.seq"""


def _run(cur, text: str, params: dict) -> pd.DataFrame:
    return connection.execute(cur, text, params)


def _query(name: str, **params) -> pd.DataFrame:
    with connection.cursor() as cur:
        return _run(cur, _SQL[name], params)


def _register_ids(cur, ids) -> None:
    cur.register("review_ids", pd.DataFrame({"id": pd.Series(sorted({str(i) for i in ids}), dtype=object)}))


def _ids_in(cur, name: str, ids, params: dict | None = None) -> set[str]:
    """Return which of ``ids`` the named statement keeps (``_SQL`` or ``_FILTERED`` over the filters)."""
    if not ids:
        return set()
    _register_ids(cur, ids)
    text = _SQL[name] if name in _SQL else sql.filtered(params) + _FILTERED[name]
    frame = _run(cur, text, params or {})
    return set(frame.iloc[:, 0])


# --------------------------------------------------------------------------------------
# Lookups


def agencies() -> pd.DataFrame:
    """Return every agency of the registry and the recogniser (for the lead-agency correction)."""
    return _query("agencies")


def agency_labels(lang: str) -> dict[str, str]:
    """Return agency_id -> display name (short name in 中文, English name where known)."""
    from dashboard.charts import agency_label  # the charts' rule: one name per agency on every page

    return {r["agency_id"]: agency_label(r["canonical_name"], r.get("short_name"), r.get("name_en"), lang)
            for r in agencies().to_dict("records")}


def documents() -> pd.DataFrame:
    return _query("documents")


def etl_commitment(commitment_id: str) -> dict | None:
    """Return one commitment as the ETL extracted it (before corrections), or None."""
    df = _query("etl_commitment", commitment_id=commitment_id)
    return None if df.empty else df.iloc[0].to_dict()


def etl_figures(commitment_id: str | None = None, doc_id: str | None = None) -> pd.DataFrame:
    """Return figures as the ETL extracted them (before corrections), of a commitment or a document."""
    return _query("etl_figures", commitment_id=commitment_id, doc_id=doc_id)


def document_commitment_ids(doc_id: str | None, limit: int = SECTION_ROWS_MAX) -> list[str]:
    """Return the IDs of a document's effective commitments (in reading order), up to ``limit``."""
    if not doc_id:
        return []
    return _query("document_commitments", doc_id=doc_id, limit=limit)["commitment_id"].tolist()


def _by_ids(cur, name: str, ids, params: dict | None = None) -> pd.DataFrame:
    """Run ``_SQL[name]`` for these IDs (``connection.by_ids``: one bound parameter each)."""
    return connection.by_ids(cur, _SQL[name], ids, params)


def _details(cur, ids) -> pd.DataFrame:
    """Return item_label, text, lead_agency_names and the document title of these commitments."""
    ids = list(dict.fromkeys(str(i) for i in ids))
    if len(ids) > IN_LIST_MAX:
        _register_ids(cur, ids)
        return _run(cur, _SQL["details_joined"], {})
    found = _by_ids(cur, "details_by_ids", ids)
    titles = connection.by_ids(cur, queries.DOCUMENT_TITLES_BY_ID, found["doc_id"].unique())[["doc_id", "title"]]
    return found.merge(titles, on="doc_id", how="left").drop(columns="doc_id")


def evidence_documents(doc_ids, limit: int = queries.DOCUMENT_CHOICES_MAX) -> pd.DataFrame:
    """Return the documents an analyst may cite as evidence: these (the rows' own) and the newest ``limit``."""
    with connection.cursor() as cur:
        return _by_ids(cur, "evidence_documents", doc_ids, {"limit": int(limit)})


def commitment_details(ids) -> pd.DataFrame:
    """Return item_label, text, lead_agency_names and title of these effective commitments."""
    with connection.cursor() as cur:
        return _details(cur, ids)


# --------------------------------------------------------------------------------------
# Dates


def local_midnight(day: dt.date) -> dt.datetime:
    """Return the start of ``day`` in the server's time zone (aware)."""
    return dt.datetime.combine(day, dt.time()).astimezone()


def _naive_local(ts: dt.datetime) -> dt.datetime:
    return ts.astimezone().replace(tzinfo=None) if ts.tzinfo else ts


def default_since(store: ReviewStore, as_of: dt.date) -> dt.date:
    """Return the previous review date before ``as_of``, else a week before it."""
    return store.previous_review_date(as_of) or as_of - dt.timedelta(days=7)


# --------------------------------------------------------------------------------------
# The review


@dataclass
class ReviewData:
    as_of: dt.date
    since: dt.date
    due_days: int
    lang: str
    shown: dict[str, pd.DataFrame]          # scope (a section or "all") -> its first rows, sorted as it is
    counts: dict[str, int]                  # scope -> how many commitments it has (shown ones may be fewer)
    summary: pd.DataFrame                   # summary_by_agency, over all commitments in the filters
    status_counts: dict[str, int]           # status code -> commitments, over all in the filters
    etl_changes: pd.DataFrame               # the first documents/commitments/figures added, changed, removed
    etl_changes_count: int                  # ... and how many there are in the window
    status_changes: pd.DataFrame            # status history entries in the window
    corrections: pd.DataFrame               # correction entries in the window
    orphans: pd.DataFrame                   # reviewed facts the ETL no longer extracts
    history: pd.DataFrame                   # the full status history of the commitments in the filters
    texts: dict[str, str] = field(default_factory=dict)   # commitment_id -> text, for the history
    labels: dict[str, str] = field(default_factory=dict)  # agency_id -> display name
    filters: Filters | None = None          # what the rows were selected with (for ``expanded``)
    limit: int = SECTION_ROWS_MAX

    @property
    def rows(self) -> pd.DataFrame:
        """Return the first rows of every commitment in the filters (newest document first)."""
        return self.shown["all"]

    def section(self, name: str) -> pd.DataFrame:
        """Return the shown rows of one agenda section (overdue, due_soon, changed, not_assessed) or "all"."""
        if name not in SCOPES:
            raise KeyError(name)
        return self.shown[name]

    def count(self, name: str) -> int:
        """Return how many commitments one section (or "all") has."""
        return self.counts[name]

    def is_cut(self, name: str) -> bool:
        """Say whether the section has more rows than are held."""
        return self.counts[name] > len(self.shown[name])

    def row(self, commitment_id: str) -> dict | None:
        """Return a held row by ID (from any section), or None."""
        for frame in self.shown.values():
            hit = frame[frame["commitment_id"] == commitment_id]
            if len(hit):
                return hit.iloc[0].to_dict()
        return None

    def counts_by_agency(self, name: str | None = None) -> pd.DataFrame:
        """Return [agency_key, agency, n] for one section (all rows if None); once per lead agency."""
        s = self.summary
        col = "commitments" if name is None else name
        out = pd.DataFrame({"agency_key": s["agency_key"], "agency": s["agency"], "n": s[col].astype(int)})
        out = out[out["n"] > 0]
        return out.sort_values(["n", "agency"], ascending=[False, True]).reset_index(drop=True)

    def summary_by_agency(self) -> pd.DataFrame:
        """Return one row per lead agency: commitments, each section's count, each status's count.

        Columns: agency_key, agency, commitments, overdue, due_soon, changed, not_assessed,
        status_<code> for every status code.
        """
        return self.summary.copy()

    def expanded(self, limit: int = EXPORT_ROWS_MAX, store: ReviewStore | None = None) -> ReviewData:
        """Return the same review holding up to ``limit`` rows of each ``EXPORT_SCOPES`` and ETL changes (the pack's).

        ``limit`` is at most ``EXPORT_ROWS_MAX`` (Excel's limit).
        """
        limit = min(int(limit), EXPORT_ROWS_MAX)
        if all(len(self.shown[s]) >= min(self.counts[s], limit) for s in EXPORT_SCOPES):
            return dataclasses.replace(self, limit=limit)
        return load_review(self.filters or Filters(), self.as_of, self.since, self.due_days, self.lang, store,
                           limit=limit, changes_limit=limit)


SUMMARY_COLUMNS = ["agency_key", "agency", "commitments", *SECTIONS, *(f"status_{c}" for c in STATUS_CODES)]


def _agency_name(key: str, labels: dict[str, str], lang: str) -> str:
    if key == UNKNOWN_AGENCY:
        return "未注明单位" if lang == "zh" else "Agency not stated"
    return labels.get(key, key)


def _ids_list(value) -> list[str]:
    if value is None:
        return []
    try:
        return [str(v) for v in (value.tolist() if hasattr(value, "tolist") else list(value))]
    except TypeError:
        return []


def _rows_frame(part: pd.DataFrame, details: pd.DataFrame, current: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Return section rows with their text, title, note, reviewer and days to the deadline."""
    cols = ["commitment_id", "doc_id", "char_start", "issue_date", "deadline_date", "lead_keys", "is_corrected",
            "status", "state", "is_changed"]
    notes = current[["commitment_id", "note", "reviewer", "changed_at"]].rename(columns={"changed_at": "status_changed_at"})
    out = (part[cols].merge(details, on="commitment_id", how="left")
           .merge(notes.astype({"commitment_id": object}), on="commitment_id", how="left"))
    out["note"] = out["note"].astype(object).where(out["note"].notna(), None)
    out["reviewer"] = out["reviewer"].astype(object).where(out["reviewer"].notna(), None)
    out["lead_keys"] = [_ids_list(v) for v in out["lead_keys"]]
    out["is_corrected"] = out["is_corrected"].astype(bool)
    out["is_changed"] = out["is_changed"].astype(bool)
    deadlines = pd.to_datetime(out["deadline_date"])
    out["days_to_deadline"] = (deadlines - pd.Timestamp(as_of)).dt.days.astype("Int64")
    return out


def _sorted(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Sort a section's rows as its SQL does (the UNION does not keep the order)."""
    if _SECTION_ORDER[name] == _ORDER_DEADLINE:
        out = frame.sort_values(["deadline_date", "commitment_id"], na_position="last")
    else:
        out = frame.sort_values(["issue_date", "doc_id", "char_start", "commitment_id"],
                                ascending=[False, True, True, True], na_position="last")
    return out.reset_index(drop=True)


def load_review(f: Filters, as_of: dt.date, since: dt.date, due_days: int, lang: str,
                store: ReviewStore | None = None, limit: int = SECTION_ROWS_MAX,
                changes_limit: int = CHANGES_ROWS_MAX) -> ReviewData:
    """Assemble the review for the filters, as of ``as_of`` (inclusive) and since ``since``.

    Counts cover every commitment in the filters; each section holds its first ``limit`` rows.
    Page-sized reviews are cached on the facts DB's and the store's modification stamps (a save
    or an ETL run gives a fresh one); larger ones (exports) are not kept.
    """
    store = store or ReviewStore()
    if limit > SECTION_ROWS_MAX or changes_limit > CHANGES_ROWS_MAX:
        return _load_review(f, as_of, since, due_days, lang, store, limit, changes_limit)
    return _cached_review(connection.stamp(), str(store.path), store_stamp(store.path), f, as_of, since,
                          int(due_days), lang, int(limit), int(changes_limit))


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_review(stamp: connection.Stamp, store_path: str, store_stamp: tuple[int, int], f: Filters, as_of: dt.date,
                   since: dt.date, due_days: int, lang: str, limit: int, changes_limit: int) -> ReviewData:
    del stamp, store_stamp  # cache key only
    return _load_review(f, as_of, since, due_days, lang, ReviewStore(store_path), limit, changes_limit)


def _load_review(f: Filters, as_of: dt.date, since: dt.date, due_days: int, lang: str,
                 store: ReviewStore, limit: int, changes_limit: int) -> ReviewData:
    f = f.with_(as_of=as_of)
    limits = {name: int(limit) if name in EXPORT_SCOPES else min(int(limit), SECTION_ROWS_MAX) for name in SCOPES}
    start, end = local_midnight(since), local_midnight(as_of + dt.timedelta(days=1))
    current = store.current_statuses()
    hist_window = store.history(since=start, until=end)
    corr = store.correction_log(since=start, until=end)
    history = store.history()
    touched = set(hist_window["commitment_id"]) | set(corr.loc[corr["entity"] == "commitment", "entity_id"])
    p = {**queries.filter_params(f), "as_of": as_of, "due_days": int(due_days), "since": _naive_local(start),
         "until": _naive_local(end), "default_status": DEFAULT_STATUS, "unknown": UNKNOWN_AGENCY,
         **{f"limit_{name}": n for name, n in limits.items()}}
    scoped = bool(f.doc_ids or f.doc_types or f.jurisdictions or f.issue_years or f.has_fact_filters)
    labels = agency_labels(lang)

    with connection.cursor() as cur:
        has_log = bool(_run(cur, _SQL["has_change_log"], {}).iloc[0, 0])
        cur.register("review_status", current[["commitment_id", "status"]].astype("string"))
        cur.register("review_touched", pd.DataFrame({"commitment_id": pd.Series(sorted(touched), dtype="string")}))
        overview = _run(cur, _overview_sql(p, has_log, SCOPES), p)
        groups = overview[overview["part"] == "group"]
        cur.register("review_groups", groups[["lead_keys", "state", "status", "is_changed", "n"]])
        summary = _run(cur, _SUMMARY_SQL, p)
        cur.unregister("review_groups")

        if has_log:
            changes = _run(cur, _changes_sql(p, scoped, count=False), {**p, "limit": int(changes_limit)})
            n_changes = int(_run(cur, _changes_sql(p, scoped, count=True), p).iloc[0, 0])
        else:  # a database built before the change log existed
            changes, n_changes = pd.DataFrame(columns=_CHANGES_COLUMNS), 0

        in_scope = _ids_in(cur, "in_scope", set(history["commitment_id"]) | touched, p)
        hist_window = hist_window[hist_window["commitment_id"].isin(in_scope)].reset_index(drop=True)
        if scoped:
            figs = _ids_in(cur, "figures_in_scope", set(corr.loc[corr["entity"] == "figure", "entity_id"]), p)
            corr = corr[((corr["entity"] == "commitment") & corr["entity_id"].isin(in_scope))
                        | ((corr["entity"] == "figure") & corr["entity_id"].isin(figs))]

        tracked_c, tracked_f = store.tracked_ids("commitment"), store.tracked_ids("figure")
        present_c = _ids_in(cur, "present_commitments", tracked_c)
        present_f = _ids_in(cur, "present_figures", tracked_f)
        orphans = store.no_longer_extracted(present_c, present_f)
        history = history[history["commitment_id"].isin(in_scope | set(orphans["entity_id"]))].reset_index(drop=True)

        parts = overview[overview["part"] != "group"]
        details = _details(cur, list(parts["commitment_id"]) + list(hist_window["commitment_id"])
                           + list(history["commitment_id"]))

    shown = {name: _sorted(_rows_frame(parts[parts["part"] == name], details, current, as_of), name)
             for name in SCOPES}
    n = groups["n"].astype(int)
    counts = {"all": int(n.sum()), "overdue": int(n[groups["state"] == "overdue"].sum()),
              "due_soon": int(n[groups["state"] == "due_soon"].sum()),
              "changed": int(n[groups["is_changed"].astype(bool)].sum()),
              "not_assessed": int(n[groups["status"] == DEFAULT_STATUS].sum())}
    status_counts = {c: int(n[groups["status"] == c].sum()) for c in STATUS_CODES}
    summary["agency"] = [_agency_name(k, labels, lang) for k in summary["agency_key"]]
    summary = summary[SUMMARY_COLUMNS].sort_values(["overdue", "commitments", "agency"],
                                                   ascending=[False, False, True]).reset_index(drop=True)
    texts = dict(zip(details["commitment_id"], details["text"]))
    return ReviewData(as_of=as_of, since=since, due_days=due_days, lang=lang, shown=shown, counts=counts,
                      summary=summary, status_counts=status_counts, etl_changes=changes.reset_index(drop=True),
                      etl_changes_count=n_changes, status_changes=_with_text(hist_window, details),
                      corrections=corr.reset_index(drop=True), orphans=orphans, history=history, texts=texts,
                      labels=labels, filters=f, limit=limit)


def display_states(frame: pd.DataFrame, as_of: dt.date, due_days: int) -> list[str]:
    """Return ``state_sql`` over a frame of [status, deadline_date] (rows in order), run by DuckDB."""
    with connection.cursor() as cur:
        cur.register("review_states", frame.assign(pos=range(len(frame))))
        text = (f"SELECT {state_sql('status', 'deadline_date')} AS state FROM (SELECT CAST(status AS VARCHAR) AS status,"
                " CAST(deadline_date AS DATE) AS deadline_date, pos FROM review_states) ORDER BY pos")
        return _run(cur, text, {"as_of": as_of, "due_days": int(due_days)})["state"].tolist()


def _with_text(hist: pd.DataFrame, details: pd.DataFrame) -> pd.DataFrame:
    info = details.drop_duplicates("commitment_id").set_index("commitment_id")
    out = hist.copy()
    for col in ("title", "item_label", "text", "lead_agency_names"):
        out[col] = [info[col].get(c) if col in info else None for c in out["commitment_id"]]
    return out


def history_text(history: pd.DataFrame, lang: str) -> dict[str, str]:
    """Return commitment_id -> its history in one cell ("2024-06-03 王芳: 未评估 → 进展顺利 (note)")."""
    out: dict[str, list[str]] = {}
    for r in history.itertuples(index=False):
        when = pd.Timestamp(r.changed_at).tz_convert(None).strftime("%Y-%m-%d") if pd.notna(r.changed_at) else ""
        line = f"{when} {r.reviewer}: {status_name(r.old_status, lang)} → {status_name(r.status, lang)}"
        if isinstance(r.note, str) and r.note:
            line += f" ({r.note})"
        out.setdefault(r.commitment_id, []).append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def clear_cache() -> None:
    """Forget the cached reviews and every cached query (for benchmarks and tests)."""
    _cached_review.clear()
    queries.clear_cache()


# --------------------------------------------------------------------------------------
# Slipped deadlines: confirmed restatements whose deadline moved later (issue 14)


def slipped_deadlines() -> pd.DataFrame:
    """Every confirmed thread step whose deadline is later than the earlier promise's."""
    from dashboard import queries_links

    return queries_links.slipped_deadlines()
