"""A service built on hub_service against the real broker and database."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hub_localstack.processes import free_port
from hub_service.app import ServiceRuntime, create_service_app
from hub_service.reference import reference_router
from hub_service.settings import ServiceSettings
from hub_testing.bus import running_service, wait_for

pytestmark = pytest.mark.integration


def _settings(kafka: str, mongo: str) -> ServiceSettings:
    return ServiceSettings.for_service(
        "education", kafka_bootstrap=kafka, mongo_uri=mongo, probe_timeout_s=1.5
    )


def test_ready_when_broker_and_database_answer(kafka_bootstrap: str, mongo_uri: str) -> None:
    app = create_service_app(_settings(kafka_bootstrap, mongo_uri), title="t")
    with running_service(app) as client:  # returns once /readyz answers 200
        body = client.get("/readyz").json()
        assert body["status"] == "ready"
        assert body["checks"]["kafka"]["ok"] is True
        assert body["checks"]["mongodb"]["ok"] is True
        assert client.get("/healthz").json() == {"status": "ok", "service": "education"}
        metrics = client.get("/metrics").text
        assert 'hub_dependency_up{dependency="kafka"} 1.0' in metrics
        assert 'hub_dependency_up{dependency="mongodb"} 1.0' in metrics
        # every scrape probes again: no stale 0 from a readiness check before the bus was up
        assert 'hub_dependency_up{dependency="broker"} 1.0' in metrics


def test_status_says_whether_work_flows_and_metrics_show_the_backlog(
    kafka_bootstrap: str, mongo_uri: str
) -> None:
    settings = _settings(kafka_bootstrap, mongo_uri).model_copy(update={"monitor_interval_s": 0.5})
    app = create_service_app(settings, title="t")
    with running_service(app) as client:
        status = wait_for(
            lambda: client.get("/statusz").json(),
            done=lambda answer: answer["checked_at"] is not None,
            what="the progress monitor to run",
        )
        assert status["status"] == "ok"
        assert status["stalled_partitions"] == []
        assert set(status["outbox"]) == {"hartlepool", "stockton"}
        metrics = client.get("/metrics").text
        assert "hub_service_degraded 0.0" in metrics
        assert "hub_progress_check_up 1.0" in metrics
        assert 'hub_outbox_oldest_unsent_age_seconds{tenant="stockton"}' in metrics


def test_not_ready_without_kafka_names_the_dependency(mongo_uri: str) -> None:
    nothing_listens = f"127.0.0.1:{free_port()}"
    app = create_service_app(_settings(nothing_listens, mongo_uri), title="t")
    with TestClient(app) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not-ready"
        assert body["checks"]["kafka"]["ok"] is False
        assert body["checks"]["mongodb"]["ok"] is True
        assert 'hub_dependency_up{dependency="kafka"} 0.0' in client.get("/metrics").text
        # liveness is unaffected: the process is fine, its dependency is not
        assert client.get("/healthz").status_code == 200


def test_not_ready_without_mongodb(kafka_bootstrap: str) -> None:
    nothing_listens = f"mongodb://127.0.0.1:{free_port()}/?directConnection=true"
    app = create_service_app(_settings(kafka_bootstrap, nothing_listens), title="t")
    with TestClient(app) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["mongodb"]["ok"] is False


async def test_each_tenant_has_its_own_database_and_unknown_tenants_are_refused(
    kafka_bootstrap: str, mongo_uri: str, unique_name: str
) -> None:
    def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
        app.include_router(reference_router({"schools": unique_name}))

    app = create_service_app(_settings(kafka_bootstrap, mongo_uri), title="t", configure=configure)
    with TestClient(app) as client:
        runtime: ServiceRuntime = app.state.runtime
        assert runtime.database("stockton").name == "stockton__education"
        assert runtime.database("hartlepool").name == "hartlepool__education"
        client.portal.call(  # type: ignore[union-attr]
            runtime.database("stockton")[unique_name].insert_one, {"_id": "s1", "name": "S"}
        )
        assert client.get("/v1/stockton/schools").json() == [{"_id": "s1", "name": "S"}]
        assert client.get("/v1/hartlepool/schools").json() == []
        forged = client.get("/v1/darlington/schools")
        assert forged.status_code == 404
        assert forged.headers["content-type"] == "application/problem+json"
        assert forged.json()["reason"] == "unknown-tenant"
        client.portal.call(runtime.database("stockton")[unique_name].drop)  # type: ignore[union-attr]
