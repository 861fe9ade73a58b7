"""Helpers for tests that talk to the real broker and to running services."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, overload

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hub_messaging.kafka_security import KafkaSecurity, kafka_options

T = TypeVar("T")


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    expect: int,
    timeout_s: float = 30,
    security: KafkaSecurity | None = None,
) -> list[Any]:
    """Every record on ``topic`` once at least ``expect`` have arrived (or the timeout),
    read as ``security``'s principal (default: the environment's, hub-admin in tests)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **kafka_options(security),
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout_s
        while len(records) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            records += [r for rs in batch.values() for r in rs]
        return records
    finally:
        await consumer.stop()


async def produce_raw(
    bootstrap: str,
    topic: str,
    value: bytes,
    headers: list[tuple[str, bytes]] | None = None,
    key: bytes = b"child",
) -> None:
    """Send one record as an agency system would (acks=all)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        max_request_size=2_000_000,
        **kafka_options(),
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key, headers=headers or [])
    finally:
        await producer.stop()


async def until(
    predicate: Callable[[], Awaitable[Any]], timeout_s: float = 30, what: str = "condition"
) -> Any:
    """Poll ``predicate`` until it returns something truthy; returns that."""
    deadline = time.monotonic() + timeout_s
    while not (result := await predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)
    return result


@overload
def wait_for(
    fetch: Callable[[], T | None], timeout_s: float = 30, what: str = "condition"
) -> T: ...


@overload
def wait_for(
    fetch: Callable[[], T],
    timeout_s: float = 30,
    what: str = "condition",
    *,
    done: Callable[[T], object],
) -> T: ...


def wait_for(
    fetch: Callable[[], Any],
    timeout_s: float = 30,
    what: str = "condition",
    *,
    done: Callable[[Any], object] = bool,
) -> Any:
    """Poll a synchronous ``fetch`` (e.g. an HTTP call) until ``done`` with what it returns.

    By default until it returns something truthy; returns that. Tests poll
    from their own thread (a ``TestClient`` cannot be called from the app's
    event loop), so this sleeps rather than awaits.
    """
    deadline = time.monotonic() + timeout_s
    while not done(result := fetch()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
    return result


@contextmanager
def running_service(app: FastAPI, timeout_s: float = 60) -> Iterator[TestClient]:
    """The app started (lifespan) and ready: Kafka, MongoDB and its consumers up."""
    with TestClient(app) as client:
        deadline = time.monotonic() + timeout_s
        while (ready := client.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, ready.json()
            time.sleep(0.2)
        yield client


def in_app(client: TestClient, fn: Callable[[], Awaitable[T]]) -> T:
    """Run ``fn`` on the app's event loop (its MongoDB client lives there)."""
    portal = client.portal
    assert portal is not None, "use inside running_service(...)"
    return portal.call(fn)
