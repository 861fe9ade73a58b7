"""What accepting a school's record means: the pupil remembered, a concern raised when asked.

Each ``apply`` runs inside the ingest transaction (``ctx.tx``) and returns the
contract events the record implies; ``Rejected`` refuses it with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from hub_agency.basis import agency_basis
from hub_agency.domain import Rejected
from hub_agency.ingest import IngestContext, RecordKind
from hub_agency.people import remember_child
from hub_contracts.codes import Agency, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import AgencyReference, ChildConcernRaisedV2
from hub_contracts.sharing import Purpose

from education.adapters import mongo
from education.domain.records import (
    AttendanceConcernRecord,
    ExclusionRecord,
    PupilRecord,
)


async def apply_pupil(record: PupilRecord, ctx: IngestContext) -> Sequence[CloudEvent]:
    """Remember the pupil (UPN as person id) for enquiries; a pupil alone raises nothing."""
    if await mongo.school(ctx.tx.db, record.school_urn, ctx.tx.session) is None:
        raise Rejected(
            "unknown-school", f"school {record.school_urn} is not one of this tenant's schools"
        )
    await remember_child(ctx.tx.db, ctx.tx.session, record.child_as_education_holds_it())
    return []


async def _pupil(ctx: IngestContext, upn: str, record_id: str) -> PupilRecord:
    pupil = await mongo.current_pupil(ctx.tx.db, upn, ctx.tx.session)
    if pupil is None:
        raise Rejected(
            "unknown-pupil", f"record {record_id} names a UPN that is not a pupil of this tenant"
        )
    return pupil


def _concern(
    ctx: IngestContext,
    pupil: PupilRecord,
    record_id: str,
    summary: str,
    occurred: AttendanceConcernRecord | ExclusionRecord,
) -> CloudEvent:
    payload = ChildConcernRaisedV2(
        agency_reference=AgencyReference(agency=Agency.EDUCATION, reference=record_id),
        referral_source=ReferralSource.SCHOOLS,
        concern_summary=summary,
        child=pupil.child_as_education_holds_it(),
        occurred_at=occurred.occurred_at(),
        raised_by_role=occurred.raised_by_role,
    )
    return ctx.event(
        payload,
        subject=pupil.upn,
        sharing=agency_basis(ctx.service, Purpose.SAFEGUARDING_SCREENING),
    )


async def apply_attendance_concern(
    record: AttendanceConcernRecord, ctx: IngestContext
) -> Sequence[CloudEvent]:
    pupil = await _pupil(ctx, record.upn, record.record_id)
    if not record.raise_concern:
        return []
    return [_concern(ctx, pupil, record.record_id, record.concern_summary(), record)]


async def apply_exclusion(record: ExclusionRecord, ctx: IngestContext) -> Sequence[CloudEvent]:
    pupil = await _pupil(ctx, record.upn, record.record_id)
    if not record.raise_concern:
        return []
    return [_concern(ctx, pupil, record.record_id, record.concern_summary(), record)]


PUPILS = RecordKind(
    "pupil", "pupils", PupilRecord, apply_pupil, "A pupil on roll at one of the tenant's schools"
)
ATTENDANCE_CONCERNS = RecordKind(
    "attendance-concern",
    "attendance-concerns",
    AttendanceConcernRecord,
    apply_attendance_concern,
    "An attendance concern about a pupil (raise_concern tells the hub)",
)
EXCLUSIONS = RecordKind(
    "exclusion",
    "exclusions",
    ExclusionRecord,
    apply_exclusion,
    "A suspension or permanent exclusion (raise_concern tells the hub)",
)
RECORD_KINDS: tuple[
    RecordKind[PupilRecord], RecordKind[AttendanceConcernRecord], RecordKind[ExclusionRecord]
] = (
    PUPILS,
    ATTENDANCE_CONCERNS,
    EXCLUSIONS,
)
