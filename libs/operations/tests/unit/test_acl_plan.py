"""Planning ACL changes, confluent-kafka's bindings and the passwords file, without a broker."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from confluent_kafka.admin import AclBinding, AclOperation, ResourcePatternType, ResourceType
from hub_contracts.principals import load_agency_systems
from hub_messaging.kafka_security import KafkaSecurity
from hub_ops.access import AclRule, Operation, PatternType, Permission
from hub_ops.access import ResourceType as Kind
from hub_ops.acl import (
    check_passwords,
    diff,
    from_binding,
    managed_principals,
    new_password,
    plan,
    read_passwords,
    save_password,
    to_binding,
)

SYSTEMS = load_agency_systems()
MANAGED = managed_principals(SYSTEMS)
READ_T = AclRule("User:front-door", Kind.TOPIC, PatternType.LITERAL, "s.a.b.v1", Operation.READ)
WRITE_P = AclRule(
    "User:police-feed", Kind.TOPIC, PatternType.PREFIXED, "s.police-feed.", Operation.WRITE
)
GROUP = AclRule("User:front-door", Kind.GROUP, PatternType.LITERAL, "front-door", Operation.READ)
HAND_MADE = AclRule("User:front-door", Kind.TOPIC, PatternType.PREFIXED, "s.", Operation.READ)
FOREIGN = AclRule(
    "User:schema-registry", Kind.TOPIC, PatternType.LITERAL, "_schemas", Operation.ALL
)


def test_the_deployment_manages_admin_every_service_and_every_agency_system() -> None:
    assert {"User:hub-admin", "User:front-door", "User:gateway", "User:hartlepool-ed"} <= MANAGED
    assert "User:schema-registry" not in MANAGED
    assert len(MANAGED) == 1 + 7 + len(SYSTEMS.systems)


def test_a_plan_adds_the_missing_removes_the_unimplied_and_leaves_foreign_acls() -> None:
    planned = diff(
        ["stockton"],
        desired=[READ_T, WRITE_P, GROUP],
        existing=[READ_T, HAND_MADE, FOREIGN],
        managed=MANAGED,
    )
    assert planned.to_add == tuple(sorted([WRITE_P, GROUP]))
    assert planned.to_remove == (HAND_MADE,)
    assert planned.unchanged == 1
    assert planned.unmanaged == (FOREIGN,)
    assert not planned.in_sync
    assert planned.desired == 3


def test_a_plan_with_nothing_to_do_is_in_sync_even_with_foreign_acls() -> None:
    planned = diff(["stockton"], [READ_T], [READ_T, FOREIGN], MANAGED)
    assert planned.in_sync
    assert (planned.unchanged, planned.unmanaged) == (1, (FOREIGN,))


def test_a_deny_or_another_host_is_a_different_acl() -> None:
    deny = replace(READ_T, permission=Permission.DENY)
    other_host = replace(READ_T, host="10.0.0.1")
    planned = diff(["stockton"], [READ_T], [deny, other_host], MANAGED)
    assert planned.to_add == (READ_T,)
    assert set(planned.to_remove) == {deny, other_host}


@pytest.mark.parametrize("rule", [READ_T, WRITE_P, GROUP, FOREIGN])
def test_a_rule_survives_the_round_trip_through_a_binding(rule: AclRule) -> None:
    binding = to_binding(rule)
    assert isinstance(binding, AclBinding)
    assert from_binding(binding) == rule


def test_a_binding_is_what_kafka_calls_it() -> None:
    binding = to_binding(WRITE_P)
    assert binding.restype is ResourceType.TOPIC
    assert binding.resource_pattern_type is ResourcePatternType.PREFIXED
    assert binding.operation is AclOperation.WRITE
    assert (binding.principal, binding.host, binding.name) == (
        "User:police-feed",
        "*",
        "s.police-feed.",
    )
    cluster = AclRule(
        "User:x", Kind.CLUSTER, PatternType.LITERAL, "kafka-cluster", Operation.IDEMPOTENT_WRITE
    )
    assert to_binding(cluster).restype is ResourceType.BROKER  # librdkafka's cluster resource


def test_passwords_are_only_for_principals_of_the_catalogue_that_use_scram() -> None:
    check_passwords({"front-door": "x", "hartlepool-ed": "y", "hub-admin": "z"}, SYSTEMS)
    with pytest.raises(ValueError, match="client certificate"):
        check_passwords({"north-tees-ed": "x"}, SYSTEMS)  # x509
    with pytest.raises(ValueError, match="not a Kafka principal"):
        check_passwords({"front-dor": "x"}, SYSTEMS)
    with pytest.raises(ValueError, match="not a Kafka principal"):
        check_passwords({"User:front-door": "x"}, SYSTEMS)
    with pytest.raises(ValueError, match="empty"):
        check_passwords({"front-door": ""}, SYSTEMS)


def test_new_passwords_are_long_random_and_need_no_quoting() -> None:
    first, second = new_password(), new_password()
    assert first != second
    assert len(first) >= 40
    assert all(c.isalnum() or c in "-_" for c in first)


def test_the_passwords_file_may_be_flat_or_the_local_stacks_credentials(tmp_path: Path) -> None:
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"front-door": "a", "police-feed": "b"}))
    assert read_passwords(flat) == {"front-door": "a", "police-feed": "b"}
    stack = tmp_path / "credentials.json"
    stack.write_text(
        json.dumps(
            {
                "front-door": {"password": "a", "certfile": None},
                "north-tees-ed": {"password": "kept", "certfile": "c.crt", "keyfile": "c.key"},
            }
        )
    )
    assert read_passwords(stack) == {"front-door": "a"}  # a certificate is its only way in
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"front-door": {"keyfile": "x"}}))
    with pytest.raises(ValueError, match="holds no password"):
        read_passwords(broken)
    broken.write_text("[1, 2]")
    with pytest.raises(ValueError, match="JSON object"):
        read_passwords(broken)
    broken.write_text("{")
    with pytest.raises(ValueError, match="not JSON"):
        read_passwords(broken)


def test_saving_a_password_keeps_the_files_shape_and_the_rest_of_it(tmp_path: Path) -> None:
    stack = tmp_path / "credentials.json"
    stack.write_text(
        json.dumps(
            {
                "front-door": {"password": "old", "certfile": None, "keyfile": None},
                "police-feed": {"password": "keep", "certfile": None, "keyfile": None},
            }
        )
    )
    save_password(stack, "front-door", "new")
    saved = json.loads(stack.read_text())
    assert saved["front-door"] == {"password": "new", "certfile": None, "keyfile": None}
    assert saved["police-feed"] == {"password": "keep", "certfile": None, "keyfile": None}
    assert stat.S_IMODE(stack.stat().st_mode) == 0o600
    flat = tmp_path / "new" / "passwords.json"
    save_password(flat, "police-feed", "p1")
    save_password(flat, "front-door", "p2")
    assert json.loads(flat.read_text()) == {"front-door": "p2", "police-feed": "p1"}
    assert [p.name for p in flat.parent.iterdir()] == ["passwords.json"]  # no temporary left


async def test_a_plan_for_no_tenant_is_refused_before_connecting() -> None:
    with pytest.raises(ValueError, match="at least one tenant"):
        await plan("127.0.0.1:1", KafkaSecurity(), [])
