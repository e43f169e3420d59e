"""Apply the analysts' store to the facts: corrections, closed statuses, split same-fact pairs.

In: the review store (``review.store``, ``review.link_decisions``), read per version of its file.
Out: the corrections as typed frames (``corrections``) and the SQL that copies them into a
connection's in-memory database and puts the effective views in place (``make_views``): the few
rows they touch are derived again there with the ETL's own definitions (``etl.derive``), and
``com_eff`` / ``fig_eff`` / ``eff_commitments`` / ``eff_figures`` hold them instead of the ETL's
rows (rejected rows dropped; ``is_corrected`` says which rows an analyst changed). Also the
commitments a status closes (``closed``: the deadline state needs them) and the figure IDs split
from their same-fact group (``split_ids``). A store that cannot be read changes nothing, and
``corrections`` says why.
"""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd
import streamlit as st

from etl import derive
from review import link_decisions
from review import store as review_store
from review.values import CLOSED_STATUSES

FIGURE_CORRECTION_COLUMNS = {"figure_id": "string", "amount_yuan": "float64", "money_kind": "string",
                             "figure_year": "Int64", "is_target": "boolean", "is_rejected": "boolean"}
COMMITMENT_CORRECTION_COLUMNS = {"commitment_id": "string", "lead_agency_ids": "object",
                                 "deadline_date": "datetime64[ns]", "deadline_basis": "string",
                                 "is_rejected": "boolean"}


def normalized(frame: pd.DataFrame | None, columns: dict[str, str]) -> pd.DataFrame:
    """Return the corrections with exactly ``columns`` (missing ones empty), typed, one row per ID."""
    frame = pd.DataFrame() if frame is None else frame
    out = pd.DataFrame(index=range(len(frame)))
    for name, dtype in columns.items():
        values = frame[name].tolist() if name in frame.columns else [None] * len(frame)
        if name == "lead_agency_ids":
            out[name] = pd.Series([_id_list(v) for v in values], dtype="object")
        elif dtype.startswith("datetime"):
            out[name] = pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce")
        else:
            out[name] = pd.Series([None if is_missing(v) else v for v in values], dtype="object").astype(dtype)
    key = next(iter(columns))
    out = out[out[key].notna()]
    return out.drop_duplicates(subset=[key], keep="last").reset_index(drop=True)


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _id_list(value) -> list[str] | None:
    if value is None or isinstance(value, str) or is_missing(value) is True:
        return [value] if isinstance(value, str) and value else None
    return [str(v) for v in list(value)]


@st.cache_data(show_spinner=False, max_entries=16)
def corrections(reviews: str, reviews_mtime_ns: int, wal_mtime_ns: int = 0
                 ) -> tuple[pd.DataFrame, pd.DataFrame, str | None, str]:
    """Return (figure corrections, commitment corrections, warning, their fingerprint) from the review store."""
    warning = None
    try:
        figures = review_store.figure_corrections(reviews)
        commitments = review_store.commitment_corrections(reviews)
    except Exception as exc:  # a broken reviews file must not take the dashboard down
        figures = commitments = None
        warning = f"{type(exc).__name__}: {exc}"
    figures = normalized(figures, FIGURE_CORRECTION_COLUMNS)
    commitments = normalized(commitments, COMMITMENT_CORRECTION_COLUMNS)
    return figures, commitments, warning, _digest(figures, commitments)


def _digest(figures: pd.DataFrame, commitments: pd.DataFrame) -> str:
    """Return a fingerprint of the corrections (a status saved without a correction keeps it)."""
    digest = hashlib.sha256()
    for frame in (figures, commitments):
        digest.update(frame.to_json(orient="split", date_format="iso", default_handler=str).encode("utf-8"))
    return digest.hexdigest()


