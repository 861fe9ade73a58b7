"""Black-box checks of the whole stack as `make up` starts it."""

from __future__ import annotations

import httpx
import pytest
from hub_contracts.services import SERVICES
from hub_localstack.stack import Stack
from hub_testing.bus import wait_for

pytestmark = pytest.mark.e2e


def _ready(stack: Stack, name: str) -> int:
    return httpx.get(f"{stack.config.service_url(name)}/readyz", timeout=5).status_code


def test_every_service_is_ready_and_the_gateway_sees_them(hub: Stack) -> None:
    for service in SERVICES:
        assert _ready(hub, service.name) == 200, service.name
    status = httpx.get(hub.config.service_url("gateway") + "/api/v1/status", timeout=10).json()
    assert status["tenants"] == ["hartlepool", "stockton"]
    assert {s["service"]: s["ready"] for s in status["services"]} == {
        s.name: True for s in SERVICES if s.name != "gateway"
    }
    page = httpx.get(hub.config.service_url("gateway") + "/", timeout=10)
    assert page.status_code == 200
    assert "Children's Hub" in page.text


def test_demo_data_is_loaded_for_both_tenants_and_kept_apart(hub: Stack) -> None:
    url = hub.config.service_url("education")
    hartlepool = httpx.get(f"{url}/v1/hartlepool/schools").json()
    stockton = httpx.get(f"{url}/v1/stockton/schools").json()
    assert len(hartlepool) == 3
    assert len(stockton) == 3
    assert all("Hartlepool" in s["name"] for s in hartlepool)
    assert all("Stockton-on-Tees" in s["name"] for s in stockton)
    contacts = httpx.get(f"{hub.config.service_url('social-care')}/v1/stockton/authority-contacts")
    assert contacts.json()[0]["authority"] == "Stockton-on-Tees Borough Council"
    # loading again changes nothing (idempotent upsert)
    hub.load_demo()
    assert len(httpx.get(f"{url}/v1/stockton/schools").json()) == 3


def test_a_second_up_starts_no_second_copy(hub: Stack) -> None:
    before = hub.status()
    hub.up(demo=False)
    assert hub.status() == before
    assert all(pid is not None for pid in before.values())


def test_prometheus_scrapes_every_service(hub: Stack) -> None:
    expected = {f"127.0.0.1:{p}" for p in hub.config.service_ports.values()}

    def all_up() -> bool:
        body = httpx.get(f"{hub.config.prometheus_url}/api/v1/targets", timeout=5).json()
        up = {t["labels"]["instance"] for t in body["data"]["activeTargets"] if t["health"] == "up"}
        return expected <= up

    wait_for(all_up, 60, "Prometheus to scrape every service")
    query = httpx.get(
        f"{hub.config.prometheus_url}/api/v1/query", params={"query": "hub_dependency_up"}
    ).json()
    assert query["status"] == "success"


def test_requests_are_traced_to_the_tracing_ui(hub: Stack) -> None:
    httpx.get(hub.config.service_url("education") + "/v1/stockton/schools", timeout=5)

    def traced() -> bool:
        services = httpx.get(f"{hub.config.zipkin_url}/api/v2/services", timeout=5).json()
        return "education" in services

    wait_for(traced, 30, "the education service's spans in Zipkin")
    traces = httpx.get(
        f"{hub.config.zipkin_url}/api/v2/traces", params={"serviceName": "education"}
    ).json()
    names = {span["name"] for trace in traces for span in trace}
    assert any("/v1/{tenant}/schools" in n for n in names), names


def test_services_are_not_ready_while_kafka_is_down_and_ready_again_after(hub: Stack) -> None:
    kafka = hub.handle("kafka")
    kafka.kill()
    try:
        for service in SERVICES:
            wait_for(lambda s=service.name: _ready(hub, s) == 503, 30, f"{service.name} not ready")
        body = httpx.get(hub.config.service_url("front-door") + "/readyz", timeout=5).json()
        assert body["checks"]["kafka"]["ok"] is False
        assert body["checks"]["mongodb"]["ok"] is True
    finally:
        hub.up_infrastructure(("kafka",))
    for service in SERVICES:
        wait_for(lambda s=service.name: _ready(hub, s) == 200, 90, f"{service.name} ready again")
