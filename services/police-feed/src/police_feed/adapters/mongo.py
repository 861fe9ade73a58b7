"""police-feed's MongoDB collections (one database per tenant) and their documents.

- ``incidents``: each incident as accepted (kept by ``hub_agency.RecordIngest``);
- ``child_incidents``: one row per child per incident, for enquiries;
- ``encompass_notifications``: each Operation Encompass notification and its state;
- ``schools``, ``local_authority``: the LA's school directory and DfE number
  (reference data, loaded from ``demo/<tenant>.json`` by ``load-demo``).

Only ids, kinds, times and statuses are copied out of the incident; the
child's details stay in the record and in the agency's ``children`` index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from hub_agency.domain import Rejected
from hub_agency.people import CHILDREN, ensure_child_indexes
from hub_contracts.events import OperationEncompassNotified
from hub_messaging.documents import Document
from hub_service.app import Database
from hub_service.reference import read_demo_data
from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession

from police_feed.domain.encompass import NotificationStatus, notification_id, notify_by
from police_feed.domain.incidents import ChildInvolved, PoliceIncident

PACKAGE = "police_feed"
CHILD_INCIDENTS = "child_incidents"
NOTIFICATIONS = "encompass_notifications"
SCHOOLS = "schools"
LOCAL_AUTHORITY = "local_authority"
LOCAL_AUTHORITY_ID = "local-authority"
"""The one document of ``local_authority``: ``{"_id": "local-authority", "la_code": "808"}``."""
COLLECTIONS = (CHILDREN, CHILD_INCIDENTS, NOTIFICATIONS, SCHOOLS, LOCAL_AUTHORITY)


async def ensure_indexes(db: Database) -> None:
    await ensure_child_indexes(db)
    await db[CHILD_INCIDENTS].create_index([("person_id", ASCENDING)])
    await db[NOTIFICATIONS].create_index([("status", ASCENDING), ("notify_by", ASCENDING)])
    await db[NOTIFICATIONS].create_index([("notified_at", ASCENDING)])


async def unknown_schools(db: Database, session: AsyncClientSession, urns: set[str]) -> list[str]:
    """The URNs not in the tenant's school directory."""
    if not urns:
        return []
    found = db[SCHOOLS].find({"_id": {"$in": sorted(urns)}}, {"_id": 1}, session=session)
    known = {str(d["_id"]) async for d in found}
    return sorted(urns - known)


async def local_authority_code(
    db: Database, session: AsyncClientSession, tenant: str
) -> str | None:
    """The tenant's DfE LA number, from its ``local_authority`` reference data.

    As loaded into the tenant's database; until it is, as this service ships
    it for the tenant (``demo/<tenant>.json``); None for a tenant with neither.
    """
    doc = await db[LOCAL_AUTHORITY].find_one({"_id": LOCAL_AUTHORITY_ID}, session=session)
    if doc is None or not doc.get("la_code"):
        doc = _shipped_local_authority(tenant)
    return str(doc["la_code"]) if doc is not None and doc.get("la_code") else None


@cache
def _shipped_local_authority(tenant: str) -> Document | None:
    shipped: list[Document] = read_demo_data(PACKAGE, tenant).get(LOCAL_AUTHORITY, [])
    return next((d for d in shipped if d.get("_id") == LOCAL_AUTHORITY_ID), None)


def child_incident_document(incident: PoliceIncident, involved: ChildInvolved) -> Document:
    return {
        "_id": f"{incident.record_id}|{involved.person_id}",
        "person_id": involved.person_id,
        "record_id": incident.record_id,
    }


def notification_document(
    notice: OperationEncompassNotified,
    *,
    subject: str,
    event_id: str,
    notified_at: datetime,
    stated_school_urn: str | None = None,
    flags: Sequence[str] = (),
) -> Document:
    """The police's own record of a notification: ids, recipient, deadline, state."""
    return {
        **_notification_fields(stated_school_urn, flags),
        "_id": notice.notification_id,
        "police_reference": notice.police_reference,
        "subject": subject,
        "school_urn": notice.school_urn,
        "local_authority_code": notice.local_authority_code,
        "notify_by": notice.notify_by,
        "notified_at": notified_at,
        "event_id": event_id,
        "status": NotificationStatus.AWAITING_ACKNOWLEDGEMENT.value,
        "acknowledged_at": None,
        "acknowledged_by_role": None,
        "acknowledged_school_urn": None,
        "acknowledged_in_time": None,
        "overdue_detected_at": None,
        "overdue_event_id": None,
    }


def held_notification_document(
    incident: PoliceIncident,
    index: int,
    *,
    subject: str,
    notified_at: datetime,
    reason: Rejected,
    stated_school_urn: str | None,
    flags: Sequence[str],
) -> Document:
    """A notification that could not be sent: kept with its reason, for the police to complete."""
    return {
        **_notification_fields(stated_school_urn, flags),
        "_id": notification_id(incident, index),
        "police_reference": incident.record_id,
        "subject": subject,
        "school_urn": None,
        "local_authority_code": None,
        "notify_by": notify_by(incident),
        "notified_at": notified_at,
        "event_id": None,
        "status": NotificationStatus.HELD.value,
        "held_reason": reason.reason,
        "held_detail": reason.detail,
    }


def _notification_fields(stated_school_urn: str | None, flags: Sequence[str]) -> Document:
    return {"stated_school_urn": stated_school_urn, "flags": list(flags)}
