"""HTTP routes of social care's own: what it received and holds, newest first.

Referrals, strategy discussions, access notices and a child's statuses; the
agency kit gives the record, enquiry and inbox routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from hub_agency.clients import Principal, authenticated
from hub_agency.people import CHILDREN
from hub_messaging.documents import Document
from hub_service.app import ServiceRuntime
from hub_service.deps import TenantPath
from hub_service.problems import ProblemError, problem_responses
from pymongo import DESCENDING

from social_care.adapters import mongo
from social_care.domain.referrals import ReferralKind, ReferralStatus

Caller = Annotated[Principal, Depends(authenticated)]
Limit = Annotated[int, Query(ge=1, le=500, description="Most items to return.")]


def _renamed(doc: Document, id_name: str) -> Document:
    return {id_name: doc.pop("_id"), **doc}


def read_router(runtime: ServiceRuntime) -> APIRouter:
    """``GET`` routes of what social care received and holds, newest first."""
    router = APIRouter(prefix="/v1/{tenant}", tags=["social care"])

    @router.get(
        "/referrals",
        summary="Referrals and step-up requests received",
        responses=problem_responses(401, 403, 404),
    )
    async def referrals(
        principal: Caller,
        tenant: TenantPath,
        status: Annotated[
            ReferralStatus | None, Query(description="Only referrals with this status.")
        ] = None,
        kind: Annotated[
            ReferralKind | None, Query(description="Only hub referrals, or only step-ups.")
        ] = None,
        limit: Limit = 100,
    ) -> list[Document]:
        query: Document = {}
        if status is not None:
            query["status"] = status.value
        if kind is not None:
            query["kind"] = kind.value
        cursor = (
            runtime.database(tenant)[mongo.REFERRALS]
            .find(query, {"child_keys": 0})
            .sort("received_at", DESCENDING)
            .limit(limit)
        )
        return [_renamed(d, "referral_id") async for d in cursor]

    @router.get(
        "/strategy-discussions",
        summary="Strategy discussion requests received",
        responses=problem_responses(401, 403, 404),
    )
    async def strategy_discussions(
        principal: Caller, tenant: TenantPath, limit: Limit = 100
    ) -> list[Document]:
        cursor = (
            runtime.database(tenant)[mongo.STRATEGY_DISCUSSIONS]
            .find({})
            .sort("received_at", DESCENDING)
            .limit(limit)
        )
        return [_renamed(d, "request_id") async for d in cursor]

    @router.get(
        "/access-notifications",
        summary="CP-IS-style notices that a child's flag was viewed, newest access first",
        responses=problem_responses(401, 403, 404, 422),
    )
    async def access_notifications(
        principal: Caller,
        tenant: TenantPath,
        nhs_number: Annotated[
            str | None,
            Query(pattern=r"^[0-9]{10}$", description="Only accesses to this child's flag."),
        ] = None,
        limit: Limit = 100,
    ) -> list[Document]:
        query = {"child_nhs_number": nhs_number} if nhs_number else {}
        cursor = (
            runtime.database(tenant)[mongo.ACCESS_NOTIFICATIONS]
            .find(query)
            .sort([("accessed_at", DESCENDING), ("received_at", DESCENDING)])
            .limit(limit)
        )
        return [_renamed(d, "access_id") async for d in cursor]

    @router.get(
        "/children/{person_id}/statuses",
        summary="A child's current social care statuses",
        responses=problem_responses(401, 403, 404),
    )
    async def child_statuses(
        principal: Caller,
        tenant: TenantPath,
        person_id: Annotated[str, Path(description="Social care's id for the child.")],
    ) -> list[Document]:
        db = runtime.database(tenant)
        if await db[CHILDREN].find_one({"_id": person_id}, {"_id": 1}) is None:
            raise ProblemError(404, "child-not-found", f"no child {person_id} in social care")
        return [s.to_document() for s in await mongo.statuses_of(db, [person_id])]

    return router
