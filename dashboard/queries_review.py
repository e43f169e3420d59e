"""Gather what the weekly review needs: facts (DuckDB, read-only) joined with the analysts' store.

In: the sidebar's ``Filters``, the meeting's as-of and since dates, the due-soon window.
Out: ``ReviewData`` (every commitment in the filters with its current status and deadline-aware
state, the agenda sections, the changes since the last meeting, the reviewed facts the ETL no
longer extracts) and small lookups for the page's forms.

Commitments come from ``dashboard.queries.commitment_rows`` (corrections applied, rejected ones
dropped); the few statements of its own below run on short-lived read-only connections opened
with the dashboard's helper, with bound parameters only. The store is read through
``etl.reviews``; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from dashboard import queries
from dashboard.filters_state import Filters
from etl import reviews
from etl.status import DEFAULT_STATUS, STATUS_CODES, display_state

SECTIONS = ("overdue", "due_soon", "changed", "not_assessed")
UNKNOWN_AGENCY = "__none__"

_SQL = {
    "agencies": """
        SELECT agency_id, canonical_name, short_name, name_en, current_id, is_registered
        FROM agencies ORDER BY canonical_name
    """,
    "documents": """
        SELECT doc_id, title, file_name, issue_date FROM documents ORDER BY issue_date DESC NULLS LAST, title
    """,
    "present_commitments": "SELECT commitment_id FROM commitments",
    "present_figures": "SELECT figure_id FROM figures",
    "figure_docs": "SELECT figure_id, doc_id FROM figures WHERE list_contains($ids::VARCHAR[], figure_id)",
    "etl_changes": """
        SELECT e.changed_at, e.entity, e.entity_id, e.doc_id, e.change, e.summary, e.run_id,
               d.title, d.file_name
        FROM etl_changes e LEFT JOIN documents d USING (doc_id)
        WHERE e.changed_at >= $since AND e.changed_at < $until
          AND (len($doc_ids::VARCHAR[]) = 0 OR list_contains($doc_ids::VARCHAR[], e.doc_id))
        ORDER BY e.changed_at, e.entity, e.change, e.entity_id
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
}


@contextmanager
def _connect():
    """Yield a read-only connection to the facts DB for one statement (the dashboard's helper)."""
    path = str(queries.db_path())
    opener = getattr(queries, "_open_read_only", None)
    con = opener(path) if opener is not None else duckdb.connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


def _query(name: str, **params) -> pd.DataFrame:
    sql = _SQL[name]
    with _connect() as con:
        return con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).df()


# --------------------------------------------------------------------------------------
# Lookups


def agencies() -> pd.DataFrame:
    """Return every agency of the registry and the recogniser (for the lead-agency correction)."""
    return _query("agencies")


def agency_labels(lang: str) -> dict[str, str]:
    """Return agency_id -> display name (short name in 中文, English name where known)."""
    out = {}
    for r in agencies().to_dict("records"):
        if lang == "en" and isinstance(r.get("name_en"), str) and r["name_en"]:
            out[r["agency_id"]] = r["name_en"]
        else:
            out[r["agency_id"]] = r.get("short_name") or r["canonical_name"]
    return out


def documents() -> pd.DataFrame:
    return _query("documents")


def present_ids() -> tuple[set[str], set[str]]:
    """Return the commitment and figure IDs the facts DB holds now (rejected ones included)."""
    return (set(_query("present_commitments")["commitment_id"]), set(_query("present_figures")["figure_id"]))


def etl_commitment(commitment_id: str) -> dict | None:
    """Return one commitment as the ETL extracted it (before corrections), or None."""
    df = _query("etl_commitment", commitment_id=commitment_id)
    return None if df.empty else df.iloc[0].to_dict()


def etl_figures(commitment_id: str | None = None, doc_id: str | None = None) -> pd.DataFrame:
    """Return figures as the ETL extracted them (before corrections), of a commitment or a document."""
    return _query("etl_figures", commitment_id=commitment_id, doc_id=doc_id)


def etl_changes(since: dt.datetime, until: dt.datetime, doc_ids: list[str] | None = None) -> pd.DataFrame:
    """Return what ETL runs added, changed or removed in [since, until) (local time, as the ETL logs it)."""
    try:
        return _query("etl_changes", since=_naive_local(since), until=_naive_local(until), doc_ids=list(doc_ids or []))
    except duckdb.CatalogException:  # a database built before the change log existed
        return pd.DataFrame(columns=["changed_at", "entity", "entity_id", "doc_id", "change", "summary", "run_id",
                                     "title", "file_name"])


