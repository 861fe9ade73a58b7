"""Wiring of the health-feed service: settings, clients, routes and subscribers."""

from functools import partial

from fastapi import FastAPI
from hub_agency.enquiries import EnquiryAnswering
from hub_agency.inbox import inbox_router, keep_in_inbox
from hub_agency.ingest import RecordIngest
from hub_contracts.events import (
    ContactDecided,
    ContactReceived,
    SocialCareStatusChanged,
    StrategyDiscussionRequested,
)
from hub_service.app import ServiceRuntime, create_service_app
from hub_service.clock import Clock, SystemClock
from hub_service.reference import reference_router
from hub_service.settings import ServiceSettings

from health_feed.adapters import mongo
from health_feed.entrypoints.http import cp_is_router, fhir_router
from health_feed.service_layer.attendances import RECORD_KINDS
from health_feed.service_layer.cp_is import on_status_changed
from health_feed.service_layer.enquiries import ANSWERED_BY_ROLE, search_attendances

SERVICE = "health-feed"


def build_app(settings: ServiceSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the health-feed app; the broker and clients are made here, not at import.

    ``clock`` decides what "the last 12 months" of CP-IS flags means (tests fix it).
    """
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Health feed",
        configure=partial(configure, clock=clock or SystemClock()),
    )


def configure(runtime: ServiceRuntime, app: FastAPI, *, clock: Clock) -> None:
    """Attach health-feed's routes and subscribers to the runtime."""
    ingest = RecordIngest(runtime, RECORD_KINDS)
    answering = EnquiryAnswering(runtime, search_attendances, ANSWERED_BY_ROLE)
    runtime.prepare_each_database(mongo.ensure_indexes)

    app.include_router(reference_router({"care-settings": "care_settings"}))
    app.include_router(ingest.router())
    app.include_router(fhir_router(ingest))
    app.include_router(answering.router())
    app.include_router(inbox_router(runtime))
    app.include_router(cp_is_router(runtime, clock))
    ingest.subscribe()
    runtime.consume(
        handlers={
            **answering.handlers,
            SocialCareStatusChanged.event_name: on_status_changed,
            ContactReceived.event_name: keep_in_inbox,
            ContactDecided.event_name: keep_in_inbox,
            StrategyDiscussionRequested.event_name: keep_in_inbox,
        },
        collections=[*answering.collections, *mongo.COLLECTIONS],
    )
