"""Finding a child in an agency's own records from what the hub knows.

The hub does the real identity work (person index, confirmed links). An
agency only needs to find its own records for an enquiry: by its own id or a
strong identifier (NHS number, UPN) when the hub sends one, otherwise by date
of birth with family and given names that agree (Jaro-Winkler similarity from ``rapidfuzz``, which
suits short names: 'Amelie'/'Amelia' agree, twins 'Noah'/'Nora' do not). A
weak match on a name alone is never used.
"""

from __future__ import annotations

from hub_contracts.events.common import ChildAsStated
from hub_messaging.documents import Document
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.utils import default_process

from hub_agency.domain import ChildAsSeen

CHILDREN = "children"
NAME_SIMILARITY = 0.88
"""Least Jaro-Winkler similarity (0-1) of both names for a date-of-birth match to count."""


def _key(name: str | None) -> str:
    return default_process(name or "")


def child_document(child: ChildAsStated) -> Document:
    """How a child is indexed in the agency's ``children`` collection."""
    return {
        "_id": child.agency_person_id,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "given_key": _key(child.given_name),
        "family_key": _key(child.family_name),
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        "sex": child.sex.value,
        "nhs_number": child.nhs_number,
        "upn": child.upn,
        "postcode": child.address.postcode if child.address else None,
    }


async def remember_child(
    db: AsyncDatabase[Document], session: AsyncClientSession, child: ChildAsStated
) -> None:
    """Index (or refresh) a child the agency holds records about."""
    doc = child_document(child)
    await db[CHILDREN].replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)


async def ensure_child_indexes(db: AsyncDatabase[Document]) -> None:
    for field in ("nhs_number", "upn", "date_of_birth"):
        await db[CHILDREN].create_index(field)


async def find_child(
    db: AsyncDatabase[Document], child: ChildAsSeen, session: AsyncClientSession | None = None
) -> list[str]:
    """This agency's ids for the child (empty when it holds nothing it can match)."""
    strong: list[Document] = []
    if child.agency_person_id:
        strong.append({"_id": child.agency_person_id})
    if child.nhs_number:
        strong.append({"nhs_number": child.nhs_number})
    if child.upn:
        strong.append({"upn": child.upn})
    if strong:
        found = await db[CHILDREN].find({"$or": strong}, {"_id": 1}, session=session).to_list()
        if found:
            return sorted(str(d["_id"]) for d in found)
    if child.date_of_birth is None or not child.family_name or not child.given_name:
        return []
    candidates = db[CHILDREN].find(
        {"date_of_birth": child.date_of_birth.isoformat()}, session=session
    )
    family, given = _key(child.family_name), _key(child.given_name)
    ids = []
    async for doc in candidates:
        if child.nhs_number and doc.get("nhs_number") and doc["nhs_number"] != child.nhs_number:
            continue  # two different verified NHS numbers are two different children
        if (
            JaroWinkler.normalized_similarity(family, doc["family_key"]) >= NAME_SIMILARITY
            and JaroWinkler.normalized_similarity(given, doc["given_key"]) >= NAME_SIMILARITY
        ):
            ids.append(str(doc["_id"]))
    return sorted(ids)
