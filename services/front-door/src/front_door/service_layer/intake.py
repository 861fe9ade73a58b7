"""Contacts from agencies' concerns: the start of every journey at the hub."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from hub_contracts.envelope import CloudEvent
from hub_contracts.events import ChildConcernRaisedV2, ContactReceived
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.consumer import BatchHandler, Delivery, delivery_span
from hub_messaging.outbox import current_trace_context
from hub_service.clock import Clock
from hub_service.telemetry import continue_trace
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from front_door.adapters.contacts import CONTACTS as CONTACTS
from front_door.domain.contacts import (
    Contact,
    ContactStatus,
    ScreeningWindows,
    decide_by,
    screen_by,
)
from front_door.domain.persons import LinkedBy
from front_door.service_layer.linking import link_children
from front_door.service_layer.persons import (
    DEFAULT_LIMITS,
    CandidateLimits,
    suggest_candidates_for,
)
from front_door.service_layer.unit_of_work import (
    BatchEventHandler,
    UnitOfWork,
    UnitOfWorkFactory,
)

SERVICE = "front-door"
FEEDBACK_BASIS = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.OUTCOME_FEEDBACK
)


@asynccontextmanager
async def in_journey(
    uows: UnitOfWorkFactory,
    tracer_provider: TracerProvider,
    tenant: str,
    contact_id: str,
    step: str,
) -> AsyncIterator[None]:
    """Run a person's step on a contact (a new HTTP request) inside the contact's trace."""
    found = await uows.reading(tenant).contacts.get(contact_id)
    origin = dict(found.trace_context) if found and found.trace_context else None
    attributes = {"hub.tenant": tenant, "hub.contact_id": contact_id}
    with continue_trace(tracer_provider, step, origin, attributes):
        yield


@dataclass(frozen=True)
class NewContact:
    """A contact intake made from one delivery."""

    delivery: Delivery
    concern: ChildConcernRaisedV2
    contact: Contact


ContactsMade = Callable[[Sequence[NewContact], UnitOfWork], Awaitable[None]]
"""Called in the same transaction with the contacts a run of concerns made (the view's facts)."""


def _trace_context(span: trace.Span, delivery: Delivery) -> dict[str, str]:
    """The W3C context to store with the contact and stamp on what it publishes."""
    if span.get_span_context().is_valid:
        return current_trace_context(span)
    event = delivery.event
    return {"traceparent": event.traceparent} if event.traceparent else {}


def concern_intake(
    clock: Clock,
    tracer_provider: trace.TracerProvider | None = None,
    on_contacts: Sequence[ContactsMade] = (),
    limits: CandidateLimits = DEFAULT_LIMITS,
) -> BatchEventHandler:
    """Handles a run of ``child-concern-raised`` (v1 upcast to v2) in a unit of work: a
    contact for each, linked to a person, with ``contact-received`` in the outbox.

    The run is handled as its concerns would be one by one (two concerns about a
    new child make one person), in a handful of round trips whatever its length:
    the screening windows once, the person index with ``link_children``, the
    candidates of new persons with ``suggest_candidates_for``, one
    ``add_many`` of contacts and one outbox write. Each concern has its own
    span, whose context the contact keeps and its event carries.

    ``limits`` bound the candidates: at most ``per_person`` per new person, and at
    most ``per_transaction`` written by all the runs of one unit of work.
    """
    tracer = trace.get_tracer("front_door.intake", tracer_provider=tracer_provider)
    decide_by(clock.now(), ScreeningWindows())  # loads the bank holidays now, not on a concern

    async def handle(batch: Sequence[Delivery], uow: UnitOfWork) -> None:
        # a span per concern, as a per-delivery handler would have it (ADR 0008): a child
        # of the span that published it, linked to the run's; the contact's journey
        # continues from it
        spans = [delivery_span(tracer, d, SERVICE) for d in batch]
        try:
            concerns = [ChildConcernRaisedV2.model_validate(d.event.data) for d in batch]
            received = [clock.now() for _ in batch]
            windows = await uow.settings.screening_windows()
            links = await link_children(
                uow, [(c.child, c.agency_reference.agency) for c in concerns]
            )
            if links.created:  # potential duplicates for a hub person to review
                suggested = await suggest_candidates_for(
                    uow,
                    links.created,
                    links.nhs_stated_at,
                    received,
                    limits,
                    written_before=uow.candidate_writes,
                )
                uow.candidate_writes += suggested.written
            made: list[NewContact] = []
            events: list[CloudEvent] = []
            for i, (delivery, concern) in enumerate(zip(batch, concerns, strict=True)):
                trace_context = _trace_context(spans[i], delivery)
                contact = _contact(
                    delivery,
                    concern,
                    received[i],
                    windows,
                    links.person_ids[i],
                    links.linked_by[i],
                    trace_context,
                )
                made.append(NewContact(delivery, concern, contact))
                events.append(_contact_received(uow.tenant, contact, concern))
            await uow.contacts.add_many([m.contact for m in made])
            await uow.publish(events)
            for hook in on_contacts:
                await hook(made, uow)
        finally:
            for span in spans:
                span.end()

    return handle


def concerns_handler(
    clock: Clock,
    tracer_provider: trace.TracerProvider | None = None,
    on_contacts: Sequence[ContactsMade] = (),
    limits: CandidateLimits = DEFAULT_LIMITS,
) -> BatchHandler:
    """``concern_intake`` as the consumer's batch handler (``runtime.consume(batch_handlers=
    ...)``), in the consumer's transaction: the runs of one transaction share its cap."""
    from front_door.adapters.unit_of_work import on_batch

    return on_batch(concern_intake(clock, tracer_provider, on_contacts, limits))


def _contact(
    delivery: Delivery,
    concern: ChildConcernRaisedV2,
    received_at: datetime,
    windows: ScreeningWindows,
    person_id: str,
    linked_by: LinkedBy,
    trace_context: dict[str, str],
) -> Contact:
    rating = concern.rag_rating
    return Contact(
        contact_id=f"CT-{uuid.uuid4().hex[:12]}",
        status=ContactStatus.AWAITING_SCREENING,
        received_at=received_at,
        person_id=person_id,
        linked_by=linked_by,
        referral_source=concern.referral_source,
        origin_agency=concern.agency_reference.agency,
        origin_reference=concern.agency_reference.reference,
        origin_event_id=delivery.event.id,
        origin_sharing=delivery.event.sharing,
        rag_rating_as_received=rating,
        concern_summary=concern.concern_summary,
        occurred_at=concern.occurred_at,
        child=concern.child,
        household=concern.household,
        screen_by=screen_by(received_at, rating, windows) if rating else None,
        decide_by=decide_by(received_at, windows),
        # the journey's trace: rating and deciding continue it (ADR 0008)
        trace_context=trace_context,
    )


def _contact_received(tenant: str, contact: Contact, concern: ChildConcernRaisedV2) -> CloudEvent:
    received = ContactReceived(
        contact_id=contact.contact_id,
        received_at=contact.received_at,
        referral_source=concern.referral_source,
        origin_agency=concern.agency_reference.agency,
        origin_event_id=contact.origin_event_id,
        rag_rating_as_received=concern.rag_rating,
        concern_summary=concern.concern_summary,
        child=concern.child,
    )
    event = CloudEvent.new(
        tenant=tenant,
        producer=SERVICE,
        subject=contact.person_id,
        payload=received,
        sharing=FEEDBACK_BASIS,
        time=contact.received_at,
    )
    trace_context = contact.trace_context
    if "traceparent" not in trace_context:
        return event
    return event.model_copy(
        update={
            "traceparent": trace_context["traceparent"],
            "tracestate": trace_context.get("tracestate"),
        }
    )
