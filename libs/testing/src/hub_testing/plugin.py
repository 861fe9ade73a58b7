"""Pytest plugin: real infrastructure fixtures for every package's tests.

Registered from the root ``conftest.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hub_localstack.stack import Stack

from hub_testing.infra import Infrastructure, local_stack_config, provide_infrastructure


@pytest.fixture(scope="session")
def infrastructure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    """A real Kafka broker and MongoDB-wire server for the whole session."""
    with provide_infrastructure(tmp_path_factory.mktemp("infra")) as infra:
        yield infra


@pytest.fixture(scope="session")
def kafka_bootstrap(infrastructure: Infrastructure) -> str:
    return infrastructure.kafka_bootstrap


@pytest.fixture(scope="session")
def mongo_uri(infrastructure: Infrastructure) -> str:
    return infrastructure.mongo_uri


@pytest.fixture
def unique_name() -> str:
    """A name no other test uses (topics, databases, tenants' test data)."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    """A test's own stack on free ports, for tests that kill and restart processes.

    Call it with ``services=True`` for the hub's services too. Everything it
    started is stopped (by PID) after the test.
    """
    stacks: list[Stack] = []

    def make(*, services: bool = False) -> Stack:
        stack = Stack(local_stack_config(tmp_path / f"stack{len(stacks)}", services=services))
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.down()
