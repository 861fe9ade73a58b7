"""Contacts from agencies' concerns: the start of every journey at the hub."""

from __future__ import annotations

import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub_contracts.envelope import CloudEvent
from hub_contracts.events import ChildConcernRaisedV2, ContactReceived
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_messaging.consumer import BatchHandler, Delivery, HandlerContext, delivery_span
from hub_messaging.outbox import current_trace_context
from hub_service.app import ServiceRuntime
from hub_service.clock import Clock
from hub_service.telemetry import continue_trace
from opentelemetry import trace

from front_door.adapters.persons import link_children
from front_door.domain.contacts import ContactStatus, ScreeningWindows, decide_by, screen_by
from front_door.service_layer.persons import (
    DEFAULT_LIMITS,
    CandidateLimits,
    suggest_candidates_for,
)

CONTACTS = "contacts"
SETTINGS = "tenant_settings"
SERVICE = "front-door"
FEEDBACK_BASIS = SharingBasis(
    lawful_basis=LawfulBasis.PUBLIC_TASK, purpose=Purpose.OUTCOME_FEEDBACK
)
Document = dict[str, Any]


async def screening_windows(ctx_db: Any, session: Any = None) -> ScreeningWindows:
    doc = await ctx_db[SETTINGS].find_one({"_id": "screening"}, session=session)
    return ScreeningWindows.from_settings(doc)


