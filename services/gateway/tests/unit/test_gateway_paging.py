"""Long lists a page at a time: which page is shown and which page links it offers."""

from __future__ import annotations

import pytest
from gateway.domain.paging import Paging, page_number


@pytest.mark.parametrize(
    ("requested", "number"), [(None, 1), ("", 1), ("3", 3), ("0", 1), ("-2", 1), ("x", 1)]
)
def test_the_page_asked_for_or_the_first(requested: str | None, number: int) -> None:
    assert page_number(requested) == number


def test_a_page_past_the_last_shows_the_last_so_deciding_the_last_pair_leaves_a_page() -> None:
    assert Paging.within(5, 10, 31).number == 4
    assert Paging.within(2, 10, 10).number == 1
    assert Paging.within(3, 10, 0).number == 1


def test_the_page_says_which_items_it_shows_and_where_to_go_next() -> None:
    page = Paging.within(2, 10, 45)
    assert (page.offset, page.first_shown, page.last_shown) == (10, 11, 20)
    assert (page.previous, page.next, page.pages) == (1, 3, 5)
    last = Paging.within(5, 10, 45)
    assert (last.first_shown, last.last_shown, last.next) == (41, 45, None)
    assert Paging.within(1, 10, 0).first_shown == 0


def test_links_are_the_first_the_last_and_the_current_page_with_its_neighbours() -> None:
    assert Paging.within(1, 10, 30).links() == [1, 2, 3]
    assert Paging.within(10, 10, 400).links() == [1, None, 9, 10, 11, None, 40]
    assert Paging.within(1, 10, 400).links() == [1, 2, None, 40]
    assert Paging.within(3, 10, 400).links() == [1, 2, 3, 4, None, 40]
    assert Paging.within(1, 10, 5).links() == [1]
