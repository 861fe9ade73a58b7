"""What the gateway's routes depend on, each defined once as an ``Annotated`` alias.

- ``GatewayDep``, ``SettingsDep``, ``TemplatesDep``: what the app was built with.
- ``OptionalSession``: the signed-in user's session, or None; ``SessionDep``: the
  session, or 401 ``unauthenticated`` (which a page answers by sending the browser to
  sign in). ``HubStatus``: whether every other service is ready.
- JSON API: ``CsrfSession``: the session once ``X-CSRF-Token`` is checked;
  ``ApiReader`` / ``ApiWriter``: the signed-in user acting in ``{tenant}`` for the
  purpose in ``X-Hub-Purpose`` (the writer with the CSRF check).
- Pages: ``PageDep``: renders for whoever is signed in; ``TenantPageDep``: a signed-in
  user's page of ``{tenant}``, acting there for safeguarding screening;
  ``CsrfForm``: the posted form, once its ``csrf_token`` is checked.

Every action on a child's record goes through the ``Actor`` these give
(``service_layer.acting``): authorised, called as the user, audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request
from fastapi.templating import Jinja2Templates
from hub_service.deps import TenantPath
from hub_service.problems import ProblemError

from gateway.adapters.readiness import hub_status
from gateway.adapters.sessions import Session
from gateway.entrypoints.rendering import Page, TenantPage
from gateway.entrypoints.security import (
    CSRF_HEADER,
    form_fields,
    session_cookie_name,
    tokens_match,
)
from gateway.service_layer.acting import DEFAULT_PURPOSE, Actor, purpose_of
from gateway.service_layer.context import Gateway
from gateway.settings import GatewaySettings

ContactPath = Annotated[str, Path(description="The hub's contact id.", max_length=100)]
CandidatePath = Annotated[str, Path(description="A candidate match id (PC-...).", max_length=100)]
PersonPath = Annotated[str, Path(description="A hub person id (HP-...).", max_length=100)]
PurposeHeader = Annotated[
    str | None,
    Header(description="Why you are looking (a purpose code; default safeguarding-screening)."),
]
CsrfHeader = Annotated[
    str | None, Header(description="The session's CSRF token (from `GET /api/v1/session`).")
]


def gateway_of(request: Request) -> Gateway:
    gw: Gateway = request.app.state.gateway
    return gw


GatewayDep = Annotated[Gateway, Depends(gateway_of)]


def settings_of(gw: GatewayDep) -> GatewaySettings:
    return gw.settings


SettingsDep = Annotated[GatewaySettings, Depends(settings_of)]


def templates_of(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


TemplatesDep = Annotated[Jinja2Templates, Depends(templates_of)]


async def status_of(gw: GatewayDep) -> dict[str, Any]:
    return await hub_status(gw.runtime.settings)


HubStatus = Annotated[dict[str, Any], Depends(status_of)]


async def optional_session(request: Request, gw: GatewayDep) -> Session | None:
    """The signed-in user's live session, or None (kept on the request for the
    problem handler, whose error page shows who is signed in)."""
    cookie = request.cookies.get(session_cookie_name(gw))
    session = await gw.sessions.get(cookie, gw.clock.now()) if cookie else None
    request.state.session = session
    return session


OptionalSession = Annotated[Session | None, Depends(optional_session)]


async def required_session(session: OptionalSession) -> Session:
    """The signed-in user's session; 401 ``unauthenticated`` without one."""
    if session is None:
        raise ProblemError(401, "unauthenticated", "sign in first")
    return session


SessionDep = Annotated[Session, Depends(required_session)]


async def csrf_checked(session: SessionDep, x_csrf_token: CsrfHeader = None) -> Session:
    """The session, once the JSON call has sent its CSRF token back (403 otherwise)."""
    if not tokens_match(session.csrf_token, x_csrf_token):
        raise ProblemError(403, "csrf-token-invalid", f"send the session's {CSRF_HEADER}")
    return session


CsrfSession = Annotated[Session, Depends(csrf_checked)]


async def api_reader(
    gw: GatewayDep, session: SessionDep, tenant: TenantPath, x_hub_purpose: PurposeHeader = None
) -> Actor:
    """The signed-in user acting in ``tenant`` for the purpose they state."""
    return Actor(gw, session.principal, tenant, purpose_of(x_hub_purpose))


ApiReader = Annotated[Actor, Depends(api_reader)]


async def api_writer(
    gw: GatewayDep, session: CsrfSession, tenant: TenantPath, x_hub_purpose: PurposeHeader = None
) -> Actor:
    """The signed-in user changing something in ``tenant`` (CSRF token checked)."""
    return Actor(gw, session.principal, tenant, purpose_of(x_hub_purpose))


ApiWriter = Annotated[Actor, Depends(api_writer)]


async def page_of(request: Request, session: OptionalSession, templates: TemplatesDep) -> Page:
    return Page(request, session, templates)


PageDep = Annotated[Page, Depends(page_of)]


async def tenant_page(
    request: Request, gw: GatewayDep, session: SessionDep, templates: TemplatesDep, tenant: str
) -> TenantPage:
    """A signed-in user's page of ``tenant``; pages look for safeguarding screening."""
    user = Actor(gw, session.principal, tenant, DEFAULT_PURPOSE)
    return TenantPage(request, session, templates, user)


TenantPageDep = Annotated[TenantPage, Depends(tenant_page)]


async def csrf_form(request: Request, session: SessionDep) -> dict[str, str]:
    """The posted form (field -> first value), once it has sent the session's CSRF
    token back as ``csrf_token`` (403 ``csrf-token-invalid`` otherwise)."""
    form = await form_fields(request)
    if not tokens_match(session.csrf_token, form.get("csrf_token")):
        raise ProblemError(403, "csrf-token-invalid", "send the form from the page")
    return form


CsrfForm = Annotated[dict[str, str], Depends(csrf_form)]