# --------------------------------------------------------------------------------------
# Dates


def local_midnight(day: dt.date) -> dt.datetime:
    """Return the start of ``day`` in the server's time zone (aware)."""
    return dt.datetime.combine(day, dt.time()).astimezone()


def _naive_local(ts: dt.datetime) -> dt.datetime:
    return ts.astimezone().replace(tzinfo=None) if ts.tzinfo else ts


def default_since(store: reviews.ReviewStore, as_of: dt.date) -> dt.date:
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
    rows: pd.DataFrame                      # every commitment in the filters, with status and state
    etl_changes: pd.DataFrame               # documents/commitments/figures added, changed, removed
    status_changes: pd.DataFrame            # status history entries in the window
    corrections: pd.DataFrame               # correction entries in the window
    orphans: pd.DataFrame                   # reviewed facts the ETL no longer extracts
    history: pd.DataFrame                   # the full status history of the rows' commitments
    labels: dict[str, str] = field(default_factory=dict)  # agency_id -> display name

    def section(self, name: str) -> pd.DataFrame:
        """Return the rows of one agenda section (overdue, due_soon, changed, not_assessed)."""
        r = self.rows
        if name == "overdue":
            out = r[r["state"] == "overdue"].sort_values(["deadline_date", "commitment_id"])
        elif name == "due_soon":
            out = r[r["state"] == "due_soon"].sort_values(["deadline_date", "commitment_id"])
        elif name == "changed":
            out = r[r["is_changed"]]
        elif name == "not_assessed":
            out = r[r["status"] == DEFAULT_STATUS]
        else:
            raise KeyError(name)
        return out.reset_index(drop=True)

    def counts_by_agency(self, name: str | None = None) -> pd.DataFrame:
        """Return [agency_key, agency, n] for one section (all rows if None); once per lead agency."""
        return count_by_agency(self.rows if name is None else self.section(name), self.labels, self.lang)

    def summary_by_agency(self) -> pd.DataFrame:
        """Return one row per lead agency: commitments, each section's count, each status's count.

        Columns: agency_key, agency, commitments, overdue, due_soon, changed, not_assessed,
        status_<code> for every status code.
        """
        ex = _explode_leads(self.rows)
        cols = ["agency_key", "agency", "commitments", *SECTIONS, *(f"status_{c}" for c in STATUS_CODES)]
        if ex.empty:
            return pd.DataFrame(columns=cols)
        flags = pd.DataFrame({
            "agency_key": ex["agency_key"].to_numpy(),
            "commitments": 1,
            "overdue": (ex["state"] == "overdue").to_numpy(),
            "due_soon": (ex["state"] == "due_soon").to_numpy(),
            "changed": ex["is_changed"].to_numpy(),
            "not_assessed": (ex["status"] == DEFAULT_STATUS).to_numpy(),
            **{f"status_{c}": (ex["status"] == c).to_numpy() for c in STATUS_CODES},
        })
        out = flags.groupby("agency_key").sum().astype(int).reset_index()
        unknown = "未注明单位" if self.lang == "zh" else "Agency not stated"
        out["agency"] = [unknown if k == UNKNOWN_AGENCY else self.labels.get(k, k) for k in out["agency_key"]]
        return out[cols].sort_values(["overdue", "commitments", "agency"], ascending=[False, False, True]
                                     ).reset_index(drop=True)


def _explode_leads(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=list(rows.columns) + ["agency_key"])
    keys = [list(k) if k is not None and len(k) else [UNKNOWN_AGENCY] for k in rows["lead_keys"]]
    out = rows.assign(agency_key=keys).explode("agency_key")
    return out


