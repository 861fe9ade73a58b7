"""Topic and database names follow one convention that ACLs and exports rely on."""

from __future__ import annotations

import pytest
from hub_contracts.tenancy import UnknownTenantError, database_name, validate_tenant_id
from hub_contracts.topics import dead_letter_topic, topic_name


def test_topic_name_is_tenant_then_producer_then_event_then_major() -> None:
    topic = topic_name("stockton", "police-feed", "child-concern-raised", 1)
    assert topic == "stockton.police-feed.child-concern-raised.v1"
    # ACLs by prefix: per tenant, and per tenant and agency
    assert topic.startswith("stockton.")
    assert topic.startswith("stockton.police-feed.")
    assert dead_letter_topic(topic) == "stockton.police-feed.child-concern-raised.v1.dlq"


@pytest.mark.parametrize(
    ("tenant", "producer", "event", "major"),
    [
        ("Stockton", "police-feed", "x", 1),
        ("stockton", "police.feed", "x", 1),
        ("stockton", "police-feed", "Concern", 1),
        ("stockton", "police-feed", "x", 0),
        ("../etc", "police-feed", "x", 1),
    ],
)
def test_malformed_topic_parts_are_refused(
    tenant: str, producer: str, event: str, major: int
) -> None:
    with pytest.raises(ValueError, match=r"tenant|topic part|major version"):
        topic_name(tenant, producer, event, major)


def test_each_tenant_has_its_own_database_per_service() -> None:
    assert database_name("hartlepool", "front-door") == "hartlepool__front_door"
    assert database_name("stockton", "front-door") == "stockton__front_door"


@pytest.mark.parametrize("tenant", ["", "a", "Stockton", "stockton;drop", "x" * 41])
def test_forged_tenant_ids_are_refused(tenant: str) -> None:
    with pytest.raises(UnknownTenantError):
        validate_tenant_id(tenant)
