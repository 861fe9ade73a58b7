"""What an agency service's domain code builds on: pure models, no I/O.

- ``AgencyRecord``: the base of the records an agency system sends;
- ``Rejected``: a record valid in shape that the agency's rules refuse, with
  the machine-readable reason the sender sees;
- ``ChildAsSeen``: the child in an enquiry or referral as this agency may see it.

Importing this module imports neither the web framework, nor the bus, nor the
database driver, so a service's ``domain/`` stays pure (a test checks it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hub_contracts.envelope import SUBJECT_PATTERN
from pydantic import BaseModel, ConfigDict, Field


class AgencyRecord(BaseModel):
    """Base of the records an agency system sends: frozen, closed, keyed by its own id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_id: str = Field(
        pattern=SUBJECT_PATTERN,
        description="The agency system's own id for this record (letters, digits, '.', '_', "
        "':' and '-', at most 100); sending it again is harmless.",
    )


class Rejected(Exception):
    """A record that is valid in shape but cannot be accepted (e.g. an unknown school)."""

    def __init__(self, reason: str, detail: str, status: int = 422) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:500]
        self.status = status


class ChildAsSeen(BaseModel):
    """The child in an enquiry as this agency may see it (fields may be withheld)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    nhs_number: str | None = None
    upn: str | None = None
    agency_person_id: str | None = None
    postcode: str | None = Field(default=None, description="From the address, when visible.")

    @classmethod
    def from_data(cls, child: dict[str, Any] | None) -> ChildAsSeen:
        child = dict(child or {})
        address = child.pop("address", None)
        if isinstance(address, dict):
            child["postcode"] = address.get("postcode")
        return cls.model_validate(child)
