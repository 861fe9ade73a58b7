"""Where ``hubctl`` connects: the same variables as the services, with the same defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping

from hub_contracts.services import SERVICES_BY_NAME, port_env_var
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OpsSettings(BaseSettings):
    """``KAFKA_BOOTSTRAP``, ``MONGO_URI`` and ``HUB_ZIPKIN_URL``."""

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


def metrics_url(service: str, env: Mapping[str, str] | None = None) -> str | None:
    """A service's Prometheus metrics: ``<SERVICE>_URL``, else its port on this machine."""
    env = os.environ if env is None else env
    info = SERVICES_BY_NAME.get(service)
    if info is None:
        return None
    url_var = port_env_var(service).removesuffix("_PORT") + "_URL"
    base = env.get(url_var) or f"http://127.0.0.1:{env.get(port_env_var(service), info.port)}"
    return f"{base.rstrip('/')}/metrics"
