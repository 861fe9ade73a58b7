"""hubctl acl plan | apply and password rotation against the session's secured broker.

The session's Kafka authenticates every client and authorises by default
deny, with the ACLs ``hub_ops.acl.apply`` derived for the default tenants
(``hartlepool``, ``stockton``). Tests that change ACLs put them back.
``HUB_FULL_ACL_MATRIX=1`` tries every cell of the matrix instead of a sample.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from acl_matrix import (
    TOPIC_AUTHORIZATION_FAILED,
    attempt_reads,
    attempt_writes,
    denied_codes,
    matrix,
    run,
    sample,
    summary,
    wrong,
)
from aiokafka import AIOKafkaProducer
from aiokafka.errors import TopicAuthorizationFailedError
from confluent_kafka import KafkaError, Producer
from hub_contracts.policy import load_policy
from hub_contracts.principals import ADMIN, load_agency_systems, principals
from hub_messaging.kafka_security import KafkaSecurity
from hub_messaging.topics import ensure_topics
from hub_ops import acl
from hub_ops.access import AclRule, Operation, PatternType, ResourceType, desired_acls
from hub_ops.access import topic_catalogue as catalogue
from hub_ops.cli import build_parser, run_kafka
from hub_ops.settings import OpsSettings
from hub_testing.bus import read_topic, until

pytestmark = pytest.mark.integration

TENANTS = ("hartlepool", "stockton")
"""The tenants the session's broker holds ACLs for."""
Access = Callable[[str], tuple[str, KafkaSecurity]]
FULL = os.environ.get("HUB_FULL_ACL_MATRIX") == "1"
PER_KIND = 8
"""Sampled cells per principal x operation x expectation (about 420 in all)."""
HAND_MADE = AclRule(
    "User:front-door", ResourceType.TOPIC, PatternType.PREFIXED, "stockton.", Operation.READ
)
FOREIGN = AclRule(
    "User:acl-test-visitor", ResourceType.GROUP, PatternType.LITERAL, "visitors", Operation.READ
)


@pytest.fixture(scope="module")
async def topics(kafka_bootstrap: str, kafka_security: KafkaSecurity) -> list[str]:
    """Every topic of the catalogue, created as hub-admin (as the services would)."""
    names = catalogue(TENANTS)
    await ensure_topics(kafka_bootstrap, names, security=kafka_security)
    return names


@pytest.fixture
async def restored(kafka_bootstrap: str, kafka_security: KafkaSecurity) -> AsyncIterator[None]:
    """Whatever a test does to the ACLs, they are the policy's again after it."""
    yield
    client = acl.admin_client(kafka_bootstrap, kafka_security)
    held = await acl.existing_acls(client)
    if FOREIGN in held:
        await acl.delete_acls(client, [FOREIGN])
    await acl.apply(kafka_bootstrap, kafka_security, TENANTS)


def desired() -> frozenset[AclRule]:
    return desired_acls(TENANTS, load_policy(), load_agency_systems())


async def test_apply_twice_changes_nothing_the_second_time(
    kafka_bootstrap: str, kafka_security: KafkaSecurity, restored: None
) -> None:
    await acl.apply(kafka_bootstrap, kafka_security, TENANTS)
    again = await acl.apply(kafka_bootstrap, kafka_security, TENANTS)
    assert again.applied
    assert (again.to_add, again.to_remove) == ((), ())
    assert again.unchanged == len(desired()) > 1000
    assert (await acl.plan(kafka_bootstrap, kafka_security, TENANTS)).in_sync


