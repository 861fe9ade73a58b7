"""Finding a child in an agency's own records: strong identifiers first, never on a name alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from hub_agency.domain import ChildAsSeen
from hub_agency.people import ensure_child_indexes, find_child, remember_child
from hub_contracts.events import ChildAsStated
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

pytestmark = pytest.mark.integration


@pytest.fixture
async def records(mongo_uri: str, unique_name: str) -> AsyncIterator[AsyncDatabase[Any]]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri)
    db = client[unique_name]
    await ensure_child_indexes(db)
    people = [
        ("P-1", "Amelia", "Hart", date(2016, 3, 1), "9434765919"),
        ("P-2", "Olivia", "Hart", date(2016, 3, 1), None),  # Amelia's twin
        ("P-3", "Amelia", "Hart", date(2012, 7, 15), None),  # same name, another child
        ("P-4", "Jack", "Wilson", date(2010, 1, 9), "9434790018"),
    ]
    async with client.start_session() as session, await session.start_transaction():
        for pid, given, family, dob, nhs in people:
            child = ChildAsStated(
                agency_person_id=pid,
                given_name=given,
                family_name=family,
                date_of_birth=dob,
                nhs_number=nhs,
            )
            await remember_child(db, session, child)
    yield db
    await client.drop_database(unique_name)
    await client.close()


async def test_strong_identifiers_win(records: AsyncDatabase[Any]) -> None:
    assert await find_child(records, ChildAsSeen(nhs_number="9434765919")) == ["P-1"]
    assert await find_child(records, ChildAsSeen(agency_person_id="P-4")) == ["P-4"]


async def test_spelling_variants_match_but_twins_and_namesakes_do_not(
    records: AsyncDatabase[Any],
) -> None:
    variant = ChildAsSeen(given_name="Amelie", family_name="HART", date_of_birth=date(2016, 3, 1))
    assert await find_child(records, variant) == ["P-1"]
    twin = ChildAsSeen(given_name="Olivia", family_name="Hart", date_of_birth=date(2016, 3, 1))
    assert await find_child(records, twin) == ["P-2"]


async def test_a_name_alone_or_a_different_nhs_number_finds_nobody(
    records: AsyncDatabase[Any],
) -> None:
    assert await find_child(records, ChildAsSeen(given_name="Amelia", family_name="Hart")) == []
    other = ChildAsSeen(
        given_name="Jack",
        family_name="Wilson",
        date_of_birth=date(2010, 1, 9),
        nhs_number="9434780004",
    )
    assert await find_child(records, other) == []
