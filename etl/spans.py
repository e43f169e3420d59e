"""Spans and positioned facts looked up by bisection, so extraction stays linear in a long text.

A 5-million-character document has tens of thousands of title spans, agency mentions and
figures; asking "does any taken span overlap this one?" or "which mentions lie between these
offsets?" by scanning every item costs the square of the text's length. These containers answer
the same questions, with the same results, in logarithmic time.
"""

from __future__ import annotations

import bisect
import threading


class Spans(list):
    """A list of (start, end) spans that also answers overlap and containment by bisection.

    It stays a plain list to every other reader (iteration, ``append``, ``len``).

    >>> taken = Spans([(10, 20)])
    >>> taken.overlaps(15, 25), taken.overlaps(20, 30), taken.holds(12, 18), taken.holds(5, 12)
    (True, False, True, False)
    >>> taken.append((40, 50)); taken.overlaps(45, 46)
    True
    """

    _index: tuple[list[int], list[tuple[int, int]], int] | None = None
    _indexed_len = -1

    def _sorted(self) -> tuple[list[int], list[tuple[int, int]], int]:
        if self._index is None or self._indexed_len != len(self):
            spans = sorted((int(s), int(e)) for s, e, *_ in self)
            longest = max((e - s for s, e in spans), default=0)
            self._index, self._indexed_len = ([s for s, _ in spans], spans, longest), len(self)
        return self._index

    def append(self, span) -> None:
        super().append(span)
        if self._index is not None and self._indexed_len == len(self) - 1:
            starts, spans, longest = self._index
            s, e = int(span[0]), int(span[1])
            k = bisect.bisect_right(starts, s)
            starts.insert(k, s)
            spans.insert(k, (s, e))
            self._index, self._indexed_len = (starts, spans, max(longest, e - s)), len(self)

    def _candidates(self, start: int, end: int):
        """Spans that start before ``end`` and may reach past ``start`` (latest start first)."""
        starts, spans, longest = self._sorted()
        k = bisect.bisect_left(starts, end) - 1
        while k >= 0 and spans[k][0] >= start - longest:
            yield spans[k]
            k -= 1

    def overlaps(self, start: int, end: int) -> bool:
        """True when a span overlaps [start, end): ``any(s < end and start < e for s, e in self)``."""
        return any(start < e for s, e in self._candidates(start, end) if s < end)

    def holds(self, start: int, end: int) -> bool:
        """True when a span holds [start, end): ``any(s <= start and end <= e for s, e in self)``."""
        return any(s <= start and end <= e for s, e in self._candidates(start, start + 1))


class Ordered(list):
    """Facts with a ``char_start``, kept in their order, that also answer "which start in [lo, hi)?".

    >>> from types import SimpleNamespace as M
    >>> items = Ordered([M(char_start=5), M(char_start=1), M(char_start=9)])
    >>> [m.char_start for m in items.between(1, 9)]
    [5, 1]
    """

    def __init__(self, items=()):
        super().__init__(items)
        order = sorted(range(len(self)), key=lambda i: self[i].char_start)
        self._order = order
        self._starts = [self[i].char_start for i in order]

    def between(self, lo: int, hi: int) -> list:
        """The items with ``lo <= char_start < hi``, in the list's own order (as a scan would give them)."""
        a, b = bisect.bisect_left(self._starts, lo), bisect.bisect_left(self._starts, hi)
        return [self[i] for i in sorted(self._order[a:b])]


_local = threading.local()  # per thread: (the list last indexed, its index); a caller asks many positions of one list


def containing(items: list, pos: int, end=lambda item: item.char_end) -> list:
    """The facts with ``char_start <= pos < end(item)``, in the list's order: the same as a scan,
    by bisection (the index is kept for the list last asked about).

    >>> from types import SimpleNamespace as S
    >>> secs = [S(char_start=0, char_end=100), S(char_start=10, char_end=20), S(char_start=30, char_end=40)]
    >>> [(s.char_start, s.char_end) for s in containing(secs, 15)]
    [(0, 100), (10, 20)]
    """
    cached, index = getattr(_local, "last", (None, None))
    if cached is not items or index[0] != len(items) or index[1] is not end:
        order = sorted(range(len(items)), key=lambda i: items[i].char_start)
        ends = [end(items[i]) for i in order]
        longest = max((e - items[i].char_start for e, i in zip(ends, order)), default=0)
        index = (len(items), end, order, [items[i].char_start for i in order], ends, longest)
        _local.last = (items, index)
    _, _, order, starts, ends, longest = index
    found = []
    k = bisect.bisect_right(starts, pos) - 1
    while k >= 0 and starts[k] >= pos - longest:
        if pos < ends[k]:
            found.append(order[k])
        k -= 1
    return [items[i] for i in sorted(found)]
