"""Social care's MongoDB collections (one database per tenant) and the queries over them."""

from __future__ import annotations

from hub_agency.people import ensure_child_indexes
from hub_contracts.events.common import StatusKind
from hub_messaging.documents import Document
from hub_service.app import Database
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession

from social_care.domain.statuses import Status

STATUSES = "statuses"
"""Current (open) statuses, one per child and kind: ``_id`` is ``<person id>|<kind>``."""
STATUS_HISTORY = "status_history"
"""Ended statuses, keyed by the change that ended them."""
REFERRALS = "referrals"
"""Referrals and step-up requests received, with their decision status."""
STRATEGY_DISCUSSIONS = "strategy_discussions"
"""Strategy discussion requests received from the hub."""
ACCESS_NOTIFICATIONS = "access_notifications"
"""CP-IS-style notifications that an unscheduled-care setting viewed a child's flag."""
AUTHORITY_CONTACTS = "authority_contacts"
"""Reference data: the authority's name, LA code and phone numbers."""

COLLECTIONS = (STATUSES, STATUS_HISTORY, REFERRALS, STRATEGY_DISCUSSIONS, ACCESS_NOTIFICATIONS)


def status_key(person_id: str, status_kind: StatusKind) -> str:
    return f"{person_id}|{status_kind.value}"


async def ensure_indexes(db: Database) -> None:
    """Indexes the queries below need (run at start-up, outside transactions)."""
    await ensure_child_indexes(db)
    await db[STATUSES].create_index("person_id")
    await db[STATUS_HISTORY].create_index("person_id")
    await db[REFERRALS].create_index([("received_at", DESCENDING)])
    await db[REFERRALS].create_index("child_keys.nhs_number")
    await db[REFERRALS].create_index("child_keys.upn")
    await db[REFERRALS].create_index("child_keys.date_of_birth")
    await db[STRATEGY_DISCUSSIONS].create_index([("received_at", DESCENDING)])
    await db[ACCESS_NOTIFICATIONS].create_index(
        [("child_nhs_number", ASCENDING), ("accessed_at", DESCENDING)]
    )
    await db[ACCESS_NOTIFICATIONS].create_index([("accessed_at", DESCENDING)])


async def current_status(
    db: Database, session: AsyncClientSession | None, person_id: str, status_kind: StatusKind
) -> Status | None:
    doc = await db[STATUSES].find_one({"_id": status_key(person_id, status_kind)}, session=session)
    return Status.from_document(doc) if doc else None


async def open_status(db: Database, session: AsyncClientSession, status: Status) -> None:
    """Store a newly started status; a concurrent start of the same kind fails on ``_id``."""
    key = status_key(status.person_id, status.status_kind)
    await db[STATUSES].insert_one({"_id": key, **status.to_document()}, session=session)


async def close_status(db: Database, session: AsyncClientSession, status: Status) -> None:
    """Move an ended status from the current ones to the history."""
    assert status.ended_change_id is not None
    await db[STATUSES].delete_one(
        {"_id": status_key(status.person_id, status.status_kind)}, session=session
    )
    await db[STATUS_HISTORY].insert_one(
        {"_id": status.ended_change_id, **status.to_document()}, session=session
    )


async def statuses_of(
    db: Database,
    person_ids: list[str],
    session: AsyncClientSession | None = None,
    *,
    with_history: bool = False,
) -> list[Status]:
    """The children's current statuses (and, if asked, their ended ones), oldest first."""
    query = {"person_id": {"$in": person_ids}}
    docs = await db[STATUSES].find(query, session=session).to_list()
    if with_history:
        docs += await db[STATUS_HISTORY].find(query, session=session).to_list()
    statuses = [Status.from_document(d) for d in docs]
    return sorted(statuses, key=lambda s: (s.started_on, s.status_kind.value))


async def authority_contacts(
    db: Database, session: AsyncClientSession | None, tenant: str
) -> Document | None:
    """The tenant's authority contacts (keyed by tenant id; the only one otherwise)."""
    doc = await db[AUTHORITY_CONTACTS].find_one({"_id": tenant}, session=session)
    return doc or await db[AUTHORITY_CONTACTS].find_one({}, session=session)


async def keep_once(
    db: Database, session: AsyncClientSession, collection: str, doc: Document
) -> bool:
    """Insert ``doc`` unless one with its ``_id`` is held (a resend); True if inserted."""
    if await db[collection].find_one({"_id": doc["_id"]}, {"_id": 1}, session=session):
        return False
    await db[collection].insert_one(doc, session=session)
    return True


async def referral_candidates(
    db: Database,
    session: AsyncClientSession | None,
    *,
    nhs_number: str | None,
    upn: str | None,
    date_of_birth: str | None,
    status: str,
) -> list[Document]:
    """Referrals with ``status`` that may be about the child (the caller decides which are)."""
    either: list[Document] = []
    if nhs_number:
        either.append({"child_keys.nhs_number": nhs_number})
    if upn:
        either.append({"child_keys.upn": upn})
    if date_of_birth:
        either.append({"child_keys.date_of_birth": date_of_birth})
    if not either:
        return []
    query = {"status": status, "$or": either}
    return await db[REFERRALS].find(query, session=session).sort("received_at", ASCENDING).to_list()
