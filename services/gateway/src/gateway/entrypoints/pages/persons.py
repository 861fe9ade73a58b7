"""The person page (linked agency records, linked persons) and reversing a link
(hub manager)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from gateway.adapters.front_door import segment
from gateway.domain.access import Action
from gateway.entrypoints.deps import CsrfForm, TenantPageDep
from gateway.entrypoints.rendering import TenantPage, error_summary, page_router
from gateway.service_layer import identity
from gateway.service_layer.identity import IdentityReason

router = page_router()


async def person_view(
    page: TenantPage, person_id: str, status: int = 200, **values: Any
) -> HTMLResponse:
    found = await identity.person_page(page.user, person_id)
    can_unlink = Action.UNLINK_PERSON in page.user.actions
    return page.render("person.html", status, p=found, can_unlink=can_unlink, **values)


@router.get("/{tenant}/persons/{person_id}")
async def person(page: TenantPageDep, person_id: str) -> HTMLResponse:
    return await person_view(page, person_id)


@router.post("/{tenant}/persons/{person_id}/unlink")
async def unlink(page: TenantPageDep, form: CsrfForm, person_id: str) -> Response:
    await page.user.authorise(Action.UNLINK_PERSON)
    try:
        command = IdentityReason(reason=form.get("reason", ""))
    except ValidationError:
        # the form sits on the survivor's page; show the error there
        field = f"reason-{person_id}"
        errors = {field: "Enter why (required)"}
        summary = error_summary(errors, {field: "Reason"})
        survivor = form.get("survivor_id") or person_id
        return await person_view(page, survivor, 422, field_errors=errors, errors=summary)
    result = await identity.unlink(page.user, person_id, command)
    survivor_id = str(result.get("survivor_id") or person_id)
    return RedirectResponse(f"/{page.user.tenant}/persons/{segment(survivor_id)}", status_code=303)
