"""The decision form (hub manager): outcome, reason and what the outcome needs."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from hub_contracts.codes import CategoryOfAbuse, ContactOutcome, PrimaryNeed
from hub_service.problems import ProblemError
from pydantic import ValidationError

from gateway.domain.access import Action
from gateway.entrypoints.deps import CsrfForm, TenantPageDep
from gateway.entrypoints.pages.contacts import contact_url
from gateway.entrypoints.rendering import TenantPage, error_summary, field_errors, page_router
from gateway.service_layer import contacts
from gateway.service_layer.contacts import DecisionRequest

router = page_router()
LABELS = {
    "outcome": "Outcome",
    "reason": "Reason",
    "primary_need": "Primary need",
    "suspected_category": "Suspected category of abuse",
    "family_not_informed_reason": "Why the family must not be told",
    "consent_id": "Consent record",
}


def decision_page(
    page: TenantPage, contact_id: str, status: int = 200, **values: Any
) -> HTMLResponse:
    return page.render(
        "decision.html",
        status,
        contact_id=contact_id,
        outcomes=[o.value for o in ContactOutcome],
        primary_needs=[p.value for p in PrimaryNeed],
        categories=[c.value for c in CategoryOfAbuse],
        **{"form": {}, **values},
    )


@router.get("/{tenant}/contacts/{contact_id}/decision")
async def decision_form(page: TenantPageDep, contact_id: str) -> HTMLResponse:
    await page.user.authorise(Action.DECIDE_CONTACT, contact_id=contact_id)
    return decision_page(page, contact_id)


@router.post("/{tenant}/contacts/{contact_id}/decision")
async def decide(page: TenantPageDep, form: CsrfForm, contact_id: str) -> Response:
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
        await contacts.decide(page.user, contact_id, command)
    except ValidationError as exc:
        errors = field_errors(exc)
    except ProblemError as exc:
        if exc.status != 422:
            raise
        # the front door's check of what the outcome needs, shown on its field
        errors = {"primary_need" if "primary" in exc.detail else "reason": exc.detail}
    else:
        return RedirectResponse(contact_url(page.user.tenant, contact_id), status_code=303)
    summary = error_summary(errors, LABELS)
    return decision_page(page, contact_id, 422, form=form, field_errors=errors, errors=summary)
