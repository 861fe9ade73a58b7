"""Agencies' answers to the hub's enquiries, collected as they come (late ones too)."""

from __future__ import annotations

from hub_messaging.consumer import Delivery
from hub_service.clock import Clock

from front_door.adapters.enquiries import UNMATCHED as UNMATCHED
from front_door.domain.enquiries import Answer
from front_door.service_layer.unit_of_work import EventHandler, UnitOfWork


def enquiry_answered_handler(clock: Clock) -> EventHandler:
    """Handles ``enquiry-answered``: the answer kept on its enquiry (``late`` if after the
    deadline), or, for no known enquiry of that agency, kept with the unmatched answers."""

    async def handle(delivery: Delivery, uow: UnitOfWork) -> None:
        data = delivery.event.data
        now = clock.now()
        enquiry = await uow.enquiries.get(data["enquiry_id"])
        if enquiry is None or enquiry.agency != data.get("answering_agency"):
            # kept, never dropped: someone can see an answer to no known enquiry
            await uow.enquiries.keep_unmatched(delivery.event.id, now, data)
            return
        respond_by = enquiry.respond_by
        if respond_by.tzinfo is None:
            respond_by = respond_by.replace(tzinfo=now.tzinfo)
        answer = Answer(
            answered_at=now,
            late=now > respond_by,
            content=data["answer"],
            answered_by_role=data.get("answered_by_role"),
            event_id=delivery.event.id,
            sharing=delivery.event.sharing.model_dump(mode="json", exclude_none=True),
        )
        await uow.enquiries.record_answer(enquiry.enquiry_id, answer)

    return handle
