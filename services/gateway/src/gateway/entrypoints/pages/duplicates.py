"""Potential duplicates, a page at a time: the two records side by side with each
field's agreement, and one reason and confirm (manager) or reject per pair."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from gateway.domain.access import Action
from gateway.domain.paging import Paging, page_number
from gateway.entrypoints.deps import CsrfForm, TenantPageDep
from gateway.entrypoints.rendering import TenantPage, error_summary, page_router
from gateway.service_layer import identity
from gateway.service_layer.acting import Actor
from gateway.service_layer.identity import IdentityReason

router = page_router()
DUPLICATES_PER_PAGE = 10
"""Pairs on one page of potential duplicates (each is a table and a form)."""


async def _page_of_pairs(user: Actor, number: int) -> tuple[Paging, list[dict[str, Any]]]:
    """Page ``number`` of the open potential duplicates, or the last page if there are fewer."""
    asked = Paging(number, DUPLICATES_PER_PAGE, 0)
    found = await identity.open_candidates_page(user, offset=asked.offset, limit=asked.per_page)
    paging = Paging.within(number, DUPLICATES_PER_PAGE, found.total)
    if paging.number != number:  # past the last page (the list shrank): show the last one
        found = await identity.open_candidates_page(
            user, offset=paging.offset, limit=paging.per_page
        )
        paging = Paging.within(paging.number, DUPLICATES_PER_PAGE, found.total)
    return paging, found.items


async def duplicates_view(
    page: TenantPage, number: int = 1, status: int = 200, **values: Any
) -> HTMLResponse:
    paging, candidates = await _page_of_pairs(page.user, number)
    return page.render(
        "duplicates.html",
        status,
        candidates=candidates,
        paging=paging,
        can_confirm=Action.CONFIRM_DUPLICATE in page.user.actions,
        **values,
    )


@router.get("/{tenant}/duplicates")
async def duplicates(request: Request, page: TenantPageDep) -> HTMLResponse:
    return await duplicates_view(page, page_number(request.query_params.get("page")))


@router.post("/{tenant}/duplicates/{candidate_id}")
async def decide_duplicate(page: TenantPageDep, form: CsrfForm, candidate_id: str) -> Response:
    number = page_number(form.get("page"))
    decision: Literal["confirmation", "rejection"] = (
        "confirmation" if form.get("decision") == "confirmation" else "rejection"
    )
    action = Action.CONFIRM_DUPLICATE if decision == "confirmation" else Action.REJECT_DUPLICATE
    await page.user.authorise(action)
    try:
        command = IdentityReason(reason=form.get("reason", ""))
    except ValidationError:
        field = f"reason-{candidate_id}"
        errors = {field: "Enter why (required)"}
        summary = error_summary(errors, {field: "Reason"})
        return await duplicates_view(page, number, 422, field_errors=errors, errors=summary)
    await identity.decide_candidate(page.user, candidate_id, decision, command)
    # back to the same page: the next pairs to review have moved up into it
    query = f"?page={number}" if number > 1 else ""
    return RedirectResponse(f"/{page.user.tenant}/duplicates{query}", status_code=303)
