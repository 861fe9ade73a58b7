"""Settings come from the environment operators already use."""

from __future__ import annotations

import pytest
from hub_service.app import MissingSecrets, create_service_app
from hub_service.settings import ServiceSettings, missing_secrets
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


SECRETS = (
    "HUB_ENV",
    "HUB_INTERNAL_TOKEN_SECRET",
    "HUB_AGENCY_CLIENTS",
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_SASL_USERNAME",
    "KAFKA_SASL_PASSWORD",
    "KAFKA_SSL_CAFILE",
    "KAFKA_SSL_CERTFILE",
    "KAFKA_SSL_KEYFILE",
)


def _clear(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in SECRETS:
        monkeypatch.delenv(var, raising=False)


def test_outside_development_a_service_refuses_to_start_without_real_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _clear(monkeypatch)
    settings = ServiceSettings.for_service("front-door")
    with pytest.raises(MissingSecrets) as refused:
        create_service_app(settings, title="t")
    message = str(refused.value)
    assert "Kafka credentials" in message
    assert "HUB_INTERNAL_TOKEN_SECRET" in message
    assert "HUB_ENV=development" in message
    agency = ServiceSettings.for_service("police-feed")
    assert any("HUB_AGENCY_CLIENTS" in m for m in missing_secrets(agency))
    assert not any("HUB_INTERNAL_TOKEN_SECRET" in m for m in missing_secrets(agency))


def test_with_real_secrets_it_may_start(monkeypatch: pytest.MonkeyPatch) -> None:
    _clear(monkeypatch)
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "police-feed")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "a-password-from-the-secret-store")
    monkeypatch.setenv(
        "HUB_AGENCY_CLIENTS", '{"x": {"token_sha256": "00", "tenants": ["stockton"]}}'
    )
    settings = ServiceSettings.for_service("police-feed")
    assert missing_secrets(settings) == []
    assert settings.kafka_security.aiokafka()["sasl_plain_username"] == "police-feed"
    assert "a-password" not in repr(settings)  # secrets stay out of logs and tracebacks


def test_development_mode_is_explicit(monkeypatch: pytest.MonkeyPatch) -> None:
    _clear(monkeypatch)
    monkeypatch.setenv("HUB_ENV", "development")
    assert missing_secrets(ServiceSettings.for_service("front-door")) == []
    monkeypatch.setenv("HUB_ENV", "dev")  # anything but the exact word is production
    assert missing_secrets(ServiceSettings.for_service("front-door"))
