"""Wiring of the social-care service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_agency.enquiries import EnquiryAnswering
from hub_agency.inbox import INBOX, inbox_router
from hub_agency.ingest import RecordIngest
from hub_agency.people import CHILDREN
from hub_service.app import ServiceRuntime, create_service_app
from hub_service.reference import reference_router
from hub_service.settings import ServiceSettings

from social_care.adapters import mongo
from social_care.entrypoints.http import read_router
from social_care.service_layer.enquiries import ANSWERED_BY_ROLE, search
from social_care.service_layer.received import HANDLERS
from social_care.service_layer.records import RECORD_KINDS

SERVICE = "social-care"


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the social-care app; the broker and clients are made here, not at import."""
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Children's social care",
        configure=configure,
    )


def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Attach social-care's routes and subscribers to the runtime."""
    ingest = RecordIngest(runtime, RECORD_KINDS)
    answering = EnquiryAnswering(runtime, search, ANSWERED_BY_ROLE)
    runtime.prepare_each_database(mongo.ensure_indexes)

    app.include_router(reference_router({"authority-contacts": mongo.AUTHORITY_CONTACTS}))
    app.include_router(ingest.router())
    app.include_router(answering.router())
    app.include_router(inbox_router(runtime))
    app.include_router(read_router(runtime))
    ingest.subscribe()
    runtime.consume(
        handlers={**HANDLERS, **answering.handlers},
        collections=[*mongo.COLLECTIONS, *answering.collections, CHILDREN, INBOX],
    )
