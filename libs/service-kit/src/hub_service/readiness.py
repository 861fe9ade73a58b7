"""Readiness probes: a service is ready only when its broker and database answer.

Each probe makes a real round trip (a Kafka metadata request, a MongoDB ping)
bounded by a timeout, so ``/readyz`` turns 503 while a dependency is away and
200 again once it is back, without restarting the service.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient
from hub_messaging.kafka_security import KafkaSecurity
from opentelemetry.instrumentation.utils import suppress_instrumentation
from pymongo import AsyncMongoClient


@dataclass(frozen=True)
class ProbeResult:
    """Outcome of one dependency probe."""

    dependency: str
    ok: bool
    detail: str


class KafkaProbe:
    """Asks the Kafka cluster for its metadata.

    The admin client is made lazily and dropped after a failure, so a broker
    that was down when the service started is found once it appears.
    """

    def __init__(
        self,
        bootstrap: str,
        client_id: str,
        timeout_s: float,
        security: KafkaSecurity | None = None,
    ) -> None:
        self._bootstrap = bootstrap
        self._security = security or KafkaSecurity()
        self._client_id = f"{client_id}-readiness"
        self._timeout_s = timeout_s
        self._client: AIOKafkaAdminClient | None = None
        self._lock = asyncio.Lock()

    async def check(self) -> ProbeResult:
        async with self._lock:
            try:
                async with asyncio.timeout(self._timeout_s):
                    if self._client is None:
                        client = AIOKafkaAdminClient(
                            bootstrap_servers=self._bootstrap,
                            client_id=self._client_id,
                            request_timeout_ms=int(self._timeout_s * 1000),
                            **self._security.aiokafka(),
                        )
                        await client.start()
                        self._client = client
                    cluster = await self._client.describe_cluster()
                brokers = len(cluster.get("brokers", []))
                if brokers == 0:
                    return ProbeResult("kafka", False, "no brokers in cluster metadata")
                return ProbeResult("kafka", True, f"{brokers} broker(s)")
            except Exception as exc:  # any failure means not ready; the reason is reported
                await self._drop_client()
                return ProbeResult("kafka", False, _reason(exc))

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), self._timeout_s)

    async def close(self) -> None:
        async with self._lock:
            await self._drop_client()


class MongoProbe:
    """Pings the MongoDB-wire server."""

    def __init__(self, client: AsyncMongoClient[dict[str, object]], timeout_s: float) -> None:
        self._client = client
        self._timeout_s = timeout_s

    async def check(self) -> ProbeResult:
        try:
            # readiness pings are not journeys: keep them out of the tracing UI
            with suppress_instrumentation():
                async with asyncio.timeout(self._timeout_s):
                    await self._client.admin.command("ping")
            return ProbeResult("mongodb", True, "ping ok")
        except Exception as exc:
            return ProbeResult("mongodb", False, _reason(exc))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200]