@asynccontextmanager
async def in_journey(
    runtime: ServiceRuntime, tenant: str, contact_id: str, step: str
) -> AsyncIterator[None]:
    """Run a person's step on a contact (a new HTTP request) inside the contact's trace."""
    found = await runtime.database(tenant)[CONTACTS].find_one(
        {"_id": contact_id}, {"trace_context": 1}
    )
    stored = found.get("trace_context") if found else None
    origin = {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else None
    attributes = {"hub.tenant": tenant, "hub.contact_id": contact_id}
    with continue_trace(runtime.tracer_provider, step, origin, attributes):
        yield


@dataclass(frozen=True)
class NewContact:
    """A contact intake made from one delivery, as stored."""

    delivery: Delivery
    concern: ChildConcernRaisedV2
    contact: Document


ContactsMade = Callable[[Sequence[NewContact], HandlerContext], Awaitable[None]]
"""Called in the same transaction with the contacts a run of concerns made (the view's facts)."""


class WritesPerTransaction:
    """Candidate writes made so far in each open transaction.

    The consumer makes one ``HandlerContext`` per transaction (and per attempt of
    it) and hands it to each run of the batch, so the context is the transaction:
    a batch whose concerns come in several runs shares one cap. An entry goes with
    its context.
    """

    def __init__(self) -> None:
        self._written: dict[int, tuple[weakref.ref[HandlerContext], int]] = {}

    def __call__(self, ctx: HandlerContext) -> int:
        entry = self._written.get(id(ctx))
        return entry[1] if entry is not None and entry[0]() is ctx else 0

    def add(self, ctx: HandlerContext, count: int) -> None:
        key, total = id(ctx), self(ctx) + count
        self._written[key] = (weakref.ref(ctx, lambda _: self._written.pop(key, None)), total)


def _trace_context(span: trace.Span, delivery: Delivery) -> dict[str, str]:
    """The W3C context to store with the contact and stamp on what it publishes."""
    if span.get_span_context().is_valid:
        return current_trace_context(span)
    event = delivery.event
    return {"traceparent": event.traceparent} if event.traceparent else {}


def concerns_handler(
    clock: Clock,
    tracer_provider: trace.TracerProvider | None = None,
    on_contacts: Sequence[ContactsMade] = (),
    limits: CandidateLimits = DEFAULT_LIMITS,
) -> BatchHandler:
    """Handles a run of ``child-concern-raised`` (v1 upcast to v2): a contact for each,
    linked to a person, with ``contact-received`` in the outbox.

    The run is handled as its concerns would be one by one (two concerns about a
    new child make one person), in a handful of round trips whatever its length:
    the screening windows once, the person index with ``link_children``, the
    candidates of new persons with ``suggest_candidates_for``, one
    ``insert_many`` of contacts and one outbox write. Each concern has its own
    span, whose context the contact keeps and its event carries.

    ``limits`` bound the candidates: at most ``per_person`` per new person, and at
    most ``per_transaction`` written by all the runs of one transaction.
    """
    written = WritesPerTransaction()
    tracer = trace.get_tracer("front_door.intake", tracer_provider=tracer_provider)
    decide_by(clock.now(), ScreeningWindows())  # loads the bank holidays now, not on a concern

    async def handle(batch: Sequence[Delivery], ctx: HandlerContext) -> None:
        # a span per concern, as a per-delivery handler would have it (ADR 0008): a child
        # of the span that published it, linked to the run's; the contact's journey
        # continues from it
        spans = [delivery_span(tracer, d, SERVICE) for d in batch]
        try:
            concerns = [ChildConcernRaisedV2.model_validate(d.event.data) for d in batch]
            received = [clock.now() for _ in batch]
            windows = await screening_windows(ctx.db, ctx.session)
            links = await link_children(
                ctx.db, ctx.session, [(c.child, c.agency_reference.agency) for c in concerns]
            )
            if links.created:  # potential duplicates for a hub person to review
                suggested = await suggest_candidates_for(
                    ctx.db,
                    ctx.session,
                    links.created,
                    links.nhs_stated_at,
                    received,
                    limits,
                    written_before=written(ctx),
                )
                written.add(ctx, suggested.written)
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
                events.append(_contact_received(ctx.tenant, contact, concern, trace_context))
            await ctx.db[CONTACTS].insert_many([m.contact for m in made], session=ctx.session)
            await ctx.outbox.add(ctx.db, ctx.session, events)
            for hook in on_contacts:
                await hook(made, ctx)
        finally:
            for span in spans:
                span.end()

    return handle


def _contact(
    delivery: Delivery,
    concern: ChildConcernRaisedV2,
    received_at: datetime,
    windows: ScreeningWindows,
    person_id: str,
    linked_by: str,
    trace_context: dict[str, str],
) -> Document:
    rating = concern.rag_rating
    return {
        "_id": f"CT-{uuid.uuid4().hex[:12]}",
        "status": ContactStatus.AWAITING_SCREENING.value,
        "received_at": received_at,
        "person_id": person_id,
        "linked_by": linked_by,
        "referral_source": concern.referral_source.value,
        "origin_agency": concern.agency_reference.agency.value,
        "origin_reference": concern.agency_reference.reference,
        "origin_event_id": delivery.event.id,
        "origin_sharing": delivery.event.sharing.model_dump(mode="json", exclude_none=True),
        "rag_rating_as_received": rating.value if rating else None,
        "rag_rating": None,
        "concern_summary": concern.concern_summary,
        "occurred_at": concern.occurred_at,
        "child": concern.child.model_dump(mode="json"),
        "household": [m.model_dump(mode="json") for m in concern.household],
        "screen_by": screen_by(received_at, rating, windows) if rating else None,
        "decide_by": decide_by(received_at, windows),
        # the journey's trace: rating and deciding continue it (ADR 0008)
        "trace_context": trace_context,
    }


def _contact_received(
    tenant: str, contact: Document, concern: ChildConcernRaisedV2, trace_context: dict[str, str]
) -> CloudEvent:
    received = ContactReceived(
        contact_id=contact["_id"],
        received_at=contact["received_at"],
        referral_source=concern.referral_source,
        origin_agency=concern.agency_reference.agency,
        origin_event_id=contact["origin_event_id"],
        rag_rating_as_received=concern.rag_rating,
        concern_summary=concern.concern_summary,
        child=concern.child,
    )
    event = CloudEvent.new(
        tenant=tenant,
        producer=SERVICE,
        subject=contact["person_id"],
        payload=received,
        sharing=FEEDBACK_BASIS,
        time=contact["received_at"],
    )
    if "traceparent" not in trace_context:
        return event
    return event.model_copy(
        update={
            "traceparent": trace_context["traceparent"],
            "tracestate": trace_context.get("tracestate"),
        }
    )
