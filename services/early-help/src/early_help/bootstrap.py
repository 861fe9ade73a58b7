"""Wiring of the early-help service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_agency.enquiries import EnquiryAnswering
from hub_agency.inbox import INBOX, inbox_router
from hub_agency.ingest import RecordIngest
from hub_agency.people import CHILDREN
from hub_service.app import ServiceRuntime, create_service_app
from hub_service.reference import reference_router
from hub_service.settings import ServiceSettings

from early_help.adapters import mongo
from early_help.entrypoints.http import casework_router
from early_help.service_layer import inbound
from early_help.service_layer.enquiries import ANSWERED_BY_ROLE, search_episodes
from early_help.service_layer.records import EPISODES, RECORD_KINDS

SERVICE = "early-help"


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the early-help app; the broker and clients are made here, not at import."""
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Early help",
        configure=configure,
    )


def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Attach early-help's routes and subscribers to the runtime."""
    ingest = RecordIngest(runtime, RECORD_KINDS)
    answering = EnquiryAnswering(runtime, search_episodes, ANSWERED_BY_ROLE)
    runtime.prepare_each_database(mongo.ensure_indexes)

    app.include_router(reference_router({"teams": mongo.TEAMS}))
    app.include_router(casework_router(runtime))
    # casework_router's GET /episodes (current state) is the one list of episodes
    app.include_router(ingest.router(without_list=[EPISODES]))
    app.include_router(answering.router())
    app.include_router(inbox_router(runtime))
    ingest.subscribe()
    runtime.consume(
        handlers={**answering.handlers, **inbound.HANDLERS},
        collections=[*answering.collections, CHILDREN, INBOX, *mongo.COLLECTIONS],
        on_consent_withdrawn=[inbound.consent_withdrawn],
    )
