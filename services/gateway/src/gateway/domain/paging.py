"""Which page of a long list to show, and which page links (GOV.UK Design System pagination)."""

from __future__ import annotations

from dataclasses import dataclass


def page_number(requested: str | None) -> int:
    """The page asked for (``?page=``, from 1); anything else is the first page."""
    return max(int(requested), 1) if requested and requested.isdigit() else 1


@dataclass(frozen=True)
class Paging:
    """Page ``number`` (from 1) of ``total`` items, ``per_page`` to a page."""

    number: int
    per_page: int
    total: int

    @classmethod
    def within(cls, number: int, per_page: int, total: int) -> Paging:
        """Page ``number``, or the last page when there are fewer (a list shrinks as it is
        worked through)."""
        pages = max(1, -(-total // per_page))
        return cls(min(max(number, 1), pages), per_page, total)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def first_shown(self) -> int:
        """The position (from 1) of the page's first item; 0 when there are none."""
        return self.offset + 1 if self.total else 0

    @property
    def last_shown(self) -> int:
        return min(self.offset + self.per_page, self.total)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    def links(self) -> list[int | None]:
        """The page numbers to link, ``None`` for an ellipsis: the first and the last page,
        and the current page with its neighbours."""
        wanted = {1, self.pages, self.number - 1, self.number, self.number + 1}
        out: list[int | None] = []
        last = 0
        for n in sorted(p for p in wanted if 1 <= p <= self.pages):
            if n - last > 1:
                out.append(None)
            out.append(n)
            last = n
        return out
