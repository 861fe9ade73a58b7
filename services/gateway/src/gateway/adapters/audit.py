"""The gateway's audit of what users do: sign-ins, and every look at or change to a
child's record, with who, what, when and why.

Sign-in events go to the deployment's gateway database; actions on a child go
to that tenant's gateway database, so a tenant's audit leaves with its data.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from gateway.domain.users import Principal

log = logging.getLogger("gateway.audit")
SIGN_INS = "sign_in_events"
USER_ACTIONS = "user_actions"


class SignInAudit:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.db = db

    async def prepare(self) -> None:
        await self.db[SIGN_INS].create_index([("username", 1), ("at", DESCENDING)])

    async def record(
        self, event: str, username: str, at: datetime, user_id: str | None = None
    ) -> None:
        """``event``: sign-in-succeeded, sign-in-failed, sign-in-refused-locked, signed-out."""
        await self.db[SIGN_INS].insert_one(
            {"event": event, "username": username, "user_id": user_id, "at": at}
        )
        log.info("sign-in audit", extra={"event": event})

    async def failures_since(self, username: str, since: datetime) -> list[datetime]:
        cursor = self.db[SIGN_INS].find(
            {"username": username, "event": "sign-in-failed", "at": {"$gt": since}}
        )
        return [doc["at"] async for doc in cursor]


async def record_action(
    db: AsyncDatabase[dict[str, Any]],
    principal: Principal,
    *,
    tenant: str,
    action: str,
    at: datetime,
    purpose: str,
    contact_id: str | None = None,
    person_id: str | None = None,
    outcome: str = "done",
    detail: dict[str, Any] | None = None,
) -> None:
    """One audited user action on a tenant's record (no child details, only ids)."""
    await db[USER_ACTIONS].insert_one(
        {
            "tenant": tenant,
            "user_id": principal.user_id,
            "display_name": principal.display_name,
            "roles": sorted(principal.roles),
            "action": action,
            "purpose": purpose,
            "contact_id": contact_id,
            "person_id": person_id,
            "outcome": outcome,
            "detail": detail or {},
            "at": at,
        }
    )
    log.info("user action audited", extra={"action": action, "tenant": tenant})


async def who_looked(
    db: AsyncDatabase[dict[str, Any]], contact_id: str, limit: int = 200
) -> list[dict[str, Any]]:
    """Every audited action on this contact's child (all their contacts), newest first."""
    persons = [
        p for p in await db[USER_ACTIONS].distinct("person_id", {"contact_id": contact_id}) if p
    ]
    query: dict[str, Any] = (
        {"$or": [{"contact_id": contact_id}, {"person_id": {"$in": persons}}]}
        if persons
        else {"contact_id": contact_id}
    )
    cursor = db[USER_ACTIONS].find(query, {"_id": 0}).sort("at", DESCENDING).limit(limit)
    return [doc async for doc in cursor]
