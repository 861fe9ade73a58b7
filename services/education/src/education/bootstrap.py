"""Wiring of the education service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_agency.enquiries import EnquiryAnswering
from hub_agency.inbox import INBOX, inbox_router, keep_in_inbox
from hub_agency.ingest import RecordIngest
from hub_agency.people import CHILDREN
from hub_contracts.events import (
    ContactDecided,
    ContactReceived,
    OperationEncompassNotified,
    OperationEncompassOverdue,
)
from hub_service.app import ServiceRuntime, create_service_app
from hub_service.reference import reference_router
from hub_service.settings import ServiceSettings

from education.adapters import mongo
from education.entrypoints.http import encompass_router
from education.service_layer.encompass import on_notified, on_overdue
from education.service_layer.enquiries import ANSWERED_BY_ROLE, search
from education.service_layer.records import RECORD_KINDS

SERVICE = "education"


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the education app; the broker and clients are made here, not at import."""
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Education and SEND",
        configure=configure,
    )


def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Attach education's routes and subscribers to the runtime."""
    ingest = RecordIngest(runtime, RECORD_KINDS)
    answering = EnquiryAnswering(runtime, search, ANSWERED_BY_ROLE)
    runtime.prepare_each_database(mongo.ensure_indexes)

    app.include_router(reference_router({"schools": mongo.SCHOOLS}))
    app.include_router(ingest.router())
    app.include_router(encompass_router(runtime))
    app.include_router(answering.router())
    app.include_router(inbox_router(runtime))
    ingest.subscribe()
    runtime.consume(
        handlers={
            **answering.handlers,
            OperationEncompassNotified.event_name: on_notified,
            OperationEncompassOverdue.event_name: on_overdue,
            ContactReceived.event_name: keep_in_inbox,
            ContactDecided.event_name: keep_in_inbox,
        },
        collections=[
            *answering.collections,
            CHILDREN,
            INBOX,
            mongo.NOTIFICATIONS,
            mongo.OVERDUE_NOTICES,
        ],
    )
