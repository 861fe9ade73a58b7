"""No recipient ever holds a field the committed sharing policy withholds from it.

For every policy rule that minimises, an example event of that type is
published with a distinct canary string in every withheld text field. Every
recipient service runs a real consumer that stores whatever it is handed.
Then each recipient's whole database (every collection, its outbox included)
and every delivery it received are searched for the canaries of the fields
withheld from it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from hub_contracts.envelope import REGISTRY, CloudEvent, event_type
from hub_contracts.events import catalogue
from hub_contracts.examples import example_payloads
from hub_contracts.policy import PolicyRule, load_policy, withheld_paths
from hub_contracts.sharing import LawfulBasis, SharingBasis, SpecialCategoryCondition
from hub_contracts.upcasters import latest_major
from hub_messaging.consumer import Delivery, EventConsumer, HandlerContext
from hub_messaging.kafka_security import KafkaSecurity, kafka_options
from hub_messaging.outbox import Outbox, ensure_collections
from hub_messaging.relay import OutboxRelay
from hub_messaging.topics import ensure_topics
from hub_testing.bus import until
from pydantic import ValidationError
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.integration
POLICY = load_policy()


def _set(data: Any, path: list[str], value: str) -> None:
    """Set every leaf at ``path`` (``[]`` steps into lists) to ``value``."""
    head, rest = path[0], path[1:]
    key = head.removesuffix("[]")
    target = data.get(key)
    if head.endswith("[]"):
        for item in target or []:
            _set(item, rest, value)
    elif rest:
        if isinstance(target, dict):
            _set(target, rest, value)
    elif isinstance(target, str):
        data[key] = value


def _canaried_event(rule: PolicyRule, tenant: str, index: int) -> tuple[CloudEvent, list[str]]:
    """An example event for ``rule`` with a canary in each withheld text field."""
    model = REGISTRY[event_type(rule.event, rule.major or latest_major(rule.event))]
    data = example_payloads()[model.cloudevent_type()].model_dump(mode="json")
    canaries = []
    for n, path in enumerate(withheld_paths(data, rule.fields)):
        canary = f"CANARY{index:02d}X{n:02d}"
        trial = json.loads(json.dumps(data))
        _set(trial, path.split("."), canary)
        try:
            model.model_validate(trial)
        except ValidationError:
            continue  # a constrained field (code, id format) cannot hold a canary
        if canary in json.dumps(trial):
            data, canaries = trial, [*canaries, canary]
    basis = rule.lawful_bases[0]
    sharing = SharingBasis(
        lawful_basis=basis,
        purpose=rule.purposes[0],
        consent_ref="consent-1" if basis is LawfulBasis.CONSENT else None,
        special_category_condition=SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
    )
    event = CloudEvent.new(
        tenant=tenant,
        producer=model.producers[0],
        subject=f"child-{index:02d}",
        payload=model.model_validate(data),
        sharing=sharing,
    )
    return event, canaries


async def test_no_recipient_holds_a_withheld_field_of_any_policy_row(
    mongo_uri: str, kafka_bootstrap: str, unique_name: str
) -> None:
    tenant = unique_name
    rules = [r for r in POLICY.document.rules if "*" not in r.fields]
    assert rules, "the committed policy minimises somewhere"
    published = [_canaried_event(rule, tenant, i) for i, rule in enumerate(rules)]
    assert sum(len(c) for _, c in published) >= len(rules), "canaries were placed"

    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri)
    recipients = sorted({r.recipient for r in POLICY.document.rules})
    deliveries: dict[str, list[Delivery]] = {r: [] for r in recipients}

    def store(recipient: str) -> Any:
        async def handle(batch: Sequence[Delivery], ctx: HandlerContext) -> None:
            deliveries[recipient].extend(batch)
            await ctx.db["received"].insert_many(
                [{"_id": d.event.id, "type": d.event.type, "data": d.event.data} for d in batch],
                session=ctx.session,
            )

        return handle

    consumers = []
    names = set(catalogue_names())
    for recipient in recipients:
        handled = {r.event for r in POLICY.document.rules if r.recipient == recipient}
        handler = store(recipient)
        consumers.append(
            EventConsumer(
                mongo=mongo,
                recipient=recipient,
                tenants=[tenant],
                policy=POLICY,
                batch_handlers={name: handler for name in handled & names},
                database=lambda t, r=recipient: mongo[f"{t}__{r.replace('-', '_')}"],
                audit=False,
            )
        )
    await ensure_topics(kafka_bootstrap, [t for c in consumers for t in c.topics()])
    for consumer in consumers:
        await consumer.prepare(["received"])
    producers = sorted({e.producer for e, _ in published})
    producer_dbs = {p: mongo[f"{tenant}__{p.replace('-', '_')}"] for p in producers}
    for db in producer_dbs.values():
        await ensure_collections(db, [])
    kafka = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, **kafka_options()
    )
    await kafka.start()
    relay = OutboxRelay(kafka, list(producer_dbs.values()), idle_poll_s=0.05)
    await relay.prepare()
    brokers = []
    for consumer in consumers:
        broker = KafkaBroker(
            kafka_bootstrap, logger=None, security=KafkaSecurity.from_env().faststream()
        )
        consumer.subscribe(broker)
        await broker.start()
        brokers.append(broker)
    relay.start()
    try:
        for producer in producers:
            events = [e for e, _ in published if e.producer == producer]
            async with mongo.start_session() as session, await session.start_transaction():
                decisions = await Outbox(POLICY, producer).add(
                    producer_dbs[producer], session, events
                )
            assert all(d.allowed for d in decisions)
        relay.wake()

        def reached(rule: PolicyRule, event: CloudEvent) -> bool:
            return any(d.event.id == event.id for d in deliveries[rule.recipient])

        async def all_reached() -> bool:
            return all(reached(r, e) for r, (e, _) in zip(rules, published, strict=True))

        await until(all_reached, 90, "every minimised event at its recipient")

        leaks = []
        for event, canaries in published:
            for recipient in recipients:
                if recipient == event.producer:
                    continue  # the producer owns the data it published
                decision = POLICY.decide(event, recipient)
                hidden = set(withheld_paths(event.data, decision.visible_fields))
                if decision.allowed and not hidden:
                    continue
                secret = [c for path in hidden for c in _canaries_at(event.data, path)]
                if not decision.allowed:  # refused: nothing of the payload may stay
                    secret = canaries
                db = mongo[f"{tenant}__{recipient.replace('-', '_')}"]
                held = [
                    json.dumps(doc, default=repr)
                    for name in await db.list_collection_names()
                    async for doc in db[name].find()
                ]
                held += [json.dumps(d.event.data) for d in deliveries[recipient]]
                leaks += [(recipient, event.type, c) for c in secret if any(c in h for h in held)]
        assert leaks == []
    finally:
        for broker in brokers:
            await broker.stop()
        await relay.stop()
        await kafka.stop()
        await mongo.close()


def catalogue_names() -> list[str]:
    return sorted({model.event_name for model in catalogue().values()})


def _canaries_at(data: Any, path: str) -> list[str]:
    head, _, rest = path.partition(".")
    key = head.removesuffix("[]")
    if not isinstance(data, dict) or key not in data:
        return []
    value = data[key]
    if head.endswith("[]"):
        return [c for item in value for c in _canaries_at(item, rest)]
    if rest:
        return _canaries_at(value, rest)
    return [value] if isinstance(value, str) and value.startswith("CANARY") else []