@st.cache_data(show_spinner=False, max_entries=16)
def closed(reviews: str, reviews_mtime_ns: int, wal_mtime_ns: int = 0) -> pd.DataFrame:
    """Return [commitment_id, status] of the commitments whose current status closes them (completed, dropped).

    What the deadline state needs from the review store (``deadline_state_sql``): the
    other statuses never change it. Empty when the store cannot be read.
    """
    del reviews_mtime_ns, wal_mtime_ns  # cache key only
    try:
        current = review_store.current_statuses(reviews)
    except Exception:  # no store, or a broken one: nothing is closed (the review page says why)
        current = None
    if current is None or current.empty:
        return pd.DataFrame({"commitment_id": pd.Series([], dtype="string"), "status": pd.Series([], dtype="string")})
    closed = current[current["status"].isin(CLOSED_STATUSES)]
    return pd.DataFrame({"commitment_id": closed["commitment_id"].astype("string").to_numpy(),
                         "status": closed["status"].astype("string").to_numpy()})



_CORRECTION_TABLES = (
    """
    CREATE TABLE memory.main.figure_corrections AS
    SELECT CAST(figure_id AS VARCHAR) AS figure_id, CAST(amount_yuan AS DOUBLE) AS amount_yuan,
           CAST(money_kind AS VARCHAR) AS money_kind, CAST(figure_year AS INTEGER) AS figure_year,
           CAST(is_target AS BOOLEAN) AS is_target, CAST(is_rejected AS BOOLEAN) AS is_rejected
    FROM figure_frame
    """,
    """
    CREATE TABLE memory.main.commitment_corrections AS
    SELECT CAST(commitment_id AS VARCHAR) AS commitment_id, CAST(lead_agency_ids AS VARCHAR[]) AS lead_agency_ids,
           CAST(deadline_date AS DATE) AS deadline_date, CAST(deadline_basis AS VARCHAR) AS deadline_basis,
           CAST(is_rejected AS BOOLEAN) AS is_rejected
    FROM commitment_frame
    """,
)

_EFFECTIVE_VIEWS = (
    """
    CREATE VIEW memory.main.eff_figures AS
    SELECT f.figure_id, f.doc_id, f.commitment_id, f.figure_type, f.span_text, f.value, f.unit,
           COALESCE(r.amount_yuan, f.amount_yuan) AS amount_yuan, f.qualifier,
           COALESCE(r.money_kind, f.money_kind) AS money_kind,
           COALESCE(r.figure_year, f.figure_year) AS figure_year,
           COALESCE(r.is_target, f.is_target) AS is_target, f.is_breakdown, f.is_cumulative,
           f.metric, f.agency_id, f.agency_ids, f.char_start, f.char_end,
           f.sentence, f.sentence_start, f.sentence_end,
           (r.amount_yuan IS NOT NULL OR r.money_kind IS NOT NULL OR r.figure_year IS NOT NULL
            OR r.is_target IS NOT NULL) IS TRUE AS is_corrected
    FROM figures f LEFT JOIN figure_corrections r USING (figure_id)
    WHERE NOT COALESCE(r.is_rejected, FALSE)
    """,
    """
    CREATE VIEW memory.main.eff_commitments AS
    WITH corrected_names AS (
        SELECT u.commitment_id, list(COALESCE(a.canonical_name, u.id) ORDER BY u.pos) AS names
        FROM (SELECT commitment_id, unnest(lead_agency_ids) AS id, generate_subscripts(lead_agency_ids, 1) AS pos
              FROM commitment_corrections WHERE lead_agency_ids IS NOT NULL) u
        LEFT JOIN agencies a ON a.agency_id = u.id
        GROUP BY u.commitment_id
    ),
    joined AS (
        SELECT c.*, r.lead_agency_ids AS r_leads, r.deadline_date AS r_date, r.deadline_basis AS r_basis,
               r.is_rejected AS r_rejected, n.names AS r_names
        FROM commitments c LEFT JOIN commitment_corrections r USING (commitment_id)
        LEFT JOIN corrected_names n USING (commitment_id)
    )
    SELECT commitment_id, doc_id, item_label, task_no, section_path, text, char_start, char_end,
           CASE WHEN r_leads IS NOT NULL THEN r_leads ELSE lead_agency_ids END AS lead_agency_ids,
           CASE WHEN r_leads IS NOT NULL THEN COALESCE(r_names, []) ELSE lead_agency_names END AS lead_agency_names,
           CASE WHEN r_basis IS NOT NULL THEN r_date ELSE COALESCE(r_date, deadline_date) END AS deadline_date,
           year(CASE WHEN r_basis IS NOT NULL THEN r_date ELSE COALESCE(r_date, deadline_date) END) AS deadline_year,
           COALESCE(r_basis, deadline_basis) AS deadline_basis,
           CASE WHEN r_basis IS NOT NULL OR r_date IS NOT NULL THEN NULL ELSE deadline_text END AS deadline_text,
           (r_leads IS NOT NULL) AS is_lead_corrected,
           (r_leads IS NOT NULL OR r_date IS NOT NULL OR r_basis IS NOT NULL) AS is_corrected
    FROM joined
    WHERE NOT COALESCE(r_rejected, FALSE)
    """,
)

