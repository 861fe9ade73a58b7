"""Where a test session's Kafka and MongoDB come from."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hub_localstack.config import StackConfig, default_cache_dir, find_repo_root
from hub_localstack.processes import free_port
from hub_localstack.stack import Stack
from hub_messaging.kafka_security import ENV as KAFKA_ENV
from hub_messaging.kafka_security import KafkaSecurity


@dataclass(frozen=True)
class Infrastructure:
    """Addresses of a real Kafka broker and MongoDB-wire server, and how to get into Kafka."""

    kafka_bootstrap: str
    mongo_uri: str
    origin: str
    """``env``, ``testcontainers`` or ``local-processes``."""
    kafka_security: KafkaSecurity = field(default_factory=KafkaSecurity)
    """hub-admin's on the session's own Kafka; an external one's from the environment."""
    kafka_tls_bootstrap: str | None = None
    """The mutual-TLS listener (agency systems with a certificate); the own Kafka only."""
    stack: Stack | None = None
    """The session's own stack, which knows every principal's credentials."""

    def principal(self, name: str) -> tuple[str, KafkaSecurity]:
        """The bootstrap and security with which principal ``name`` reaches Kafka."""
        if self.stack is None:
            raise LookupError(f"the principals' credentials of a {self.origin} Kafka are unknown")
        return self.stack.kafka_access(name)

    def session_env(self) -> dict[str, str]:
        """What a test session's environment gets: hub-admin's Kafka security (so every
        client and in-process service built from the environment authenticates) and
        development mode (the demo agency tokens, the development internal-token key)."""
        return {
            **{var: "" for var in KAFKA_ENV.values()},
            **self.kafka_security.env(),
            "HUB_ENV": "development",
        }


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` updated with ``values`` (an empty value unsets), restored after."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value:
                os.environ[name] = value
            else:
                os.environ.pop(name, None)
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def local_stack_config(state_dir: Path, *, services: bool = False) -> StackConfig:
    """A stack config on free ports with its state in ``state_dir``."""
    from hub_contracts.services import SERVICES

    return StackConfig(
        repo_root=find_repo_root(Path(__file__)),
        state_dir=state_dir,
        cache_dir=default_cache_dir(),
        kafka_port=free_port(),
        kafka_tls_port=free_port(),
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
    """Yield real infrastructure for a test session and stop whatever was started.

    The session's own Kafka authenticates every client and holds the ACLs the
    sharing policy implies (applied before anything else connects); an external
    one (``KAFKA_BOOTSTRAP``) is used with the environment's security as it is.
    """
    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP"), os.environ.get("MONGO_URI")
    if kafka and mongo:
        yield Infrastructure(kafka, mongo, "env", KafkaSecurity.from_env())
        return
    if docker_answers():
        with _containers() as infra:
            yield infra
        return
    stack = Stack(local_stack_config(state_dir))
    try:
        stack.up_infrastructure(("kafka", "mongo"))  # applies the ACLs once Kafka is ready
        yield Infrastructure(
            stack.config.kafka_bootstrap,
            stack.config.mongo_uri,
            "local-processes",
            kafka_security=stack.kafka_admin(),
            kafka_tls_bootstrap=stack.config.kafka_tls_bootstrap,
            stack=stack,
        )
    finally:
        stack.down()


@contextlib.contextmanager
def _containers() -> Iterator[Infrastructure]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    # the official image's defaults: one PLAINTEXT listener, no authentication
    print("[hub_testing] Docker answers: using testcontainers (Kafka unsecured)", file=sys.stderr)
    with (
        KafkaContainer("apache/kafka:4.1.1").with_kraft() as kafka,
        # a single-node replica set: transactions and change streams need one
        MongoDbContainer("mongo:8.0").with_command("--replSet rs0 --bind_ip_all") as mongo,
    ):
        initiate = "rs.initiate({_id:'rs0',members:[{_id:0,host:'localhost:27017'}]})"
        mongo.exec(f'mongosh --quiet --eval "{initiate}"')
        uri = mongo.get_connection_url() + "/?directConnection=true"
        yield Infrastructure(kafka.get_bootstrap_server(), uri, "testcontainers")
