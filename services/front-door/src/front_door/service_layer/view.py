"""Recording the facts of the joined-up view, and removing them when no basis remains.

Facts come from concerns (each contact's concern, with the household as
stated), each ``FactHeld`` of an enquiry answer (and "nothing held" / "not
shared" per agency), social care status changes, early help episodes,
step-up and step-down requests, Operation Encompass notifications, CP-IS-style
record accesses, and consents. Each keeps the event's sharing basis.

Linking to a hub person is deterministic only: the contact's person for a
concern or an enquiry answer; otherwise a verified NHS number, an agency's own
id the index already holds, or an agency-scoped record id (an episode, a case)
already linked. Anything else is kept unlinked and visible.

Consent withdrawal removes (tombstones) every fact received under that
consent, and the contact's copies of such data; facts held on another basis
stay. ``record-purged`` removes the facts and copies of the events it names.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from hub_contracts.codes import AGENCY_OF_SERVICE, Agency
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import (
    ConsentRecorded,
    EarlyHelpEpisodeClosed,
    EarlyHelpEpisodeOpened,
    OperationEncompassNotified,
    RecordAccessed,
    RecordPurged,
    SocialCareStatusChanged,
    StepDownRequested,
    StepUpRequested,
)
from hub_messaging.consumer import Delivery

from front_door.domain.contacts import Redaction
from front_door.domain.enquiries import Enquiry
from front_door.domain.facts import Fact, person_key, ref_key
from front_door.domain.view import FactKind
from front_door.service_layer.facts import add_facts, find_person
from front_door.service_layer.intake import NewContact
from front_door.service_layer.linking import link_child
from front_door.service_layer.unit_of_work import BatchEventHandler, EventHandler, UnitOfWork

log = logging.getLogger("front_door.view")
Detail = dict[str, Any]
"""What an agency said about a fact beyond its summary (ids, team, household as stated)."""
CONSENT_WITHDRAWN = "consent withdrawn"


def _dt(value: Any) -> datetime | None:
    """A datetime from an event field as received (ISO text), a date, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    text = str(value)
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _agency(event: CloudEvent) -> str:
    return AGENCY_OF_SERVICE.get(event.producer, Agency.HUB).value


def _fact(
    event: CloudEvent,
    n: int,
    *,
    person_id: str | None,
    kind: str,
    summary: str,
    occurred_at: datetime | None,
    detail: Detail,
    link_keys: Sequence[str] = (),
    agency: str | None = None,
    contact_id: str | None = None,
    asserted_at: datetime | None = None,
    late: bool = False,
) -> Fact:
    """One fact with its provenance: the asserting agency, when, and the event's basis."""
    return Fact(
        fact_id=f"{event.producer}:{event.id}:{n}",
        person_id=person_id,
        agency=agency or _agency(event),
        kind=kind,
        summary=summary,
        occurred_at=occurred_at,
        asserted_at=asserted_at or event.time,
        source_event_id=event.id,
        source_event_type=event.type,
        sharing=event.sharing.model_dump(mode="json", exclude_none=True),
        detail=detail,
        link_keys=tuple(link_keys),
        contact_id=contact_id or None,
        late=late,
    )


# -- concerns and enquiry answers (after the contact and answer handlers) -----------
async def record_concern_facts(made: Sequence[NewContact], uow: UnitOfWork) -> None:
    """Each concern intake made a contact of, as a fact of the contact's person
    (an ``on_contacts`` hook of ``intake.concern_intake``)."""
    await add_facts(uow, [concern_fact(m) for m in made])


def concern_fact(made: NewContact) -> Fact:
    """The fact a concern asserts about its child: the concern, with the household as stated."""
    event, concern, contact = made.delivery.event, made.concern, made.contact
    agency = concern.agency_reference.agency.value
    return _fact(
        event,
        0,
        person_id=contact.person_id,
        agency=agency,
        kind=FactKind.CONCERN,
        summary=concern.concern_summary,
        occurred_at=concern.occurred_at,
        contact_id=contact.contact_id,
        link_keys=[person_key(agency, concern.child.agency_person_id)],
        detail={
            "referral_source": concern.referral_source.value,
            "agency_reference": concern.agency_reference.reference,
            "rag_rating_as_received": concern.rag_rating.value if concern.rag_rating else None,
            "raised_by_role": concern.raised_by_role,
            "household": [m.model_dump(mode="json") for m in concern.household],
        },
    )


