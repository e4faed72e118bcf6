"""Disjoint text spans with bisection lookups (time frames can hold thousands of points: issue 11)."""

from __future__ import annotations

from bisect import bisect_right


class Spans:
    """Disjoint [start, end) spans in text order: overlap test and insertion by bisection, so a time
    frame with thousands of points is read in n log n, not n^2."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in sorted(spans or ()):  # merged: the spans given may overlap each other
            if self.ends and s < self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], e)
            else:
                self.starts.append(s)
                self.ends.append(e)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.ends, start)  # the first span that ends after `start`
        return i < len(self.starts) and self.starts[i] < end

    def append(self, start: int, end: int) -> None:
        """Add a span that starts at or after the end of the last one (a pattern's matches come in
        text order, so one set per pattern is built without inserting in the middle)."""
        self.starts.append(start)
        self.ends.append(end)


def free(spans: list[Spans], start: int, end: int) -> bool:
    """[start, end) overlaps none of the span sets."""
    return not any(s.overlaps(start, end) for s in spans)
