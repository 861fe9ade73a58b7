"""Configuration from the environment (pydantic-settings).

Shared variables keep the names operators expect (``KAFKA_BOOTSTRAP``,
``MONGO_URI``); a service's own port is ``<SERVICE>_PORT`` (e.g. ``FRONT_DOOR_PORT``).
Kafka credentials come from the ``KAFKA_SECURITY_PROTOCOL`` / ``KAFKA_SASL_*`` /
``KAFKA_SSL_*`` variables (``hub_messaging.kafka_security``).

Outside development (``HUB_ENV=development``, which the local stack sets) a
service refuses to start without real secrets: Kafka credentials, the
internal-token secret where staff tokens are used, and the agency clients of
an agency service (``missing_secrets``). Nothing falls back to a built-in
default there.
"""

from __future__ import annotations

import os
from typing import Annotated

from hub_contracts.services import SERVICES_BY_NAME, port_env_var
from hub_contracts.tenancy import DEFAULT_TENANTS, validate_tenant_id
from hub_messaging.kafka_security import KafkaSecurity
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings every service shares."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, validate_by_name=True)

    service_name: str = Field(description="Service name from the catalogue, e.g. 'front-door'.")
    host: str = Field(default="127.0.0.1", validation_alias="HUB_BIND_HOST")
    port: int = Field(default=0, description="HTTP port; 0 means the catalogue default.")
    kafka_bootstrap: str = Field(
        default="127.0.0.1:9092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP")
    )
    mongo_uri: str = Field(
        default="mongodb://127.0.0.1:27017/?directConnection=true",
        validation_alias=AliasChoices("MONGO_URI"),
    )
    tenants: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULT_TENANTS, validation_alias=AliasChoices("HUB_TENANTS")
    )
    kafka_security_protocol: str = Field(
        default="PLAINTEXT", validation_alias=AliasChoices("KAFKA_SECURITY_PROTOCOL")
    )
    kafka_sasl_mechanism: str = Field(
        default="SCRAM-SHA-512", validation_alias=AliasChoices("KAFKA_SASL_MECHANISM")
    )
    kafka_sasl_username: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_SASL_USERNAME")
    )
    kafka_sasl_password: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_SASL_PASSWORD"), repr=False
    )
    kafka_ssl_cafile: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_SSL_CAFILE")
    )
    kafka_ssl_certfile: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_SSL_CERTFILE")
    )
    kafka_ssl_keyfile: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_SSL_KEYFILE")
    )
    zipkin_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OTEL_EXPORTER_ZIPKIN_ENDPOINT"),
        description="Zipkin v2 spans endpoint; tracing export is off when unset.",
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("HUB_LOG_LEVEL"))
    agency_clients: str | None = Field(
        default=None,
        validation_alias=AliasChoices("HUB_AGENCY_CLIENTS"),
        description="JSON: agency system principals, their token's SHA-256 and their tenants; "
        "unset means the development clients (``demo-<tenant>-<service>`` tokens).",
    )
    probe_timeout_s: float = Field(
        default=2.0, validation_alias=AliasChoices("HUB_PROBE_TIMEOUT_S")
    )
    monitor_interval_s: float = Field(
        default=15.0,
        validation_alias=AliasChoices("HUB_MONITOR_INTERVAL_S"),
        description="Seconds between measurements of consumer lag and outbox age.",
    )
    environment: str = Field(
        default="production",
        validation_alias=AliasChoices("HUB_ENV"),
        description="'development' allows the demo agency tokens and the development "
        "internal-token key; anything else requires real secrets.",
    )
    internal_token_secret: str | None = Field(
        default=None,
        validation_alias=AliasChoices("HUB_INTERNAL_TOKEN_SECRET"),
        description="Signing key of the staff tokens the gateway gives the front door.",
        repr=False,
    )
    stall_after_s: float = Field(
        default=300.0,
        validation_alias=AliasChoices("HUB_STALL_AFTER_S"),
        description="A partition with lag and no progress for this long is stalled, and the "
        "service degraded.",
    )

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @property
    def kafka_security(self) -> KafkaSecurity:
        """How this service authenticates to Kafka (the ``KAFKA_*`` variables)."""
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username,
            password=self.kafka_sasl_password,
            cafile=self.kafka_ssl_cafile,
            certfile=self.kafka_ssl_certfile,
            keyfile=self.kafka_ssl_keyfile,
        )

    @field_validator("tenants", mode="before")
    @classmethod
    def _split_tenants(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(t.strip() for t in value.split(",") if t.strip())
        return value

    @field_validator("tenants")
    @classmethod
    def _valid_tenants(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one tenant must be configured")
        return tuple(validate_tenant_id(t) for t in value)

    @classmethod
    def for_service(cls, service_name: str, **overrides: object) -> ServiceSettings:
        """Settings for ``service_name``, its port from ``<SERVICE>_PORT`` or the catalogue."""
        info = SERVICES_BY_NAME[service_name]
        port = int(os.environ.get(port_env_var(service_name), info.port))
        values: dict[str, object] = {"service_name": service_name, "port": port}
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


STAFF_TOKEN_SERVICES = frozenset({"gateway", "front-door"})
"""Services that sign or check staff tokens (``hub_service.staff``)."""


def missing_secrets(settings: ServiceSettings) -> list[str]:
    """What a service outside development needs and lacks (empty: it may start)."""
    if settings.development:
        return []
    missing = []
    if not settings.kafka_security.authenticated:
        missing.append(
            "Kafka credentials (KAFKA_SECURITY_PROTOCOL=SASL_SSL with KAFKA_SASL_USERNAME and "
            "KAFKA_SASL_PASSWORD, or SSL with a client certificate)"
        )
    if settings.service_name in STAFF_TOKEN_SERVICES and not settings.internal_token_secret:
        missing.append("HUB_INTERNAL_TOKEN_SECRET")
    info = SERVICES_BY_NAME.get(settings.service_name)
    if info is not None and info.inbound_kinds and not settings.agency_clients:
        missing.append("HUB_AGENCY_CLIENTS (the agency systems' token hashes)")
    return missing