async def test_plan_shows_a_hand_made_acl_to_remove_a_deleted_one_to_add_and_a_strangers_alone(
    kafka_bootstrap: str, kafka_security: KafkaSecurity, restored: None
) -> None:
    client = acl.admin_client(kafka_bootstrap, kafka_security)
    deleted = next(r for r in sorted(desired()) if r.principal == "User:police-feed")
    await acl.create_acls(client, [HAND_MADE, FOREIGN])
    await acl.delete_acls(client, [deleted])

    planned = await acl.plan(kafka_bootstrap, kafka_security, TENANTS)
    assert planned.to_add == (deleted,)
    assert planned.to_remove == (HAND_MADE,)
    assert FOREIGN in planned.unmanaged
    assert planned.unchanged == len(desired()) - 1

    applied = await acl.apply(kafka_bootstrap, kafka_security, TENANTS)
    assert (applied.to_add, applied.to_remove) == ((deleted,), (HAND_MADE,))
    held = await acl.existing_acls(client)
    assert deleted in held
    assert HAND_MADE not in held
    assert FOREIGN in held  # not this deployment's to remove
    assert (await acl.plan(kafka_bootstrap, kafka_security, TENANTS)).in_sync


async def test_the_matrix_allows_exactly_what_allowed_says(
    topics: list[str], kafka_principal: Access, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [p.name for p in principals(TENANTS)]
    everything = matrix(desired(), names, topics, super_users=[ADMIN])
    cells = everything if FULL else sample(everything, PER_KIND)
    started = time.monotonic()
    results = await asyncio.to_thread(run, cells, kafka_principal)
    with capsys.disabled():
        took = time.monotonic() - started
        print(f"\n{summary(results, of=len(everything))}, in {took:.1f} s")
    # 17 x 268 x 2 for the contracts alone; test modules may register test-only event types
    assert len(everything) == len(names) * len(topics) * 2 >= 17 * 268 * 2
    assert len({r.cell.principal for r in results}) == len(names)
    assert {r.cell.expected for r in results} == {True, False}
    assert wrong(results) == []
    assert set(denied_codes(results)) == {TOPIC_AUTHORIZATION_FAILED}


async def test_an_education_principal_publishing_to_a_police_topic_is_refused(
    topics: list[str], kafka_principal: Access
) -> None:
    bootstrap, security = kafka_principal("education")
    producer = AIOKafkaProducer(  # as the services' relay publishes
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, **security.aiokafka()
    )
    await producer.start()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(
                "stockton.police-feed.operation-encompass-notified.v1", b"forged", partition=0
            )
        own = await producer.send_and_wait(
            "stockton.education.operation-encompass-acknowledged.v1", b"x", partition=0
        )
        assert own.offset >= 0
    finally:
        await producer.stop()


async def test_a_hartlepool_only_agency_system_reaches_no_stockton_topic(
    topics: list[str], kafka_principal: Access
) -> None:
    stockton = [t for t in topics if t.startswith("stockton.")]
    assert len(stockton) == len(topics) // 2 >= 134  # half the two tenants' catalogue
    for system in ("hartlepool-ed", "hartlepool-schools-mis"):
        bootstrap, security = kafka_principal(system)
        writes = await asyncio.to_thread(attempt_writes, bootstrap, security, stockton)
        reads = await asyncio.to_thread(attempt_reads, bootstrap, security, stockton)
        assert set(writes.values()) == {TOPIC_AUTHORIZATION_FAILED}, system
        assert set(reads.values()) == {TOPIC_AUTHORIZATION_FAILED}, system
        assert len(writes) == len(reads) == len(stockton)
        own = "hartlepool.health-feed-inbound.fhir-bundle.v1"
        if system == "hartlepool-ed":  # and its own still works
            assert await asyncio.to_thread(attempt_writes, bootstrap, security, [own]) == {
                own: None
            }


async def _signs_in(
    bootstrap: str, security: KafkaSecurity, *, refused: bool = False
) -> list[int] | bool:
    """True when a new client gets in (``refused``: its errors once it is kept out)."""
    answered, errors = await asyncio.to_thread(_authentication_errors, bootstrap, security)
    if refused:
        return [] if answered else errors
    return answered and KafkaError._AUTHENTICATION not in errors


async def _now(value: bool) -> bool:
    return value


def _authentication_errors(bootstrap: str, security: KafkaSecurity) -> tuple[bool, list[int]]:
    """Whether a new client gets the cluster's metadata, and the errors it reported."""
    errors: list[int] = []
    client = Producer(
        {
            "bootstrap.servers": bootstrap,
            "log_level": 0,
            "error_cb": lambda e: errors.append(e.code()),
            **security.confluent(),
        }
    )
    try:
        client.list_topics(timeout=5)
        answered = True
    except Exception:
        answered = False
    client.poll(0.5)
    return answered, errors


async def test_a_password_rotated_while_a_client_runs(
    topics: list[str],
    kafka_principal: Access,
    kafka_security: KafkaSecurity,
    kafka_bootstrap: str,
    tmp_path: Path,
) -> None:
    """A steady stream from an agency system goes on through the rotation: none lost."""
    system = "hartlepool-schools-mis"
    own = "hartlepool.education-inbound.pupil.v1"
    bootstrap, old = kafka_principal(system)
    assert old.password is not None
    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({system: old.password, "front-door": "untouched"}))
    running = Producer(
        {"bootstrap.servers": bootstrap, "log_level": 0, "acks": "all", **old.confluent()}
    )
    run_id = f"rotation-{time.monotonic_ns()}".encode()
    delivered: list[KafkaError | None] = []
    sent = 0
    streaming = True

    def stream() -> None:  # about 100 records/s until told to stop, as a busy MIS would
        nonlocal sent
        while streaming:
            running.produce(
                own,
                run_id + b"-%d" % sent,
                key=run_id,
                partition=0,
                on_delivery=lambda e, _m: delivered.append(e),
            )
            sent += 1
            running.poll(0.01)
        running.flush(15)

    streamer = asyncio.create_task(asyncio.to_thread(stream))
    await until(lambda: _now(len(delivered) >= 20), 15, "the stream under way")
    try:
        args = build_parser().parse_args(
            ["kafka", "rotate-password", system, "--passwords", str(passwords)]
        )
        out = io.StringIO()
        settings = OpsSettings(kafka_bootstrap=bootstrap)
        assert await run_kafka(args, settings, kafka_security, out) == 0
        saved = json.loads(passwords.read_text())
        new = saved[system]
        assert new != old.password
        assert saved["front-door"] == "untouched"
        assert "operators" in out.getvalue()

        # the client that was running keeps its connection and goes on publishing
        at_rotation = len(delivered)
        await until(lambda: _now(len(delivered) >= at_rotation + 50), 15, "records after it")
        streaming = False
        await streamer
        assert sent > at_rotation + 50
        assert delivered == [None] * sent, "every record of the stream was acknowledged"

        async def on_topic() -> list[bytes] | None:
            records = await read_topic(kafka_bootstrap, own, expect=10**9, timeout_s=3)
            ours = [r.value for r in records if r.key == run_id]
            return ours if len(ours) >= sent else None

        ours = await until(on_topic, 30, "the whole stream on the topic")
        assert Counter(ours) == Counter(run_id + b"-%d" % i for i in range(sent)), (
            "every record once: none lost, none twice"
        )
        print(f"rotation under load: {sent} records, {at_rotation} acknowledged before it, 0 lost")
        # a new connection with the old password is refused; with the new one it works
        # (as soon as the broker has applied the credential from the metadata log)
        refused = await until(lambda: _signs_in(bootstrap, old, refused=True), 15, "refusal")
        assert KafkaError._AUTHENTICATION in refused
        await until(lambda: _signs_in(bootstrap, old.as_user(system, new)), 15, "new password")
    finally:
        streaming = False
        await streamer
        # the session's other tests know the old password
        client = acl.admin_client(bootstrap, kafka_security)
        await acl.upsert_passwords(client, {system: old.password})
        await until(lambda: _signs_in(bootstrap, old), 15, "the old password back")
