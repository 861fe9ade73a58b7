"""The signed-in hub user, carried from the gateway to internal APIs.

The gateway signs a short-lived token (JWT, HS256, audience ``childrens-hub``)
with the user's id, roles and tenants, and sends it as
``Authorization: Bearer <token>``. Each internal API verifies it and enforces
tenant and role itself, so a bug or a bypass at the gateway does not open the
data. The claims are the ones an OpenID Connect provider would issue, so the
gateway can later pass on a provider's token instead.

The signing key is ``HUB_INTERNAL_TOKEN_SECRET``; unset, a development key is
used and a warning is logged, in development mode (``HUB_ENV=development``)
only: anywhere else no token is signed or accepted without the real key.

The user model itself (``StaffUser``, ``Role``) lives in ``hub_service.users``,
which does no I/O; it is re-exported here for the callers that import it from
this module.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any

import jwt
from fastapi import Depends, Header

from hub_service.deps import TenantPath
from hub_service.problems import ProblemError
from hub_service.users import Role, StaffUser

__all__ = [
    "AUDIENCE",
    "ISSUER",
    "TOKEN_LIFETIME",
    "Role",
    "StaffUser",
    "StaffUserDep",
    "issue_token",
    "staff_user",
    "verify_token",
]

log = logging.getLogger("hub_service.staff")
AUDIENCE = "childrens-hub"
ISSUER = "childrens-hub-gateway"
TOKEN_LIFETIME = timedelta(minutes=5)
_DEV_SECRET = "development-only-internal-token-secret-change-me"  # noqa: S105


def _secret() -> str:
    secret = os.environ.get("HUB_INTERNAL_TOKEN_SECRET")
    if secret:
        return secret
    if os.environ.get("HUB_ENV") != "development":
        raise RuntimeError("HUB_INTERNAL_TOKEN_SECRET is required outside HUB_ENV=development")
    _warn_development_key()
    return _DEV_SECRET


@cache
def _warn_development_key() -> None:
    """Once per process: a warning on every request would drown the logs."""
    log.warning("internal tokens use the development key; set HUB_INTERNAL_TOKEN_SECRET")


def issue_token(
    user_id: str,
    roles: set[Role] | frozenset[Role],
    tenants: set[str] | frozenset[str],
    *,
    now: datetime | None = None,
) -> str:
    """A token for ``user_id`` (the gateway's side)."""
    issued = now or datetime.now(UTC)
    claims = {
        "sub": user_id,
        "roles": sorted(r.value for r in roles),
        "tenants": sorted(tenants),
        "aud": AUDIENCE,
        "iss": ISSUER,
        "iat": issued,
        "exp": issued + TOKEN_LIFETIME,
    }
    return jwt.encode(claims, _secret(), algorithm="HS256")


def verify_token(token: str) -> StaffUser:
    """The user a token names; ``ProblemError`` 401 if it is not valid now."""
    try:
        claims = jwt.decode(
            token,
            _secret(),
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["sub", "exp", "aud", "iss"]},
        )
        return StaffUser(
            user_id=claims["sub"],
            roles=frozenset(Role(r) for r in claims.get("roles", [])),
            tenants=frozenset(claims.get("tenants", [])),
        )
    except (jwt.PyJWTError, ValueError) as exc:
        raise ProblemError(
            401, "unauthenticated", f"staff token not valid: {type(exc).__name__}"
        ) from exc


def staff_user(
    *allowed: Role,
) -> Callable[..., Coroutine[Any, Any, StaffUser]]:
    """A dependency: the signed-in user, in the path's tenant, holding one of ``allowed``."""

    async def dependency(
        tenant: TenantPath,
        authorization: Annotated[
            str | None, Header(description="`Bearer <staff token>` from the gateway.")
        ] = None,
        x_hub_purpose: Annotated[
            str | None, Header(description="Why the user is looking (for the access audit).")
        ] = None,
    ) -> StaffUser:
        if not authorization or not authorization.startswith("Bearer "):
            raise ProblemError(401, "unauthenticated", "send Authorization: Bearer <staff token>")
        user = verify_token(authorization.removeprefix("Bearer ").strip())
        if tenant not in user.tenants:
            log.warning(
                "staff user refused for tenant", extra={"user": user.user_id, "tenant": tenant}
            )
            raise ProblemError(403, "tenant-not-permitted", f"not permitted for tenant {tenant!r}")
        if allowed and not user.has(*allowed):
            raise ProblemError(
                403,
                "role-not-permitted",
                f"needs one of {sorted(r.value for r in allowed)}",
            )
        return user.model_copy(update={"purpose": x_hub_purpose})

    return dependency


StaffUserDep = Annotated[StaffUser, Depends(staff_user())]
