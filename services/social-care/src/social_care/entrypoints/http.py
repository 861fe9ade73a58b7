"""HTTP routes and Kafka subscriptions of social-care, wired onto the service runtime."""

from fastapi import FastAPI
from hub_agency import INBOX, EnquiryAnswering, RecordIngest, RecordKind, inbox_router
from hub_agency.people import CHILDREN
from hub_service import ServiceRuntime
from hub_service.reference import reference_router

from social_care.adapters import store
from social_care.domain.records import StatusChangeRecord, StepDownRequestRecord
from social_care.entrypoints.routes import read_router
from social_care.service_layer.enquiries import ANSWERED_BY_ROLE, search
from social_care.service_layer.received import HANDLERS
from social_care.service_layer.records import apply_status_change, apply_step_down

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


def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Attach social-care's routes and subscribers."""
    ingest = RecordIngest(runtime, [STATUS_CHANGES, STEP_DOWN_REQUESTS])
    answering = EnquiryAnswering(runtime, search, ANSWERED_BY_ROLE)

    async def prepare_indexes() -> None:
        for tenant in runtime.settings.tenants:
            await store.ensure_indexes(runtime.database(tenant))

    runtime.on_start.append(prepare_indexes)
    app.include_router(reference_router({"authority-contacts": store.AUTHORITY_CONTACTS}))
    app.include_router(ingest.router())
    app.include_router(answering.router())
    app.include_router(inbox_router(runtime))
    app.include_router(read_router(runtime))
    ingest.subscribe()
    runtime.consume(
        handlers={**HANDLERS, **answering.handlers},
        collections=[*store.COLLECTIONS, *answering.collections, CHILDREN, INBOX],
    )
