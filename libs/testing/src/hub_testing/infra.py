"""Where a test session's Kafka and MongoDB come from."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hub_localstack.config import StackConfig, default_cache_dir, find_repo_root
from hub_localstack.processes import free_port
from hub_localstack.stack import Stack


@dataclass(frozen=True)
class Infrastructure:
    """Addresses of a real Kafka broker and MongoDB-wire server."""

    kafka_bootstrap: str
    mongo_uri: str
    origin: str
    """``env``, ``testcontainers`` or ``local-processes``."""


def local_stack_config(state_dir: Path, *, services: bool = False) -> StackConfig:
    """A stack config on free ports with its state in ``state_dir``."""
    from hub_contracts.services import SERVICES

    return StackConfig(
        repo_root=find_repo_root(Path(__file__)),
        state_dir=state_dir,
        cache_dir=default_cache_dir(),
        kafka_port=free_port(),
        kafka_controller_port=free_port(),
        mongo_port=free_port(),
        zipkin_port=free_port(),
        prometheus_port=free_port(),
        service_ports={s.name: free_port() for s in SERVICES} if services else {},
        mongo_engine=os.environ.get("HUB_MONGO_ENGINE", "rs"),
    )


def docker_answers() -> bool:
    """True when a Docker engine answers a ping (never on the project's own machines)."""
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


@contextlib.contextmanager
def provide_infrastructure(state_dir: Path) -> Iterator[Infrastructure]:
    """Yield real infrastructure for a test session and stop whatever was started."""
    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP"), os.environ.get("MONGO_URI")
    if kafka and mongo:
        yield Infrastructure(kafka, mongo, "env")
        return
    if docker_answers():
        with _containers() as infra:
            yield infra
        return
    stack = Stack(local_stack_config(state_dir))
    try:
        stack.up_infrastructure(("kafka", "mongo"))
        yield Infrastructure(
            stack.config.kafka_bootstrap, stack.config.mongo_uri, "local-processes"
        )
    finally:
        stack.down()


@contextlib.contextmanager
def _containers() -> Iterator[Infrastructure]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    print("[hub_testing] Docker answers: using testcontainers", file=sys.stderr)
    with (
        KafkaContainer("apache/kafka:4.1.1").with_kraft() as kafka,
        # a single-node replica set: transactions and change streams need one
        MongoDbContainer("mongo:8.0").with_command("--replSet rs0 --bind_ip_all") as mongo,
    ):
        initiate = "rs.initiate({_id:'rs0',members:[{_id:0,host:'localhost:27017'}]})"
        mongo.exec(f'mongosh --quiet --eval "{initiate}"')
        uri = mongo.get_connection_url() + "/?directConnection=true"
        yield Infrastructure(kafka.get_bootstrap_server(), uri, "testcontainers")
