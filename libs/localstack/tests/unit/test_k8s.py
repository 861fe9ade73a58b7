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
    d
    for manifest in ("services.yaml", "kafka-acls.yaml")
    for d in yaml.safe_load_all((BASE / manifest).read_text())
    if d
]
CONFIG: dict[str, str] = yaml.safe_load((BASE / "config.yaml").read_text())["data"]


def _of(kind: str, name: str) -> dict[str, Any]:
    return next(d for d in DOCS if d["kind"] == kind and d["metadata"]["name"] == name)


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {"config.yaml", "services.yaml", "kafka-acls.yaml"}


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_each_service_has_a_deployment_and_a_service_on_its_port(service: Any) -> None:
    deployment = _of("Deployment", service.name)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][:3] == ["python", "-m", service.package]
    env = {e["name"]: e.get("value") for e in container["env"]}
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


def _kafka_credentials(pod: dict[str, Any]) -> tuple[str | None, dict[str, Any], set[str]]:
    container = pod["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    ca_folder = str(Path(CONFIG["KAFKA_SSL_CAFILE"]).parent)
    assert volumes[mounts[ca_folder]]["secret"]["secretName"] == "kafka-ca"
    assert "value" not in env["KAFKA_SASL_PASSWORD"], "a password is never in a manifest"
    return (
        env["KAFKA_SASL_USERNAME"].get("value"),
        env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"],
        set(env),
    )


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_each_service_is_its_own_kafka_principal_with_its_password_from_a_secret(
    service: Any,
) -> None:
    pod = _of("Deployment", service.name)["spec"]["template"]["spec"]
    username, secret, _ = _kafka_credentials(pod)
    assert username == service.name
    assert secret == {"name": f"kafka-{service.name}", "key": "password"}


def test_kafka_is_reached_with_scram_over_tls() -> None:
    assert CONFIG["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert CONFIG["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert CONFIG["KAFKA_SSL_CAFILE"].startswith("/")
    assert not {"KAFKA_SASL_PASSWORD", "HUB_ENV"} & set(CONFIG), "no secret, no development mode"


def test_the_acls_are_applied_by_a_job_running_as_hub_admin() -> None:
    job = _of("Job", "kafka-acls")
    pod = job["spec"]["template"]["spec"]
    assert pod["containers"][0]["command"] == ["hubctl", "acl", "apply"]
    username, secret, _ = _kafka_credentials(pod)
    assert username == "hub-admin"
    assert secret == {"name": "kafka-hub-admin", "key": "password"}
    assert job["spec"]["ttlSecondsAfterFinished"] > 0, "so the next apply runs it again"


def test_the_readme_says_how_to_create_every_secret_the_manifests_read() -> None:
    readme = (BASE.parent / "README.md").read_text()
    referenced = set()
    for doc in DOCS:
        if doc["kind"] in ("Deployment", "Job"):
            pod = doc["spec"]["template"]["spec"]
            referenced |= {v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
            referenced |= {
                e["valueFrom"]["secretKeyRef"]["name"]
                for e in pod["containers"][0]["env"]
                if "valueFrom" in e
            }
    per_service = {f"kafka-{s.name}" for s in SERVICES}
    assert referenced == {"kafka-ca", "kafka-hub-admin"} | per_service
    loop = next(line for line in readme.splitlines() if line.strip().startswith("for s in"))
    assert set(loop.split(" in ", 1)[1].removesuffix("; do").split()) == {s.name for s in SERVICES}
    assert 'create secret generic "kafka-$s"' in readme
    for name in ("kafka-ca", "kafka-hub-admin"):
        assert f"create secret generic {name}" in readme, name
