"""Answering the hub's multi-agency enquiries from the agency's own records.

Every ``enquiry-requested`` addressed to this agency gets exactly one
``enquiry-answered``: the facts it holds (only what ``search`` chooses to
disclose, and then only the fields the policy lets the hub see), an explicit
"nothing held", or "not shared, because ..." with who decided, which is also
audited as a decision not to share. Never silence. The answer is computed
and queued in the same transaction that records the enquiry, as soon as it
arrives, so it goes out well before ``respond_by`` whenever the service is
up; an enquiry that arrives late is still answered, and counted as late.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from hub_contracts.codes import AGENCY_OF_SERVICE, Agency
from hub_contracts.envelope import CloudEvent
from hub_contracts.events.enquiries import (
    EnquiryAnswered,
    EnquiryRequested,
    InformationHeld,
    NothingHeld,
    NotShared,
)
from hub_contracts.events.records import NotSharedReason
from hub_contracts.sharing import Purpose
from hub_messaging.consumer import Delivery, Handler, HandlerContext
from hub_service.app import ServiceRuntime
from hub_service.clock import Clock, SystemClock
from hub_service.deps import TenantPath
from hub_service.problems import problem_responses
from prometheus_client import Counter, Histogram
from pydantic import AwareDatetime, BaseModel, ConfigDict
from pymongo import DESCENDING

from hub_agency.basis import agency_basis
from hub_agency.clients import Principal, authenticated
from hub_agency.domain import ChildAsSeen

ENQUIRIES = "enquiries"
Answer = InformationHeld | NothingHeld | NotShared


class EnquiryAsSeen(BaseModel):
    """An enquiry as this agency may see it: withheld fields are simply absent."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    enquiry_id: str
    contact_id: str | None = None
    target_agency: Agency
    child: ChildAsSeen
    household: tuple[dict[str, Any], ...] = ()
    purpose: str | None = None
    rag_rating: str | None = None
    respond_by: AwareDatetime

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> EnquiryAsSeen:
        return cls.model_validate({**data, "child": ChildAsSeen.from_data(data.get("child"))})


@dataclass(frozen=True)
class NotSharedDecision:
    """What ``search`` returns to refuse: the answer and the audit reason code."""

    answer: NotShared
    reason: NotSharedReason


Search = Callable[[EnquiryAsSeen, HandlerContext], Awaitable[Answer | NotSharedDecision]]
"""Looks the child up in the agency's records and decides what to disclose."""


class EnquiryAnswering:
    """The ``enquiry-requested`` handler of one agency service, with its read API."""

    def __init__(
        self,
        runtime: ServiceRuntime,
        search: Search,
        answered_by_role: str,
        clock: Clock | None = None,
    ) -> None:
        self.runtime = runtime
        self.clock = clock or SystemClock()
        self.service = runtime.settings.service_name
        self.agency = AGENCY_OF_SERVICE[self.service]
        self.search = search
        self.answered_by_role = answered_by_role
        registry = runtime.registry
        self._answered = Counter(
            "hub_enquiries_answered",
            "Enquiries answered, by kind of answer and whether after respond_by.",
            ["answer", "late"],
            registry=registry,
        )
        self._latency = Histogram(
            "hub_enquiry_answer_seconds",
            "From the hub's request to this agency's answer being queued.",
            buckets=(0.1, 0.5, 1, 5, 30, 60, 300, 3600, 4 * 3600, 24 * 3600),
            registry=registry,
        )

    @property
    def handlers(self) -> dict[str, Handler]:
        """Merge into the service's ``runtime.consume(handlers=...)``."""
        return {EnquiryRequested.event_name: self.handle}

    collections: Sequence[str] = (ENQUIRIES,)

    async def handle(self, delivery: Delivery, ctx: HandlerContext) -> None:
        enquiry = EnquiryAsSeen.from_data(delivery.event.data)
        if enquiry.target_agency is not self.agency:
            return  # addressed to another agency
        if await ctx.db[ENQUIRIES].find_one({"_id": enquiry.enquiry_id}, session=ctx.session):
            return  # the hub resent an enquiry already answered: one answer per enquiry
        result = await self.search(enquiry, ctx)
        now = self.clock.now()
        answer = result.answer if isinstance(result, NotSharedDecision) else result
        payload = EnquiryAnswered(
            enquiry_id=enquiry.enquiry_id,
            answering_agency=self.agency,
            answer=answer,
            answered_by=f"system:{self.service}",
            answered_by_role=self.answered_by_role,
            answered_at=now,
        )
        event = CloudEvent.new(
            tenant=ctx.tenant,
            producer=self.service,
            subject=delivery.event.subject,
            payload=payload,
            sharing=agency_basis(self.service, Purpose.MULTI_AGENCY_ENQUIRY),
            time=now,
        )
        await ctx.outbox.add(ctx.db, ctx.session, [event])
        if isinstance(result, NotSharedDecision):
            await ctx.outbox.record_not_shared(
                ctx.db,
                ctx.session,
                event,
                "front-door",
                result.reason,
                result.answer.decided_by,
                detail=result.answer.reason,
            )
        late = now > enquiry.respond_by
        await ctx.db[ENQUIRIES].insert_one(
            {
                "_id": enquiry.enquiry_id,
                "contact_id": enquiry.contact_id,
                "event_id": delivery.event.id,
                "requested_at": delivery.event.time,
                "respond_by": enquiry.respond_by,
                "answered_at": now,
                "late": late,
                "answer_kind": answer.kind,
                "facts": len(answer.facts) if isinstance(answer, InformationHeld) else 0,
                "answer_event_id": event.id,
            },
            session=ctx.session,
        )
        self._answered.labels(answer.kind, str(late).lower()).inc()
        self._latency.observe(max(0.0, (now - delivery.event.time).total_seconds()))

    def router(self) -> APIRouter:
        """``GET /v1/{tenant}/enquiries``: the enquiries received and how each was answered."""
        router = APIRouter(prefix="/v1/{tenant}", tags=["enquiries"])
        runtime = self.runtime

        @router.get(
            "/enquiries",
            summary="Enquiries from the hub and this agency's answers",
            responses=problem_responses(401, 403, 404),
        )
        async def list_enquiries(
            request: Request,
            principal: Annotated[Principal, Depends(authenticated)],
            tenant: TenantPath,
            limit: Annotated[int, Query(ge=1, le=500)] = 100,
        ) -> list[dict[str, Any]]:
            cursor = (
                runtime.database(tenant)[ENQUIRIES]
                .find({})
                .sort("answered_at", DESCENDING)
                .limit(limit)
            )
            return [{"enquiry_id": d.pop("_id"), **d} async for d in cursor]

        return router