def recording_answer_facts(handler: EventHandler) -> EventHandler:
    """The answer handler, then each fact held (or the refusal, or nothing held) as facts.

    Late answers are stored on the enquiry like any other; their facts are
    recorded too, marked ``late``.
    """

    async def handle(delivery: Delivery, uow: UnitOfWork) -> None:
        await handler(delivery, uow)
        event, data = delivery.event, delivery.event.data
        enquiry_id = data.get("enquiry_id")
        enquiry = await uow.enquiries.answered_by(str(enquiry_id), event.id) if enquiry_id else None
        if enquiry is None:
            return  # unmatched: kept with the unmatched answers, about no known person
        contact = await uow.contacts.get(enquiry.contact_id)
        if contact is None:
            return
        await add_facts(uow, answer_facts(event, enquiry, contact.person_id))

    return handle


def answer_facts(event: CloudEvent, enquiry: Enquiry, person_id: str) -> list[Fact]:
    """The facts an enquiry answer (as the front door may see it) asserts."""
    data = event.data
    answer = data.get("answer") or {}
    agency = str(data.get("answering_agency") or _agency(event))
    asserted_at = _dt(data.get("answered_at")) or event.time
    common: dict[str, Any] = {
        "person_id": person_id,
        "agency": agency,
        "contact_id": enquiry.contact_id,
        "asserted_at": asserted_at,
        "late": bool(enquiry.answer and enquiry.answer.late),
    }
    base_detail = {
        "enquiry_id": enquiry.enquiry_id,
        "answered_by_role": data.get("answered_by_role"),
    }
    facts: list[Fact] = []
    match answer.get("kind"):
        case "information-held":
            for n, held in enumerate(answer.get("facts") or []):
                reference = held.get("agency_reference")
                keys = (
                    [ref_key(agency, reference)]
                    if reference and agency in (Agency.EARLY_HELP, Agency.SOCIAL_CARE)
                    else []
                )
                facts.append(
                    _fact(
                        event,
                        n,
                        **common,
                        kind=str(held.get("kind")),
                        summary=str(held.get("summary")),
                        occurred_at=_dt(held.get("occurred_at")),
                        link_keys=keys,
                        detail={**base_detail, "agency_reference": reference},
                    )
                )
        case "nothing-held":
            facts.append(
                _fact(
                    event,
                    0,
                    **common,
                    kind=FactKind.NOTHING_HELD,
                    summary="Searched; nothing relevant held.",
                    occurred_at=None,
                    detail=base_detail,
                )
            )
        case "not-shared":
            facts.append(
                _fact(
                    event,
                    0,
                    **common,
                    kind=FactKind.NOT_SHARED,
                    summary=f"Not shared, because: {answer.get('reason')}",
                    occurred_at=None,
                    detail={**base_detail, "decided_by": answer.get("decided_by")},
                )
            )
    return facts


# -- agencies' notifications ---------------------------------------------------------
async def social_care_status_changed(delivery: Delivery, uow: UnitOfWork) -> None:
    """A CIN / CP plan / looked-after status started or ended: a social care fact."""
    event = delivery.event
    change = SocialCareStatusChanged.model_validate(event.data)
    child = change.child
    if change.child_nhs_number and not child.nhs_number:
        child = child.model_copy(update={"nhs_number": change.child_nhs_number})
    person_id, _ = await link_child(uow, child, Agency.SOCIAL_CARE)
    name = change.status_kind.value.replace("-", " ")
    summary = (
        f"{name.capitalize()} started {change.started_on.isoformat()}"
        if change.change == "started"
        else f"{name.capitalize()} ended {change.ended_on}"
    )
    if change.category_of_abuse is not None:
        summary += f" (category: {change.category_of_abuse.value})"
    fact = _fact(
        event,
        0,
        person_id=person_id,
        kind=FactKind.SOCIAL_CARE_STATUS,
        summary=summary + ".",
        occurred_at=_dt(change.ended_on or change.started_on),
        link_keys=[
            ref_key(Agency.SOCIAL_CARE, change.case_id),
            person_key(Agency.SOCIAL_CARE, child.agency_person_id),
        ],
        detail={
            "change_id": change.change_id,
            "case_id": change.case_id,
            "status_kind": change.status_kind.value,
            "change": change.change,
            "started_on": change.started_on.isoformat(),
            "ended_on": change.ended_on.isoformat() if change.ended_on else None,
            "category_of_abuse": (
                change.category_of_abuse.value if change.category_of_abuse else None
            ),
            "closure_reason": change.closure_reason.value if change.closure_reason else None,
            "responsible_authority": change.responsible_authority.name,
        },
    )
    await add_facts(uow, [fact])


async def _linked_fact(
    delivery: Delivery,
    uow: UnitOfWork,
    *,
    kind: str,
    summary: str,
    occurred_at: datetime | None,
    detail: Detail,
    keys: Sequence[str],
    nhs_number: str | None = None,
) -> None:
    """A fact about whoever ``keys`` (or the NHS number) deterministically link to, if anyone."""
    person_id = await find_person(uow, keys=keys, nhs_number=nhs_number)
    fact = _fact(
        delivery.event,
        0,
        person_id=person_id,
        kind=kind,
        summary=summary,
        occurred_at=occurred_at,
        detail=detail,
        link_keys=keys,
    )
    await add_facts(uow, [fact])
    if person_id is None:
        log.info(
            "fact kept unlinked",
            extra={"event_id": delivery.event.id, "kind": kind, "tenant": uow.tenant},
        )


