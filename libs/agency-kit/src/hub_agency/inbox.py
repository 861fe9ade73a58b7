"""What the hub (or another agency) sent this agency, readable by the agency.

An agency service keeps each event it receives, exactly as the policy let it
see it (withheld fields absent), with the sharing basis it came under, so its
staff can see what they were told, by whom, and why they may hold it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from hub_messaging.consumer import Delivery, HandlerContext
from hub_messaging.documents import Document
from hub_service.app import ServiceRuntime
from hub_service.deps import TenantPath
from hub_service.problems import problem_responses
from pymongo import DESCENDING

from hub_agency.clients import Principal, authenticated

INBOX = "inbox"


def inbox_document(delivery: Delivery) -> Document:
    event = delivery.event
    return {
        "_id": event.id,
        "event_type": event.type,
        "event_name": event.event_name,
        "producer": event.producer,
        "subject": event.subject,
        "time": event.time,
        "received_at": datetime.now(UTC),
        "sharing": event.sharing.model_dump(mode="json", exclude_none=True),
        "outcome": delivery.outcome.value,
        "withheld_fields": list(delivery.withheld),
        "data": event.data,
    }


async def keep_in_inbox(delivery: Delivery, ctx: HandlerContext) -> None:
    """A handler that only keeps the delivery in the inbox (for notices with no other effect)."""
    await ctx.db[INBOX].insert_one(inbox_document(delivery), session=ctx.session)


def inbox_router(runtime: ServiceRuntime) -> APIRouter:
    """``GET /v1/{tenant}/inbox``: what this agency received, newest first."""
    router = APIRouter(prefix="/v1/{tenant}", tags=["inbox"])

    @router.get(
        "/inbox",
        summary="Events received from the hub and other agencies",
        responses=problem_responses(401, 403, 404),
    )
    async def inbox(
        principal: Annotated[Principal, Depends(authenticated)],
        tenant: TenantPath,
        event_name: Annotated[
            str | None, Query(description="Only this event, e.g. 'contact-decided'.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[Document]:
        query = {"event_name": event_name} if event_name else {}
        cursor = (
            runtime.database(tenant)[INBOX].find(query).sort("received_at", DESCENDING).limit(limit)
        )
        return [{"event_id": d.pop("_id"), **d} async for d in cursor]

    return router
