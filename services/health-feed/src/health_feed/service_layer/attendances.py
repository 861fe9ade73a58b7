"""Accepting a FHIR bundle: store the attendance, index the child, raise a concern."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hub_agency.basis import agency_basis
from hub_agency.domain import Rejected
from hub_agency.ingest import IngestContext, RecordKind
from hub_agency.people import remember_child
from hub_contracts.envelope import CloudEvent
from hub_contracts.sharing import Purpose
from hub_messaging.documents import Document

from health_feed.adapters.mongo import ATTENDANCES
from health_feed.domain.attendance import Attendance, BundleRefused, read_attendance
from health_feed.domain.concern import concern_raised
from health_feed.domain.records import FhirBundleRecord


def attendance_document(record_id: str, attendance: Attendance, received_at: datetime) -> Document:
    """The ``attendances`` document: what health-feed needs later, no clinical narrative."""
    return {
        "_id": record_id,
        "nhs_number": attendance.nhs_number,
        "person_id": attendance.person_id,
        "nhs_number_as_stated": attendance.nhs_number_as_stated,
        "nhs_number_status": attendance.nhs_number_status.value,
        "setting": attendance.setting.value,
        "arrived_at": attendance.arrived_at,
        "ods_code": attendance.ods_code,
        "organisation_name": attendance.organisation_name,
        "encounter_id": attendance.encounter_id,
        "safeguarding_flag": attendance.has_safeguarding_flag,
        "flag_codes": [f.code for f in attendance.flags],
        "received_at": received_at,
    }


async def apply_fhir_bundle(record: FhirBundleRecord, ctx: IngestContext) -> Sequence[CloudEvent]:
    """Ingest ``apply`` of ``fhir-bundle`` records (HTTP and the inbound topic alike)."""
    try:
        attendance = read_attendance(record.bundle, record.record_id)
    except BundleRefused as exc:
        raise Rejected(exc.reason, exc.where) from exc
    db, session = ctx.tx.db, ctx.tx.session
    await remember_child(db, session, attendance.child)
    await db[ATTENDANCES].insert_one(
        attendance_document(record.record_id, attendance, ctx.received_at), session=session
    )
    concern = concern_raised(record.record_id, attendance, record.rag_rating)
    if concern is None:
        return []
    return [
        ctx.event(
            concern,
            subject=attendance.person_id,
            sharing=agency_basis(ctx.service, Purpose.SAFEGUARDING_SCREENING),
        )
    ]


FHIR_BUNDLES = RecordKind(
    "fhir-bundle",
    "fhir-bundles",
    FhirBundleRecord,
    apply_fhir_bundle,
    "Record an unscheduled-care attendance (FHIR R4 Bundle, UK Core)",
)
RECORD_KINDS: tuple[RecordKind[Any], ...] = (FHIR_BUNDLES,)
