"""Education's MongoDB collections (one database per tenant) and the queries over them.

The record collections (``pupils``, ``attendance_concerns``, ``exclusions``)
are written by the agency kit's ingest (``{_id: record_id, record: <body>,
received_at}``); this module reads them back as domain records.
"""

from __future__ import annotations

from datetime import datetime

from hub_agency.people import ensure_child_indexes
from hub_messaging.documents import Document
from hub_service.app import Database
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession

from education.domain.encompass import EncompassNotification, NotificationStatus
from education.domain.records import AttendanceConcernRecord, ExclusionRecord, PupilRecord

Session = AsyncClientSession | None

SCHOOLS = "schools"
"""Reference data: the tenant's schools (``_id`` = URN)."""
PUPILS = "pupils"
ATTENDANCE_CONCERNS = "attendance_concerns"
EXCLUSIONS = "exclusions"
NOTIFICATIONS = "encompass_notifications"
OVERDUE_NOTICES = "encompass_overdue"
"""Every overdue notice received, kept apart so one that overtakes its notification still counts."""
MAX_RECORDS_READ = 200


async def ensure_indexes(db: Database) -> None:
    await ensure_child_indexes(db)
    await db[PUPILS].create_index([("record.child.upn", ASCENDING), ("received_at", DESCENDING)])
    for collection in (ATTENDANCE_CONCERNS, EXCLUSIONS):
        await db[collection].create_index("record.upn")
    await db[NOTIFICATIONS].create_index([("school_urn", ASCENDING), ("received_at", DESCENDING)])
    await db[NOTIFICATIONS].create_index([("status", ASCENDING), ("received_at", DESCENDING)])


async def school(db: Database, urn: str, session: Session = None) -> Document | None:
    """The tenant's school with this URN, if it is one."""
    return await db[SCHOOLS].find_one({"_id": urn}, session=session)


async def current_pupil(db: Database, upn: str, session: Session = None) -> PupilRecord | None:
    """The latest pupil record for a UPN (a pupil who moves school gets a new MIS record)."""
    docs = (
        await db[PUPILS]
        .find({"record.child.upn": upn}, session=session)
        .sort("received_at", DESCENDING)
        .limit(1)
        .to_list()
    )
    return PupilRecord.model_validate(docs[0]["record"]) if docs else None


async def attendance_concerns(
    db: Database, upn: str, session: Session = None
) -> list[AttendanceConcernRecord]:
    cursor = db[ATTENDANCE_CONCERNS].find({"record.upn": upn}, session=session)
    docs = await cursor.sort("received_at", DESCENDING).limit(MAX_RECORDS_READ).to_list()
    return [AttendanceConcernRecord.model_validate(d["record"]) for d in docs]


async def exclusions(db: Database, upn: str, session: Session = None) -> list[ExclusionRecord]:
    cursor = db[EXCLUSIONS].find({"record.upn": upn}, session=session)
    docs = await cursor.sort("received_at", DESCENDING).limit(MAX_RECORDS_READ).to_list()
    return [ExclusionRecord.model_validate(d["record"]) for d in docs]


# -- Operation Encompass ---------------------------------------------------------------
def _document(notification: EncompassNotification) -> Document:
    doc = notification.model_dump(mode="python")
    dob = notification.child_date_of_birth
    doc["child_date_of_birth"] = dob.isoformat() if dob else None  # BSON has no date type
    if notification.acknowledgement is not None:
        doc["acknowledgement"]["acknowledged_by_role"] = (
            notification.acknowledgement.acknowledged_by_role.value
        )
    doc["status"] = notification.status.value
    return {"_id": notification.notification_id, **doc}


def _notification(doc: Document) -> EncompassNotification:
    doc = dict(doc)
    doc.pop("_id", None)
    return EncompassNotification.model_validate(doc)


async def notification(
    db: Database, notification_id: str, session: Session = None
) -> EncompassNotification | None:
    doc = await db[NOTIFICATIONS].find_one({"_id": notification_id}, session=session)
    return _notification(doc) if doc else None


async def save_notification(
    db: Database, notification: EncompassNotification, session: Session
) -> None:
    doc = _document(notification)
    await db[NOTIFICATIONS].replace_one({"_id": doc["_id"]}, doc, upsert=True, session=session)


async def notifications(
    db: Database,
    *,
    school_urn: str | None = None,
    status: NotificationStatus | None = None,
    limit: int = 100,
) -> list[EncompassNotification]:
    """Newest first."""
    query: Document = {}
    if school_urn is not None:
        query["school_urn"] = school_urn
    if status is not None:
        query["status"] = status.value
    cursor = (
        db[NOTIFICATIONS]
        .find(query)
        .sort([("received_at", DESCENDING), ("_id", DESCENDING)])
        .limit(limit)
    )
    return [_notification(d) async for d in cursor]


async def keep_overdue_notice(
    db: Database, notification_id: str, notice: Document, session: Session
) -> datetime | None:
    """Keep the first overdue notice of a notification; the detection time it carries."""
    existing = await db[OVERDUE_NOTICES].find_one({"_id": notification_id}, session=session)
    if existing is None:
        await db[OVERDUE_NOTICES].insert_one({"_id": notification_id, **notice}, session=session)
        existing = notice
    detected: datetime | None = existing.get("detected_at")
    return detected


async def overdue_detected_at(
    db: Database, notification_id: str, session: Session
) -> datetime | None:
    doc = await db[OVERDUE_NOTICES].find_one({"_id": notification_id}, session=session)
    return doc.get("detected_at") if doc else None
