"""The stack's Prometheus evaluates the hub's alert rules and serves the operations
dashboard, which reads sensibly before any service runs."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import yaml
from hub_contracts.services import SERVICES
from hub_localstack.components import ALERT_RULES, DASHBOARD_PATH
from hub_localstack.stack import Stack
from hub_testing.bus import wait_for

pytestmark = pytest.mark.integration


def test_prometheus_loads_the_rules_and_serves_the_dashboard_with_no_service_running(
    own_stack: Callable[..., Stack],
) -> None:
    stack = own_stack(services=True)  # service ports to scrape, no service started
    stack.up_infrastructure(("prometheus",))
    prometheus = stack.config.prometheus_url

    groups = httpx.get(f"{prometheus}/api/v1/rules", timeout=5).json()["data"]["groups"]
    loaded = {rule["name"] for group in groups for rule in group["rules"]}
    expected = {
        rule["alert"]
        for group in yaml.safe_load((stack.config.repo_root / ALERT_RULES).read_text())["groups"]
        for rule in group["rules"]
    }
    assert loaded == expected

    def scraped_every_service() -> str | None:
        page = httpx.get(f"{prometheus}{DASHBOARD_PATH}", timeout=5)
        assert page.status_code == 200, page.text[-500:]
        rows = [f'<th scope="row">{s.name}</th>' for s in SERVICES]
        return page.text if all(row in page.text for row in rows) else None

    page = wait_for(scraped_every_service, 30, "Prometheus to scrape every service once")
    assert page.count("0 of 1") == len(SERVICES)  # nothing answers on the service ports
    assert "No stalled partitions." in page
    assert "No dead letters in the last hour." in page
    zipkin = f"http://127.0.0.1:{stack.config.zipkin_port}/zipkin/"
    assert f'href="{zipkin}?serviceName=front-door"' in page
    assert f'data-zipkin="{zipkin}"' in page
