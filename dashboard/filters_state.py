"""Hold the global filter state as a value, and code it to and from URL query parameters.

Pure (no Streamlit): ``Filters`` (a frozen dataclass every query takes), ``to_query`` /
``from_query`` (the URL codec: ``?agency=ag_1,ag_2&issued=2017-2022&lang=en&page=funding``)
and ``keyword_pattern`` (an ILIKE pattern with ``%``, ``_`` and ``\\`` escaped).
The sidebar widgets live in ``dashboard/filters.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

ROLES = ("lead", "any")
BUCKETS = ("overdue", "due_30", "due_90", "later", "none", "completed", "dropped")
BASES = ("explicit", "validity", "reply_year", "none")
"""Where a deadline comes from: written in the text, the policy's term (valid_until), the reply's year, none."""
LIST_PARAMS = {"jur": "jurisdictions", "agency": "agency_ids", "type": "doc_types", "doc": "doc_ids",
               "status": "buckets", "basis": "bases"}
RANGE_PARAMS = {"issued": "issue_years", "due": "deadline_years", "year": "figure_years"}


@dataclass(frozen=True)
class Filters:
    """The sidebar's filters; empty tuples and ``None`` ranges mean "no filter"."""

    jurisdictions: tuple[str, ...] = ()
    agency_ids: tuple[str, ...] = ()
    agency_role: str = "lead"
    doc_types: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    issue_years: tuple[int, int] | None = None
    deadline_years: tuple[int, int] | None = None
    figure_years: tuple[int, int] | None = None  # the year a figure is charted under (stated, else issue year)
    buckets: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    keyword: str = ""
    merge: bool = True
    as_of: dt.date = field(default_factory=dt.date.today)

    @property
    def has_fact_filters(self) -> bool:
        """Return whether a filter applies to commitments or figures (not only to documents)."""
        return bool(self.agency_ids or self.deadline_years or self.buckets or self.bases or self.keyword.strip())

    def with_(self, **changes) -> "Filters":
        return replace(self, **changes)


def keyword_pattern(keyword: str) -> str | None:
    r"""Return an ILIKE pattern matching ``keyword`` as a substring (escape character ``\``).

    >>> keyword_pattern("5G_%基站")
    '%5G\\_\\%基站%'
    >>> keyword_pattern("  ") is None
    True
    """
    word = keyword.strip()
    if not word:
        return None
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _range_text(years: tuple[int, int] | None) -> str | None:
    return None if years is None else f"{years[0]}-{years[1]}"


def _parse_range(text: str) -> tuple[int, int] | None:
    parts = text.split("-")
    if len(parts) != 2:
        return None
    try:
        lo, hi = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    lo, hi = (max(YEARS[0], min(YEARS[1], y)) for y in (min(lo, hi), max(lo, hi)))  # clamped to real years
    return (lo, hi)


YEARS = (1900, 2199)
"""Years and dates read from a URL are kept in this range (9999-12-31 or year 0 would overflow date sums)."""


def to_query(filters: Filters, lang: str = "zh", page: str | None = None, extra: dict[str, str] | None = None,
             today: dt.date | None = None) -> dict[str, str]:
    """Return the URL query parameters for a view; defaults are left out so links stay short."""
    today = today or dt.date.today()
    out: dict[str, str] = {}
    if page:
        out["page"] = page
    if lang != "zh":
        out["lang"] = lang
    for param, attr in LIST_PARAMS.items():
        values = getattr(filters, attr)
        if values:
            out[param] = ",".join(values)
    if filters.agency_ids and filters.agency_role != "lead":
        out["role"] = filters.agency_role
    for param, attr in RANGE_PARAMS.items():
        text = _range_text(getattr(filters, attr))
        if text:
            out[param] = text
    if filters.keyword.strip():
        out["q"] = filters.keyword.strip()
    if not filters.merge:
        out["merge"] = "0"
    if filters.as_of != today:
        out["asof"] = filters.as_of.isoformat()
    for key, value in (extra or {}).items():
        if value:
            out[key] = value
    return out


def from_query(params: dict[str, str], today: dt.date | None = None) -> tuple[Filters, str, str | None]:
    """Return (filters, lang, page) from URL query parameters; malformed values are ignored."""
    today = today or dt.date.today()
    values: dict = {}
    for param, attr in LIST_PARAMS.items():
        raw = params.get(param)
        if raw:
            values[attr] = tuple(dict.fromkeys(v.strip() for v in str(raw).split(",") if v.strip()))
    if "buckets" in values:
        values["buckets"] = tuple(b for b in values["buckets"] if b in BUCKETS)
    if "bases" in values:
        values["bases"] = tuple(b for b in values["bases"] if b in BASES)
    for param, attr in RANGE_PARAMS.items():
        raw = params.get(param)
        if raw:
            values[attr] = _parse_range(str(raw))
    if params.get("role") in ROLES:
        values["agency_role"] = params["role"]
    if params.get("q"):
        values["keyword"] = str(params["q"]).strip()
    if params.get("merge") == "0":
        values["merge"] = False
    values["as_of"] = today
    if params.get("asof"):
        try:
            as_of = dt.date.fromisoformat(str(params["asof"])[:10])
            if YEARS[0] <= as_of.year <= YEARS[1]:
                values["as_of"] = as_of  # out of range: refused, today stays
        except ValueError:
            pass
    lang = params.get("lang") if params.get("lang") in ("zh", "en") else "zh"
    page = params.get("page") or None
    return Filters(**values), lang, page
