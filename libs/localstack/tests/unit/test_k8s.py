"""The Kubernetes manifests run every service with consistent ports, probes and settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hub_contracts.services import SERVICES, port_env_var
from hub_localstack.config import find_repo_root

BASE = find_repo_root(Path(__file__)) / "deploy" / "k8s" / "base"
DOCS: list[dict[str, Any]] = [
    d for d in yaml.safe_load_all((BASE / "services.yaml").read_text()) if d
]
CONFIG: dict[str, str] = yaml.safe_load((BASE / "config.yaml").read_text())["data"]


def _of(kind: str, name: str) -> dict[str, Any]:
    return next(d for d in DOCS if d["kind"] == kind and d["metadata"]["name"] == name)


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {"config.yaml", "services.yaml"}


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_each_service_has_a_deployment_and_a_service_on_its_port(service: Any) -> None:
    deployment = _of("Deployment", service.name)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][:3] == ["python", "-m", service.package]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env[port_env_var(service.name)] == str(service.port)
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": service.port}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": service.port}
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(service.port)
    assert _of("Service", service.name)["spec"]["ports"][0]["port"] == service.port


def test_shared_configuration_points_at_the_platform_and_every_service() -> None:
    assert CONFIG["KAFKA_BOOTSTRAP"]
    assert "replicaSet=" in CONFIG["MONGO_URI"], "transactions need a replica set"
    assert CONFIG["HUB_TENANTS"] == "hartlepool,stockton"
    for service in SERVICES:
        if service.name != "gateway":
            key = port_env_var(service.name).removesuffix("_PORT") + "_URL"
            assert CONFIG[key] == f"http://{service.name}:{service.port}"
