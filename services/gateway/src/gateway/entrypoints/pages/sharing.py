"""Recording a sharing decision from a contact (hub manager): share without consent
(recipient, lawful basis other than consent, special category condition, reason) or
decide not to share (recipient, reason code, reason)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from hub_contracts.events.records import NotSharedReason
from hub_contracts.sharing import SpecialCategoryCondition
from hub_service.problems import ProblemError
from pydantic import ValidationError

from gateway.domain.access import Action
from gateway.entrypoints.deps import CsrfForm, TenantPageDep
from gateway.entrypoints.pages.contacts import contact_url
from gateway.entrypoints.rendering import TenantPage, error_summary, field_errors, page_router
from gateway.service_layer import sharing
from gateway.service_layer.acting import Actor
from gateway.service_layer.sharing import (
    OVERRIDE_BASES,
    RECIPIENTS,
    NotToShareRequest,
    ShareWithoutConsentRequest,
)

router = page_router()
BASIS_TEXT = {
    "uk-gdpr-6-1-e": "Public task (UK GDPR Art 6(1)(e))",
    "uk-gdpr-6-1-c": "Legal obligation (UK GDPR Art 6(1)(c))",
    "uk-gdpr-6-1-d": "Vital interests (UK GDPR Art 6(1)(d))",
    "dpa-2018-part-3": "Law enforcement (DPA 2018 Part 3)",
}
LABELS = {
    "recipient": "Agency shared with",
    "lawful_basis": "Lawful basis",
    "special_category_condition": "Special category condition",
    "reason": "Why without consent",
    "ns_recipient": "Agency not shared with",
    "ns_reason_code": "Reason code",
    "ns_reason": "Why not",
}


async def _sharing_person(user: Actor, contact_id: str) -> str:
    """The contact's person, once the user is known to be allowed to record sharing."""
    await user.authorise(Action.RECORD_SHARING_DECISION, contact_id=contact_id)
    return await sharing.person_of_contact(user, contact_id)


def sharing_page(
    page: TenantPage, contact_id: str, person_id: str, status: int = 200, **values: Any
) -> HTMLResponse:
    return page.render(
        "sharing.html",
        status,
        contact_id=contact_id,
        person_id=person_id,
        recipients=[a.value for a in RECIPIENTS],
        bases=[(b.value, BASIS_TEXT.get(b.value, b.value)) for b in OVERRIDE_BASES],
        conditions=[c.value for c in SpecialCategoryCondition],
        not_shared_reasons=[r.value for r in NotSharedReason],
        **{"form": {}, **values},
    )


@router.get("/{tenant}/contacts/{contact_id}/sharing")
async def sharing_form(page: TenantPageDep, contact_id: str) -> HTMLResponse:
    person_id = await _sharing_person(page.user, contact_id)
    return sharing_page(page, contact_id, person_id)


@router.post("/{tenant}/contacts/{contact_id}/sharing")
async def record_sharing(page: TenantPageDep, form: CsrfForm, contact_id: str) -> Response:
    share = form.get("decision") != "not-share"
    person_id = await _sharing_person(page.user, contact_id)
    command: ShareWithoutConsentRequest | NotToShareRequest
    try:
        if share:
            command = ShareWithoutConsentRequest(
                recipient=form.get("recipient"),
                lawful_basis=form.get("lawful_basis"),
                special_category_condition=form.get("special_category_condition") or None,
                reason=form.get("reason", ""),
                contact_id=contact_id,
            )
        else:
            command = NotToShareRequest(
                recipient=form.get("ns_recipient"),
                reason_code=form.get("ns_reason_code"),
                reason=form.get("ns_reason", ""),
                contact_id=contact_id,
            )
        await sharing.record_decision(page.user, person_id, command)
    except ValidationError as exc:
        errors = field_errors(exc)
        if not share:
            errors = {f"ns_{k}": m for k, m in errors.items()}
    except ProblemError as exc:
        if exc.status != 422:
            raise
        field = "lawful_basis" if "basis" in exc.reason else "reason" if share else "ns_reason"
        errors = {field: exc.detail}
    else:
        url = contact_url(page.user.tenant, contact_id)
        return RedirectResponse(f"{url}#sharing", status_code=303)
    summary = error_summary(errors, LABELS)
    return sharing_page(
        page, contact_id, person_id, 422, form=form, field_errors=errors, errors=summary
    )
