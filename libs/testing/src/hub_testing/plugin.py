"""Pytest plugin: real infrastructure fixtures for every package's tests.

Registered from the root ``conftest.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hub_localstack.stack import Stack
from hub_messaging.kafka_security import KafkaSecurity

from hub_testing.infra import (
    Infrastructure,
    environment,
    local_stack_config,
    provide_infrastructure,
)

KafkaPrincipal = Callable[[str], tuple[str, KafkaSecurity]]


@pytest.fixture(scope="session")
def infrastructure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    """A real Kafka broker and MongoDB-wire server for the whole session.

    While it lasts, ``os.environ`` holds hub-admin's Kafka security and
    ``HUB_ENV=development``, so every client and in-process service built from
    the environment authenticates (as the admin).
    """
    with (
        provide_infrastructure(tmp_path_factory.mktemp("infra")) as infra,
        environment(infra.session_env()),
    ):
        yield infra


@pytest.fixture(scope="session")
def kafka_bootstrap(infrastructure: Infrastructure) -> str:
    """The SCRAM listener (SASL_SSL): services, hubctl, agency systems with a password."""
    return infrastructure.kafka_bootstrap


@pytest.fixture(scope="session")
def kafka_security(infrastructure: Infrastructure) -> KafkaSecurity:
    """hub-admin's way into the session's Kafka (an external one's: the environment's)."""
    return infrastructure.kafka_security


@pytest.fixture(scope="session")
def kafka_tls_bootstrap(infrastructure: Infrastructure) -> str:
    """The mutual-TLS listener for agency systems with a certificate (own Kafka only)."""
    if infrastructure.kafka_tls_bootstrap is None:
        pytest.skip(f"a {infrastructure.origin} Kafka has no listener of the stack's to test")
    return infrastructure.kafka_tls_bootstrap


@pytest.fixture(scope="session")
def kafka_principal(infrastructure: Infrastructure) -> KafkaPrincipal:
    """``name -> (bootstrap, security)`` of any principal of the stack, for tests that
    act as one (a service, an agency system with a password or a certificate)."""
    if infrastructure.stack is None:
        pytest.skip(f"the principals' credentials of a {infrastructure.origin} Kafka are unknown")
    return infrastructure.principal


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
