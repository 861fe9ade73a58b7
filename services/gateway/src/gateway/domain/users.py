"""Who is signed in: a user's id, roles and tenants, exactly the claims an
OpenID Connect provider would issue, so local accounts can be swapped for one."""

from __future__ import annotations

from hub_service.users import Role
from pydantic import BaseModel, ConfigDict, Field


class Principal(BaseModel):
    """The signed-in user: what the session holds and what staff tokens carry."""

    model_config = ConfigDict(frozen=True)

    user_id: str = Field(description="Stable user id (an OIDC provider's ``sub``).")
    display_name: str = Field(description="Name shown in the header and in the audit.")
    roles: frozenset[Role] = Field(description="The user's roles (claim ``roles``).")
    tenants: frozenset[str] = Field(description="Tenants the user works for (claim ``tenants``).")

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


class UserPublic(BaseModel):
    """The signed-in user as the API shows them."""

    user_id: str = Field(description="Stable user id.")
    display_name: str = Field(description="Display name.")
    roles: list[Role] = Field(description="Roles, sorted.")
    tenants: list[str] = Field(description="Tenants, sorted.")
    csrf_token: str = Field(description="Send as `X-CSRF-Token` on every state-changing call.")

    @classmethod
    def of(cls, principal: Principal, csrf_token: str) -> UserPublic:
        return cls(
            user_id=principal.user_id,
            display_name=principal.display_name,
            roles=sorted(principal.roles),
            tenants=sorted(principal.tenants),
            csrf_token=csrf_token,
        )
