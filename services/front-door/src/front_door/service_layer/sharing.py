"""Recording a hub manager's sharing decision about a child's record.

One MongoDB transaction writes the decision (``sharing_decisions``), the hub
fact the joined-up view's sharing panel shows, and the ``sharing-decision-recorded``
audit event (through the outbox), so none exists without the others.
"""

from __future__ import annotations

import logging
import uuid

from hub_contracts.envelope import CloudEvent
from hub_messaging.audit import AUDIT_BASIS
from hub_messaging.documents import Document
from hub_service.clock import Clock
from hub_service.problems import ProblemError
from hub_service.staff import StaffUser

from front_door.domain.facts import Fact
from front_door.domain.sharing import (
    PRODUCER,
    DecideNotToShare,
    ShareWithoutConsent,
    audit_payload,
    decision_fact,
    decision_record,
    refusal,
)
from front_door.service_layer.facts import add_facts
from front_door.service_layer.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("front_door.sharing")


async def record_sharing_decision(
    uows: UnitOfWorkFactory,
    clock: Clock,
    tenant: str,
    person_id: str,
    command: ShareWithoutConsent | DecideNotToShare,
    user: StaffUser,
) -> Document:
    """Record the decision, the fact the view shows, and the audit event, together."""
    refused = refusal(command)
    if refused is not None:
        raise ProblemError(422, *refused)
    now = clock.now()
    decision_id = f"SD-{uuid.uuid4().hex[:12]}"
    async with uows.transaction(tenant) as uow:
        person = await uow.persons.get(person_id)
        if person is None:
            raise ProblemError(404, "person-not-found", f"no person {person_id}")
        if person.merged_into:
            raise ProblemError(
                409, "person-merged", f"{person_id} is linked to {person.merged_into}: use it"
            )
        if command.contact_id is not None:
            contact = await uow.contacts.get(command.contact_id)
            if contact is None or contact.person_id != person_id:
                raise ProblemError(
                    404, "contact-not-found", f"no contact {command.contact_id} for {person_id}"
                )
        decision = decision_record(
            command,
            decision_id=decision_id,
            person_id=person_id,
            user_id=user.user_id,
            roles=sorted(user.roles),
            at=now,
        )
        await uow.sharing_decisions.add(decision)
        await add_facts(uow, [Fact.from_record(decision_fact(decision))])
        audit = CloudEvent.new(
            tenant=tenant,
            producer=PRODUCER,
            subject=person_id,
            payload=audit_payload(decision, str(uuid.uuid4())),
            sharing=AUDIT_BASIS,
            time=now,
        )
        await uow.publish([audit])
    log.info(
        "sharing decision recorded",
        extra={"tenant": tenant, "decision_id": decision_id, "decision": decision["decision"]},
    )
    return public(decision)


def public(decision: Document) -> Document:
    out = {k: v for k, v in decision.items() if k != "_id"}
    out["decision_id"] = decision["_id"]
    return out
