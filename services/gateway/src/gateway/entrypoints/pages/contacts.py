"""The work queue, a contact (enquiries, joined-up view, consent and sharing panel) and
its rating form."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from gateway.adapters.front_door import segment
from gateway.entrypoints.deps import CsrfForm, TenantPageDep
from gateway.entrypoints.rendering import TenantPage, error_summary, field_errors, page_router
from gateway.service_layer import contacts
from gateway.service_layer.contacts import RatingRequest

router = page_router()
RATING_LABELS = {"rag_rating": "Urgency", "rationale": "Why this rating"}


def contact_url(tenant: str, contact_id: str) -> str:
    return f"/{tenant}/contacts/{segment(contact_id)}"


@router.get("/{tenant}/contacts")
async def queue(page: TenantPageDep) -> HTMLResponse:
    rows = await contacts.work_queue(page.user)
    return page.render("queue.html", rows=rows)


async def contact_view(
    page: TenantPage, contact_id: str, status: int = 200, **values: Any
) -> HTMLResponse:
    """The contact page (audited), with ``values`` such as a form's errors."""
    found = await contacts.contact_page(page.user, contact_id)
    view = found["view"]
    panel = view if isinstance(view, dict) else {}
    return page.render(
        "contact.html",
        status,
        c=found["contact"],
        facts=panel.get("timeline") or [],
        view_available=view is not None,
        sharing=panel.get("sharing"),
        **values,
    )


@router.get("/{tenant}/contacts/{contact_id}")
async def contact(page: TenantPageDep, contact_id: str) -> HTMLResponse:
    return await contact_view(page, contact_id)


@router.post("/{tenant}/contacts/{contact_id}/rating")
async def rate(page: TenantPageDep, form: CsrfForm, contact_id: str) -> Response:
    try:
        command = RatingRequest(
            rag_rating=form.get("rag_rating"),
            rationale=form.get("rationale", ""),
        )
    except ValidationError as exc:
        errors = field_errors(exc)
        summary = error_summary(errors, RATING_LABELS)
        return await contact_view(page, contact_id, 422, field_errors=errors, errors=summary)
    await contacts.rate(page.user, contact_id, command)
    return RedirectResponse(contact_url(page.user.tenant, contact_id), status_code=303)
