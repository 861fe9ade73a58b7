"""The signed-in hub user and what they may do: the model alone, no I/O.

Domain code (an access rule, a queue filter) names roles and users through
this module; tokens and the HTTP dependency that yield a ``StaffUser`` are in
``hub_service.staff``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    """What a hub user may do (services/gateway/README.md, "Authorisation")."""

    PRACTITIONER = "hub-practitioner"
    MANAGER = "hub-manager"
    AGENCY_LIAISON = "agency-liaison"
    AUDITOR = "auditor"


class StaffUser(BaseModel):
    """A signed-in hub user as an internal API sees them."""

    model_config = ConfigDict(frozen=True)

    user_id: str = Field(description="Stable user id (the token's ``sub``).")
    roles: frozenset[Role] = Field(description="The user's roles.")
    tenants: frozenset[str] = Field(description="Tenants the user works for.")
    purpose: str | None = Field(default=None, description="Why they are looking, if given.")

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))
