"""The start page (what the user may do, and service status), signing in and out."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from hub_service.problems import ProblemError

from gateway.domain.access import allowed_actions
from gateway.entrypoints.deps import (
    GatewayDep,
    HubStatus,
    OptionalSession,
    PageDep,
    SettingsDep,
    TemplatesDep,
)
from gateway.entrypoints.rendering import Page, page_router
from gateway.entrypoints.security import (
    SIGNIN_CSRF_COOKIE,
    clear_session_cookie,
    form_fields,
    safe_next,
    set_session_cookie,
    set_signin_csrf,
    signin_csrf,
    tokens_match,
)
from gateway.service_layer import auth

router = page_router()


def lockout_message(minutes: int) -> str:
    """What a locked username is told: how long the lockout window is."""
    return f"Too many failed attempts: try again in {minutes} minute{'' if minutes == 1 else 's'}"


@router.get("/")
async def home(page: PageDep, hub_status: HubStatus) -> HTMLResponse:
    actions: dict[str, set[str]] = {}
    if page.session is not None:
        principal = page.session.principal
        actions = {t: {a.value for a in allowed_actions(principal, t)} for t in principal.tenants}
    return page.render("home.html", hub_status=hub_status, actions=actions)


@router.get("/sign-in")
async def sign_in_page(page: PageDep, gw: GatewayDep, next: str = "/") -> Response:
    if page.session is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    token = signin_csrf(page.request)
    response = page.render("sign_in.html", signin_token=token, next=safe_next(next), username="")
    set_signin_csrf(response, gw, token)
    return response


@router.post("/sign-in")
async def sign_in(
    request: Request, gw: GatewayDep, settings: SettingsDep, templates: TemplatesDep
) -> Response:
    form = await form_fields(request)
    token = signin_csrf(request)
    next_page = safe_next(form.get("next"))
    if not tokens_match(request.cookies.get(SIGNIN_CSRF_COOKIE), form.get("csrf_token")):
        error, status = "Your sign-in form expired: try again", 403
    else:
        try:
            session = await auth.sign_in(gw, form.get("username", ""), form.get("password", ""))
        except ProblemError as exc:
            error = (
                lockout_message(settings.lockout_window_minutes)
                if exc.reason == "sign-in-locked"
                else "Enter a correct username and password"
            )
            status = exc.status
        else:
            signed_in = RedirectResponse(next_page, status_code=303)
            set_session_cookie(signed_in, gw, session)
            return signed_in
    response = Page(request, None, templates).render(
        "sign_in.html",
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
