"""Declare what the analysts' store may hold: the status vocabulary and the rule of every field.

In: a status code or name, a corrected value, a timestamp. Out: ``STATUSES`` (code -> ``Status``
with 中文/English names, one-line definitions and a red/amber/green rating; colours are the
dashboard's, ``dashboard/colours.py``), ``display_state()`` (overdue, due soon or neither),
``CORRECTABLE`` (entity, field) -> the rule that checks and coerces a corrected value, and the
normalisers that make the same entry give the same ``entry_key`` whatever file it came from.

Codes are what the review store and its exports hold: ``not_assessed`` (the default, which
is not "no action"), ``not_started``, ``on_track``, ``at_risk``, ``delayed``, ``completed``,
``dropped``. An unknown code is an error (``parse_status``), never mapped to a catch-all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from etl.schema import DEADLINE_BASES, MONEY_KINDS

# --------------------------------------------------------------------------------------
# Statuses


@dataclass(frozen=True)
class Status:
    code: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    rag: str | None  # "red" / "amber" / "green", or None where no RAG rating applies

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def definition(self, lang: str = "zh") -> str:
        return self.definition_zh if lang == "zh" else self.definition_en


STATUSES: dict[str, Status] = {s.code: s for s in (
    Status("not_assessed", "未评估", "Not assessed",
       "尚未有人评估进展;未评估不等于没有行动。",
       "Nobody has assessed progress yet; not assessed is not the same as no action.", None),
    Status("not_started", "未启动", "Not started",
       "已评估:相关工作尚未开始。",
       "Assessed: work on it has not begun yet.", None),
    Status("on_track", "进展顺利", "On track",
       "工作已开展,预计可按期完成。",
       "Work is under way and expected to finish by the deadline.", "green"),
    Status("at_risk", "存在风险", "At risk",
       "工作已开展,但有可能无法按期完成。",
       "Work is under way but may miss the deadline.", "amber"),
    Status("delayed", "已延误", "Delayed",
       "已落后于计划或已确定无法按期完成。",
       "Behind plan, or known to miss the deadline.", "red"),
    Status("completed", "已完成", "Completed",
       "承诺事项已经完成(最好附上证据)。",
       "The commitment has been delivered (ideally with evidence).", "green"),
    Status("dropped", "已取消", "Dropped",
       "承诺已被正式放弃或被其他事项取代。",
       "The commitment was formally abandoned or superseded.", None),
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
DISPLAY_STATES: dict[str, tuple[str, str]] = {
    "overdue": ("已逾期", "Overdue"),
    "due_soon": ("即将到期", "Due soon"),
    "completed": ("已完成", "Completed"),
    "dropped": ("已取消", "Dropped"),
    "open": ("未到期", "Not yet due"),
    "no_deadline": ("无期限", "No deadline"),
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
    zh, en = DISPLAY_STATES[state]
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
    status; no deadline is never overdue. ``dashboard.data.sql.deadline_state`` is the same rule in SQL.

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


# --------------------------------------------------------------------------------------
# Entities and fields

ENTITIES = ("commitment", "figure")
RESOLUTIONS = ("dismissed", "relinked", "reopened")
CORRECTION_ACTIONS = ("set", "clear")

# --------------------------------------------------------------------------------------
# Correctable fields: one rule per field (entity, field) -> how to check and coerce a value.


def _to_bool(v) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    text = str(v).strip().lower()
    if text in ("true", "1", "yes", "y", "是", "t"):
        return True
    if text in ("false", "0", "no", "n", "否", "f"):
        return False
    raise ValueError(f"not a yes/no value: {v!r}")


def _to_agency_ids(v) -> list[str]:
    if isinstance(v, str):
        v = json.loads(v) if v.strip().startswith("[") else [p for p in v.replace(";", ",").split(",")]
    ids = [str(x).strip() for x in v if str(x).strip()]
    if not ids:
        raise ValueError("at least one lead agency is needed (mark it 'not a commitment' otherwise)")
    return list(dict.fromkeys(ids))


DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))
"""Dates read from a file or typed in (review dates, corrected deadlines) must fall in this range."""


def date_text(v) -> str | None:
    """Return a date (or ISO text) as ISO text within ``DATE_RANGE``; None for an empty value."""
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        v = v.date()
    elif not isinstance(v, dt.date):
        v = dt.date.fromisoformat(str(v).strip()[:10])
    if not DATE_RANGE[0] <= v <= DATE_RANGE[1]:
        raise ValueError(f"date {v.isoformat()} is outside {DATE_RANGE[0].year}–{DATE_RANGE[1].year}")
    return v.isoformat()


def _to_amount(v) -> float:
    x = float(v)
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"amount must be a finite number ≥ 0, got {v!r}")
    return x


def _to_year(v) -> int:
    y = int(float(v))
    if not 1949 <= y <= 2100:
        raise ValueError(f"year out of range: {v!r}")
    return y


def _choice(options: tuple[str, ...]):
    def check(v) -> str:
        text = str(v).strip()
        if text not in options:
            raise ValueError(f"{v!r} is not one of {', '.join(options)}")
        return text
    return check


CORRECTABLE: dict[tuple[str, str], Any] = {
    ("commitment", "lead_agency_ids"): _to_agency_ids,
    ("commitment", "deadline_date"): date_text,
    ("commitment", "deadline_basis"): _choice(DEADLINE_BASES),
    ("commitment", "is_rejected"): _to_bool,
    ("figure", "amount_yuan"): _to_amount,
    ("figure", "money_kind"): _choice(MONEY_KINDS),
    ("figure", "figure_year"): _to_year,
    ("figure", "is_target"): _to_bool,
    ("figure", "is_rejected"): _to_bool,
}


# --------------------------------------------------------------------------------------
# Normalising what is stored (the same values give the same entry_key, whatever the format)


def utc_now() -> str:
    """Return now, as stored: UTC ISO 8601 with microseconds."""
    return iso_utc(dt.datetime.now(dt.timezone.utc))


def iso_utc(value) -> str:
    """Return a timestamp as UTC ISO 8601 with microseconds (naive values are taken as UTC).

    >>> iso_utc("2024-05-01T10:00:00+08:00")
    '2024-05-01T02:00:00.000000+00:00'
    >>> iso_utc("2024-05-01")
    '2024-05-01T00:00:00.000000+00:00'
    """
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        ts = value
    elif isinstance(value, dt.date):
        ts = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("empty timestamp")
        ts = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.timezone.utc)
    return ts.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far ahead of this machine's clock an imported timestamp may be (another machine's clock)."""


