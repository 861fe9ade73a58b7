"""The alert rules hold and are loaded: promtool checks and unit-tests them, each has its
runbook entry, and both Prometheus configs (local stack and compose) load them with
every target labelled by its service."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hub_contracts.services import SERVICES
from hub_localstack import provision
from hub_localstack.components import (
    COMPOSE_ZIPKIN_URL,
    DASHBOARD_PATH,
    prometheus_config,
    render_consoles,
)
from hub_localstack.config import StackConfig, find_repo_root
from hub_localstack.errors import StackError
from hub_localstack.stack import Stack

ROOT = find_repo_root(Path(__file__))
DEPLOY = ROOT / "deploy" / "prometheus"
RULES = DEPLOY / "alerts.yml"
RULE_TESTS = DEPLOY / "alerts.test.yml"
RUNBOOK = ROOT / "docs" / "runbook.md"


def _alerts() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


ALERT_NAMES = {rule["alert"] for rule in _alerts()}


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        promtool = provision.promtool_binary()
    except StackError as exc:  # make test provisions it; a bare make test-unit may not have
        pytest.skip(str(exc))
    return subprocess.run(
        [promtool, *args], capture_output=True, text=True, timeout=120, check=False
    )


def _config(tmp_path: Path, **overrides: Any) -> StackConfig:
    return StackConfig(
        repo_root=ROOT,
        state_dir=tmp_path,
        cache_dir=tmp_path,
        service_ports={s.name: s.port for s in SERVICES},
        **overrides,
    )


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_promtool_accepts_every_rule() -> None:
    result = _promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(ALERT_NAMES)} rules found" in result.stdout


def test_every_alert_is_shown_firing_and_not_firing_and_the_unit_tests_pass() -> None:
    cases = [
        case
        for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    ]
    assert {c["alertname"] for c in cases if c["exp_alerts"]} == ALERT_NAMES
    assert {c["alertname"] for c in cases if not c["exp_alerts"]} == ALERT_NAMES

    result = _promtool("test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_has_a_severity_words_and_its_own_runbook_section() -> None:
    headings = re.findall(r"^#{2,3} (.+)$", RUNBOOK.read_text(), flags=re.MULTILINE)
    anchors = {_github_anchor(h) for h in headings}
    assert len(ALERT_NAMES) == len(_alerts()), "two alerts share a name"
    for rule in _alerts():
        name = rule["alert"]
        assert rule["labels"]["severity"] in ("critical", "warning"), name
        annotations = rule["annotations"]
        assert annotations["summary"].strip(), name
        assert annotations["description"].strip(), name
        path, _, anchor = annotations["runbook_url"].partition("#")
        assert path == "docs/runbook.md", name
        assert anchor == name.lower(), f"{name}: anchor {anchor!r}"
        assert anchor in anchors, f"docs/runbook.md has no section for {name}"


def test_the_local_stack_config_is_valid_loads_the_rules_and_labels_every_service(
    tmp_path: Path,
) -> None:
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(prometheus_config(_config(tmp_path, prometheus_port=9999)))

    result = _promtool("check", "config", str(config_file))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 1 rule files found" in result.stdout
    assert f"SUCCESS: {len(ALERT_NAMES)} rules found" in result.stdout

    document = yaml.safe_load(config_file.read_text())
    assert document["rule_files"] == [str(RULES)]
    assert document["global"]["evaluation_interval"] == "5s"
    hub = next(j for j in document["scrape_configs"] if j["job_name"] == "childrens-hub")
    assert hub["static_configs"] == [
        {"targets": [f"127.0.0.1:{s.port}"], "labels": {"service": s.name}} for s in SERVICES
    ]


def test_compose_prometheus_loads_the_rules_and_consoles_and_labels_every_service() -> None:
    definition = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["prometheus"]
    mounts = dict(volume.removesuffix(":ro").split(":") for volume in definition["volumes"])
    flags = dict(flag.removeprefix("--").split("=", 1) for flag in definition["command"])
    config_in_container = Path(flags["config.file"])
    compose_config = ROOT / next(k for k, v in mounts.items() if v == flags["config.file"])
    document = yaml.safe_load(compose_config.read_text())

    # rule files resolve beside the config file, in the container and in the tree alike
    for rule_file in document["rule_files"]:
        assert mounts[f"./{(compose_config.parent / rule_file).relative_to(ROOT)}"] == str(
            config_in_container.parent / rule_file
        )
    assert mounts["./deploy/prometheus/consoles"] == flags["web.console.templates"]
    assert mounts["./deploy/prometheus/console_libraries"] == flags["web.console.libraries"]

    hub = next(j for j in document["scrape_configs"] if j["job_name"] == "childrens-hub")
    labelled = {c["labels"]["service"]: c["targets"] for c in hub["static_configs"]}
    assert labelled == {s.name: [f"{s.name}:{s.port}"] for s in SERVICES}

    result = _promtool("check", "config", str(compose_config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(ALERT_NAMES)} rules found" in result.stdout


def test_the_dashboard_links_to_the_stack_own_zipkin(tmp_path: Path) -> None:
    # compose publishes Zipkin on localhost:9411, the address the committed library has
    assert COMPOSE_ZIPKIN_URL in (DEPLOY / "console_libraries" / "hub.lib").read_text()

    config = _config(tmp_path, zipkin_port=19411)
    consoles, libraries = render_consoles(config, tmp_path / "prometheus")
    assert (consoles / DASHBOARD_PATH.removeprefix("/consoles/")).is_file()
    library = (libraries / "hub.lib").read_text()
    assert "http://127.0.0.1:19411/zipkin/" in library
    assert COMPOSE_ZIPKIN_URL not in library


def test_up_prints_the_dashboard_beside_prometheus(tmp_path: Path) -> None:
    urls = Stack(_config(tmp_path, prometheus_port=19090)).urls()
    assert urls["Operations dashboard"] == "http://127.0.0.1:19090/consoles/hub.html"
