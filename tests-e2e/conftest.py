"""The whole hub, started for the e2e session in a temporary folder on free ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hub_localstack.stack import Stack
from hub_testing.infra import local_stack_config


@pytest.fixture(scope="session")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Kafka, SecantusDB, Zipkin, Prometheus and all seven services, with demo data."""
    stack = Stack(local_stack_config(tmp_path_factory.mktemp("hub"), services=True))
    try:
        stack.up()
        yield stack
    finally:
        stack.down()
