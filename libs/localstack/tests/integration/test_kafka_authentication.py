"""The stack's Kafka lets in only who it knows, as who they are (docs/adr/0010).

Against the session's own broker: every way in without valid credentials is
refused on both listeners, with aiokafka and with librdkafka (confluent-kafka);
an agency system's certificate is ``User:<its CN>``, which its ACLs prove; the
controller listens on loopback only and refuses what is not the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import ssl
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from hub_contracts.principals import ADMIN
from hub_localstack import security
from hub_messaging.kafka_security import KafkaSecurity
from hub_testing.infra import Infrastructure

pytestmark = pytest.mark.integration

KafkaPrincipal = Callable[[str], tuple[str, KafkaSecurity]]
X509_SYSTEM = "cleveland-police-records"  # police-feed, both tenants, a client certificate
OTHER_X509_SYSTEM = "north-tees-ed"  # health-feed, stockton
TIMEOUT_S = 4.0
TOPIC_AUTHORIZATION_FAILED = 29
REFUSED = (KafkaConnectionError, KafkaException)
"""What aiokafka and confluent-kafka raise when the broker will not let them in."""


@dataclasses.dataclass(frozen=True)
class Way:
    """One way of knocking: aiokafka's keyword arguments and librdkafka's properties."""

    aiokafka: dict[str, Any]
    confluent: dict[str, str]

    @classmethod
    def of(cls, security: KafkaSecurity) -> Way:
        return cls(security.aiokafka(), security.confluent())


async def _aiokafka_brokers(bootstrap: str, way: Way) -> int:
    client = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=int(TIMEOUT_S * 1000), **way.aiokafka
    )
    try:
        async with asyncio.timeout(TIMEOUT_S * 2):
            await client.start()
            return len((await client.describe_cluster())["brokers"])
    finally:
        await client.close()


def _confluent_brokers(bootstrap: str, way: Way) -> int:
    client = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0, **way.confluent})
    return len(client.list_topics(timeout=TIMEOUT_S).brokers)


async def _brokers(library: str, bootstrap: str, way: Way) -> int:
    if library == "aiokafka":
        return await _aiokafka_brokers(bootstrap, way)
    return await asyncio.to_thread(_confluent_brokers, bootstrap, way)


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> security.StackSecurity:
    """A second development CA, which has issued a certificate for the same names."""
    return security.ensure(tmp_path_factory.mktemp("other-ca"), ["hartlepool", "stockton"])


def _way_in(name: str, kafka_principal: KafkaPrincipal, other_ca: security.StackSecurity) -> Way:
    _, admin = kafka_principal(ADMIN)
    assert admin.cafile is not None
    if name == "no credentials":
        return Way.of(KafkaSecurity())
    if name == "TLS without a credential":  # trusts the broker, shows nothing of its own
        return Way(
            {
                "security_protocol": "SSL",
                "ssl_context": ssl.create_default_context(cafile=admin.cafile),
            },
            {"security.protocol": "ssl", "ssl.ca.location": admin.cafile},
        )
    if name == "a wrong password":
        _, service = kafka_principal("front-door")
        return Way.of(dataclasses.replace(service, password=f"{service.password}x"))
    # the same CN, the broker's CA trusted, but the certificate is another CA's
    _, agency = kafka_principal(X509_SYSTEM)
    foreign = other_ca.credentials[X509_SYSTEM]
    return Way.of(dataclasses.replace(agency, certfile=foreign.certfile, keyfile=foreign.keyfile))


@pytest.mark.parametrize("library", ["aiokafka", "confluent-kafka"])
@pytest.mark.parametrize("listener", ["INTERNAL", "AGENCY_TLS"])
@pytest.mark.parametrize(
    "way",
    ["no credentials", "TLS without a credential", "a wrong password", "another CA's certificate"],
)
async def test_a_client_without_valid_credentials_is_refused(
    library: str,
    listener: str,
    way: str,
    kafka_bootstrap: str,
    kafka_tls_bootstrap: str,
    kafka_principal: KafkaPrincipal,
    other_ca: security.StackSecurity,
) -> None:
    bootstrap = kafka_bootstrap if listener == "INTERNAL" else kafka_tls_bootstrap
    with pytest.raises(REFUSED):
        await _brokers(library, bootstrap, _way_in(way, kafka_principal, other_ca))


@pytest.mark.parametrize("library", ["aiokafka", "confluent-kafka"])
@pytest.mark.parametrize("principal", [ADMIN, "front-door", "hartlepool-ed", X509_SYSTEM])
async def test_each_principal_gets_in_its_own_way_on_its_own_listener(
    library: str, principal: str, kafka_principal: KafkaPrincipal, kafka_bootstrap: str
) -> None:
    bootstrap, way = kafka_principal(principal)
    assert (bootstrap == kafka_bootstrap) == (way.protocol == "SASL_SSL")
    assert await _brokers(library, bootstrap, Way.of(way)) == 1


async def test_a_certificate_cannot_be_used_on_the_scram_listener_nor_a_password_on_the_tls_one(
    kafka_principal: KafkaPrincipal, kafka_bootstrap: str, kafka_tls_bootstrap: str
) -> None:
    _, certificate = kafka_principal(X509_SYSTEM)
    _, password = kafka_principal("front-door")
    for bootstrap, way in ((kafka_bootstrap, certificate), (kafka_tls_bootstrap, password)):
        for library in ("aiokafka", "confluent-kafka"):
            with pytest.raises(REFUSED):
                await _brokers(library, bootstrap, Way.of(way))


async def test_an_agency_systems_certificate_is_the_principal_its_cn_names(
    kafka_bootstrap: str, kafka_security: KafkaSecurity, kafka_principal: KafkaPrincipal
) -> None:
    """The ACLs the policy implies let each agency system read its own feed's dead
    letters and nobody else's: the broker sees ``User:<CN>`` of the certificate."""
    police = "stockton.police-feed-inbound.police-incident.v1.dlq"
    health = "stockton.health-feed-inbound.fhir-bundle.v1.dlq"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap, **kafka_security.aiokafka())
    await admin.start()
    try:
        for topic in (police, health):
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        await admin.close()

    async def errors(name: str) -> dict[str, int]:
        bootstrap, way = kafka_principal(name)
        client = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **way.aiokafka())
        await client.start()
        try:
            return {
                t["topic"]: t["error_code"] for t in await client.describe_topics([police, health])
            }
        finally:
            await client.close()

    assert await errors(X509_SYSTEM) == {police: 0, health: TOPIC_AUTHORIZATION_FAILED}
    assert await errors(OTHER_X509_SYSTEM) == {police: TOPIC_AUTHORIZATION_FAILED, health: 0}


