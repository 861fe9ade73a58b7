"""The stalled-partition alert fires in a real Prometheus, with the committed rules,
when a consumer on the real broker is stuck."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import textwrap
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from bus_fixtures import consumer_db, note, publish, record_note, running_bus, topic_of
from hub_localstack import provision
from hub_localstack.processes import free_port
from hub_messaging.consumer import Delivery, HandlerContext
from hub_service.progress import ProgressMonitor
from hub_testing.bus import until
from prometheus_client import CollectorRegistry, start_http_server

pytestmark = pytest.mark.integration
RULES = Path(__file__).parents[4] / "deploy" / "prometheus" / "alerts.yml"


def _alerts(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/api/v1/alerts", timeout=5) as response:  # noqa: S310
        alerts: list[dict[str, Any]] = json.load(response)["data"]["alerts"]
        return alerts


def _start_prometheus(config: Path, data: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            provision.prometheus_binary(),
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_a_stuck_consumer_fires_the_stalled_partition_alert(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str, tmp_path: Path
) -> None:
    release = asyncio.Event()

    async def hangs(delivery: Delivery, ctx: HandlerContext) -> None:
        await release.wait()
        await record_note(delivery, ctx)

    registry = CollectorRegistry()
    metrics_port, prometheus_port = free_port(), free_port()
    server, thread = start_http_server(metrics_port, addr="127.0.0.1", registry=registry)
    config = tmp_path / "prometheus.yml"
    config.write_text(
        textwrap.dedent(
            f"""\
            global: {{scrape_interval: 1s, evaluation_interval: 1s}}
            rule_files: ['{RULES}']
            scrape_configs:
              - job_name: childrens-hub
                static_configs:
                  - targets: ['127.0.0.1:{metrics_port}']
                    labels: {{service: front-door}}
            """
        )
    )
    prometheus = _start_prometheus(config, tmp_path / "data", prometheus_port)
    url = f"http://127.0.0.1:{prometheus_port}"
    try:
        async with running_bus(
            mongo_uri, kafka_bootstrap, unique_name, handler=hangs, registry=registry
        ) as bus:
            monitor = ProgressMonitor(
                bootstrap=kafka_bootstrap,
                client_id="test",
                groups={"front-door": [topic_of(bus.tenant)]},
                databases={bus.tenant: consumer_db(bus.mongo, bus.tenant)},
                registry=registry,
                interval_s=0.5,
                stall_after_s=2.0,
            )
            watching = asyncio.create_task(monitor.run())
            try:
                await publish(bus.mongo, bus.tenant, [note(bus.tenant, "c1", "fine")])
                bus.relay.wake()

                async def firing() -> dict[str, Any] | None:
                    alerts = await asyncio.to_thread(_alerts, url)
                    return next(
                        (
                            a
                            for a in alerts
                            if a["labels"]["alertname"] == "HubPartitionStalled"
                            and a["state"] == "firing"
                        ),
                        None,
                    )

                alert = await until(firing, timeout_s=60, what="HubPartitionStalled firing")
                assert alert["labels"]["service"] == "front-door"
                assert alert["labels"]["topic"] == topic_of(bus.tenant)
                assert alert["labels"]["severity"] == "critical"
                assert alert["annotations"]["runbook_url"].endswith("#hubpartitionstalled")
                assert not any(
                    a["labels"]["alertname"] == "HubPartitionStalled"
                    for a in await asyncio.to_thread(_alerts, url)
                    if a["labels"].get("topic") != topic_of(bus.tenant)
                )

                release.set()  # the consumer moves again: the alert resolves

                async def resolved() -> bool:
                    alerts = await asyncio.to_thread(_alerts, url)
                    return not any(
                        a["labels"]["alertname"] == "HubPartitionStalled" for a in alerts
                    )

                await until(resolved, timeout_s=60, what="HubPartitionStalled resolved")
            finally:
                release.set()
                watching.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watching
    finally:
        prometheus.terminate()
        try:
            prometheus.wait(timeout=20)
        except subprocess.TimeoutExpired:
            prometheus.kill()
            prometheus.wait()
        server.shutdown()
        thread.join(timeout=5)