def count_by_agency(rows: pd.DataFrame, labels: dict[str, str], lang: str) -> pd.DataFrame:
    """Count rows per lead agency (a commitment with several leads counts under each)."""
    cols = ["agency_key", "agency", "n"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    ex = _explode_leads(rows)
    out = ex.groupby("agency_key").size().rename("n").reset_index()
    unknown = "未注明单位" if lang == "zh" else "Agency not stated"
    out["agency"] = [unknown if k == UNKNOWN_AGENCY else labels.get(k, k) for k in out["agency_key"]]
    return out[cols].sort_values(["n", "agency"], ascending=[False, True]).reset_index(drop=True)


def _ids_list(value) -> list[str]:
    if value is None:
        return []
    try:
        return [str(v) for v in list(value)]
    except TypeError:
        return []


def load_review(f: Filters, as_of: dt.date, since: dt.date, due_days: int, lang: str,
                store: reviews.ReviewStore | None = None) -> ReviewData:
    """Assemble the review for the filters, as of ``as_of`` (inclusive) and since ``since``."""
    store = store or reviews.ReviewStore()
    f = f.with_(as_of=as_of)
    rows = queries.commitment_rows(f).copy()
    rows["lead_keys"] = [_ids_list(v) for v in rows["lead_keys"]]
    current = store.current_statuses()
    cur = current.set_index("commitment_id")
    rows["status"] = [cur["status"].get(c, DEFAULT_STATUS) for c in rows["commitment_id"]]
    rows["note"] = [cur["note"].get(c) for c in rows["commitment_id"]]
    rows["reviewer"] = [cur["reviewer"].get(c) for c in rows["commitment_id"]]
    rows["status_changed_at"] = [cur["changed_at"].get(c, pd.NaT) for c in rows["commitment_id"]]
    rows["state"] = [display_state(s, d, as_of, due_days) for s, d in zip(rows["status"], rows["deadline_date"])]
    deadlines = pd.to_datetime(rows["deadline_date"])
    rows["days_to_deadline"] = (deadlines - pd.Timestamp(as_of)).dt.days.astype("Int64")

    start, end = local_midnight(since), local_midnight(as_of + dt.timedelta(days=1))
    doc_ids = sorted(set(queries.document_rows(f)["doc_id"])) if (f.doc_ids or f.doc_types or f.jurisdictions
                                                                   or f.issue_years or f.has_fact_filters) else []
    changes = etl_changes(start, end, doc_ids)
    if f.has_fact_filters and not changes.empty:
        in_rows = set(rows["commitment_id"])
        changes = changes[(changes["entity"] != "commitment") | (changes["change"] == "removed")
                          | changes["entity_id"].isin(in_rows)].reset_index(drop=True)
    in_scope = set(rows["commitment_id"])
    hist_window = store.history(since=start, until=end)
    hist_window = hist_window[hist_window["commitment_id"].isin(in_scope)].reset_index(drop=True)
    corr = store.correction_log(since=start, until=end)
    if doc_ids or f.has_fact_filters:
        fig_ids = corr.loc[corr["entity"] == "figure", "entity_id"].tolist()
        fig_docs = dict(_query("figure_docs", ids=fig_ids).itertuples(index=False)) if fig_ids else {}
        scope_docs = set(doc_ids) if doc_ids else set(rows["doc_id"])
        corr = corr[((corr["entity"] == "commitment") & corr["entity_id"].isin(in_scope))
                    | ((corr["entity"] == "figure") & corr["entity_id"].map(lambda i: fig_docs.get(i) in scope_docs))]
    changed_ids = (set(changes.loc[changes["entity"] == "commitment", "entity_id"]) | set(hist_window["commitment_id"])
                   | set(corr.loc[corr["entity"] == "commitment", "entity_id"]))
    rows["is_changed"] = rows["commitment_id"].isin(changed_ids)

    present_c, present_f = present_ids()
    orphans = store.no_longer_extracted(present_c, present_f)
    history = store.history()
    history = history[history["commitment_id"].isin(in_scope | set(orphans["entity_id"]))].reset_index(drop=True)
    return ReviewData(as_of=as_of, since=since, due_days=due_days, lang=lang, rows=rows.reset_index(drop=True),
                      etl_changes=changes, status_changes=_with_text(hist_window, rows), corrections=corr.reset_index(drop=True),
                      orphans=orphans, history=history, labels=agency_labels(lang))


def _with_text(hist: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    info = rows.set_index("commitment_id")
    out = hist.copy()
    for col in ("title", "item_label", "text", "lead_agency_names"):
        out[col] = [info[col].get(c) if col in info else None for c in out["commitment_id"]]
    return out


def history_text(history: pd.DataFrame, lang: str) -> dict[str, str]:
    """Return commitment_id -> its history in one cell ("2024-06-03 王芳: 未评估 → 进展顺利 (note)")."""
    from etl.status import status_name

    out: dict[str, list[str]] = {}
    for r in history.itertuples(index=False):
        when = pd.Timestamp(r.changed_at).tz_convert(None).strftime("%Y-%m-%d") if pd.notna(r.changed_at) else ""
        line = f"{when} {r.reviewer}: {status_name(r.old_status, lang)} → {status_name(r.status, lang)}"
        if isinstance(r.note, str) and r.note:
            line += f" ({r.note})"
        out.setdefault(r.commitment_id, []).append(line)
    return {k: "\n".join(v) for k, v in out.items()}
