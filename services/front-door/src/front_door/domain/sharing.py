"""Sharing decisions about a child's hub record: pure rules, no I/O.

A hub manager may decide to share the hub's record of a child with an agency
**without consent** (the usual case in safeguarding: consent is not the basis,
public task or a legal obligation is), or decide **not to share** it. Either
way the decision, its reason, the lawful basis, who decided and when must be
recorded (DfE information-sharing advice; ARCHITECTURE.md "Consent-checked
sharing"). This module holds the commands, the rules they must meet, and how a
decision becomes a fact of the child's view and an audit event.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from hub_contracts.codes import AGENCY_OF_SERVICE, Agency
from hub_contracts.events.common import LongText, Ref
from hub_contracts.events.records import NotSharedReason, SharingDecisionRecorded
from hub_contracts.policy import SharingOutcome
from hub_contracts.sharing import LawfulBasis, Purpose, SpecialCategoryCondition
from hub_messaging.documents import Document
from pydantic import BaseModel, ConfigDict, Field

from front_door.domain.view import HUB, FactKind

PRODUCER = "front-door"
RECORD_TYPE = "front-door.child-record"
"""What the audit event's ``event_type`` names: the hub's record of the child, disclosed
outside the bus (by phone, in a meeting, by secure email), not a bus event."""
SERVICE_OF_AGENCY: dict[Agency, str] = {
    agency: service for service, agency in AGENCY_OF_SERVICE.items() if agency is not Agency.HUB
}
"""The service that speaks for each partner agency (the audit event's ``recipient``)."""
SHARED_WITHOUT_CONSENT = "shared-without-consent"


class SharingDecisionKind(StrEnum):
    SHARED_WITHOUT_CONSENT = SHARED_WITHOUT_CONSENT
    NOT_SHARED = FactKind.NOT_SHARED


class ShareWithoutConsent(BaseModel):
    """A hub manager's decision to share the child's record with an agency without consent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recipient: Agency = Field(description="The agency the record is shared with (not the hub).")
    reason: LongText = Field(description="Why it is shared without consent (required, audited).")
    lawful_basis: LawfulBasis = Field(
        description="The basis relied on instead of consent, e.g. uk-gdpr-6-1-e (public task)."
    )
    purpose: Purpose = Field(
        default=Purpose.SAFEGUARDING_SCREENING, description="What the recipient may use it for."
    )
    special_category_condition: SpecialCategoryCondition | None = Field(
        default=None, description="For special category (e.g. health) data: the DPA 2018 condition."
    )
    contact_id: Ref | None = Field(
        default=None, description="The contact the decision was taken on, if any."
    )


class DecideNotToShare(BaseModel):
    """A hub manager's decision not to share the child's record with an agency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recipient: Agency = Field(description="The agency the record is not shared with.")
    reason_code: NotSharedReason = Field(description="Why, as a code.")
    reason: LongText = Field(description="Why, in the decision-maker's words (required).")
    purpose: Purpose = Field(
        default=Purpose.SAFEGUARDING_SCREENING,
        description="The purpose sharing was considered for.",
    )
    contact_id: Ref | None = Field(
        default=None, description="The contact the decision was taken on, if any."
    )


def refusal(command: ShareWithoutConsent | DecideNotToShare) -> tuple[str, str] | None:
    """Why ``command`` cannot be recorded, as ``(reason, detail)``, or None when it can."""
    if command.recipient is Agency.HUB:
        return "recipient-not-an-agency", "the recipient must be a partner agency, not the hub"
    if isinstance(command, ShareWithoutConsent) and command.lawful_basis is LawfulBasis.CONSENT:
        return (
            "consent-not-an-override-basis",
            "sharing without consent needs a basis other than consent (e.g. public task)",
        )
    return None


def decision_record(
    command: ShareWithoutConsent | DecideNotToShare,
    *,
    decision_id: str,
    person_id: str,
    user_id: str,
    roles: list[str],
    at: datetime,
) -> Document:
    """The hub's record of one decision: what, with whom, why, on what basis, by whom, when."""
    if isinstance(command, ShareWithoutConsent):
        kind = SharingDecisionKind.SHARED_WITHOUT_CONSENT
        basis: str | None = command.lawful_basis.value
        condition = command.special_category_condition
        reason_code: str | None = None
    else:
        kind, basis, condition = SharingDecisionKind.NOT_SHARED, None, None
        reason_code = command.reason_code.value
    return {
        "_id": decision_id,
        "person_id": person_id,
        "contact_id": command.contact_id,
        "decision": kind.value,
        "what": RECORD_TYPE,
        "recipient": command.recipient.value,
        "recipient_service": SERVICE_OF_AGENCY[command.recipient],
        "reason": command.reason,
        "reason_code": reason_code,
        "lawful_basis": basis,
        "special_category_condition": condition.value if condition else None,
        "purpose": command.purpose.value,
        "decided_by": user_id,
        "decided_by_roles": roles,
        "decided_at": at,
    }


def decision_fact(decision: Document) -> Document:
    """The decision as a hub fact of the child's view: its sharing panel lists it.

    Shared without consent: ``sharing`` carries the basis, the override reason and
    the authoriser (the panel's ``shared_without_consent``). Not shared: kind
    ``not-shared`` with the reason as its summary (the panel's ``not_shared``); the
    hub holds that record on public task.
    """
    shared = decision["decision"] == SHARED_WITHOUT_CONSENT
    detail = {
        "decision_id": decision["_id"],
        "recipient": decision["recipient"],
        "decided_by": decision["decided_by"],
    }
    if shared:
        sharing: Document = {
            "lawful_basis": decision["lawful_basis"],
            "purpose": decision["purpose"],
            "override_reason": decision["reason"],
            "authorised_by": decision["decided_by"],
        }
        if decision["special_category_condition"]:
            sharing["special_category_condition"] = decision["special_category_condition"]
        summary = f"Record shared with {decision['recipient']} without consent"
    else:
        sharing = {"lawful_basis": LawfulBasis.PUBLIC_TASK.value, "purpose": decision["purpose"]}
        detail["reason_code"] = decision["reason_code"]
        summary = decision["reason"]
    return {
        "_id": f"{PRODUCER}:{decision['_id']}:0",
        "person_id": decision["person_id"],
        "contact_id": decision["contact_id"],
        "agency": HUB,
        "kind": decision["decision"],
        "summary": summary,
        "occurred_at": decision["decided_at"],
        "asserted_at": decision["decided_at"],
        "source_event_id": decision["_id"],
        "source_event_type": SharingDecisionRecorded.event_name,
        "sharing": sharing,
        "detail": detail,
    }


def audit_payload(decision: Document, audit_id: str) -> SharingDecisionRecorded:
    """The ``sharing-decision-recorded`` audit of the decision (no data about the child)."""
    shared = decision["decision"] == SHARED_WITHOUT_CONSENT
    return SharingDecisionRecorded(
        decision_id=audit_id,
        event_id=decision["_id"],
        event_type=RECORD_TYPE,
        producer=PRODUCER,
        recipient=decision["recipient_service"],
        purpose=Purpose(decision["purpose"]),
        lawful_basis=LawfulBasis(decision["lawful_basis"]) if shared else None,
        special_category_condition=(
            SpecialCategoryCondition(decision["special_category_condition"])
            if decision["special_category_condition"]
            else None
        ),
        outcome=SharingOutcome.SHARED if shared else SharingOutcome.NOT_SHARED_BY_CHOICE,
        reason_code=None if shared else NotSharedReason(decision["reason_code"]),
        detail="shared without consent" if shared else "decided not to share",
        override_reason=decision["reason"] if shared else None,
        authorised_by=decision["decided_by"] if shared else None,
        decided_by=decision["decided_by"],
        decided_at=decision["decided_at"],
    )
