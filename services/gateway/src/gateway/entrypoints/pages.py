"""The pages hub staff use, GOV.UK Design System markup rendered from Jinja.

Pages call the same service-layer handlers as the JSON API, so the checks,
field filtering and audit are the same; forms post back with the session's
CSRF token and show GOV.UK error summaries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from hub_contracts.codes import CategoryOfAbuse, ContactOutcome, PrimaryNeed
from hub_service.problems import ProblemError
from pydantic import ValidationError

from gateway.adapters.sessions import Session
from gateway.domain.access import Action, allowed_actions
from gateway.domain.dates import human_time
from gateway.domain.users import Principal
from gateway.entrypoints.security import (
    SIGNIN_CSRF_COOKIE,
    GatewayDep,
    OptionalSession,
    clear_session_cookie,
    form_fields,
    set_session_cookie,
    set_signin_csrf,
    signin_csrf,
    tokens_match,
)
from gateway.service_layer import auth, contacts
from gateway.service_layer.contacts import DEFAULT_PURPOSE, DecisionRequest, RatingRequest
from gateway.settings import PACKAGE_DIR

templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
templates.env.filters["when"] = human_time
TENANT = "{tenant}"


def _tenants_for(principal: Principal, action: Action) -> list[str]:
    return sorted(t for t in principal.tenants if action in allowed_actions(principal, t))


def _context(session: Session | None, **values: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"user": None, "errors": [], "field_errors": {}, "notice": None}
    if session is not None:
        principal = session.principal
        context.update(
            user=principal,
            csrf_token=session.csrf_token,
            queue_tenants=_tenants_for(principal, Action.VIEW_QUEUE),
            # liaisons' way in; screeners reach enquiry status from the work queue
            board_tenants=[
                t
                for t in _tenants_for(principal, Action.VIEW_ENQUIRY_BOARD)
                if t not in _tenants_for(principal, Action.VIEW_QUEUE)
            ],
            review_tenants=_tenants_for(principal, Action.REVIEW_DUPLICATES),
        )
    context.update(values)
    return context


def render(
    request: Request, name: str, session: Session | None, status: int = 200, **values: Any
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, _context(session, **values), status_code=status
    )


def problem_page(request: Request, session: Session | None, exc: ProblemError) -> HTMLResponse:
    titles = {
        403: "You cannot see this",
        404: "Page not found",
        409: "This has already been done",
        502: "Sorry, there is a problem with the service",
    }
    title = titles.get(exc.status, "There is a problem")
    return render(request, "error.html", session, exc.status, title=title, detail=exc.detail)


def _sign_in_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)


def _safe_next(value: str | None) -> str:
    """Only a path on this site (no ``//host`` or scheme): no open redirect."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


def _field_errors(exc: ValidationError) -> dict[str, str]:
    messages = {"missing": "Enter a value", "string_too_short": "Enter a value"}
    out: dict[str, str] = {}
    for e in exc.errors():
        field = str(e["loc"][0]) if e["loc"] else "form"
        out.setdefault(field, messages.get(e["type"], "Check this answer"))
    return out


def _summary(field_errors: dict[str, str], labels: dict[str, str]) -> list[dict[str, str]]:
    return [{"field": f, "message": f"{labels.get(f, f)}: {m}"} for f, m in field_errors.items()]


def pages_router(status: Callable[[], Awaitable[dict[str, Any]]]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request, session: OptionalSession) -> HTMLResponse:
        actions: dict[str, set[str]] = {}
        if session is not None:
            actions = {
                t: {a.value for a in allowed_actions(session.principal, t)}
                for t in session.principal.tenants
            }
        return render(request, "home.html", session, hub_status=await status(), actions=actions)

    @router.get("/sign-in", response_class=HTMLResponse)
    async def sign_in_page(
        request: Request, gw: GatewayDep, session: OptionalSession, next: str = "/"
    ) -> Response:
        if session is not None:
            return RedirectResponse(_safe_next(next), status_code=303)
        token = signin_csrf(request)
        response = render(
            request, "sign_in.html", None, signin_token=token, next=_safe_next(next), username=""
        )
        set_signin_csrf(response, gw, token)
        return response

    @router.post("/sign-in", response_class=HTMLResponse)
    async def sign_in(request: Request, gw: GatewayDep) -> Response:
        form = await form_fields(request)
        token = signin_csrf(request)
        next_page = _safe_next(form.get("next"))
        if not tokens_match(request.cookies.get(SIGNIN_CSRF_COOKIE), form.get("csrf_token")):
            error, status = "Your sign-in form expired: try again", 403
        else:
            try:
                session = await auth.sign_in(gw, form.get("username", ""), form.get("password", ""))
            except ProblemError as exc:
                error = (
                    "Too many failed attempts: try again in 15 minutes"
                    if exc.reason == "sign-in-locked"
                    else "Enter a correct username and password"
                )
                status = exc.status
            else:
                signed_in = RedirectResponse(next_page, status_code=303)
                set_session_cookie(signed_in, gw, session)
                return signed_in
        response = render(
            request,
            "sign_in.html",
            None,
            status,
            errors=[{"field": "username", "message": error}],
            signin_token=token,
            next=next_page,
            username=form.get("username", "")[:200],
        )
        set_signin_csrf(response, gw, token)
        return response

    @router.post("/sign-out")
    async def sign_out(request: Request, gw: GatewayDep, session: OptionalSession) -> Response:
        form = await form_fields(request)
        if session is not None and tokens_match(session.csrf_token, form.get("csrf_token")):
            await auth.sign_out(gw, session)
        elif session is not None:
            raise ProblemError(403, "csrf-token-invalid", "sign out from the page")
        response = RedirectResponse("/sign-in", status_code=303)
        clear_session_cookie(response, gw)
        return response

    @router.get(f"/{TENANT}/contacts", response_class=HTMLResponse)
    async def queue(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        try:
            rows = await contacts.work_queue(gw, session.principal, tenant, DEFAULT_PURPOSE)
        except ProblemError as exc:
            return problem_page(request, session, exc)
        return render(request, "queue.html", session, tenant=tenant, rows=rows)

    async def _contact(
        request: Request,
        gw: GatewayDep,
        session: Session,
        tenant: str,
        contact_id: str,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        try:
            found = await contacts.contact_page(
                gw, session.principal, tenant, contact_id, DEFAULT_PURPOSE
            )
        except ProblemError as exc:
            return problem_page(request, session, exc)
        view = found["view"]
        facts = view.get("timeline") if isinstance(view, dict) else None
        candidates = found["candidates"]
        if isinstance(candidates, dict):
            candidates = candidates.get("candidates")
        return render(
            request,
            "contact.html",
            session,
            status,
            tenant=tenant,
            c=found["contact"],
            facts=facts or [],
            view_available=view is not None,
            sharing=view.get("sharing") if isinstance(view, dict) else None,
            candidates=candidates or [],
            actions={a.value for a in allowed_actions(session.principal, tenant)},
            **values,
        )

    @router.get(f"/{TENANT}/contacts/{{contact_id}}", response_class=HTMLResponse)
    async def contact(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str, contact_id: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        return await _contact(request, gw, session, tenant, contact_id)

    @router.post(f"/{TENANT}/contacts/{{contact_id}}/rating", response_class=HTMLResponse)
    async def rate(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str, contact_id: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        form = await form_fields(request)
        if not tokens_match(session.csrf_token, form.get("csrf_token")):
            raise ProblemError(403, "csrf-token-invalid", "send the form from the page")
        try:
            command = RatingRequest(
                rag_rating=form.get("rag_rating"),
                rationale=form.get("rationale", ""),
            )
        except ValidationError as exc:
            errors = _field_errors(exc)
            labels = {"rag_rating": "Urgency", "rationale": "Why this rating"}
            return await _contact(
                request,
                gw,
                session,
                tenant,
                contact_id,
                422,
                field_errors=errors,
                errors=_summary(errors, labels),
            )
        try:
            await contacts.rate(gw, session.principal, tenant, contact_id, command, DEFAULT_PURPOSE)
        except ProblemError as exc:
            return problem_page(request, session, exc)
        return RedirectResponse(f"/{tenant}/contacts/{quote(contact_id, safe='')}", status_code=303)

    def _decision_form(
        request: Request,
        session: Session,
        tenant: str,
        contact_id: str,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        return render(
            request,
            "decision.html",
            session,
            status,
            tenant=tenant,
            contact_id=contact_id,
            outcomes=[o.value for o in ContactOutcome],
            primary_needs=[p.value for p in PrimaryNeed],
            categories=[c.value for c in CategoryOfAbuse],
            **{"form": {}, **values},
        )

    @router.get(f"/{TENANT}/contacts/{{contact_id}}/decision", response_class=HTMLResponse)
    async def decision_form(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str, contact_id: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        if Action.DECIDE_CONTACT not in allowed_actions(session.principal, tenant):
            try:
                await contacts.authorise(
                    gw,
                    session.principal,
                    tenant,
                    Action.DECIDE_CONTACT,
                    purpose=DEFAULT_PURPOSE,
                    contact_id=contact_id,
                )
            except ProblemError as exc:
                return problem_page(request, session, exc)
        return _decision_form(request, session, tenant, contact_id)

    @router.post(f"/{TENANT}/contacts/{{contact_id}}/decision", response_class=HTMLResponse)
    async def decide(
        request: Request, gw: GatewayDep, session: OptionalSession, tenant: str, contact_id: str
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        form = await form_fields(request)
        if not tokens_match(session.csrf_token, form.get("csrf_token")):
            raise ProblemError(403, "csrf-token-invalid", "send the form from the page")
        labels = {
            "outcome": "Outcome",
            "reason": "Reason",
            "primary_need": "Primary need",
            "suspected_category": "Suspected category of abuse",
            "family_not_informed_reason": "Why the family must not be told",
            "consent_id": "Consent record",
        }
        not_told = form.get("family_not_informed_reason", "").strip()
        values: dict[str, Any] = {
            "outcome": form.get("outcome"),
            "reason": form.get("reason", ""),
            "primary_need": form.get("primary_need") or None,
            "suspected_category": form.get("suspected_category") or None,
            "consent_id": form.get("consent_id") or None,
            "family_informed": not not_told,
            "family_not_informed_reason": not_told or None,
        }
        try:
            command = DecisionRequest(**values)
            await contacts.decide(
                gw, session.principal, tenant, contact_id, command, DEFAULT_PURPOSE
            )
        except ValidationError as exc:
            errors = _field_errors(exc)
            return _decision_form(
                request,
                session,
                tenant,
                contact_id,
                422,
                form=form,
                field_errors=errors,
                errors=_summary(errors, labels),
            )
        except ProblemError as exc:
            if exc.status == 422:
                errors = {"reason": exc.detail}
                if "primary" in exc.detail:
                    errors = {"primary_need": exc.detail}
                return _decision_form(
                    request,
                    session,
                    tenant,
                    contact_id,
                    422,
                    form=form,
                    field_errors=errors,
                    errors=_summary(errors, labels),
                )
            return problem_page(request, session, exc)
        return RedirectResponse(f"/{tenant}/contacts/{quote(contact_id, safe='')}", status_code=303)

    @router.get(f"/{TENANT}/audit", response_class=HTMLResponse)
    async def audit(
        request: Request,
        gw: GatewayDep,
        session: OptionalSession,
        tenant: str,
        contact_id: str = "",
    ) -> Response:
        if session is None:
            return _sign_in_redirect(request)
        contact_id = contact_id.strip()[:100]
        if not contact_id:
            exc = ProblemError(404, "not-found", "enter a contact id on the start page")
            return problem_page(request, session, exc)
        try:
            found = await contacts.access_audit(
                gw, session.principal, tenant, contact_id, DEFAULT_PURPOSE
            )
        except ProblemError as exc:
            return problem_page(request, session, exc)
        front_door = found["front_door"]
        if isinstance(front_door, dict):
            front_door = front_door.get("views") or front_door.get("entries")
        return render(
            request,
            "audit.html",
            session,
            tenant=tenant,
            contact_id=contact_id,
            entries=found["gateway"],
            front_door=front_door or [],
        )

    return router
