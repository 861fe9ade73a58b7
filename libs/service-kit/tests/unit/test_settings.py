"""Settings come from the environment operators already use."""

from __future__ import annotations

import pytest
from hub_service.settings import ServiceSettings
from pydantic import ValidationError


def test_defaults_from_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("KAFKA_BOOTSTRAP", "MONGO_URI", "HUB_TENANTS", "FRONT_DOOR_PORT"):
        monkeypatch.delenv(var, raising=False)
    settings = ServiceSettings.for_service("front-door")
    assert settings.port == 8001
    assert settings.tenants == ("hartlepool", "stockton")


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "kafka.example:9092")
    monkeypatch.setenv("MONGO_URI", "mongodb://db.example:27017")
    monkeypatch.setenv("HUB_TENANTS", "hartlepool, stockton, darlington")
    monkeypatch.setenv("FRONT_DOOR_PORT", "18001")
    settings = ServiceSettings.for_service("front-door")
    assert settings.kafka_bootstrap == "kafka.example:9092"
    assert settings.mongo_uri == "mongodb://db.example:27017"
    assert settings.tenants == ("hartlepool", "stockton", "darlington")
    assert settings.port == 18001


@pytest.mark.parametrize("tenants", ["", "Stockton", "stockton,../x"])
def test_bad_tenant_lists_are_refused(monkeypatch: pytest.MonkeyPatch, tenants: str) -> None:
    monkeypatch.setenv("HUB_TENANTS", tenants)
    with pytest.raises(ValidationError):
        ServiceSettings.for_service("education")
