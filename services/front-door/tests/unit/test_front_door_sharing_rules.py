"""Pure rules of sharing decisions: what may be recorded, what the view and the audit get."""

from __future__ import annotations

from datetime import UTC, datetime

from front_door.domain.sharing import (
    DecideNotToShare,
    ShareWithoutConsent,
    audit_payload,
    decision_fact,
    decision_record,
    refusal,
)
from front_door.domain.view import sharing_panel
from hub_contracts.codes import Agency
from hub_contracts.events.records import NotSharedReason
from hub_contracts.policy import SharingOutcome
from hub_contracts.sharing import LawfulBasis

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SHARE = ShareWithoutConsent(
    recipient=Agency.POLICE,
    reason="Risk of significant harm.",
    lawful_basis=LawfulBasis.PUBLIC_TASK,
)
NOT = DecideNotToShare(
    recipient=Agency.EDUCATION,
    reason_code=NotSharedReason.RISK_TO_CHILD,
    reason="Telling the school now would alert the household.",
)


def _record(command: ShareWithoutConsent | DecideNotToShare) -> dict[str, object]:
    return decision_record(
        command, decision_id="SD-1", person_id="HP-1", user_id="u-m", roles=["hub-manager"], at=AT
    )


def test_consent_is_no_basis_for_sharing_without_it_and_the_hub_is_no_recipient() -> None:
    assert refusal(SHARE) is None
    assert refusal(NOT) is None
    consent = SHARE.model_copy(update={"lawful_basis": LawfulBasis.CONSENT})
    assert refusal(consent) == (
        "consent-not-an-override-basis",
        "sharing without consent needs a basis other than consent (e.g. public task)",
    )
    hub = SHARE.model_copy(update={"recipient": Agency.HUB})
    assert refusal(hub) is not None
    assert refusal(hub)[0] == "recipient-not-an-agency"


def test_both_decisions_show_in_the_sharing_panel_with_recipient_and_decider() -> None:
    facts = [decision_fact(_record(SHARE)), decision_fact(_record(NOT) | {"_id": "SD-2"})]
    panel = sharing_panel(facts, AT)
    [override] = panel["shared_without_consent"]
    assert override["recipient"] == "police"
    assert override["override_reason"] == "Risk of significant harm."
    assert override["authorised_by"] == "u-m"
    assert override["lawful_basis"] == "uk-gdpr-6-1-e"
    [refused] = panel["not_shared"]
    assert refused["recipient"] == "education"
    assert refused["reason"].startswith("Telling the school")
    assert refused["decided_by"] == "u-m"


def test_the_audit_names_the_recipient_service_basis_and_authoriser_never_the_child() -> None:
    shared = audit_payload(_record(SHARE), "A-1")
    assert shared.outcome is SharingOutcome.SHARED
    assert shared.recipient == "police-feed"
    assert shared.lawful_basis is LawfulBasis.PUBLIC_TASK
    assert (shared.override_reason, shared.authorised_by) == ("Risk of significant harm.", "u-m")
    assert shared.event_id == "SD-1"
    refused = audit_payload(_record(NOT), "A-2")
    assert refused.outcome is SharingOutcome.NOT_SHARED_BY_CHOICE
    assert refused.reason_code is NotSharedReason.RISK_TO_CHILD
    assert refused.override_reason is None
    assert refused.lawful_basis is None