def _listening(port: int) -> set[str]:
    """The local addresses a socket listens on ``port`` with (from /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def _answers_plaintext(port: int) -> bool:
    """True if ``port`` answers a plaintext Kafka ApiVersions request (v0) as Kafka does."""
    client_id = b"probe"
    body = struct.pack(">hhih", 18, 0, 7, len(client_id)) + client_id
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as sock:
        sock.sendall(struct.pack(">i", len(body)) + body)
        answer = b""
        with contextlib.suppress(OSError):
            while len(answer) < 8 and (chunk := sock.recv(8 - len(answer))):
                answer += chunk
    return len(answer) == 8 and struct.unpack(">i", answer[4:])[0] == 7  # our correlation id


def test_kafka_listens_on_loopback_only_and_speaks_plaintext_nowhere(
    infrastructure: Infrastructure,
) -> None:
    assert infrastructure.stack is not None
    config = infrastructure.stack.config
    # 127.0.0.1 as /proc/net/tcp writes it, and as tcp6 does for Java's IPv4-mapped socket
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}
    for port in (config.kafka_port, config.kafka_tls_port, config.kafka_controller_port):
        bound = _listening(port)
        assert bound, port
        assert bound <= loopback, f"port {port} listens on {bound}"
        assert not _answers_plaintext(port), f"port {port} speaks Kafka in plaintext"
    props = (config.state_dir / "kafka" / "server.properties").read_text()
    assert "CONTROLLER:SSL" in props
    assert "listener.name.controller.ssl.client.auth=required" in props


def test_the_session_environment_is_hub_admins(kafka_security: KafkaSecurity) -> None:
    from_env = KafkaSecurity.from_env()
    assert from_env == kafka_security
    assert (from_env.protocol, from_env.username) == ("SASL_SSL", ADMIN)
