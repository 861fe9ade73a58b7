"""What staff do with contacts, for the JSON API and the pages alike.

Each function checks the action against the user's tenant and roles first
(``domain.access``), calls the front door as the user, keeps only the fields
the user needs, and audits the action in the tenant's gateway database.
"""

from __future__ import annotations

import logging
from typing import Any

from hub_contracts.codes import CategoryOfAbuse, ContactOutcome, PrimaryNeed, RagRating
from hub_contracts.events.common import LongText, Ref, ShortText
from hub_contracts.sharing import Purpose
from hub_service.problems import ProblemError
from hub_service.staff import Role
from pydantic import BaseModel, ConfigDict, Field

from gateway.adapters.audit import record_action, who_looked
from gateway.adapters.front_door import segment
from gateway.domain.access import ENQUIRY_STATUS_ONLY, Action, enquiry_fields, only, refusal
from gateway.domain.queue import RAG_TAG, decided_text, time_left_text
from gateway.domain.users import Principal
from gateway.service_layer.context import Gateway

log = logging.getLogger("gateway.contacts")
DEFAULT_PURPOSE = Purpose.SAFEGUARDING_SCREENING.value


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


def purpose_of(value: str | None) -> str:
    """A purpose from the purpose codes; the screening purpose when none is given."""
    if value is None or value == "":
        return DEFAULT_PURPOSE
    try:
        return Purpose(value).value
    except ValueError as exc:
        raise ProblemError(
            422, "unknown-purpose", f"purpose must be one of {[p.value for p in Purpose]}"
        ) from exc


async def authorise(
    gw: Gateway,
    principal: Principal,
    tenant: str,
    action: Action,
    *,
    purpose: str,
    contact_id: str | None = None,
) -> None:
    """Refuse (and audit the refusal) unless the user may do ``action`` in ``tenant``."""
    why = refusal(principal, tenant, action)
    if why is None:
        return
    log.warning("user action refused", extra={"action": action.value, "reason": why.value})
    if tenant in gw.tenants:
        await record_action(
            gw.tenant_db(tenant),
            principal,
            tenant=tenant,
            action=action.value,
            at=gw.clock.now(),
            purpose=purpose,
            contact_id=contact_id,
            outcome=why.value,
        )
    raise ProblemError(403, why.value, f"not permitted to {action.value} in this tenant")


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


async def work_queue(
    gw: Gateway, principal: Principal, tenant: str, purpose: str
) -> list[dict[str, Any]]:
    """Open contacts of ``tenant``, least time left first."""
    await authorise(gw, principal, tenant, Action.VIEW_QUEUE, purpose=purpose)
    items = await gw.front_door.call(
        principal, "GET", f"/v1/{segment(tenant)}/contacts", purpose=purpose
    )
    rows = [queue_row(i) for i in items]
    rows.sort(key=lambda r: r["seconds_left"])
    await record_action(
        gw.tenant_db(tenant),
        principal,
        tenant=tenant,
        action=Action.VIEW_QUEUE.value,
        at=gw.clock.now(),
        purpose=purpose,
        detail={"contacts": len(rows)},
    )
    return rows


async def contact_page(
    gw: Gateway, principal: Principal, tenant: str, contact_id: str, purpose: str
) -> dict[str, Any]:
    """One contact with its enquiries and, where the front door has them, the joined-up
    view (facts with provenance) and potential duplicates. The view is audited."""
    await authorise(
        gw, principal, tenant, Action.VIEW_CONTACT, purpose=purpose, contact_id=contact_id
    )
    base = f"/v1/{segment(tenant)}/contacts/{segment(contact_id)}"
    contact: dict[str, Any] = await gw.front_door.call(principal, "GET", base, purpose=purpose)
    view = await gw.front_door.optional(principal, f"{base}/view", purpose=purpose)
    candidates = None  # the front door reviews candidates tenant-wide (/person-candidates)
    fields = enquiry_fields(principal)
    contact["enquiries"] = [only(e, fields) for e in contact.get("enquiries", [])]
    rag = contact.get("rag_rating") or contact.get("rag_rating_as_received")
    contact["rag_tag"] = RAG_TAG.get(rag or "", "govuk-tag--grey")
    contact.update(clock_state(contact))
    await record_action(
        gw.tenant_db(tenant),
        principal,
        tenant=tenant,
        action=Action.VIEW_CONTACT.value,
        at=gw.clock.now(),
        purpose=purpose,
        contact_id=contact_id,
        person_id=contact.get("person_id"),
    )
    return {"contact": contact, "view": view, "candidates": candidates}


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


