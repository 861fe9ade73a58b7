"""Sharing decisions on a child's record (hub manager), for the JSON API and the pages.

Sharing without consent carries the recipient agency, the reason and the lawful
basis relied on instead of consent; a decision not to share carries its reason
code and reason. The front door stores the decision, shows it in the child's
sharing panel and publishes the ``sharing-decision-recorded`` audit event; the
gateway audits the user's action as well.
"""

from __future__ import annotations

from typing import Any

from hub_contracts.codes import Agency
from hub_contracts.events.common import LongText, Ref
from hub_contracts.events.records import NotSharedReason
from hub_contracts.sharing import LawfulBasis, Purpose, SpecialCategoryCondition
from hub_service.problems import ProblemError
from pydantic import BaseModel, ConfigDict, Field

from gateway.domain.access import Action
from gateway.service_layer.acting import Actor

RECIPIENTS = tuple(a for a in Agency if a is not Agency.HUB)
OVERRIDE_BASES = tuple(b for b in LawfulBasis if b is not LawfulBasis.CONSENT)
"""Sharing without consent rests on any basis but consent."""


class ShareWithoutConsentRequest(BaseModel):
    """Share the child's record with an agency without consent (hub manager)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recipient: Agency = Field(description="The partner agency shared with.")
    reason: LongText = Field(description="Why, without consent (required, audited).")
    lawful_basis: LawfulBasis = Field(description="The basis relied on; not consent.")
    special_category_condition: SpecialCategoryCondition | None = Field(
        default=None, description="For special category (e.g. health) data."
    )
    contact_id: Ref | None = Field(default=None, description="The contact it was decided on.")


class NotToShareRequest(BaseModel):
    """Decide not to share the child's record with an agency (hub manager)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recipient: Agency = Field(description="The partner agency not shared with.")
    reason_code: NotSharedReason = Field(description="Why, as a code.")
    reason: LongText = Field(description="Why, in your words (required, audited).")
    contact_id: Ref | None = Field(default=None, description="The contact it was decided on.")


async def record_decision(
    actor: Actor, person_id: str, command: ShareWithoutConsentRequest | NotToShareRequest
) -> dict[str, Any]:
    """Record a sharing decision at the front door, as the user; audited here too."""
    route = (
        "shares-without-consent"
        if isinstance(command, ShareWithoutConsentRequest)
        else "decisions-not-to-share"
    )
    # the purpose the user works under is the purpose the record is shared (or not) for
    body = {
        **command.model_dump(mode="json", exclude_none=True),
        "purpose": Purpose(actor.purpose).value,
    }
    async with actor.doing(
        Action.RECORD_SHARING_DECISION, contact_id=command.contact_id, person_id=person_id
    ) as done:
        result: dict[str, Any] = await actor.call(
            "POST", actor.path("persons", person_id, route), json=body
        )
        done.detail = {
            "decision": result.get("decision"),
            "decision_id": result.get("decision_id"),
            "recipient": command.recipient.value,
        }
    return result


async def person_of_contact(actor: Actor, contact_id: str) -> str:
    """The hub person a contact is about (asked of the front door as the user; the
    caller has authorised what it is for)."""
    found = await actor.call("GET", actor.path("contacts", contact_id))
    person_id = found.get("person_id") if isinstance(found, dict) else None
    if not person_id:
        raise ProblemError(404, "person-not-found", "this contact has no hub person yet")
    return str(person_id)
