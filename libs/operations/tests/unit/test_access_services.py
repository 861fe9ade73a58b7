"""Each real service, as its bootstrap builds it, may do on Kafka what it will try to do.

Building a service's app wires its consumers and inbound subscriptions
without starting it: no Kafka, no MongoDB. So these tests read what each
service will subscribe to, create at start-up and publish, and check the
derived ACLs allow exactly that much of it.
"""

from __future__ import annotations

import importlib
from functools import cache

import pytest
from fastapi import FastAPI
from hub_contracts.envelope import REGISTRY
from hub_contracts.policy import load_policy
from hub_contracts.principals import load_agency_systems
from hub_contracts.services import SERVICES
from hub_contracts.topics import dead_letter_topic, topic_name
from hub_ops.access import Operation, ResourceType, allowed, desired_acls, topic_catalogue
from hub_service import ServiceSettings
from hub_service.app import ServiceRuntime

TENANTS = ("hartlepool", "stockton")
RULES = desired_acls(TENANTS, load_policy(), load_agency_systems())
NAMES = [s.name for s in SERVICES]


@cache
def runtime(service: str) -> ServiceRuntime:
    """The service's runtime as its own ``build_app`` wires it (nothing started)."""
    info = next(s for s in SERVICES if s.name == service)
    bootstrap = importlib.import_module(f"{info.package}.bootstrap")
    settings = ServiceSettings.for_service(service, environment="development", tenants=TENANTS)
    app: FastAPI = bootstrap.build_app(settings)
    found: ServiceRuntime = app.state.runtime
    return found


def subscribed(service: str) -> set[str]:
    rt = runtime(service)
    return {t for c in rt.consumers for t in c.topics()} | set(rt.inbound_topics)


def may(service: str, kind: ResourceType, name: str, operation: Operation) -> bool:
    return allowed(RULES, service, kind, name, operation)


@pytest.mark.parametrize("service", NAMES)
def test_it_may_read_every_topic_its_consumers_subscribe_to(service: str) -> None:
    topics = subscribed(service)
    refused = sorted(t for t in topics if not may(service, ResourceType.TOPIC, t, Operation.READ))
    assert not refused
    if service != "gateway":  # the gateway consumes nothing
        assert topics


@pytest.mark.parametrize("service", NAMES)
def test_it_may_join_its_consumer_groups(service: str) -> None:
    rt = runtime(service)
    groups = set(rt.consumer_groups) | {c.group_id for c in rt.consumers}
    assert not [g for g in groups if not may(service, ResourceType.GROUP, g, Operation.READ)]
    assert not may(service, ResourceType.GROUP, f"{service}-other", Operation.READ)


@pytest.mark.parametrize("service", NAMES)
def test_it_may_create_at_start_up_what_it_creates_and_dead_letter_what_it_consumes(
    service: str,
) -> None:
    topics = subscribed(service)
    ensured = {*topics, *map(dead_letter_topic, topics)}  # what _start_bus ensures
    assert not [t for t in ensured if not may(service, ResourceType.TOPIC, t, Operation.CREATE)]
    assert not [
        t
        for t in topics
        if not may(service, ResourceType.TOPIC, dead_letter_topic(t), Operation.WRITE)
    ]


@pytest.mark.parametrize("service", NAMES)
def test_it_may_publish_every_event_it_produces_and_no_one_elses(service: str) -> None:
    own = {
        topic_name(tenant, service, m.event_name, m.major)
        for tenant in TENANTS
        for m in REGISTRY.values()
        if service in m.producers
    }
    assert own
    writable = {*own, *map(dead_letter_topic, own)}
    assert not [t for t in writable if not may(service, ResourceType.TOPIC, t, Operation.WRITE)]
    others = [
        t for t in topic_catalogue(TENANTS) if not t.endswith(".dlq") and t.split(".")[1] != service
    ]
    assert not [t for t in others if may(service, ResourceType.TOPIC, t, Operation.WRITE)]


@pytest.mark.parametrize("service", NAMES)
def test_it_reads_nothing_the_policy_does_not_send_it(service: str) -> None:
    """Whatever it may read is a topic it subscribes to, or one the policy sends it and it
    does not (yet) handle: never a topic outside the policy."""
    policy = load_policy()
    readable = [
        t for t in topic_catalogue(TENANTS) if may(service, ResourceType.TOPIC, t, Operation.READ)
    ]
    for topic in readable:
        if "-inbound." in topic:
            assert topic.split(".")[1] == f"{service}-inbound"
            continue
        _tenant, _producer, event, version = topic.split(".")
        assert policy.rules_for(event, int(version.removeprefix("v")), service), topic