async def enquiry_board(
    gw: Gateway, principal: Principal, tenant: str, purpose: str
) -> list[dict[str, Any]]:
    """Open contacts with each agency's enquiry status, least time left first: what an
    agency liaison chases. No child details (the front door sends none)."""
    await authorise(gw, principal, tenant, Action.VIEW_ENQUIRY_BOARD, purpose=purpose)
    rows: list[dict[str, Any]] = await gw.front_door.call(
        principal, "GET", f"/v1/{segment(tenant)}/enquiry-status", purpose=purpose
    )
    for row in rows:
        rag = row.get("rag_rating")
        row["rag_tag"] = RAG_TAG.get(rag or "", "govuk-tag--grey")
        row.update(clock_state(row))
        row["enquiries"] = [only(e, ENQUIRY_STATUS_ONLY) for e in row.get("enquiries", [])]
    await record_action(
        gw.tenant_db(tenant),
        principal,
        tenant=tenant,
        action=Action.VIEW_ENQUIRY_BOARD.value,
        at=gw.clock.now(),
        purpose=purpose,
        detail={"contacts": len(rows)},
    )
    return rows


async def enquiry_status(
    gw: Gateway, principal: Principal, tenant: str, contact_id: str, purpose: str
) -> list[dict[str, Any]]:
    """Each agency's enquiry for the contact: asked when, due when, answered or overdue."""
    await authorise(
        gw, principal, tenant, Action.VIEW_ENQUIRIES, purpose=purpose, contact_id=contact_id
    )
    path = f"/v1/{segment(tenant)}/contacts/{segment(contact_id)}"
    if not principal.has(Role.PRACTITIONER, Role.MANAGER):
        # agency liaisons: the front door's status-only route (no child, no answers)
        path += "/enquiry-status"
    contact = await gw.front_door.call(principal, "GET", path, purpose=purpose)
    fields = enquiry_fields(principal)
    await record_action(
        gw.tenant_db(tenant),
        principal,
        tenant=tenant,
        action=Action.VIEW_ENQUIRIES.value,
        at=gw.clock.now(),
        purpose=purpose,
        contact_id=contact_id,
        person_id=contact.get("person_id"),
    )
    return [only(e, fields) for e in contact.get("enquiries", [])]


async def rate(
    gw: Gateway,
    principal: Principal,
    tenant: str,
    contact_id: str,
    command: RatingRequest,
    purpose: str,
) -> dict[str, Any]:
    body = command.model_dump(mode="json")
    detail = {"rag_rating": command.rag_rating.value}
    return await _act_on_contact(
        gw, principal, tenant, contact_id, Action.RATE_CONTACT, "rating", body, detail, purpose
    )


async def decide(
    gw: Gateway,
    principal: Principal,
    tenant: str,
    contact_id: str,
    command: DecisionRequest,
    purpose: str,
) -> dict[str, Any]:
    body = command.model_dump(mode="json", exclude_none=True)
    detail = {"outcome": command.outcome.value}
    return await _act_on_contact(
        gw, principal, tenant, contact_id, Action.DECIDE_CONTACT, "decision", body, detail, purpose
    )


async def _act_on_contact(
    gw: Gateway,
    principal: Principal,
    tenant: str,
    contact_id: str,
    action: Action,
    step: str,
    body: dict[str, Any],
    detail: dict[str, Any],
    purpose: str,
) -> dict[str, Any]:
    """Authorise ``action``, post ``body`` to the contact's ``step`` at the front door,
    and audit it with ``detail``."""
    await authorise(gw, principal, tenant, action, purpose=purpose, contact_id=contact_id)
    path = f"/v1/{segment(tenant)}/contacts/{segment(contact_id)}/{step}"
    result: dict[str, Any] = await gw.front_door.call(
        principal, "POST", path, purpose=purpose, json=body
    )
    await record_action(
        gw.tenant_db(tenant),
        principal,
        tenant=tenant,
        action=action.value,
        at=gw.clock.now(),
        purpose=purpose,
        contact_id=contact_id,
        person_id=result.get("person_id"),
        detail=detail,
    )
    return result


async def access_audit(
    gw: Gateway, principal: Principal, tenant: str, contact_id: str, purpose: str
) -> dict[str, Any]:
    """Who looked at this child: the gateway's audit of user actions on the child's
    contacts, and the front door's own access log where it has one. Reading the
    audit is itself audited."""
    await authorise(
        gw, principal, tenant, Action.VIEW_ACCESS_AUDIT, purpose=purpose, contact_id=contact_id
    )
    db = gw.tenant_db(tenant)
    entries = await who_looked(db, contact_id)
    front_door_log: list[Any] = []
    for person_id in sorted({e["person_id"] for e in entries if e.get("person_id")}):
        found = await gw.front_door.optional(
            principal,
            f"/v1/{segment(tenant)}/persons/{segment(person_id)}/access-log",
            purpose=purpose,
        )
        if isinstance(found, dict):
            front_door_log.extend(found.get("views", []))
    await record_action(
        db,
        principal,
        tenant=tenant,
        action=Action.VIEW_ACCESS_AUDIT.value,
        at=gw.clock.now(),
        purpose=purpose,
        contact_id=contact_id,
    )
    return {"contact_id": contact_id, "gateway": entries, "front_door": front_door_log or None}
