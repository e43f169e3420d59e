"""Frozen dataclasses the extractors return: pure values with their offsets, no I/O.

A value that becomes a table row (``Section``, ``AgencyRef``, ``Money``, ``Count``, ``Target``,
``Figure``, ``Commitment``) names its fields as the columns of its table in ``etl.schema``:
``char_start``/``char_end`` into the stored document text (Python ``str`` indices, end
exclusive), ``span_text``, ``amount_yuan``, ``money_kind``, ``is_target``, ``figure_year``… so
``etl.load`` copies them across one to one. A figure fact also carries the ``Sentence`` it was read
from. Segmentation values that are never rows by themselves (``Sentence``, ``Span``,
``etl.segment.Paragraph``) keep ``start``/``end``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Section:
    """One numbered heading or item of the outline and the text it governs."""

    level: int  # 1 = 一、 ; 2 = (一) ; 3 = 1. ; 4 = (1) ; 5 = 一是
    label: str  # as written, e.g. "(三)", "1", "一"
    label_style: str  # "cn_dun", "cn_paren", "num_dot", "num_paren", "cn_shi", "article"
    char_start: int  # where the label begins
    label_end: int  # just after the label and its punctuation
    char_end: int  # end of the section's text (exclusive, trailing blanks trimmed)
    heading: str  # the first line (or first sentence) after the label


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class AgencyRef:
    """One agency as written, resolved to a registry entry or flagged unregistered."""

    canonical: str
    written_as: str
    char_start: int
    char_end: int
    is_registered: bool = True


@dataclass(frozen=True)
class Money:
    span_text: str
    char_start: int
    char_end: int
    amount_yuan: float
    qualifier: str
    figure_year: int | None
    money_kind: str
    is_target: bool
    sentence: Sentence
    agency: str | None = None
    is_cumulative: bool = False  # a running total (累计, 截至…, …以来), not one year's amount
    is_part: bool = False  # a part stated beside its whole (总规模10亿元(首期1亿元))


@dataclass(frozen=True)
class Count:
    span_text: str
    char_start: int
    char_end: int
    value: float
    qualifier: str
    figure_year: int | None
    metric: str
    is_target: bool
    sentence: Sentence


@dataclass(frozen=True)
class Target:
    span_text: str
    char_start: int
    char_end: int
    value: float
    unit: str
    qualifier: str
    figure_year: int | None
    metric: str
    lead_agencies: tuple[str, ...]
    sentence: Sentence


@dataclass(frozen=True)
class Figure:
    """One reported quantity: money, a count of things or people, a share or rate, a measure."""

    span_text: str  # the number with its unit as written (qualifier words outside it)
    char_start: int
    char_end: int
    value: float  # in the unit's base (万/亿/千 multiplied in)
    unit: str  # base unit from etl.units, or as written when not declared (unit_known False)
    qualifier: str  # exact / approx / over / min / max
    metric: str  # the noun phrase measured, etl.figures.normalise_metric applied
    year: int | None
    year_basis: str  # stated / since (…年以来 → issue year) / relative (截至目前, 今年 → issue year) / none
    is_cumulative: bool
    is_change: bool
    is_target: bool
    kind: str  # money / count / share / measure
    is_unit_known: bool
    agency: str | None
    sentence: Sentence


@dataclass(frozen=True)
class Commitment:
    item_label: str | None
    task_no: int
    char_start: int
    char_end: int
    text: str
    lead_agencies: tuple[str, ...]
    support_agencies: tuple[str, ...]
    deadline_date: str | None
    deadline_basis: str
    deadline_text: str | None
    section_path: str


@dataclass(frozen=True)
class DocMeta:
    doc_type: str
    title: str | None
    issuer: str | None
    jurisdiction: str | None
    issue_date: str | None
    proposal_no: str | None
    addressee: str | None
    co_agencies: tuple[str, ...]
    valid_from: str | None
    valid_until: str | None
    doc_no: str | None = None  # 文号 as written (国办函〔2006〕70号, 穗府〔2020〕4号)


@dataclass(frozen=True)
class Extraction:
    text: str
    meta: DocMeta
    sections: tuple[Section, ...]
    commitments: tuple[Commitment, ...]
    money: tuple[Money, ...]
    counts: tuple[Count, ...]
    targets: tuple[Target, ...]
    agency_mentions: tuple[AgencyRef, ...]
    warnings: tuple[str, ...] = field(default=())
    figures: tuple[Figure, ...] = field(default=())
