"""HTTP routes of police-feed's own (the agency kit gives the record, enquiry and inbox ones)."""

# no ``from __future__ import annotations``: FastAPI reads the route annotations
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from hub_agency.clients import Principal, authenticated
from hub_service.app import ServiceRuntime
from hub_service.deps import TenantPath
from hub_service.problems import problem_responses
from pydantic import BaseModel, Field
from pymongo import DESCENDING

from police_feed.adapters.mongo import NOTIFICATIONS
from police_feed.domain.encompass import NotificationStatus


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
    stated_school_urn: str | None = Field(
        default=None, description="The school the incident named (kept even if not used)."
    )
    flags: list[str] = Field(
        default_factory=list,
        description="What staff should know, e.g. school-not-in-directory (the LA was told).",
    )
    held_reason: str | None = Field(
        default=None,
        description="Why a held notification could not be sent (e.g. date-of-birth-required).",
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
        stated_school_urn=doc.get("stated_school_urn", doc.get("school_urn")),
        flags=list(doc.get("flags") or []),
        held_reason=doc.get("held_reason"),
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
        tenant: TenantPath,
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
