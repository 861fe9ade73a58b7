"""Who may connect to the hub's Kafka: one principal per service, per agency system, and an admin.

- each **hub service** (``front-door``, ``police-feed``, ...) authenticates as
  itself with SCRAM-SHA-512;
- each **agency system** (``agency-systems.yaml``: a police records system, an
  A&E system, a school MIS) as itself, with a client certificate (mutual TLS;
  the principal is the certificate's CN) or SCRAM-SHA-512, for the tenants it
  serves;
- **hub-admin** provisions (topics, credentials, ACLs) and nothing else uses it.

What each may read and write is not written here: it is derived from the
sharing policy and the topic catalogue (``hub_ops.access``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub_contracts.services import SERVICES, SERVICES_BY_NAME
from hub_contracts.tenancy import validate_tenant_id

ADMIN = "hub-admin"
"""The provisioning principal (a Kafka super user)."""
BROKER = "kafka-broker"
"""The brokers' own principal (their certificate's CN; a super user): never an agency's."""
AGENCY_SYSTEMS_FILE_ENV = "HUB_AGENCY_SYSTEMS_FILE"


class PrincipalKind(StrEnum):
    ADMIN = "admin"
    SERVICE = "service"
    AGENCY_SYSTEM = "agency-system"


class Authentication(StrEnum):
    SCRAM = "scram"
    """SASL SCRAM-SHA-512 with a password."""
    X509 = "x509"
    """Mutual TLS: a client certificate issued by the hub's CA, CN = the principal's name."""


class AgencySystem(BaseModel):
    """An agency's own system that publishes to, and reads from, the hub's Kafka."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(
        pattern=r"^[a-z][a-z0-9-]{1,62}$", description="Principal name (and certificate CN)."
    )
    service: str = Field(description="The feed service it talks to, e.g. 'police-feed'.")
    tenants: tuple[str, ...] = Field(min_length=1, description="The tenants it serves.")
    authentication: Authentication = Field(description="How it authenticates.")
    description: str = Field(default="", description="Who runs it, for people.")

    @field_validator("service")
    @classmethod
    def _known_service(cls, value: str) -> str:
        info = SERVICES_BY_NAME.get(value)
        if info is None or not info.inbound_kinds:
            raise ValueError(f"{value!r} is not a service that takes agency records")
        return value

    @field_validator("tenants")
    @classmethod
    def _tenants(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(validate_tenant_id(t) for t in value)


class AgencySystems(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    systems: tuple[AgencySystem, ...] = ()


@dataclass(frozen=True)
class KafkaPrincipal:
    """One identity Kafka knows (``User:<name>``)."""

    name: str
    kind: PrincipalKind
    authentication: Authentication
    service: str | None
    """The service it is (for a service) or talks to (for an agency system)."""
    tenants: tuple[str, ...]
    """The tenants whose topics it may touch."""

    @property
    def kafka_name(self) -> str:
        return f"User:{self.name}"


def load_agency_systems(path: str | Path | None = None) -> AgencySystems:
    """The agency systems: ``path``, else ``HUB_AGENCY_SYSTEMS_FILE``, else the committed list."""
    chosen = path or os.environ.get(AGENCY_SYSTEMS_FILE_ENV)
    if chosen:
        text = Path(chosen).read_text("utf-8")
    else:
        text = resources.files("hub_contracts").joinpath("agency-systems.yaml").read_text("utf-8")
    catalogue = AgencySystems.model_validate(yaml.safe_load(text))
    names = [s.name for s in catalogue.systems]
    clashes = {n for n in names if names.count(n) > 1} | (set(names) & _reserved())
    if clashes:
        raise ValueError(f"agency system names must be unique and not a service's: {clashes}")
    return catalogue


def _reserved() -> set[str]:
    return {ADMIN, BROKER, *(s.name for s in SERVICES)}


def principals(
    tenants: Sequence[str], agency_systems: AgencySystems | None = None
) -> list[KafkaPrincipal]:
    """Every principal of a deployment serving ``tenants``, admin first.

    An agency system keeps only the tenants of its list that are deployed;
    one serving none of them is left out.
    """
    deployed = tuple(validate_tenant_id(t) for t in tenants)
    systems = agency_systems if agency_systems is not None else load_agency_systems()
    found = [KafkaPrincipal(ADMIN, PrincipalKind.ADMIN, Authentication.SCRAM, None, deployed)]
    found += [
        KafkaPrincipal(s.name, PrincipalKind.SERVICE, Authentication.SCRAM, s.name, deployed)
        for s in SERVICES
    ]
    for system in systems.systems:
        served = tuple(t for t in system.tenants if t in deployed)
        if served:
            found.append(
                KafkaPrincipal(
                    system.name,
                    PrincipalKind.AGENCY_SYSTEM,
                    system.authentication,
                    system.service,
                    served,
                )
            )
    return found