def claimed_time(value) -> str:
    """An imported ``changed_at`` as stored; refuse one beyond now plus ``CLOCK_SKEW``.

    A status dated 9999-12-31 would otherwise stay current whatever is saved after it.

    >>> claimed_time("9999-12-31")
    Traceback (most recent call last):
    ...
    ValueError: changed_at 9999-12-31 is in the future (later than now plus 5 minutes)
    """
    try:
        stamp = iso_utc(value)
    except (OverflowError, ValueError) as exc:
        raise ValueError(f"changed_at {str(value)[:40]!r} is not a valid time ({exc})") from None
    if stamp > iso_utc(dt.datetime.now(dt.timezone.utc) + CLOCK_SKEW):
        raise ValueError(f"changed_at {str(value)[:40]} is in the future (later than now plus "
                         f"{CLOCK_SKEW.total_seconds() / 60:.0f} minutes)")
    return stamp


def clean_text(v) -> str | None:
    """Return a value as text, or None when it is missing or blank (None, NaN, spaces)."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    s = str(v)
    return s if s.strip() else None


def reviewer_name(v) -> str:
    """Return the reviewer's name, stripped; raise ValueError when there is none."""
    s = (clean_text(v) or "").strip()
    if not s:
        raise ValueError("a reviewer name is needed")
    return s


def entry_key(*parts) -> str:
    """Return the key of an entry hashed from its content (the same entry gives the same key)."""
    raw = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def canonical_json(v) -> str:
    """Return a value as compact JSON with sorted keys (what the store holds for a value)."""
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)



def required(value, name: str):
    """Return ``value``; raise ValueError naming the field when it is missing."""
    if value is None:
        raise ValueError(f"missing {name}")
    return value

