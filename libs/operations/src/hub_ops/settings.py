"""Where ``hubctl`` connects: the same variables as the services, with the same defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated

from hub_contracts.services import SERVICES_BY_NAME, port_env_var
from hub_contracts.tenancy import DEFAULT_TENANTS, validate_tenant_id
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class OpsSettings(BaseSettings):
    """``KAFKA_BOOTSTRAP``, ``MONGO_URI``, ``HUB_ZIPKIN_URL`` and ``HUB_TENANTS``.

    Kafka credentials come from the ``KAFKA_SECURITY_PROTOCOL`` / ``KAFKA_SASL_*`` /
    ``KAFKA_SSL_*`` variables (``KafkaSecurity.from_env``), as for the services.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True, validate_by_name=True)

    kafka_bootstrap: str = Field(
        default="127.0.0.1:9092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP")
    )
    mongo_uri: str = Field(
        default="mongodb://127.0.0.1:27017/?directConnection=true",
        validation_alias=AliasChoices("MONGO_URI"),
    )
    zipkin_url: str = Field(
        default="http://127.0.0.1:9411",
        validation_alias=AliasChoices("HUB_ZIPKIN_URL"),
        description="The Zipkin server whose UI shows a dead letter's trace.",
    )
    tenants: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULT_TENANTS,
        validation_alias=AliasChoices("HUB_TENANTS"),
        description="The tenants this deployment serves (comma-separated).",
    )

    @field_validator("tenants", mode="before")
    @classmethod
    def _split_tenants(cls, value: object) -> object:
        return parse_tenants(value) if isinstance(value, str) else value

    @field_validator("tenants")
    @classmethod
    def _valid_tenants(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one tenant must be configured")
        return tuple(validate_tenant_id(t) for t in value)


def parse_tenants(text: str) -> tuple[str, ...]:
    """``"a, b"`` -> ``("a", "b")``, each a well-formed tenant id."""
    return tuple(validate_tenant_id(t.strip()) for t in text.split(",") if t.strip())


def metrics_url(service: str, env: Mapping[str, str] | None = None) -> str | None:
    """A service's Prometheus metrics: ``<SERVICE>_URL``, else its port on this machine."""
    env = os.environ if env is None else env
    info = SERVICES_BY_NAME.get(service)
    if info is None:
        return None
    url_var = port_env_var(service).removesuffix("_PORT") + "_URL"
    base = env.get(url_var) or f"http://127.0.0.1:{env.get(port_env_var(service), info.port)}"
    return f"{base.rstrip('/')}/metrics"
