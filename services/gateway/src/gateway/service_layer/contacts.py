"""What staff do with contacts, for the JSON API and the pages alike.

Each function is one ``Actor.doing`` step: the action is checked against the user's
tenant and roles first (``domain.access``), the front door is called as the user,
only the fields the user needs are kept, and the action is audited in the tenant's
gateway database.
"""

from __future__ import annotations

from typing import Any

from hub_contracts.codes import CategoryOfAbuse, ContactOutcome, PrimaryNeed, RagRating
from hub_contracts.events.common import LongText, Ref, ShortText
from hub_service.staff import Role
from pydantic import BaseModel, ConfigDict, Field

from gateway.adapters.audit import who_looked
from gateway.domain.access import ENQUIRY_STATUS_ONLY, Action, enquiry_fields, only
from gateway.domain.queue import RAG_TAG, decided_text, time_left_text
from gateway.service_layer.acting import Actor


class RatingRequest(BaseModel):
    """A practitioner's RAG rating of a contact (starts the multi-agency enquiries)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rag_rating: RagRating = Field(description="red (4 h), amber (24 h) or green (72 h).")
    rationale: LongText = Field(description="Why this rating.")


class DecisionRequest(BaseModel):
    """A hub manager's decision with its reason (required)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: ContactOutcome = Field(description="Outcome code (SSD038 plus Strategy Discussion).")
    reason: LongText = Field(description="Why, in the decision-maker's words (required).")
    primary_need: PrimaryNeed | None = Field(
        default=None, description="Required for CIN referral and strategy discussion."
    )
    suspected_category: CategoryOfAbuse | None = Field(
        default=None, description="For a strategy discussion: the suspected category of abuse."
    )
    consent_id: Ref | None = Field(
        default=None, description="For an early help referral: the family's consent record."
    )
    family_informed: bool = Field(default=True, description="Whether the family is told.")
    family_not_informed_reason: ShortText | None = Field(
        default=None, description="Why not, when telling them would put the child at risk."
    )


def queue_row(item: dict[str, Any]) -> dict[str, Any]:
    """A work-queue item as the gateway shows it (RAG tag class and time left)."""
    rag = item.get("rag_rating")
    return {
        "contact_id": item["contact_id"],
        "status": item["status"],
        "rag_rating": rag,
        "rag_tag": RAG_TAG.get(rag or "", "govuk-tag--grey"),
        "received_at": item["received_at"],
        "deadline": item["deadline"],
        "seconds_left": item["seconds_left"],
        "time_left": time_left_text(int(item["seconds_left"])),
        "child_name": item["child_name"],
        "referral_source": item["referral_source"],
        "origin_agency": item["origin_agency"],
    }


async def work_queue(actor: Actor) -> list[dict[str, Any]]:
    """Open contacts of the actor's tenant, least time left first."""
    async with actor.doing(Action.VIEW_QUEUE) as done:
        items = await actor.call("GET", actor.path("contacts"))
        rows = sorted((queue_row(i) for i in items), key=lambda r: r["seconds_left"])
        done.detail = {"contacts": len(rows)}
    return rows


async def contact_page(actor: Actor, contact_id: str) -> dict[str, Any]:
    """One contact with its enquiries and, where the front door has it, the joined-up
    view (facts with provenance, the consent and sharing panel). The view is audited.

    Potential duplicates are not part of it: the front door lists them tenant-wide
    (``identity.open_candidates``) and per person (``identity.person_page``)."""
    async with actor.doing(Action.VIEW_CONTACT, contact_id=contact_id) as done:
        contact: dict[str, Any] = await actor.call("GET", actor.path("contacts", contact_id))
        view = await actor.optional(actor.path("contacts", contact_id, "view"))
        fields = enquiry_fields(actor.principal)
        contact["enquiries"] = [only(e, fields) for e in contact.get("enquiries", [])]
        rag = contact.get("rag_rating") or contact.get("rag_rating_as_received")
        contact["rag_tag"] = RAG_TAG.get(rag or "", "govuk-tag--grey")
        contact.update(clock_state(contact))
        done.person_id = contact.get("person_id")
    return {"contact": contact, "view": view}


