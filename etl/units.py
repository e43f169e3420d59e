"""The declared vocabulary of units and measure words a figure can carry.

In: a unit as written after a number (``万元``, ``人次``, ``个百分点``, ``平方公里``). Out: its base
unit, the factor into that base and the figure's kind (money / count / share / measure). A unit
not declared here is kept as written and flagged by the caller, never mapped to a catch-all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    written: str  # as the documents write it after the number
    base: str  # the unit the value is stated in
    factor: float  # multiply the written number by this to get the value in ``base``
    kind: str  # money / count / share / measure


def _units(kind: str, names: str, factor: float = 1.0) -> tuple[Unit, ...]:
    return tuple(Unit(n, n, factor, kind) for n in names.split())


UNITS: tuple[Unit, ...] = (
    Unit("元", "元", 1, "money"),
    Unit("美元", "美元", 1, "money"),
    Unit("港元", "港元", 1, "money"),
    Unit("欧元", "欧元", 1, "money"),
    *_units("count", "家 个 人 名 项 件 条 次 人次 笔 份 宗 场 户 套 所 座 批 台 辆 款 张 支 栋 间 位 "
                     "种 类 处 架 艘 株 棵 头 只 本 册 篇 起 例 趟"),
    Unit("%", "%", 1, "share"),
    Unit("‰", "‰", 1, "share"),
    Unit("百分点", "百分点", 1, "share"),
    Unit("个百分点", "百分点", 1, "share"),
    Unit("倍", "倍", 1, "share"),
    *_units("measure", "平方米 平方公里 立方米 公顷 亩 吨 公斤 千克 千瓦时 千瓦 兆瓦 公里 千米 米 标箱 TEU"),
)
"""Every declared unit. 人次 and 千瓦时 are listed whole so the longest written form wins."""

BY_WRITTEN = {u.written: u for u in UNITS}

UNIT_PATTERN = "|".join(re.escape(w) for w in sorted(BY_WRITTEN, key=len, reverse=True))
"""One alternation of every written unit, longest first (人次 before 人, 千瓦时 before 千瓦)."""


def lookup(written: str) -> Unit | None:
    """Return the declared unit for ``written``, or None when it is not in the vocabulary.

    >>> lookup("人次").base, lookup("个百分点").base, lookup("亩").kind
    ('人次', '百分点', 'measure')
    >>> lookup("强") is None
    True
    """
    return BY_WRITTEN.get(written)


def kind_of(unit: str) -> str:
    """Return the kind of a base unit (``count`` for a unit kept as written).

    >>> kind_of("元"), kind_of("%"), kind_of("吨"), kind_of("株")
    ('money', 'share', 'measure', 'count')
    """
    if unit == "比":
        return "share"
    u = BY_WRITTEN.get(unit)
    return u.kind if u else "count"
