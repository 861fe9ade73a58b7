"""Wiring of the front-door service: settings, clients, routes, subscribers and deadline watch."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from fastapi import FastAPI
from hub_contracts.events import ChildConcernRaisedV2, ConsentRecorded, EnquiryAnswered
from hub_messaging.consent import consent_handlers
from hub_messaging.consumer import BatchHandler, Delivery, HandlerContext
from hub_service import ServiceRuntime, ServiceSettings, create_service_app
from hub_service.app import Database
from hub_service.clock import Clock, SystemClock
from hub_service.reference import reference_router

from front_door.adapters.candidates import CANDIDATES, ensure_candidate_indexes
from front_door.adapters.contacts import CONTACTS, DECISIONS, ensure_contact_indexes
from front_door.adapters.enquiries import ENQUIRIES, UNMATCHED, ensure_enquiry_indexes
from front_door.adapters.facts import FACTS, ensure_fact_indexes
from front_door.adapters.persons import PERSONS, ensure_person_indexes
from front_door.adapters.records import IDENTITY_AUDIT, RECORD_VIEWS, ensure_record_indexes
from front_door.adapters.unit_of_work import (
    MongoUnitOfWorkFactory,
    on_batch,
    on_delivery,
    on_withdrawal,
)
from front_door.entrypoints.contacts import contacts_router
from front_door.entrypoints.enquiry_status import enquiry_status_router
from front_door.entrypoints.persons import persons_router
from front_door.entrypoints.sharing import sharing_router
from front_door.entrypoints.view import view_router
from front_door.service_layer import view
from front_door.service_layer.answers import enquiry_answered_handler
from front_door.service_layer.deadlines import CHECK_INTERVAL_S as DEADLINE_CHECK_S
from front_door.service_layer.deadlines import DeadlineWatch
from front_door.service_layer.intake import concern_intake
from front_door.service_layer.persons import CandidateLimits
from front_door.settings import FrontDoorSettings

SERVICE = "front-door"


def build_app(
    settings: ServiceSettings | None = None,
    clock: Clock | None = None,
    deadline_check_s: float | None = DEADLINE_CHECK_S,
    front_door_settings: FrontDoorSettings | None = None,
) -> FastAPI:
    """Build the front-door app; the broker and clients are made here, not at import.

    ``clock`` is the time every statutory clock reads (tests pass a ``FixedClock``);
    ``deadline_check_s`` is how often breaches are looked for (None: only on demand);
    ``front_door_settings`` are the front door's own (from the environment if None).
    """
    own = front_door_settings or FrontDoorSettings()
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Children's Hub front door",
        configure=partial(
            configure,
            clock=clock or SystemClock(),
            deadline_check_s=deadline_check_s,
            limits=own.candidate_limits,
        ),
    )


async def _indexes(db: Database) -> None:
    """Every collection's indexes (idempotent: at every start)."""
    await ensure_person_indexes(db)
    await ensure_candidate_indexes(db)
    await ensure_fact_indexes(db)
    await ensure_contact_indexes(db)
    await ensure_enquiry_indexes(db)
    await ensure_record_indexes(db)


def _after(first: BatchHandler, then: BatchHandler) -> BatchHandler:
    """``first``, then ``then``, on the same batch in the same transaction."""

    async def handle(batch: Sequence[Delivery], ctx: HandlerContext) -> None:
        await first(batch, ctx)
        await then(batch, ctx)

    return handle


def configure(
    runtime: ServiceRuntime,
    app: FastAPI,
    *,
    clock: Clock,
    deadline_check_s: float | None,
    limits: CandidateLimits,
) -> None:
    """Attach the front door's routes, subscribers and deadline watch to the runtime.

    Each capability keeps its routes in its own ``entrypoints`` module and its event
    handlers in its ``service_layer`` module; this only composes them, on the MongoDB
    units of work, with one ``runtime.consume`` call for the service.
    """
    uows = MongoUnitOfWorkFactory(runtime)
    app.include_router(reference_router({"settings": "tenant_settings"}))
    intake = concern_intake(
        clock, runtime.tracer_provider, on_contacts=[view.record_concern_facts], limits=limits
    )
    app.include_router(contacts_router(uows, clock, runtime.tracer_provider, intake))
    app.include_router(persons_router(uows, clock))
    app.include_router(view_router(uows, clock))
    app.include_router(sharing_router(uows, clock))
    app.include_router(enquiry_status_router(uows, clock))
    handlers = {
        EnquiryAnswered.event_name: view.recording_answer_facts(enquiry_answered_handler(clock)),
        **view.HANDLERS,
    }
    # the bus's own consent bookkeeping, then each consent as a fact of the view
    keep_consents = consent_handlers(())[ConsentRecorded.event_name]
    collections = [CONTACTS, ENQUIRIES, PERSONS, UNMATCHED, RECORD_VIEWS, DECISIONS]
    collections += [CANDIDATES, IDENTITY_AUDIT]
    collections += [FACTS]
    runtime.consume(
        handlers={name: on_delivery(handler) for name, handler in handlers.items()},
        batch_handlers={
            ChildConcernRaisedV2.event_name: on_batch(intake),
            ConsentRecorded.event_name: _after(
                keep_consents, on_batch(view.consent_recorded_handler())
            ),
        },
        collections=collections,
        on_consent_withdrawn=[on_withdrawal(view.consent_withdrawn)],
    )

    runtime.prepare_each_database(_indexes)
    watch = DeadlineWatch(uows, clock, runtime.registry, runtime.settings.tenants)
    if deadline_check_s is not None:
        runtime.background.append(lambda: watch.run(deadline_check_s))
    app.state.deadline_watch = watch
