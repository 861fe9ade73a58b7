"""CP-IS-style flags: kept from social care's status changes, checked by unscheduled care.

Every check that shows a flag notifies the responsible authority
(``record-accessed``, one per status shown) in the same transaction that
appends the access to the child's access log, which keeps the latest 25.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import cast

from hub_agency.basis import agency_basis
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import CareSetting, RecordAccessed, StatusKind
from hub_contracts.events.common import ShortText
from hub_contracts.sharing import Purpose
from hub_messaging.consumer import Delivery, HandlerContext
from hub_messaging.documents import Document
from hub_service.app import Database, ServiceRuntime, Transaction
from hub_service.clock import LONDON, Clock
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pymongo import DESCENDING

from health_feed.adapters.mongo import (
    CP_IS_FLAGS,
    STATUS_CHANGE_COUNTS,
    UNMATCHED_STATUS_CHANGES,
)
from health_feed.domain.codes import ODS_CODE_PATTERN
from health_feed.domain.cp_is import (
    ACCESS_LOG_LENGTH,
    FlagStatus,
    ShownStatus,
    StatusChange,
    apply_change,
    shown_statuses,
)

log = logging.getLogger("health_feed.cp_is")
SERVICE = "health-feed"


# -- keeping the flags -------------------------------------------------------------------
async def on_status_changed(delivery: Delivery, ctx: HandlerContext) -> None:
    """Handle ``social-care-status-changed``: update the child's flag, or keep it unmatched."""
    event = delivery.event
    change = StatusChange.from_data(event.data)
    now = datetime.now(UTC)
    if change.nhs_number is None:
        outcome = "unmatched"
        await ctx.db[UNMATCHED_STATUS_CHANGES].insert_one(
            {
                "_id": event.id,
                "change_id": change.change_id,
                "status_kind": change.status_kind.value,
                "change": change.change,
                "started_on": change.started_on.isoformat(),
                "ended_on": change.ended_on.isoformat() if change.ended_on else None,
                "responsible_authority": (
                    change.responsible_authority.model_dump(mode="json")
                    if change.responsible_authority
                    else None
                ),
                "event_time": event.time,
                "received_at": now,
            },
            session=ctx.session,
        )
    elif not change.is_cp_is_flag:
        outcome = "not-a-cp-is-flag"  # child in need: counted, not flagged
    else:
        doc = await ctx.db[CP_IS_FLAGS].find_one({"_id": change.nhs_number}, session=ctx.session)
        before = [FlagStatus.model_validate(s) for s in (doc or {}).get("statuses", [])]
        after = apply_change(before, change)
        outcome = "already-applied" if after == before else "flag-updated"
        await ctx.db[CP_IS_FLAGS].update_one(
            {"_id": change.nhs_number},
            {
                "$set": {"statuses": [s.model_dump(mode="json") for s in after], "updated_at": now},
                "$setOnInsert": {"accesses": []},
            },
            upsert=True,
            session=ctx.session,
        )
    await ctx.db[STATUS_CHANGE_COUNTS].update_one(
        {"_id": change.status_kind.value},
        {"$inc": {outcome: 1, "total": 1}},
        upsert=True,
        session=ctx.session,
    )
    log.info(
        "status change applied",
        extra={"event_id": event.id, "tenant": ctx.tenant, "outcome": outcome},
    )


# -- checking them -----------------------------------------------------------------------
class CheckFlags(BaseModel):
    """An unscheduled-care setting asks whether a child has a CP-IS flag."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nhs_number: str = Field(
        min_length=1,
        max_length=20,
        description="The child's NHS number (10 digits, spaces allowed; Modulus 11 checked).",
        examples=["9434760003"],
    )
    care_setting: CareSetting = Field(description="The kind of setting asking.")
    organisation_name: ShortText = Field(description="The setting's name, e.g. the hospital.")
    ods_code: str | None = Field(
        default=None, pattern=ODS_CODE_PATTERN, description="NHS ODS code of the organisation."
    )
    accessed_by_role: ShortText = Field(
        description="Role of the person looking, e.g. 'emergency department nurse'."
    )


class AccessLogged(BaseModel):
    """One check that showed a flag, as kept in the child's access log."""

    model_config = ConfigDict(frozen=True)

    access_id: str = Field(description="Health's id for this access.")
    accessed_at: AwareDatetime = Field(description="When the flag was viewed.")
    care_setting: CareSetting = Field(description="The kind of setting that looked.")
    organisation_name: str = Field(description="The setting's name.")
    ods_code: str | None = Field(default=None, description="Its ODS code, if given.")
    accessed_by_role: str = Field(description="Role of the person who looked.")
    statuses_shown: tuple[StatusKind, ...] = Field(description="The flags that were shown.")
    notified_event_ids: tuple[str, ...] = Field(
        description="Ids of the record-accessed events sent to the responsible authority."
    )


