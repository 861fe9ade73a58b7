"""compose.yaml describes the same stack as `make up`, consistent with the services' settings."""

from __future__ import annotations

import re
import shutil
import subprocess
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


# -- Kafka authenticates every client (docs/adr/0010) ----------------------------------


def _gates(name: str) -> dict[str, str]:
    return {k: v["condition"] for k, v in SERVICE_DEFS[name].get("depends_on", {}).items()}


def test_credentials_then_storage_then_broker_then_acls_then_services() -> None:
    generator = SERVICE_DEFS["kafka-credentials"]
    assert generator["command"][:4] == ["python", "-m", "hub_localstack.security", "--out"]
    assert "--compose" in generator["command"]
    assert "kafka-security:/security" in generator["volumes"]
    assert _gates("kafka-storage") == {"kafka-credentials": "service_completed_successfully"}
    assert _gates("kafka") == {"kafka-storage": "service_completed_successfully"}
    assert _gates("kafka-acls") == {"kafka": "service_healthy"}
    for name in [s.name for s in SERVICES] + ["demo-data"]:
        assert _gates(name)["kafka-acls"] == "service_completed_successfully", name
    for one_shot in ("kafka-credentials", "kafka-storage", "kafka-acls", "demo-data"):
        assert SERVICE_DEFS[one_shot]["restart"] == "no", one_shot


def test_the_broker_runs_the_generated_config_and_its_health_check_authenticates() -> None:
    kafka = SERVICE_DEFS["kafka"]
    assert kafka["command"] == [
        "/opt/kafka/bin/kafka-server-start.sh",
        "/security/kafka/server.properties",
    ]
    assert "kafka-security:/security:ro" in kafka["volumes"]
    assert "--command-config /security/kafka/admin.properties" in kafka["healthcheck"]["test"][1]
    assert "ports" not in kafka, "Kafka is reached inside compose's network only"
    storage = SERVICE_DEFS["kafka-storage"]
    assert storage["image"] == kafka["image"]
    script = next(v.split(":")[0] for v in storage["volumes"] if v.endswith(".sh:ro"))
    assert (ROOT / script).is_file()


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_each_service_runs_as_its_own_kafka_principal(service: Any) -> None:
    definition = SERVICE_DEFS[service.name]
    assert definition["entrypoint"] == ["sh", "/app/deploy/docker/kafka-env.sh", service.name]
    assert "kafka-security:/security:ro" in definition["volumes"]
    assert definition["environment"]["HUB_ENV"] == "development"
    assert (ROOT / "deploy" / "docker" / "kafka-env.sh").is_file()


def test_demo_data_and_acls_run_as_their_principals() -> None:
    loader = SERVICE_DEFS["demo-data"]["command"][2]
    for service in SERVICES:
        if service.name != "gateway":
            assert f"{service.name}:{service.package}" in loader, service.name
    # compose turns $$ into $: sh gets ${s%%:*} (the service) and ${s#*:} (its package)
    assert "/app/deploy/docker/kafka-env.sh $${s%%:*} python -m $${s#*:} load-demo" in loader
    acls = SERVICE_DEFS["kafka-acls"]
    assert acls["entrypoint"] == ["sh", "/app/deploy/docker/kafka-env.sh", "hub-admin"]
    assert acls["command"][:3] == ["hubctl", "acl", "apply"]


def test_no_secret_is_written_into_compose_or_the_image() -> None:
    text = (ROOT / "compose.yaml").read_text()
    assert "PASSWORD" not in text
    assert "PRIVATE KEY" not in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".local" in ignored, "the local stack's credentials never enter the image"


def test_the_storage_script_formats_once_with_every_scram_user_and_again_for_new_credentials(
    tmp_path: Path,
) -> None:
    from hub_localstack import security

    generated = security.ensure(tmp_path / "security", ["hartlepool", "stockton"])
    security.write_compose_files(generated)
    data, calls = tmp_path / "data", tmp_path / "calls"
    data.mkdir()
    tool = tmp_path / "kafka-storage.sh"  # records its arguments, formats like Kafka's
    tool.write_text(
        f'#!/bin/sh\necho "$@" >> {calls}\necho cluster.id=x > {data}/meta.properties\n'
    )
    tool.chmod(0o755)
    env = {
        "PATH": "/usr/bin:/bin",
        "KAFKA_DATA_DIR": str(data),
        "HUB_SECURITY_DIR": str(generated.folder),
        "KAFKA_STORAGE_TOOL": str(tool),
    }
    script = ROOT / "deploy" / "docker" / "kafka-storage.sh"

    def run() -> str:
        done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run()
    run()  # formatted with these credentials: left alone
    formats = calls.read_text().splitlines()
    assert len(formats) == 1
    assert formats[0].split()[0] == "format"
    assert formats[0].count("--add-scram=SCRAM-SHA-512=[name=") == len(generated.scram_passwords())
    (data / "old-topic-0").mkdir()
    (generated.folder / "kafka" / "credentials.sha256").write_text("other credentials\n")
    assert "formatting it again" in run()
    assert not (data / "old-topic-0").exists()
    assert len(calls.read_text().splitlines()) == 2


def test_kafka_env_gives_a_command_its_principals_variables_and_refuses_an_unknown_one(
    tmp_path: Path,
) -> None:
    from hub_localstack import security

    generated = security.ensure(tmp_path / "security", ["hartlepool", "stockton"])
    security.write_compose_files(generated)
    script = str(ROOT / "deploy" / "docker" / "kafka-env.sh")
    env = {"PATH": "/usr/bin:/bin", "HUB_SECURITY_DIR": str(generated.folder)}
    done = subprocess.run(
        ["sh", script, "police-feed", "env"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    seen = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert seen["KAFKA_SASL_USERNAME"] == "police-feed"
    assert seen["KAFKA_SASL_PASSWORD"] == generated.password("police-feed")
    assert "KAFKA_SSL_CERTFILE" not in seen or seen["KAFKA_SSL_CERTFILE"] == ""
    refused = subprocess.run(["sh", script, "nobody", "env"], env=env, capture_output=True)
    assert refused.returncode == 1


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    # docker-compose 1.x (Debian's) predates the top-level `name`; `docker compose` has it
    text = "".join(
        line
        for line in (ROOT / "compose.yaml").read_text().splitlines(keepends=True)
        if not line.startswith("name: ")
    )
    copy = tmp_path / "compose.yaml"
    copy.write_text(text)
    done = subprocess.run(
        ["docker-compose", "-f", str(copy), "config", "-q"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
