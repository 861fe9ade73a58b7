"""What accepting social care's own records means: stored statuses and published events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub_agency.basis import agency_basis
from hub_agency.ingest import IngestContext, RecordKind
from hub_agency.people import remember_child
from hub_contracts.envelope import CloudEvent
from hub_contracts.events.casework import SocialCareStatusChanged, StepDownRequested
from hub_contracts.sharing import Purpose

from social_care.adapters import mongo
from social_care.domain import statuses
from social_care.domain.records import StatusChangeRecord, StepDownRequestRecord

STATUS_CHANGE_PURPOSE = Purpose.UNSCHEDULED_CARE_FLAG
"""One event serves health's flag and the hub's view (the policy accepts it for both)."""


async def apply_status_change(
    record: StatusChangeRecord, ctx: IngestContext
) -> Sequence[CloudEvent]:
    """Open or close the child's status and tell health and the hub.

    Refused with 409 ``status-already-open`` / ``status-not-open`` (or
    ``started-on-mismatch``) when the change does not fit what is held.
    """
    db, session = ctx.tx.db, ctx.tx.session
    current = await mongo.current_status(db, session, record.person_id, record.status_kind)
    if record.change == "started":
        status = statuses.start(
            current,
            person_id=record.person_id,
            status_kind=record.status_kind,
            case_id=record.case_id,
            started_on=record.started_on,
            change_id=record.record_id,
            category_of_abuse=record.category_of_abuse,
        )
    else:
        assert record.ended_on is not None  # the record's own validation guarantees it
        status = statuses.end(
            current,
            person_id=record.person_id,
            status_kind=record.status_kind,
            started_on=record.started_on,
            ended_on=record.ended_on,
            change_id=record.record_id,
            category_of_abuse=record.category_of_abuse,
            closure_reason=record.closure_reason,
        )
    contacts = await mongo.authority_contacts(db, session, ctx.tenant)
    authority = statuses.responsible_authority(contacts, ctx.tenant)
    payload = SocialCareStatusChanged(
        change_id=record.record_id,
        case_id=record.case_id,
        status_kind=record.status_kind,
        change=record.change,
        started_on=status.started_on,
        ended_on=status.ended_on,
        category_of_abuse=status.category_of_abuse,
        closure_reason=status.closure_reason,
        child_nhs_number=record.child.nhs_number,
        child_upn=record.child.upn,
        child=record.child,
        responsible_authority=authority,
    )
    await remember_child(db, session, record.child)
    if status.is_open:
        await mongo.open_status(db, session, status)
    else:
        await mongo.close_status(db, session, status)
    sharing = agency_basis(ctx.service, STATUS_CHANGE_PURPOSE)
    return [ctx.event(payload, subject=record.person_id, sharing=sharing)]


async def apply_step_down(
    record: StepDownRequestRecord, ctx: IngestContext
) -> Sequence[CloudEvent]:
    """Ask early help to continue support (and let the hub know a step-down is under way)."""
    await remember_child(ctx.tx.db, ctx.tx.session, record.child)
    payload = StepDownRequested(
        request_id=record.record_id,
        case_id=record.case_id,
        child=record.child,
        household=record.household,
        reason=record.reason,
        primary_need=record.primary_need,
        closure_reason=record.closure_reason,
        consent_id=record.consent_id,
        requested_by=record.requested_by,
        requested_at=record.requested_at,
    )
    return [
        ctx.event(
            payload,
            subject=record.child.agency_person_id,
            sharing=agency_basis(ctx.service, Purpose.REFERRAL),
        )
    ]


STATUS_CHANGES = RecordKind(
    "status-change",
    "status-changes",
    StatusChangeRecord,
    apply_status_change,
    "Record a child-in-need, child protection plan or looked-after status starting or ending",
)
STEP_DOWN_REQUESTS = RecordKind(
    "step-down-request",
    "step-down-requests",
    StepDownRequestRecord,
    apply_step_down,
    "Ask early help to continue supporting a family after social care closes its case",
)
RECORD_KINDS: tuple[RecordKind[Any], ...] = (STATUS_CHANGES, STEP_DOWN_REQUESTS)
