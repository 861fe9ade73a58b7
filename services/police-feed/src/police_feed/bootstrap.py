"""Wiring of the police-feed service: settings, clients, routes, subscribers, breach watch."""

from functools import partial

from fastapi import FastAPI
from hub_agency.enquiries import EnquiryAnswering
from hub_agency.inbox import INBOX, inbox_router, keep_in_inbox
from hub_agency.ingest import RecordIngest
from hub_contracts.events import (
    ContactDecided,
    ContactReceived,
    OperationEncompassAcknowledged,
    StrategyDiscussionRequested,
)
from hub_service.app import ServiceRuntime, create_service_app
from hub_service.clock import Clock, SystemClock
from hub_service.reference import reference_router
from hub_service.settings import ServiceSettings

from police_feed.adapters import mongo
from police_feed.entrypoints.http import notifications_router
from police_feed.service_layer.encompass import OverdueWatch, handle_acknowledgement
from police_feed.service_layer.enquiries import ANSWERED_BY_ROLE, search_incidents
from police_feed.service_layer.incidents import RECORD_KINDS

SERVICE = "police-feed"
OVERDUE_INTERVAL_S = 60.0
"""How often the Operation Encompass breach watch looks for overdue notifications."""


def build_app(
    settings: ServiceSettings | None = None,
    *,
    clock: Clock | None = None,
    overdue_interval_s: float = OVERDUE_INTERVAL_S,
) -> FastAPI:
    """Build the police-feed app; the broker and clients are made here, not at import.

    ``clock`` and ``overdue_interval_s`` drive the Operation Encompass breach
    watch (the system clock, every minute, unless a test says otherwise).
    """
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Police feed",
        configure=partial(
            configure, clock=clock or SystemClock(), overdue_interval_s=overdue_interval_s
        ),
    )


def configure(
    runtime: ServiceRuntime, app: FastAPI, *, clock: Clock, overdue_interval_s: float
) -> None:
    """Attach police-feed's routes, subscribers and breach watch to the runtime."""
    ingest = RecordIngest(runtime, RECORD_KINDS)
    answering = EnquiryAnswering(runtime, search_incidents, ANSWERED_BY_ROLE)
    watch = OverdueWatch(runtime, clock, overdue_interval_s)
    app.state.encompass_watch = watch
    runtime.prepare_each_database(mongo.ensure_indexes)
    runtime.background.append(watch.run)

    app.include_router(ingest.router())
    app.include_router(answering.router())
    app.include_router(inbox_router(runtime))
    app.include_router(notifications_router(runtime))
    app.include_router(
        reference_router(
            {
                "policing-areas": "policing_areas",
                "schools": mongo.SCHOOLS,
                "local-authority": mongo.LOCAL_AUTHORITY,
            }
        )
    )
    ingest.subscribe()
    runtime.consume(
        handlers={
            OperationEncompassAcknowledged.event_name: handle_acknowledgement,
            ContactReceived.event_name: keep_in_inbox,
            ContactDecided.event_name: keep_in_inbox,
            StrategyDiscussionRequested.event_name: keep_in_inbox,
            **answering.handlers,
        },
        collections=[*answering.collections, INBOX, *mongo.COLLECTIONS],
    )
