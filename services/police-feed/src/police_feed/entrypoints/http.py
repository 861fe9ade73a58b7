"""HTTP routes and Kafka subscriptions of police-feed, wired onto the service runtime."""

# no ``from __future__ import annotations``: FastAPI reads the route annotations
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query
from hub_agency import (
    INBOX,
    EnquiryAnswering,
    Principal,
    RecordIngest,
    RecordKind,
    authenticated,
    inbox_router,
    keep_in_inbox,
)
from hub_contracts.events import (
    ContactDecided,
    ContactReceived,
    OperationEncompassAcknowledged,
    StrategyDiscussionRequested,
)
from hub_service import ServiceRuntime
from hub_service.app import Configure
from hub_service.clock import Clock, SystemClock
from hub_service.problems import problem_responses
from hub_service.reference import reference_router
from pydantic import BaseModel, Field
from pymongo import DESCENDING

from police_feed.adapters.store import (
    COLLECTIONS,
    LOCAL_AUTHORITY,
    NOTIFICATIONS,
    SCHOOLS,
    ensure_indexes,
)
from police_feed.domain.encompass import NotificationStatus
from police_feed.domain.incidents import PoliceIncident
from police_feed.service_layer.encompass import OverdueWatch, handle_acknowledgement
from police_feed.service_layer.enquiries import search_incidents
from police_feed.service_layer.incidents import apply_incident

INCIDENTS = RecordKind(
    "police-incident",
    "incidents",
    PoliceIncident,
    apply_incident,
    "Record a police incident involving children",
)
DEFAULT_OVERDUE_INTERVAL_S = 60.0


class EncompassNotificationView(BaseModel):
    """An Operation Encompass notification as the police track it (ids, times, state)."""

    notification_id: str = Field(description="The police id of the notification.")
    police_reference: str = Field(description="The incident reference.")
    child_person_id: str = Field(description="The police person id of the child.")
    school_urn: str | None = Field(description="The school notified, if the child is in school.")
    local_authority_code: str | None = Field(
        description="The LA notified instead, for a child not in school."
    )
    status: NotificationStatus = Field(description="Where the notification stands.")
    notified_at: datetime = Field(description="When the notification was queued.")
    notify_by: datetime = Field(description="Start of the next school day after the incident.")
    acknowledged_at: datetime | None = Field(description="When the school acknowledged it.")
    acknowledged_by_role: str | None = Field(description="Who acknowledged it (a role).")
    acknowledged_in_time: bool | None = Field(
        description="Whether it was acknowledged by notify_by (absent until acknowledged)."
    )
    overdue_detected_at: datetime | None = Field(
        description="When the police found it unacknowledged past notify_by, if they did."
    )


def _view(doc: dict[str, Any]) -> EncompassNotificationView:
    return EncompassNotificationView(
        notification_id=doc["_id"],
        police_reference=doc["police_reference"],
        child_person_id=doc["subject"],
        school_urn=doc.get("school_urn"),
        local_authority_code=doc.get("local_authority_code"),
        status=NotificationStatus(doc["status"]),
        notified_at=doc["notified_at"],
        notify_by=doc["notify_by"],
        acknowledged_at=doc.get("acknowledged_at"),
        acknowledged_by_role=doc.get("acknowledged_by_role"),
        acknowledged_in_time=doc.get("acknowledged_in_time"),
        overdue_detected_at=doc.get("overdue_detected_at"),
    )


def notifications_router(runtime: ServiceRuntime) -> APIRouter:
    """``GET /v1/{tenant}/encompass-notifications``: what was notified and its state."""
    router = APIRouter(prefix="/v1/{tenant}", tags=["operation encompass"])

    @router.get(
        "/encompass-notifications",
        summary="Operation Encompass notifications, newest first",
        response_model=list[EncompassNotificationView],
        responses=problem_responses(401, 403, 404),
    )
    async def list_notifications(
        principal: Annotated[Principal, Depends(authenticated)],
        tenant: Annotated[str, Path(description="Tenant id, e.g. 'stockton'.")],
        status: Annotated[
            NotificationStatus | None, Query(description="Only notifications in this state.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[EncompassNotificationView]:
        query = {"status": status.value} if status else {}
        cursor = (
            runtime.database(tenant)[NOTIFICATIONS]
            .find(query)
            .sort("notified_at", DESCENDING)
            .limit(limit)
        )
        return [_view(doc) async for doc in cursor]

    return router


def configure_police_feed(
    clock: Clock | None = None, overdue_interval_s: float = DEFAULT_OVERDUE_INTERVAL_S
) -> Configure:
    """``configure`` for ``create_service_app``, with the breach watch's clock and interval."""

    def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
        ingest = RecordIngest(runtime, [INCIDENTS])
        answering = EnquiryAnswering(runtime, search_incidents, "MASH police researcher")
        watch = OverdueWatch(runtime, clock or SystemClock(), overdue_interval_s)
        app.state.encompass_watch = watch

        async def prepare() -> None:
            for tenant in runtime.settings.tenants:
                await ensure_indexes(runtime.database(tenant))

        runtime.on_start.append(prepare)
        runtime.background.append(watch.run)

        app.include_router(ingest.router())
        app.include_router(answering.router())
        app.include_router(inbox_router(runtime))
        app.include_router(notifications_router(runtime))
        app.include_router(
            reference_router(
                {
                    "policing-areas": "policing_areas",
                    "schools": SCHOOLS,
                    "local-authority": LOCAL_AUTHORITY,
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
            collections=[*answering.collections, INBOX, *COLLECTIONS],
        )

    return configure


configure = configure_police_feed()
"""The default wiring: the system clock, a check every minute."""
