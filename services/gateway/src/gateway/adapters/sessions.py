"""Server-side sessions in the deployment's gateway database.

The cookie holds only a random id; the database keeps its SHA-256 (a copy of
the database does not give anyone a session), the principal's claims, the
CSRF synchroniser token and the idle and absolute expiry. Sign-in always makes
a fresh session (no fixation); sign-out deletes it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hub_service.staff import Role
from pymongo.asynchronous.database import AsyncDatabase

from gateway.domain.users import Principal

SESSIONS = "sessions"


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    session_id: str
    principal: Principal
    csrf_token: str


class SessionStore:
    def __init__(
        self, db: AsyncDatabase[dict[str, Any]], idle: timedelta, absolute: timedelta
    ) -> None:
        self.db = db
        self.idle = idle
        self.absolute = absolute

    async def prepare(self) -> None:
        # expired sessions go by themselves; reads check expiry too
        await self.db[SESSIONS].create_index("expires_at", expireAfterSeconds=0)
        await self.db[SESSIONS].create_index("user_id")

    async def create(self, principal: Principal, now: datetime) -> Session:
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        await self.db[SESSIONS].insert_one(
            {
                "_id": _key(session_id),
                "user_id": principal.user_id,
                "display_name": principal.display_name,
                "roles": sorted(principal.roles),
                "tenants": sorted(principal.tenants),
                "csrf_token": csrf,
                "created_at": now,
                "last_seen_at": now,
                "absolute_expiry": now + self.absolute,
                "expires_at": min(now + self.idle, now + self.absolute),
            }
        )
        return Session(session_id, principal, csrf)

    async def get(self, session_id: str, now: datetime) -> Session | None:
        """The live session for this cookie value (sliding its idle expiry), else None."""
        if not session_id or len(session_id) > 100:
            return None
        doc = await self.db[SESSIONS].find_one({"_id": _key(session_id)})
        if doc is None or doc["expires_at"] <= now:
            return None
        await self.db[SESSIONS].update_one(
            {"_id": doc["_id"]},
            {
                "$set": {
                    "last_seen_at": now,
                    "expires_at": min(now + self.idle, doc["absolute_expiry"]),
                }
            },
        )
        principal = Principal(
            user_id=doc["user_id"],
            display_name=doc["display_name"],
            roles=frozenset(Role(r) for r in doc["roles"]),
            tenants=frozenset(doc["tenants"]),
        )
        return Session(session_id, principal, doc["csrf_token"])

    async def delete(self, session_id: str) -> None:
        await self.db[SESSIONS].delete_one({"_id": _key(session_id)})
