"""Agencies' answers to the hub's enquiries, collected as they come (late ones too)."""

from __future__ import annotations

from typing import Any

from hub_messaging.consumer import Delivery, HandlerContext
from hub_service.clock import Clock

from front_door.domain.contacts import EnquiryStatus
from front_door.service_layer.screening import ENQUIRIES

UNMATCHED = "unmatched_answers"


def enquiry_answered_handler(clock: Clock) -> Any:
    async def handle(delivery: Delivery, ctx: HandlerContext) -> None:
        data = delivery.event.data
        now = clock.now()
        enquiry = await ctx.db[ENQUIRIES].find_one({"_id": data["enquiry_id"]}, session=ctx.session)
        if enquiry is None or enquiry["agency"] != data.get("answering_agency"):
            # kept, never dropped: someone can see an answer to no known enquiry
            await ctx.db[UNMATCHED].insert_one(
                {"_id": delivery.event.id, "received_at": now, "answer": data},
                session=ctx.session,
            )
            return
        respond_by = enquiry["respond_by"]
        if respond_by.tzinfo is None:
            respond_by = respond_by.replace(tzinfo=now.tzinfo)
        await ctx.db[ENQUIRIES].update_one(
            {"_id": enquiry["_id"]},
            {
                "$set": {
                    "status": EnquiryStatus.ANSWERED.value,
                    "answered_at": now,
                    "late": now > respond_by,
                    "answer": data["answer"],
                    "answered_by_role": data.get("answered_by_role"),
                    "answer_event_id": delivery.event.id,
                    "answer_sharing": delivery.event.sharing.model_dump(
                        mode="json", exclude_none=True
                    ),
                }
            },
            session=ctx.session,
        )

    return handle