_UNCORRECTED_FACTS = (
    "CREATE VIEW memory.main.com_eff AS SELECT * FROM facts.main.fact_commitments",
    "CREATE VIEW memory.main.fig_eff AS SELECT * FROM facts.main.fact_figures",
)

_CORRECTED_FACTS = (
    # Commitments: the corrected ones and those holding a corrected figure, derived again from the
    # corrected views (rejected ones are absent there); their place in lists does not change.
    """
    CREATE TABLE memory.main.com_touched AS
    SELECT commitment_id FROM commitment_corrections
    UNION SELECT commitment_id FROM figures
          WHERE figure_id IN (SELECT figure_id FROM figure_corrections) AND commitment_id IS NOT NULL
    """,
    "CREATE TABLE memory.main.com_fix AS SELECT x.*, b.list_order FROM (" + derive.commitments_select(
        "(SELECT * FROM eff_commitments WHERE commitment_id IN (SELECT commitment_id FROM com_touched))",
        "eff_figures") + ") x JOIN facts.main.fact_commitments b USING (commitment_id)",
    """
    CREATE VIEW memory.main.com_eff AS
    SELECT * FROM facts.main.fact_commitments
    WHERE commitment_id NOT IN (SELECT commitment_id FROM com_touched)
    UNION ALL BY NAME SELECT * FROM memory.main.com_fix
    """,
    # Figures: the corrected ones and those of a corrected commitment (their agency and deadline move with it).
    """
    CREATE TABLE memory.main.fig_touched AS
    SELECT figure_id FROM figure_corrections
    UNION SELECT figure_id FROM figures WHERE commitment_id IN (SELECT commitment_id FROM commitment_corrections)
    """,
    "CREATE TABLE memory.main.fig_fix AS " + derive.figures_select(
        "(SELECT * FROM eff_figures WHERE figure_id IN (SELECT figure_id FROM fig_touched))", "com_eff"),
    """
    CREATE VIEW memory.main.fig_eff AS
    SELECT * FROM facts.main.fact_figures WHERE figure_id NOT IN (SELECT figure_id FROM fig_touched)
    UNION ALL BY NAME SELECT * FROM memory.main.fig_fix
    """,
)



def make_views(con: duckdb.DuckDBPyConnection, figures: pd.DataFrame, commitments: pd.DataFrame,
               has_facts: bool) -> None:
    """Copy the corrections into ``con``'s memory database and create the effective views over the facts."""
    con.register("figure_frame", figures)
    con.register("commitment_frame", commitments)
    for sql in _CORRECTION_TABLES:
        con.execute(sql)
    con.unregister("figure_frame")
    con.unregister("commitment_frame")
    for sql in _EFFECTIVE_VIEWS:
        con.execute(sql)
    if has_facts:
        for sql in (_CORRECTED_FACTS if len(figures) or len(commitments) else _UNCORRECTED_FACTS):
            con.execute(sql)


@st.cache_data(show_spinner=False, max_entries=16)
def split_ids(reviews: str, reviews_mtime_ns: int, wal_mtime_ns: int = 0) -> tuple[str, ...]:
    """Return the figure IDs the analyst split from their same-fact group (cached on the store's stamp)."""
    del reviews_mtime_ns, wal_mtime_ns  # cache key only
    try:
        cur = link_decisions.current(reviews)
    except Exception:  # a broken reviews file must not take the dashboard down (corrections_warning says so)
        return ()
    return tuple(sorted(cur.loc[(cur["link_kind"] == "same_fact") & (cur["decision"] == "split"), "to_id"]))

