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

from gateway.adapters.front_door import Page
from gateway.domain.access import Action, candidate_view, only
from gateway.service_layer.acting import Actor

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


async def open_candidates(actor: Actor) -> list[dict[str, Any]]:
    """Open potential duplicates, best score first, each with its evidence."""
    async with actor.doing(Action.REVIEW_DUPLICATES) as done:
        found = await actor.call("GET", actor.path("person-candidates"), params={"status": "open"})
        rows = [candidate_view(c) for c in found]
        done.detail = {"candidates": len(rows)}
    return rows


async def open_candidates_page(actor: Actor, *, offset: int, limit: int) -> Page:
    """One page of the open potential duplicates (best score first), and how many in all."""
    async with actor.doing(Action.REVIEW_DUPLICATES) as done:
        found = await actor.page(
            actor.path("person-candidates"),
            params={"status": "open", "limit": limit, "offset": offset},
        )
        rows = [candidate_view(c) for c in found.items]
        done.detail = {"candidates": len(rows), "offset": offset, "total": found.total}
    return Page(rows, found.total)


async def decide_candidate(
    actor: Actor,
    candidate_id: str,
    decision: Literal["confirmation", "rejection"],
    command: IdentityReason,
) -> dict[str, Any]:
    """Confirm (manager: the two records become one) or reject (never suggested again)."""
    action = Action.CONFIRM_DUPLICATE if decision == "confirmation" else Action.REJECT_DUPLICATE
    async with actor.doing(action) as done:
        result: dict[str, Any] = await actor.call(
            "POST",
            actor.path("person-candidates", candidate_id, decision),
            json=command.model_dump(mode="json"),
        )
        done.person_id = result.get("survivor_id")
        done.detail = {"candidate_id": candidate_id, "change_id": result.get("change_id")}
    return result


async def person_page(actor: Actor, person_id: str) -> dict[str, Any]:
    """One person: who they are, the agency records linked, linked persons and candidates."""
    async with actor.doing(Action.VIEW_PERSON, person_id=person_id):
        found: dict[str, Any] = await actor.call("GET", actor.path("persons", person_id))
        person = only(found, PERSON_FIELDS)
        person["has_nhs_number"] = bool(found.get("nhs_number"))
        person["linked_persons"] = [
            {**only(p, LINKED_PERSON_FIELDS), "has_nhs_number": bool(p.get("nhs_number"))}
            for p in found.get("linked_persons", [])
        ]
        person["candidates"] = [candidate_view(c) for c in found.get("candidates", [])]
    return person


async def unlink(actor: Actor, person_id: str, command: IdentityReason) -> dict[str, Any]:
    """Reverse the link that merged ``person_id`` into another person (manager)."""
    async with actor.doing(Action.UNLINK_PERSON, person_id=person_id) as done:
        result: dict[str, Any] = await actor.call(
            "POST", actor.path("persons", person_id, "unlink"), json=command.model_dump(mode="json")
        )
        done.detail = {
            "change_id": result.get("change_id"),
            "survivor_id": result.get("survivor_id"),
        }
    return result
