"""Potential-duplicate review and the person page, for the JSON API and the pages alike.

The front door suggests candidate matches and never merges on its own; here a
hub practitioner or manager reviews them (the evidence: which fields agreed and
how), a manager confirms, either rejects, and a manager may reverse a link from
the person page. Every decision carries a reason; every read and decision is
audited in the tenant's gateway database like any action on a child's record.
"""

from __future__ import annotations

from typing import Any, Literal

from hub_contracts.events.common import LongText
from pydantic import BaseModel, ConfigDict, Field

from gateway.adapters.audit import record_action
from gateway.adapters.front_door import Page, segment
from gateway.domain.access import Action, candidate_view, only
from gateway.domain.users import Principal
from gateway.service_layer.contacts import authorise
from gateway.service_layer.context import Gateway

PERSON_FIELDS = frozenset(
    {
        "person_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "postcode",
        "has_nhs_number",
        "merged_into",
        "survivor_id",
        "identifiers",
    }
)
"""The person page: who the record is and which agency records are linked to it (the
agency ids are what identity work is about), never the NHS number itself."""
LINKED_PERSON_FIELDS = frozenset({"person_id", "identifiers", "linked_at", "change_id"})


class IdentityReason(BaseModel):
    """The reason for confirming or rejecting a match, or reversing a link (required)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: LongText = Field(description="Why, in your words (required, audited).")


async def _audit(
    gw: Gateway,
    principal: Principal,
    tenant: str,
    action: Action,
    purpose: str,
    *,
    person_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    await record_action(
        gw.tenant_db(tenant),
        principal,
        tenant=tenant,
        action=action.value,
        at=gw.clock.now(),
        purpose=purpose,
        person_id=person_id,
        detail=detail,
    )


async def open_candidates(
    gw: Gateway, principal: Principal, tenant: str, purpose: str
) -> list[dict[str, Any]]:
    """Open potential duplicates, best score first, each with its evidence."""
    await authorise(gw, principal, tenant, Action.REVIEW_DUPLICATES, purpose=purpose)
    found = await gw.front_door.call(
        principal,
        "GET",
        f"/v1/{segment(tenant)}/person-candidates",
        purpose=purpose,
        params={"status": "open"},
    )
    rows = [candidate_view(c) for c in found]
    await _audit(
        gw, principal, tenant, Action.REVIEW_DUPLICATES, purpose, detail={"candidates": len(rows)}
    )
    return rows


async def open_candidates_page(
    gw: Gateway, principal: Principal, tenant: str, purpose: str, *, offset: int, limit: int
) -> Page:
    """One page of the open potential duplicates (best score first), and how many in all."""
    await authorise(gw, principal, tenant, Action.REVIEW_DUPLICATES, purpose=purpose)
    found = await gw.front_door.page(
        principal,
        f"/v1/{segment(tenant)}/person-candidates",
        purpose=purpose,
        params={"status": "open", "limit": limit, "offset": offset},
    )
    rows = [candidate_view(c) for c in found.items]
    await _audit(
        gw,
        principal,
        tenant,
        Action.REVIEW_DUPLICATES,
        purpose,
        detail={"candidates": len(rows), "offset": offset, "total": found.total},
    )
    return Page(rows, found.total)


async def decide_candidate(
    gw: Gateway,
    principal: Principal,
    tenant: str,
    candidate_id: str,
    decision: Literal["confirmation", "rejection"],
    command: IdentityReason,
    purpose: str,
) -> dict[str, Any]:
    """Confirm (manager: the two records become one) or reject (never suggested again)."""
    action = Action.CONFIRM_DUPLICATE if decision == "confirmation" else Action.REJECT_DUPLICATE
    await authorise(gw, principal, tenant, action, purpose=purpose)
    path = f"/v1/{segment(tenant)}/person-candidates/{segment(candidate_id)}/{decision}"
    result: dict[str, Any] = await gw.front_door.call(
        principal, "POST", path, purpose=purpose, json=command.model_dump(mode="json")
    )
    await _audit(
        gw,
        principal,
        tenant,
        action,
        purpose,
        person_id=result.get("survivor_id"),
        detail={"candidate_id": candidate_id, "change_id": result.get("change_id")},
    )
    return result


async def person_page(
    gw: Gateway, principal: Principal, tenant: str, person_id: str, purpose: str
) -> dict[str, Any]:
    """One person: who they are, the agency records linked, linked persons and candidates."""
    await authorise(gw, principal, tenant, Action.VIEW_PERSON, purpose=purpose)
    found: dict[str, Any] = await gw.front_door.call(
        principal, "GET", f"/v1/{segment(tenant)}/persons/{segment(person_id)}", purpose=purpose
    )
    person = only(found, PERSON_FIELDS)
    person["has_nhs_number"] = bool(found.get("nhs_number"))
    person["linked_persons"] = [
        {**only(p, LINKED_PERSON_FIELDS), "has_nhs_number": bool(p.get("nhs_number"))}
        for p in found.get("linked_persons", [])
    ]
    person["candidates"] = [candidate_view(c) for c in found.get("candidates", [])]
    await _audit(gw, principal, tenant, Action.VIEW_PERSON, purpose, person_id=person_id)
    return person


async def unlink(
    gw: Gateway,
    principal: Principal,
    tenant: str,
    person_id: str,
    command: IdentityReason,
    purpose: str,
) -> dict[str, Any]:
    """Reverse the link that merged ``person_id`` into another person (manager)."""
    await authorise(gw, principal, tenant, Action.UNLINK_PERSON, purpose=purpose)
    path = f"/v1/{segment(tenant)}/persons/{segment(person_id)}/unlink"
    result: dict[str, Any] = await gw.front_door.call(
        principal, "POST", path, purpose=purpose, json=command.model_dump(mode="json")
    )
    await _audit(
        gw,
        principal,
        tenant,
        Action.UNLINK_PERSON,
        purpose,
        person_id=person_id,
        detail={"change_id": result.get("change_id"), "survivor_id": result.get("survivor_id")},
    )
    return result
