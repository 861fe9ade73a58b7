"""The gateway's own settings (pydantic-settings), beside the service kit's.

``FRONT_DOOR_URL`` points at the front door's internal API (default: the
catalogue port on localhost, or ``FRONT_DOOR_PORT``). Cookies are ``Secure``
unless ``HUB_GATEWAY_DEV_HTTP`` says, explicitly, that this is development over
plain http (the local stack sets it).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from hub_contracts.services import SERVICES_BY_NAME, port_env_var
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ASSETS = PACKAGE_DIR.parents[1] / "node_modules" / "govuk-frontend" / "dist" / "govuk"
"""Where ``npm ci`` in services/gateway puts the GOV.UK Frontend build."""


def default_front_door_url() -> str:
    port = os.environ.get(port_env_var("front-door"), SERVICES_BY_NAME["front-door"].port)
    return f"http://127.0.0.1:{port}"


class GatewaySettings(BaseSettings):
    """How the gateway signs people in and where it finds the front door."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, validate_by_name=True)

    front_door_url: str = Field(
        default_factory=default_front_door_url,
        validation_alias=AliasChoices("FRONT_DOOR_URL"),
        description="Base URL of the front door's internal API.",
    )
    dev_http: bool = Field(
        default=False,
        validation_alias=AliasChoices("HUB_GATEWAY_DEV_HTTP"),
        description="Development over plain http: session cookies without Secure.",
    )
    session_database: str = Field(
        default="hub__gateway",
        validation_alias=AliasChoices("HUB_GATEWAY_SESSION_DB"),
        description="The deployment's gateway database: sessions and sign-in attempts.",
    )
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=8, ge=1, le=24)
    lockout_failures: int = Field(default=5, ge=1, description="Failures that lock a username.")
    lockout_window_minutes: int = Field(default=15, ge=1)
    assets_dir: Path = Field(
        default=DEFAULT_ASSETS,
        validation_alias=AliasChoices("HUB_GATEWAY_ASSETS_DIR"),
        description="GOV.UK Frontend's dist/govuk folder (CSS, JS, fonts, images).",
    )
    front_door_timeout_s: float = Field(default=10.0, gt=0)

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def session_absolute(self) -> timedelta:
        return timedelta(hours=self.session_absolute_hours)

    @property
    def lockout_window(self) -> timedelta:
        return timedelta(minutes=self.lockout_window_minutes)

    @property
    def cookie_secure(self) -> bool:
        return not self.dev_http