async def episode_opened(delivery: Delivery, uow: UnitOfWork) -> None:
    """Early help opened an episode (the front door sees ids, team and role only)."""
    event, data = delivery.event, delivery.event.data
    episode_id = str(data["episode_id"])
    await _linked_fact(
        delivery,
        uow,
        kind=FactKind.EPISODE_OPENED,
        summary=f"Early help episode opened; team {data.get('team')}, "
        f"lead professional: {data.get('lead_professional_role')}.",
        occurred_at=_dt(data.get("opened_at")),
        keys=[
            ref_key(Agency.EARLY_HELP, episode_id),
            person_key(Agency.EARLY_HELP, event.subject),
            *([ref_key(Agency.HUB, str(data["referral_id"]))] if data.get("referral_id") else []),
        ],
        detail={
            "episode_id": episode_id,
            "referral_id": data.get("referral_id"),
            "team": data.get("team"),
            "lead_professional_role": data.get("lead_professional_role"),
            "opened_at": data.get("opened_at"),
        },
    )


async def episode_closed(delivery: Delivery, uow: UnitOfWork) -> None:
    """Early help closed an episode."""
    event, data = delivery.event, delivery.event.data
    episode_id = str(data["episode_id"])
    await _linked_fact(
        delivery,
        uow,
        kind=FactKind.EPISODE_CLOSED,
        summary=f"Early help episode closed ({data.get('closure_reason')}).",
        occurred_at=_dt(data.get("closed_at")),
        keys=[
            ref_key(Agency.EARLY_HELP, episode_id),
            person_key(Agency.EARLY_HELP, event.subject),
        ],
        detail={
            "episode_id": episode_id,
            "closure_reason": data.get("closure_reason"),
            "closed_at": data.get("closed_at"),
        },
    )


async def step_up_requested(delivery: Delivery, uow: UnitOfWork) -> None:
    """Early help asked social care to take the case (ids and need only)."""
    event, data = delivery.event, delivery.event.data
    await _linked_fact(
        delivery,
        uow,
        kind=FactKind.STEP_UP,
        summary=f"Step-up to social care requested (primary need {data.get('primary_need')}).",
        occurred_at=_dt(data.get("requested_at")),
        keys=[
            ref_key(Agency.EARLY_HELP, str(data.get("episode_id"))),
            person_key(Agency.EARLY_HELP, event.subject),
        ],
        detail={
            "request_id": data.get("request_id"),
            "episode_id": data.get("episode_id"),
            "primary_need": data.get("primary_need"),
        },
    )


async def step_down_requested(delivery: Delivery, uow: UnitOfWork) -> None:
    """Social care asked early help to continue support (ids only)."""
    event, data = delivery.event, delivery.event.data
    await _linked_fact(
        delivery,
        uow,
        kind=FactKind.STEP_DOWN,
        summary="Step-down to early help requested.",
        occurred_at=_dt(data.get("requested_at")),
        keys=[
            ref_key(Agency.SOCIAL_CARE, str(data.get("case_id"))),
            person_key(Agency.SOCIAL_CARE, event.subject),
        ],
        detail={"request_id": data.get("request_id"), "case_id": data.get("case_id")},
    )


async def operation_encompass_notified(delivery: Delivery, uow: UnitOfWork) -> None:
    """Police notified a school (or the LA) of a domestic abuse incident."""
    event = delivery.event
    notice = OperationEncompassNotified.model_validate(event.data)
    present = "present" if notice.child_present else "not present"
    await _linked_fact(
        delivery,
        uow,
        kind=FactKind.OPERATION_ENCOMPASS,
        summary=f"Operation Encompass: domestic abuse incident at {notice.incident_place}; "
        f"child {present}.",
        occurred_at=notice.incident_at,
        keys=[person_key(Agency.POLICE, event.subject)],
        detail={
            "notification_id": notice.notification_id,
            "police_reference": notice.police_reference,
            "child_present": notice.child_present,
            "child_said": notice.child_said,
            "school_urn": notice.school_urn,
            "local_authority_code": notice.local_authority_code,
        },
    )


