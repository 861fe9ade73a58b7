"""The JSON API under ``/api/v1``: the same handlers the pages use.

Sign in with ``GET /api/v1/sign-in`` (a pre-session CSRF token and cookie),
then ``POST /api/v1/session``; afterwards every state-changing call sends the
session's ``X-CSRF-Token``. Errors are RFC 9457 problems with a ``reason``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.responses import JSONResponse
from hub_contracts.codes import CategoryOfAbuse, ContactOutcome, PrimaryNeed, RagRating
from hub_service.problems import ProblemError, problem_responses
from pydantic import BaseModel, ConfigDict, Field

from gateway.domain.users import UserPublic
from gateway.entrypoints.security import (
    CSRF_HEADER,
    SIGNIN_CSRF_COOKIE,
    CsrfSession,
    GatewayDep,
    SessionDep,
    clear_session_cookie,
    set_session_cookie,
    set_signin_csrf,
    signin_csrf,
    tokens_match,
)
from gateway.service_layer import auth, contacts, identity, sharing
from gateway.service_layer.contacts import DecisionRequest, RatingRequest, purpose_of
from gateway.service_layer.identity import IdentityReason
from gateway.service_layer.sharing import NotToShareRequest, ShareWithoutConsentRequest

TenantPath = Annotated[
    str, Path(description="Tenant id, e.g. 'hartlepool'.", pattern=r"^[a-z][a-z0-9-]{1,39}$")
]
ContactPath = Annotated[str, Path(description="The hub's contact id.", max_length=100)]
CandidatePath = Annotated[str, Path(description="A candidate match id (PC-...).", max_length=100)]
PersonPath = Annotated[str, Path(description="A hub person id (HP-...).", max_length=100)]
PurposeHeader = Annotated[
    str | None,
    Header(description="Why you are looking (a purpose code; default safeguarding-screening)."),
]


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=200, description="Your username.")
    password: str = Field(min_length=1, max_length=200, description="Your password.")


class SignInToken(BaseModel):
    csrf_token: str = Field(description=f"Send as `{CSRF_HEADER}` with `POST /api/v1/session`.")


class QueueRow(BaseModel):
    contact_id: str = Field(description="The hub's contact id.")
    status: str = Field(description="awaiting-screening, enquiries-open or decided.")
    rag_rating: RagRating | None = Field(description="The rating, or as received.")
    rag_tag: str = Field(description="GOV.UK tag class for the rating.")
    received_at: datetime = Field(description="When the hub received the concern.")
    deadline: datetime = Field(description="Screening (or decision) deadline.")
    seconds_left: int = Field(description="Seconds to the deadline; negative when overdue.")
    time_left: str = Field(description="Time left in words.")
    child_name: str = Field(description="The child's name as stated.")
    referral_source: str = Field(description="Referral source code.")
    origin_agency: str = Field(description="Agency that raised the concern.")


class AuditEntry(BaseModel):
    user_id: str = Field(description="Who.")
    display_name: str = Field(description="Their name.")
    roles: list[str] = Field(description="Their roles at the time.")
    action: str = Field(description="What they did (view-contact, decide-contact, ...).")
    purpose: str = Field(description="Why, as they said.")
    contact_id: str | None = Field(default=None, description="Which contact.")
    person_id: str | None = Field(default=None, description="Which child (hub person id).")
    outcome: str = Field(description="done, or why it was refused.")
    at: datetime = Field(description="When.")


class AccessAudit(BaseModel):
    contact_id: str = Field(description="The contact asked about.")
    gateway: list[AuditEntry] = Field(description="User actions through the gateway.")
    front_door: Any = Field(default=None, description="The front door's access log, if any.")


class Codes(BaseModel):
    outcomes: list[str] = Field(description="Contact outcome codes.")
    primary_needs: list[str] = Field(description="CIN primary need codes.")
    categories_of_abuse: list[str] = Field(description="Categories of abuse.")
    rag_ratings: list[str] = Field(description="RAG ratings.")


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    @router.get("/sign-in", tags=["session"], summary="A CSRF token for signing in")
    async def sign_in_token(request: Request, gw: GatewayDep) -> JSONResponse:
        token = signin_csrf(request)
        response = JSONResponse(SignInToken(csrf_token=token).model_dump())
        set_signin_csrf(response, gw, token)
        return response

    @router.post(
        "/session",
        tags=["session"],
        summary="Sign in (local account); sets the session cookie",
        status_code=201,
        response_model=UserPublic,
        responses=problem_responses(401, 403, 422, 429),
    )
    async def sign_in(
        request: Request,
        gw: GatewayDep,
        credentials: Credentials,
        x_csrf_token: Annotated[str | None, Header(description="From `GET /sign-in`.")] = None,
    ) -> JSONResponse:
        if not tokens_match(request.cookies.get(SIGNIN_CSRF_COOKIE), x_csrf_token):
            raise ProblemError(403, "csrf-token-invalid", "get a token from GET /api/v1/sign-in")
        session = await auth.sign_in(gw, credentials.username, credentials.password)
        body = UserPublic.of(session.principal, session.csrf_token).model_dump(mode="json")
        response = JSONResponse(body, status_code=201)
        set_session_cookie(response, gw, session)
        return response

    @router.get(
        "/session",
        tags=["session"],
        summary="Who is signed in, with the session's CSRF token",
        response_model=UserPublic,
        responses=problem_responses(401),
    )
    async def whoami(session: SessionDep) -> UserPublic:
        return UserPublic.of(session.principal, session.csrf_token)

    @router.delete(
        "/session",
        tags=["session"],
        summary="Sign out",
        status_code=204,
        responses=problem_responses(401, 403),
    )
    async def sign_out(gw: GatewayDep, session: CsrfSession) -> Response:
        await auth.sign_out(gw, session)
        response = Response(status_code=204)
        clear_session_cookie(response, gw)
        return response

    @router.get("/codes", tags=["codes"], summary="Code lists used by the forms")
    async def codes() -> Codes:
        return Codes(
            outcomes=[o.value for o in ContactOutcome],
            primary_needs=[p.value for p in PrimaryNeed],
            categories_of_abuse=[c.value for c in CategoryOfAbuse],
            rag_ratings=[r.value for r in RagRating],
        )

    @router.get(
        "/{tenant}/contacts",
        tags=["contacts"],
        summary="The work queue: open contacts, least time left first, with RAG",
        responses=problem_responses(401, 403, 422, 502),
    )
    async def queue(
        gw: GatewayDep, session: SessionDep, tenant: TenantPath, x_hub_purpose: PurposeHeader = None
    ) -> list[QueueRow]:
        rows = await contacts.work_queue(gw, session.principal, tenant, purpose_of(x_hub_purpose))
        return [QueueRow(**r) for r in rows]

    @router.get(
        "/{tenant}/contacts/{contact_id}",
        tags=["contacts"],
        summary="A contact with its enquiries and the joined-up view (audited)",
        responses=problem_responses(401, 403, 404, 422, 502),
    )
    async def contact(
        gw: GatewayDep,
        session: SessionDep,
        tenant: TenantPath,
        contact_id: ContactPath,
        x_hub_purpose: PurposeHeader = None,
    ) -> dict[str, Any]:
        return await contacts.contact_page(
            gw, session.principal, tenant, contact_id, purpose_of(x_hub_purpose)
        )

    @router.get(
        "/{tenant}/contacts/{contact_id}/enquiries",
        tags=["contacts"],
        summary="Enquiry status per agency (audited)",
        responses=problem_responses(401, 403, 404, 422, 502),
    )
    async def enquiries(
        gw: GatewayDep,
        session: SessionDep,
        tenant: TenantPath,
        contact_id: ContactPath,
        x_hub_purpose: PurposeHeader = None,
    ) -> list[dict[str, Any]]:
        return await contacts.enquiry_status(
            gw, session.principal, tenant, contact_id, purpose_of(x_hub_purpose)
        )

    @router.post(
        "/{tenant}/contacts/{contact_id}/rating",
        tags=["contacts"],
        summary="Rate a contact (RAG); sends the multi-agency enquiries",
        responses=problem_responses(401, 403, 404, 409, 422, 502),
    )
    async def rate(
        gw: GatewayDep,
        session: CsrfSession,
        tenant: TenantPath,
        contact_id: ContactPath,
        command: RatingRequest,
        x_hub_purpose: PurposeHeader = None,
    ) -> dict[str, Any]:
        return await contacts.rate(
            gw, session.principal, tenant, contact_id, command, purpose_of(x_hub_purpose)
        )

    @router.post(
        "/{tenant}/contacts/{contact_id}/decision",
        tags=["contacts"],
        summary="Decide a contact (hub manager) with outcome code and reason",
        responses=problem_responses(401, 403, 404, 409, 422, 502),
    )
    async def decide(
        gw: GatewayDep,
        session: CsrfSession,
        tenant: TenantPath,
        contact_id: ContactPath,
        command: DecisionRequest,
        x_hub_purpose: PurposeHeader = None,
    ) -> dict[str, Any]:
        return await contacts.decide(
            gw, session.principal, tenant, contact_id, command, purpose_of(x_hub_purpose)
        )

    @router.get(
        "/{tenant}/contacts/{contact_id}/audit",
        tags=["audit"],
        summary="Who looked at this child (hub manager, auditor)",
        responses=problem_responses(401, 403, 422, 502),
    )
    async def audit(
        gw: GatewayDep,
        session: SessionDep,
        tenant: TenantPath,
        contact_id: ContactPath,
        x_hub_purpose: PurposeHeader = None,
    ) -> AccessAudit:
        found = await contacts.access_audit(
            gw, session.principal, tenant, contact_id, purpose_of(x_hub_purpose)
        )
        return AccessAudit(**found)

    @router.get(
        "/{tenant}/enquiry-status",
        tags=["enquiries"],
        summary="Open contacts with each agency's enquiry status, least time left first "
        "(agency liaison, practitioner, manager); no child details",
        responses=problem_responses(401, 403, 422, 502),
    )
    async def enquiry_board(
        gw: GatewayDep, session: SessionDep, tenant: TenantPath, x_hub_purpose: PurposeHeader = None
    ) -> list[dict[str, Any]]:
        return await contacts.enquiry_board(
            gw, session.principal, tenant, purpose_of(x_hub_purpose)
        )

    @router.get(
        "/{tenant}/person-candidates",
        tags=["potential duplicates"],
        summary="Open potential duplicates with their evidence, best score first (audited)",
        responses=problem_responses(401, 403, 422, 502),
    )
    async def candidates(
        gw: GatewayDep, session: SessionDep, tenant: TenantPath, x_hub_purpose: PurposeHeader = None
    ) -> list[dict[str, Any]]:
        return await identity.open_candidates(
            gw, session.principal, tenant, purpose_of(x_hub_purpose)
        )

    @router.post(
        "/{tenant}/person-candidates/{candidate_id}/confirmation",
        tags=["potential duplicates"],
        summary="Confirm a potential duplicate (hub manager): the two records become one",
        responses=problem_responses(401, 403, 404, 409, 422, 502),
    )
    async def confirm(
        gw: GatewayDep,
        session: CsrfSession,
        tenant: TenantPath,
        candidate_id: CandidatePath,
        command: IdentityReason,
        x_hub_purpose: PurposeHeader = None,
    ) -> dict[str, Any]:
        return await identity.decide_candidate(
            gw,
            session.principal,
            tenant,
            candidate_id,
            "confirmation",
            command,
            purpose_of(x_hub_purpose),
        )

    @router.post(
        "/{tenant}/person-candidates/{candidate_id}/rejection",
        tags=["potential duplicates"],
        summary="Reject a potential duplicate: never suggested again",
        responses=problem_responses(401, 403, 404, 409, 422, 502),
    )
    async def reject(
        gw: GatewayDep,
        session: CsrfSession,
        tenant: TenantPath,
        candidate_id: CandidatePath,
        command: IdentityReason,
        x_hub_purpose: PurposeHeader = None,
    ) -> dict[str, Any]:
        return await identity.decide_candidate(
            gw,
            session.principal,
            tenant,
            candidate_id,
            "rejection",
            command,
            purpose_of(x_hub_purpose),
        )

    @router.get(
        "/{tenant}/persons/{person_id}",
        tags=["potential duplicates"],
        summary="A person: linked agency records, linked persons, candidates (audited)",
        responses=problem_responses(401, 403, 404, 422, 502),
    )
    async def person(
        gw: GatewayDep,
        session: SessionDep,
        tenant: TenantPath,
        person_id: PersonPath,
        x_hub_purpose: PurposeHeader = None,
    ) -> dict[str, Any]:
        return await identity.person_page(
            gw, session.principal, tenant, person_id, purpose_of(x_hub_purpose)
        )

    @router.post(
        "/{tenant}/persons/{person_id}/unlink",
        tags=["potential duplicates"],
        summary="Reverse the link that merged this person into another (hub manager)",
        responses=problem_responses(401, 403, 404, 409, 422, 502),
    )
    async def unlink(
        gw: GatewayDep,
        session: CsrfSession,
        tenant: TenantPath,
        person_id: PersonPath,
        command: IdentityReason,
        x_hub_purpose: PurposeHeader = None,
    ) -> dict[str, Any]:
        return await identity.unlink(
            gw, session.principal, tenant, person_id, command, purpose_of(x_hub_purpose)
        )

    @router.post(
        "/{tenant}/persons/{person_id}/shares-without-consent",
        tags=["consent and sharing"],
        summary="Share the child's record with an agency without consent (hub manager): "
        "recipient, reason, lawful basis (not consent); recorded and audited",
        status_code=201,
        responses=problem_responses(401, 403, 404, 409, 422, 502),
    )
    async def share_without_consent(
        gw: GatewayDep,
        session: CsrfSession,
        tenant: TenantPath,
        person_id: PersonPath,
        command: ShareWithoutConsentRequest,
        x_hub_purpose: PurposeHeader = None,
    ) -> dict[str, Any]:
        return await sharing.record_decision(
            gw, session.principal, tenant, person_id, command, purpose_of(x_hub_purpose)
        )

    @router.post(
        "/{tenant}/persons/{person_id}/decisions-not-to-share",
        tags=["consent and sharing"],
        summary="Record a decision not to share the child's record with an agency "
        "(hub manager), with its reason; audited",
        status_code=201,
        responses=problem_responses(401, 403, 404, 409, 422, 502),
    )
    async def not_to_share(
        gw: GatewayDep,
        session: CsrfSession,
        tenant: TenantPath,
        person_id: PersonPath,
        command: NotToShareRequest,
        x_hub_purpose: PurposeHeader = None,
    ) -> dict[str, Any]:
        return await sharing.record_decision(
            gw, session.principal, tenant, person_id, command, purpose_of(x_hub_purpose)
        )

    return router
