"""Fold a stored text into the one form every extraction rule is written for.

In: the stored text (decoded; traditional characters already simplified by ``etl.read``).
Out: a string of the same length in which full-width punctuation, digits and letters are their
ASCII twins (，（）：；．０-９ → ,():;.0-9) and ideographic or no-break spaces are plain spaces.
Every character maps to exactly one character, so an offset into the folded view is an offset
into the stored text: rules run on the view, and what a user sees is sliced from the original.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace

from etl.segment import Rule

_SPACES = "\u3000\xa0\u2002\u2003\u2009\u200a\u202f\u205f"
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({ord(ch): " " for ch in _SPACES})
_FOLD.update({ord("\u3001"): "\u3001"})  # the enumeration comma 、 stays: it is not a comma
_FOLD.update({ord("\ufe50"): ",", ord("\ufe51"): "\u3001", ord("\ufe55"): ":", ord("\ufe54"): ";"})
_FOLD.update({ord("\u2236"): ":"})  # RATIO ∶ as written in times and ratios (1∶1)


_NEEDS_FOLD = Rule("needs_fold", re.compile("[" + "".join(re.escape(chr(c)) for c in _FOLD if chr(c) != "\u3001") + "]"),
                   ("收悉\uff0c我局", "\uff082021\uff09", "\u3000\u3000一、", "1\u22361"), ("收悉,我局、市商务局", "(2021)"))
"""A character the view folds (full-width punctuation, digits and letters, wide spaces); 、 is kept."""


_PAIRS = tuple((chr(k), v if isinstance(v, str) else chr(v)) for k, v in _FOLD.items()
               if (v if isinstance(v, str) else chr(v)) != chr(k))
_LONG = 256
"""From this length, a text is folded by replacing each folded character it holds (one fast C
pass per character present) rather than by ``str.translate``'s lookup of every character."""


_LAST_LONG: tuple[str | None, str | None] = (None, None)


def _remember(text: str, folded: str) -> None:
    global _LAST_LONG
    _LAST_LONG = (text, folded)  # one tuple, swapped whole: a reader in another thread sees a pair


def fold(text: str) -> str:
    """Return the folded view of ``text`` (same length, character for character).

    >>> fold("（牵头单位：市商务局，配合单位：市财政局）")
    '(牵头单位:市商务局,配合单位:市财政局)'
    >>> fold("２０２１年\u3000投入４３．４３亿元")
    '2021年 投入43.43亿元'
    >>> len(fold("答复\xa0\xa0")) == len("答复\xa0\xa0")
    True
    """
    if len(text) >= _LONG:
        last = _LAST_LONG
        if last[0] is text:
            return last[1]  # a document's text is folded for its rules and again for its hash
        folded = text
        for ch, ascii_ in _PAIRS:
            if ch in folded:
                folded = folded.replace(ch, ascii_)
        _remember(text, folded)
        return folded
    if _NEEDS_FOLD.pattern.search(text) is None:
        return text  # most names and many texts: nothing to fold, no pass over every character
    return text.translate(_FOLD)


_TEXT_FIELDS = ("text", "span_text", "written_as")


def restore(obj, original: str):
    """Replace every quoted text of an extracted value by the original's characters at its offsets.

    Extractors read the folded view; the facts they return quote the stored text as written
    (full-width punctuation and all), so provenance shows what the document says.

    >>> from etl.model import AgencyRef, Sentence
    >>> restore(Sentence(0, 4, "(一)加"), "（一）加强")
    Sentence(start=0, end=4, text='（一）加')
    >>> restore(AgencyRef("广州市财政局", "市财政局(本级)", 1, 9), "由市财政局（本级）").written_as
    '市财政局（本级）'
    """
    if isinstance(obj, tuple):
        return tuple(restore(o, original) for o in obj)
    if isinstance(obj, list):
        return [restore(o, original) for o in obj]
    shape = _shape(type(obj))
    if shape is None:
        return obj
    quoted, others, (start_field, end_field) = shape
    changes = {}
    if quoted:
        start, end = getattr(obj, start_field), getattr(obj, end_field)
    for name in quoted:
        value = getattr(obj, name)
        if isinstance(value, str) and len(value) == end - start:
            new = original[start:end]
            if new != value:
                changes[name] = new
    for name in others:
        value = getattr(obj, name)
        if type(value) in _PLAIN:
            continue  # a number, a flag, a word: nothing quoted inside
        if isinstance(value, (tuple, list)) or _shape(type(value)) is not None:
            new = restore(value, original)
            if new != value:
                changes[name] = new
    return replace(obj, **changes) if changes else obj


_PLAIN = frozenset({str, int, float, bool, type(None)})
_SPAN_FIELDS = (("char_start", "char_end"), ("start", "end"))
"""The offset fields of a value: a fact's (named as its table's columns) or a segment's."""
_SHAPES: dict[type, tuple[tuple[str, ...], tuple[str, ...], tuple[str, str]] | None] = {}


def _shape(cls: type) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, str]] | None:
    """(quoted text fields, other fields, offset fields) of a dataclass type, or None; looked up once
    per type."""
    if cls not in _SHAPES:
        if not is_dataclass(cls):
            _SHAPES[cls] = None
        else:
            names = [f.name for f in fields(cls)]
            span = next((pair for pair in _SPAN_FIELDS if pair[0] in names and pair[1] in names), _SPAN_FIELDS[0])
            has_span = span[0] in names and span[1] in names
            quoted = tuple(n for n in names if has_span and n in _TEXT_FIELDS)
            _SHAPES[cls] = (quoted, tuple(n for n in names if n not in quoted), span)
    return _SHAPES[cls]


def restore_phrase(phrase: str | None, view: str, original: str) -> str | None:
    """Return ``phrase`` (read from the view) as the original writes it, where it occurs in the view.

    >>> restore_phrase("关于(一)的答复", "关于(一)的答复", "关于（一）的答复")
    '关于（一）的答复'
    """
    if not phrase or view is original:
        return phrase
    i = view.find(phrase)
    return original[i:i + len(phrase)] if i >= 0 else phrase
