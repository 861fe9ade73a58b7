"""Real readiness checks: a Kafka metadata call, a MongoDB ping, an HTTP 200."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from hub_messaging.kafka_security import KafkaSecurity
from pymongo import MongoClient

logging.getLogger("aiokafka").setLevel(logging.CRITICAL)


async def _kafka_brokers(bootstrap: str, security: KafkaSecurity, timeout_s: float) -> int:
    client = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(timeout_s * 1000),
        **security.aiokafka(),
    )
    try:
        async with asyncio.timeout(timeout_s):
            await client.start()
            cluster = await client.describe_cluster()
            return len(cluster.get("brokers", []))
    finally:
        with contextlib.suppress(Exception):
            await client.close()


def kafka_ready(
    bootstrap: str, security: KafkaSecurity | None = None, timeout_s: float = 3.0
) -> bool:
    """True when the cluster answers a metadata request with at least one broker, asked
    as ``security``'s principal (the stack asks as hub-admin; default: the environment's)."""
    chosen = security or KafkaSecurity.from_env()
    # its own thread and loop, so callers inside a running event loop can use it too
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            brokers = pool.submit(asyncio.run, _kafka_brokers(bootstrap, chosen, timeout_s))
            return brokers.result() > 0
    except Exception:
        return False


def mongo_ready(uri: str, timeout_s: float = 2.0) -> bool:
    """True when the MongoDB-wire server answers ``ping``."""
    client: MongoClient[dict[str, object]] = MongoClient(
        uri, serverSelectionTimeoutMS=int(timeout_s * 1000), connectTimeoutMS=int(timeout_s * 1000)
    )
    try:
        client.admin.command("ping")
        return True
    except Exception:
        return False
    finally:
        client.close()


def http_ok(url: str, timeout_s: float = 2.0) -> bool:
    """True when ``url`` answers 200."""
    try:
        return httpx.get(url, timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False
