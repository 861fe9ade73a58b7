"""Every sharing decision becomes a ``sharing-decision-recorded`` audit event.

Shared, minimised and refused decisions are made by the library (at the
producer for refusals at source, at each recipient otherwise); a person's
decision not to share is recorded through ``Outbox.record_not_shared``. Audit
events carry no shared data, and are not themselves audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from hub_contracts.binding import RejectReason
from hub_contracts.envelope import CloudEvent
from hub_contracts.events.records import NotSharedReason, SharingDecisionRecorded
from hub_contracts.policy import SharingOutcome
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis

from hub_messaging.outbox import OutgoingRecord, event_record

AUDIT_EVENT = SharingDecisionRecorded.event_name
AUDIT_BASIS = SharingBasis(
    lawful_basis=LawfulBasis.LEGAL_OBLIGATION, purpose=Purpose.RECORDS_MANAGEMENT
)
"""Keeping an account of disclosures is an obligation (UK GDPR Art 5(2), 30)."""


class SharingAudit:
    """Builds the audit records one service publishes about its decisions."""

    def __init__(self, service: str) -> None:
        self.service = service

    def record(
        self,
        event: CloudEvent,
        recipient: str,
        outcome: SharingOutcome,
        reason: RejectReason | NotSharedReason | None = None,
        withheld: Sequence[str] = (),
        *,
        decided_by: str | None = None,
        detail: str | None = None,
    ) -> OutgoingRecord | None:
        """The audit record of one decision, or None for an audit event itself."""
        if event.event_name == AUDIT_EVENT:
            return None
        now = datetime.now(UTC)
        sharing = event.sharing
        payload = SharingDecisionRecorded(
            decision_id=str(uuid.uuid4()),
            event_id=event.id,
            event_type=event.type,
            producer=event.producer,
            recipient=recipient,
            purpose=sharing.purpose,
            lawful_basis=sharing.lawful_basis,
            special_category_condition=sharing.special_category_condition,
            outcome=outcome,
            reason_code=reason,
            detail=detail[:200] if detail else None,
            withheld_fields=tuple(withheld),
            consent_ref=sharing.consent_ref,
            override_reason=sharing.override_reason,
            authorised_by=sharing.authorised_by,
            decided_by=decided_by or f"service:{self.service}",
            decided_at=now,
        )
        audit = CloudEvent.new(
            tenant=event.tenant,
            producer=self.service,
            subject=event.subject,
            payload=payload,
            sharing=AUDIT_BASIS,
            time=now,
        )
        return event_record(audit.topic, audit)
