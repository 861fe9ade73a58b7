"""Who may sign in: local accounts with argon2id password hashes, behind one port.

``IdentityProvider`` is the seam an OpenID Connect provider replaces: it
turns credentials (or, for OIDC, a verified ID token's claims) into a
``Principal`` of user id, roles and tenants. The rest of the gateway sees only
the principal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from hub_service.staff import Role
from pymongo.asynchronous.database import AsyncDatabase

from gateway.domain.users import Principal

USERS = "users"
"""Per tenant gateway database: the tenant's local accounts (loaded by ``load-demo``)."""

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")
"""Verified against when the username is unknown, so timing does not reveal it."""


def hash_password(password: str) -> str:
    """An argon2id hash (the only form a password is ever stored in)."""
    return _hasher.hash(password)


def normalise_username(username: str) -> str:
    return username.strip().lower()


class IdentityProvider(Protocol):
    """Turns a sign-in into a principal; local accounts today, OIDC tomorrow."""

    async def authenticate(self, username: str, password: str) -> Principal | None:
        """The principal for these credentials, or None (never says which part was wrong)."""
        ...


class LocalAccounts:
    """Accounts in each tenant's gateway database (``users``: _id = username)."""

    def __init__(self, databases: Sequence[AsyncDatabase[dict[str, Any]]]) -> None:
        self.databases = databases

    async def authenticate(self, username: str, password: str) -> Principal | None:
        name = normalise_username(username)
        doc: dict[str, Any] | None = None
        for db in self.databases:
            doc = await db[USERS].find_one({"_id": name})
            if doc is not None:
                break
        if doc is None or not doc.get("active", True):
            _verify(_DUMMY_HASH, password)
            return None
        if not _verify(str(doc.get("password_hash", "")), password):
            return None
        return Principal(
            user_id=str(doc["user_id"]),
            display_name=str(doc.get("display_name", doc["user_id"])),
            roles=frozenset(Role(r) for r in doc.get("roles", [])),
            tenants=frozenset(str(t) for t in doc.get("tenants", [])),
        )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
