"""Declare the review status vocabulary and the deadline-aware display state.

In: a status code, a deadline and an as-of date. Out: ``STATUSES`` (code -> ``Status`` with
中文/English names, one-line definitions and a red/amber/green colour) and
``display_state()``, which says whether a commitment shows as overdue, due soon or neither.

Codes are what the review store and its exports hold: ``not_assessed`` (the default, which
is not "no action"), ``not_started``, ``on_track``, ``at_risk``, ``delayed``, ``completed``,
``dropped``. An unknown code is an error (``parse_status``), never mapped to a catch-all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

RAG_COLOURS = {"red": "#d62728", "amber": "#ff9f1c", "green": "#2ca02c", None: "#9e9e9e"}


@dataclass(frozen=True)
class Status:
    code: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    rag: str | None  # "red" / "amber" / "green", or None where no RAG colour applies
    colour: str

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def definition(self, lang: str = "zh") -> str:
        return self.definition_zh if lang == "zh" else self.definition_en


def _s(code, zh, en, def_zh, def_en, rag, colour=None) -> Status:
    return Status(code, zh, en, def_zh, def_en, rag, colour or RAG_COLOURS[rag])


STATUSES: dict[str, Status] = {s.code: s for s in (
    _s("not_assessed", "未评估", "Not assessed",
       "尚未有人评估进展;未评估不等于没有行动。",
       "Nobody has assessed progress yet; not assessed is not the same as no action.", None),
    _s("not_started", "未启动", "Not started",
       "已评估:相关工作尚未开始。",
       "Assessed: work on it has not begun yet.", None, "#7f7f7f"),
    _s("on_track", "进展顺利", "On track",
       "工作已开展,预计可按期完成。",
       "Work is under way and expected to finish by the deadline.", "green"),
    _s("at_risk", "存在风险", "At risk",
       "工作已开展,但有可能无法按期完成。",
       "Work is under way but may miss the deadline.", "amber"),
    _s("delayed", "已延误", "Delayed",
       "已落后于计划或已确定无法按期完成。",
       "Behind plan, or known to miss the deadline.", "red"),
    _s("completed", "已完成", "Completed",
       "承诺事项已经完成(最好附上证据)。",
       "The commitment has been delivered (ideally with evidence).", "green", "#1f7a1f"),
    _s("dropped", "已取消", "Dropped",
       "承诺已被正式放弃或被其他事项取代。",
       "The commitment was formally abandoned or superseded.", None, "#5c5c5c"),
)}
STATUS_CODES: tuple[str, ...] = tuple(STATUSES)
DEFAULT_STATUS = "not_assessed"

CLOSED_STATUSES = ("completed", "dropped")
"""Statuses that end a commitment: it is never overdue (nor due) again."""

OVERDUE_RULE = ("已逾期 = 已过期限,且状态不是“已完成”或“已取消”(其他状态一律计入);未写明期限的承诺不会逾期。",
                "Overdue = past its deadline and not completed or dropped (whatever other status it has); "
                "a commitment without a stated deadline is never overdue.")
"""The one meaning of overdue (中文, English): every page and the meeting pack show it where they count it."""

# Deadline-aware display states (not stored: derived from status, deadline and as-of date).
DISPLAY_STATES: dict[str, tuple[str, str, str]] = {
    "overdue": ("已逾期", "Overdue", RAG_COLOURS["red"]),
    "due_soon": ("即将到期", "Due soon", RAG_COLOURS["amber"]),
    "completed": ("已完成", "Completed", STATUSES["completed"].colour),
    "dropped": ("已取消", "Dropped", STATUSES["dropped"].colour),
    "open": ("未到期", "Not yet due", "#1f77b4"),
    "no_deadline": ("无期限", "No deadline", RAG_COLOURS[None]),
}


def parse_status(value: object) -> str:
    """Return the status code for a code or a 中文/English name; raise ValueError if unknown.

    >>> parse_status("进展顺利"), parse_status("On track"), parse_status("delayed")
    ('on_track', 'on_track', 'delayed')
    """
    text = str(value).strip() if value is not None else ""
    if text in STATUSES:
        return text
    low = text.lower().replace(" ", "_")
    for s in STATUSES.values():
        if text == s.name_zh or low == s.code or text.lower() == s.name_en.lower():
            return s.code
    raise ValueError(f"unknown status {value!r}; expected one of {', '.join(STATUS_CODES)}")


def status_name(code: str | None, lang: str = "zh") -> str:
    """Return a status code's display name (the code itself, flagged, if unknown)."""
    s = STATUSES.get(code or DEFAULT_STATUS)
    return s.name(lang) if s else f"? {code}"


def state_name(state: str, lang: str = "zh") -> str:
    zh, en, _ = DISPLAY_STATES[state]
    return zh if lang == "zh" else en


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if value != value:  # NaN, NaT  # noqa: PLR0124
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp; NaT has no date
        try:
            return value.to_pydatetime().date()
        except (ValueError, AttributeError):
            return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def display_state(status: str | None, deadline, as_of: dt.date, due_within_days: int = 28) -> str:
    """Return overdue / due_soon / completed / open / no_deadline for one commitment.

    ``OVERDUE_RULE``: past its deadline and not completed or dropped is overdue whatever its
    status; no deadline is never overdue. ``deadline_state_sql`` is the same rule in SQL.

    >>> d = dt.date(2024, 6, 30)
    >>> display_state("on_track", d, dt.date(2024, 7, 1)), display_state("completed", d, dt.date(2024, 7, 1))
    ('overdue', 'completed')
    >>> display_state("delayed", None, dt.date(2024, 7, 1)), display_state(None, d, dt.date(2024, 6, 10))
    ('no_deadline', 'due_soon')
    >>> display_state("dropped", d, dt.date(2024, 7, 1))
    'dropped'
    """
    if status in CLOSED_STATUSES:
        return status
    deadline = _as_date(deadline)
    if deadline is None:
        return "no_deadline"
    if deadline < as_of:
        return "overdue"
    if (deadline - as_of).days <= due_within_days:
        return "due_soon"
    return "open"


def deadline_state_sql(status: str, deadline: str, upcoming: str, no_deadline: str = "no_deadline") -> str:
    """Return the SQL deadline state of a commitment: the one definition every page counts with.

    ``status`` and ``deadline`` are SQL expressions (the status may be NULL: not assessed);
    ``$as_of`` is a bound parameter. Completed or dropped gives the status itself; no deadline
    gives ``no_deadline``; past the deadline is ``'overdue'`` (``OVERDUE_RULE``); otherwise the
    SQL ``upcoming`` says how soon (the review's due-soon window, the pages' 30/90 days).

    >>> print(deadline_state_sql("s", "d", "'open'"))  # doctest: +NORMALIZE_WHITESPACE
    CASE WHEN s IN ('completed', 'dropped') THEN s WHEN d IS NULL THEN 'no_deadline'
         WHEN d < $as_of::DATE THEN 'overdue' ELSE 'open' END
    """
    closed = ", ".join(f"'{c}'" for c in CLOSED_STATUSES)
    return (f"CASE WHEN {status} IN ({closed}) THEN {status} WHEN {deadline} IS NULL THEN '{no_deadline}'\n"
            f"     WHEN {deadline} < $as_of::DATE THEN 'overdue' ELSE {upcoming} END")
