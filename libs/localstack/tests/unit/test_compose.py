"""compose.yaml describes the same stack as `make up`, consistent with the services' settings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hub_contracts.services import SERVICES, port_env_var
from hub_localstack.config import KAFKA_VERSION, ZIPKIN_VERSION, find_repo_root
from hub_service.settings import ServiceSettings

ROOT = find_repo_root(Path(__file__))
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICE_DEFS: dict[str, Any] = COMPOSE["services"]

# every variable a service reads, by the alias operators set
KNOWN_ENV = (
    {
        field.validation_alias.choices[0]
        if hasattr(field.validation_alias, "choices")
        else field.validation_alias  # type: ignore[union-attr]
        for field in ServiceSettings.model_fields.values()
        if field.validation_alias
    }
    | {port_env_var(s.name) for s in SERVICES}
    | {port_env_var(s.name).removesuffix("_PORT") + "_URL" for s in SERVICES}
)


def test_infrastructure_from_official_images_in_the_versions_the_local_stack_runs() -> None:
    assert SERVICE_DEFS["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"
    assert SERVICE_DEFS["zipkin"]["image"] == f"openzipkin/zipkin:{ZIPKIN_VERSION}"
    assert SERVICE_DEFS["mongo"]["image"].startswith("mongo:")
    assert SERVICE_DEFS["prometheus"]["image"].startswith("prom/prometheus:")
    for name in ("kafka", "mongo", "zipkin", "prometheus"):
        assert "healthcheck" in SERVICE_DEFS[name], f"{name} has no health check"


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_service_present_with_consistent_port_env_and_health_gate(service: Any) -> None:
    definition = SERVICE_DEFS[service.name]
    assert definition["command"][:3] == ["python", "-m", service.package]
    env = {k: str(v) for k, v in definition["environment"].items()}
    assert env[port_env_var(service.name)] == str(service.port)
    assert f"{service.port}:{service.port}" in definition["ports"]
    assert f":{service.port}/readyz" in " ".join(definition["healthcheck"]["test"])
    unknown = set(env) - KNOWN_ENV
    assert not unknown, f"{service.name} sets variables no setting reads: {unknown}"
    assert env["KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert env["MONGO_URI"].startswith("mongodb://mongo:27017/")
    assert env["OTEL_EXPORTER_ZIPKIN_ENDPOINT"].startswith("http://zipkin:9411/")
    gates = definition["depends_on"]
    for dependency in ("kafka", "mongo"):
        assert gates[dependency]["condition"] == "service_healthy"
    ServiceSettings.for_service(service.name)  # the catalogue knows the service


def test_gateway_reaches_every_other_service_on_its_port() -> None:
    env = SERVICE_DEFS["gateway"]["environment"]
    for service in SERVICES:
        if service.name != "gateway":
            url = env[port_env_var(service.name).removesuffix("_PORT") + "_URL"]
            assert url == f"http://{service.name}:{service.port}"


def test_prometheus_scrapes_every_service_on_its_port() -> None:
    volume = SERVICE_DEFS["prometheus"]["volumes"][0]
    config_path = ROOT / volume.split(":")[0]
    targets = set(re.findall(r"- ([a-z-]+:\d+)", config_path.read_text()))
    assert targets == {f"{s.name}:{s.port}" for s in SERVICES}


def test_services_image_builds_from_the_repository() -> None:
    dockerfile = ROOT / SERVICE_DEFS["gateway"]["build"]["dockerfile"]
    text = dockerfile.read_text()
    assert "uv sync --locked" in text
    assert "python:3.11" in text