def clock_state(contact: dict[str, Any]) -> dict[str, Any]:
    """Time left while the contact is open; once decided, no running clock: 'decided'
    and whether the decision was in time."""
    decision = contact.get("decision") or {}
    if contact.get("status") == "decided":
        in_time = decision.get("decided_in_time", contact.get("decided_in_time"))
        return {
            "decided": True,
            "decided_in_time": in_time,
            "time_left": decided_text(in_time),
        }
    return {
        "decided": False,
        "time_left": time_left_text(int(contact.get("seconds_left") or 0)),
    }


async def enquiry_board(actor: Actor) -> list[dict[str, Any]]:
    """Open contacts with each agency's enquiry status, least time left first: what an
    agency liaison chases. No child details (the front door sends none)."""
    async with actor.doing(Action.VIEW_ENQUIRY_BOARD) as done:
        rows: list[dict[str, Any]] = await actor.call("GET", actor.path("enquiry-status"))
        for row in rows:
            rag = row.get("rag_rating")
            row["rag_tag"] = RAG_TAG.get(rag or "", "govuk-tag--grey")
            row.update(clock_state(row))
            row["enquiries"] = [only(e, ENQUIRY_STATUS_ONLY) for e in row.get("enquiries", [])]
        done.detail = {"contacts": len(rows)}
    return rows


async def enquiry_status(actor: Actor, contact_id: str) -> list[dict[str, Any]]:
    """Each agency's enquiry for the contact: asked when, due when, answered or overdue."""
    async with actor.doing(Action.VIEW_ENQUIRIES, contact_id=contact_id) as done:
        path = actor.path("contacts", contact_id)
        if not actor.principal.has(Role.PRACTITIONER, Role.MANAGER):
            # agency liaisons: the front door's status-only route (no child, no answers)
            path += "/enquiry-status"
        contact = await actor.call("GET", path)
        done.person_id = contact.get("person_id")
    fields = enquiry_fields(actor.principal)
    return [only(e, fields) for e in contact.get("enquiries", [])]


async def rate(actor: Actor, contact_id: str, command: RatingRequest) -> dict[str, Any]:
    """Rate the contact (RAG) at the front door, which sends the enquiries; audited."""
    return await _act_on_contact(
        actor,
        contact_id,
        Action.RATE_CONTACT,
        "rating",
        command.model_dump(mode="json"),
        {"rag_rating": command.rag_rating.value},
    )


async def decide(actor: Actor, contact_id: str, command: DecisionRequest) -> dict[str, Any]:
    """Record the manager's decision (outcome and reason) at the front door; audited."""
    return await _act_on_contact(
        actor,
        contact_id,
        Action.DECIDE_CONTACT,
        "decision",
        command.model_dump(mode="json", exclude_none=True),
        {"outcome": command.outcome.value},
    )


async def _act_on_contact(
    actor: Actor,
    contact_id: str,
    action: Action,
    step: str,
    body: dict[str, Any],
    detail: dict[str, Any],
) -> dict[str, Any]:
    """Post ``body`` to the contact's ``step`` at the front door as ``action``, audited
    with ``detail``."""
    async with actor.doing(action, contact_id=contact_id, detail=detail) as done:
        result: dict[str, Any] = await actor.call(
            "POST", actor.path("contacts", contact_id, step), json=body
        )
        done.person_id = result.get("person_id")
    return result


async def access_audit(actor: Actor, contact_id: str) -> dict[str, Any]:
    """Who looked at this child: the gateway's audit of user actions on the child's
    contacts, and the front door's own access log where it has one. Reading the
    audit is itself audited."""
    async with actor.doing(Action.VIEW_ACCESS_AUDIT, contact_id=contact_id):
        entries = await who_looked(actor.db, contact_id)
        front_door_log: list[Any] = []
        for person_id in sorted({e["person_id"] for e in entries if e.get("person_id")}):
            found = await actor.optional(actor.path("persons", person_id, "access-log"))
            if isinstance(found, dict):
                front_door_log.extend(found.get("views", []))
    return {"contact_id": contact_id, "gateway": entries, "front_door": front_door_log or None}
