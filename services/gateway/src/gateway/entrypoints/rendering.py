"""How pages are rendered: GOV.UK Design System templates with who is signed in and
their navigation, and the error summaries of forms.

Page routes are declared on ``page_router()``s: left out of the OpenAPI document, and
marked (``PageRoute``) so that the one problem handler (``entrypoints.problems``)
answers their problems as pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from gateway.adapters.sessions import Session
from gateway.domain.access import Action, allowed_actions
from gateway.domain.dates import human_time
from gateway.domain.users import Principal
from gateway.service_layer.acting import Actor
from gateway.settings import PACKAGE_DIR


def page_templates() -> Jinja2Templates:
    """The gateway's Jinja templates, with the GOV.UK date filter ``when``."""
    templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    templates.env.filters["when"] = human_time
    return templates


class PageRoute(APIRoute):
    """A route that answers a page (HTML): its problems are rendered as pages."""


def page_router() -> APIRouter:
    """A router of pages: not in the OpenAPI document, its problems shown as pages."""
    return APIRouter(
        include_in_schema=False, route_class=PageRoute, default_response_class=HTMLResponse
    )


def _tenants_for(principal: Principal, action: Action) -> list[str]:
    return sorted(t for t in principal.tenants if action in allowed_actions(principal, t))


def base_context(session: Session | None, **values: Any) -> dict[str, Any]:
    """What every page's template gets: the user, their CSRF token and navigation."""
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


@dataclass(frozen=True)
class Page:
    """Renders pages for one request, for whoever is signed in (if anyone)."""

    request: Request
    session: Session | None
    templates: Jinja2Templates

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        return self.templates.TemplateResponse(
            self.request, name, base_context(self.session, **values), status_code=status
        )


@dataclass(frozen=True)
class TenantPage(Page):
    """A page of one tenant for a signed-in ``user`` acting there; its templates get the
    tenant and the actions the user may take in it."""

    user: Actor

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        actions = {a.value for a in self.user.actions}
        return super().render(name, status, tenant=self.user.tenant, actions=actions, **values)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """A form's invalid fields, each with the message shown beside it."""
    messages = {"missing": "Enter a value", "string_too_short": "Enter a value"}
    out: dict[str, str] = {}
    for e in exc.errors():
        field = str(e["loc"][0]) if e["loc"] else "form"
        out.setdefault(field, messages.get(e["type"], "Check this answer"))
    return out


def error_summary(errors: dict[str, str], labels: dict[str, str]) -> list[dict[str, str]]:
    """The GOV.UK error summary: each field's message, linked to the field."""
    return [{"field": f, "message": f"{labels.get(f, f)}: {m}"} for f, m in errors.items()]