class FlagCheckAnswer(BaseModel):
    """What the setting is shown."""

    nhs_number: str = Field(description="The NHS number checked (normalised).")
    checked_at: AwareDatetime = Field(description="When the check was made.")
    flags: list[ShownStatus] = Field(
        description="Active statuses and those ended within the last 12 months; empty if none."
    )
    access_id: str | None = Field(
        default=None, description="Id of the logged access, when a flag was shown."
    )


async def check_flags(
    runtime: ServiceRuntime, tenant: str, command: CheckFlags, nhs_number: str, clock: Clock
) -> FlagCheckAnswer:
    """Show the child's flags; log the access and notify the authority when any is shown.

    Checks of one child at once conflict on its flag document: the loser's
    transaction is retried, a bounded number of times, and appends after the
    winner's access.
    """

    async def once(tx: Transaction) -> tuple[FlagCheckAnswer, int]:
        return await _check_once(tx, tenant, command, nhs_number, clock.now())

    answer, notified = await runtime.run_transaction(tenant, once)
    if answer.access_id is not None:
        log.info(
            "cp-is flag shown",
            extra={"tenant": tenant, "access_id": answer.access_id, "notified": notified},
        )
    return answer


async def _check_once(
    tx: Transaction, tenant: str, command: CheckFlags, nhs_number: str, now: datetime
) -> tuple[FlagCheckAnswer, int]:
    """The answer, and how many ``record-accessed`` events it queued."""
    today = now.astimezone(LONDON).date()
    doc = await tx.db[CP_IS_FLAGS].find_one({"_id": nhs_number}, session=tx.session)
    stored = cast(list[Document], (doc or {}).get("statuses", []))
    statuses = [FlagStatus.model_validate(s) for s in stored]
    shown = shown_statuses(statuses, today)
    if not shown:
        return FlagCheckAnswer(nhs_number=nhs_number, checked_at=now, flags=[]), 0
    access_id = f"cpis-{uuid.uuid4().hex}"
    events = [
        CloudEvent.new(
            tenant=tenant,
            producer=SERVICE,
            subject=nhs_number,
            payload=RecordAccessed(
                access_id=f"{access_id}-{status.status_kind.value}",
                child_nhs_number=nhs_number,
                status_kind=status.status_kind,
                care_setting=command.care_setting,
                organisation_name=command.organisation_name,
                ods_code=command.ods_code,
                accessed_at=now,
                responsible_authority=status.responsible_authority,
            ),
            sharing=agency_basis(SERVICE, Purpose.UNSCHEDULED_CARE_FLAG),
            time=now,
        )
        for status in shown
        if status.responsible_authority is not None
    ]
    if events:
        await tx.publish(events)
    entry = AccessLogged(
        access_id=access_id,
        accessed_at=now,
        care_setting=command.care_setting,
        organisation_name=command.organisation_name,
        ods_code=command.ods_code,
        accessed_by_role=command.accessed_by_role,
        statuses_shown=tuple(s.status_kind for s in shown),
        notified_event_ids=tuple(e.id for e in events),
    )
    logged = {**entry.model_dump(mode="json"), "accessed_at": now}
    await tx.db[CP_IS_FLAGS].update_one(
        {"_id": nhs_number},
        {"$push": {"accesses": {"$each": [logged], "$slice": -ACCESS_LOG_LENGTH}}},
        session=tx.session,
    )
    answer = FlagCheckAnswer(
        nhs_number=nhs_number, checked_at=now, flags=shown, access_id=access_id
    )
    return answer, len(events)


# -- reading -----------------------------------------------------------------------------
async def accesses_of(db: Database, nhs_number: str) -> list[AccessLogged] | None:
    """The child's logged accesses, newest first; None when health holds no flag for them."""
    doc = await db[CP_IS_FLAGS].find_one({"_id": nhs_number}, {"accesses": 1})
    if doc is None:
        return None
    return [AccessLogged.model_validate(a) for a in reversed(doc.get("accesses", []))]


async def unmatched_changes(db: Database, limit: int) -> list[Document]:
    """Status changes without an NHS number, newest first."""
    cursor = db[UNMATCHED_STATUS_CHANGES].find({}).sort("received_at", DESCENDING).limit(limit)
    return [{"event_id": d.pop("_id"), **d} async for d in cursor]


async def status_change_counts(db: Database) -> dict[str, dict[str, int]]:
    """Status changes received per status kind, by what was done with them."""
    return {
        str(d.pop("_id")): {k: int(v) for k, v in d.items()}
        async for d in db[STATUS_CHANGE_COUNTS].find({})
    }