async def record_accessed(delivery: Delivery, uow: UnitOfWork) -> None:
    """An unscheduled-care setting viewed the child's flag (CP-IS style)."""
    access = RecordAccessed.model_validate(delivery.event.data)
    await _linked_fact(
        delivery,
        uow,
        kind=FactKind.RECORD_ACCESSED,
        summary=f"{access.organisation_name} ({access.care_setting.value}) viewed the "
        f"{access.status_kind.value} flag.",
        occurred_at=access.accessed_at,
        keys=[person_key(Agency.HEALTH, access.child_nhs_number)],
        nhs_number=access.child_nhs_number,
        detail={
            "access_id": access.access_id,
            "status_kind": access.status_kind.value,
            "care_setting": access.care_setting.value,
            "organisation_name": access.organisation_name,
            "ods_code": access.ods_code,
        },
    )


# -- consent and purge ------------------------------------------------------------------
def consent_recorded_handler() -> BatchEventHandler:
    """Each consent as a fact for the sharing panel (after the bus's own consent
    bookkeeping, which ``bootstrap.configure`` runs first)."""

    async def handle(batch: Sequence[Delivery], uow: UnitOfWork) -> None:
        for delivery in batch:
            event = delivery.event
            consent = ConsentRecorded.model_validate(event.data)
            agency = _agency(event)
            keys = [] if agency == Agency.HUB else [person_key(agency, event.subject)]
            person_id = await find_person(
                uow,
                keys=keys,
                person_id=event.subject if agency == Agency.HUB else None,
                nhs_number=event.subject if agency == Agency.HEALTH else None,
            )
            fact = _fact(
                event,
                0,
                person_id=person_id,
                kind=FactKind.CONSENT,
                summary=f"Consent {consent.consent_id} recorded ({consent.method.value}).",
                occurred_at=consent.given_at,
                link_keys=keys,
                detail={
                    "consent_id": consent.consent_id,
                    "scope": consent.scope.model_dump(mode="json"),
                    "given_by": consent.given_by.model_dump(mode="json", exclude_none=True),
                    "method": consent.method.value,
                    "given_at": consent.given_at,
                    "expires_at": consent.expires_at,
                    "withdrawn_at": None,
                },
            )
            await add_facts(uow, [fact])

    return handle


async def consent_withdrawn(consent_id: str, event_ids: list[str], uow: UnitOfWork) -> None:
    """Remove what arrived under ``consent_id`` (an ``on_consent_withdrawn`` hook).

    Facts whose basis is that consent become tombstones; the contacts and
    answers those events made lose their copies of the data. Facts held on
    another basis stay.
    """
    at = await uow.consents.withdrawn_at(consent_id) or datetime.now(UTC)
    await uow.facts.mark_consent_withdrawn(consent_id, at)
    removed = await uow.facts.remove(event_ids, consent_id, CONSENT_WITHDRAWN, at)
    copies = await _remove_copies(uow, event_ids, CONSENT_WITHDRAWN, at)
    log.info(
        "consent withdrawn: facts removed",
        extra={"consent_id": consent_id, "facts": removed, "copies": copies, "tenant": uow.tenant},
    )


async def record_purged(delivery: Delivery, uow: UnitOfWork) -> None:
    """A producer purged records: remove the facts (and copies) of the events it names."""
    purge = RecordPurged.model_validate(delivery.event.data)
    reason = f"record purged ({purge.reason.value})"
    event_ids = list(purge.event_ids)
    if not event_ids and not purge.consent_id:
        return
    removed = await uow.facts.remove(event_ids, purge.consent_id, reason, purge.purged_at)
    copies = await _remove_copies(uow, event_ids, reason, purge.purged_at)
    log.info(
        "record purged: facts removed",
        extra={
            "purge_id": purge.purge_id,
            "facts": removed,
            "copies": copies,
            "tenant": uow.tenant,
        },
    )


async def _remove_copies(
    uow: UnitOfWork, event_ids: Sequence[str], reason: str, at: datetime
) -> int:
    """Take the data of ``event_ids`` out of the contacts and answers they made.

    A contact keeps its ids, clocks, status and decision (the hub's own
    record) and the child's identifiers it was linked and routed by; the
    concern as stated and the household go.
    """
    if not event_ids:
        return 0
    redaction = Redaction(reason, at)
    contacts = await uow.contacts.redact(event_ids, redaction)
    answers = await uow.enquiries.redact_answers(event_ids, redaction.note)
    return contacts + answers


HANDLERS: dict[str, EventHandler] = {
    SocialCareStatusChanged.event_name: social_care_status_changed,
    EarlyHelpEpisodeOpened.event_name: episode_opened,
    EarlyHelpEpisodeClosed.event_name: episode_closed,
    StepUpRequested.event_name: step_up_requested,
    StepDownRequested.event_name: step_down_requested,
    OperationEncompassNotified.event_name: operation_encompass_notified,
    RecordAccessed.event_name: record_accessed,
    RecordPurged.event_name: record_purged,
}
"""The view's own subscriptions (composed with the others in ``bootstrap.configure``)."""
