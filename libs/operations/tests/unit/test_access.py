"""The ACLs the sharing policy and the topic catalogue imply, and how Kafka evaluates them."""

from __future__ import annotations

import pytest
from hub_contracts.envelope import REGISTRY
from hub_contracts.policy import PolicyRule, SharingPolicy, SharingPolicyDocument, load_policy
from hub_contracts.principals import (
    ADMIN,
    Authentication,
    KafkaPrincipal,
    PrincipalKind,
    load_agency_systems,
    principals,
)
from hub_contracts.services import SERVICES
from hub_contracts.topics import dead_letter_topic, topic_name
from hub_ops.access import (
    AclRule,
    Operation,
    PatternType,
    Permission,
    ResourceType,
    allowed,
    desired_acls,
    principal_acls,
    topic_catalogue,
)

TENANTS = ("hartlepool", "stockton")
TOPIC, GROUP = ResourceType.TOPIC, ResourceType.GROUP
READ, WRITE, CREATE, DESCRIBE = (
    Operation.READ,
    Operation.WRITE,
    Operation.CREATE,
    Operation.DESCRIBE,
)
POLICY = load_policy()
SYSTEMS = load_agency_systems()
RULES = desired_acls(TENANTS, POLICY, SYSTEMS)
CATALOGUE = topic_catalogue(TENANTS)
PRINCIPALS = principals(TENANTS, SYSTEMS)


def may(principal: str, topic: str, operation: Operation) -> bool:
    return allowed(RULES, principal, TOPIC, topic, operation)


# -- the catalogue ------------------------------------------------------------------------


def test_the_catalogue_holds_every_event_topic_every_inbound_topic_and_their_dead_letters() -> None:
    events = {
        topic_name(t, producer, m.event_name, m.major)
        for t in TENANTS
        for m in REGISTRY.values()
        for producer in m.producers
    }
    inbound = {
        f"{t}.{s.name}-inbound.{kind}.v1"
        for t in TENANTS
        for s in SERVICES
        for kind in s.inbound_kinds
    }
    assert "stockton.police-feed-inbound.police-incident.v1" in inbound
    assert "hartlepool.police-feed.child-concern-raised.v2" in events
    expected = events | inbound
    # computed here, not at import: other test modules register test-only event types
    catalogue = topic_catalogue(TENANTS)
    assert set(catalogue) == expected | {dead_letter_topic(t) for t in expected}
    assert len(catalogue) == len(set(catalogue)) == 2 * len(expected)


def test_the_catalogue_of_one_tenant_names_only_that_tenant() -> None:
    assert {t.split(".", 1)[0] for t in topic_catalogue(["stockton"])} == {"stockton"}


# -- what each principal may do (the expected matrix, by example) ---------------------------


@pytest.mark.parametrize(
    ("principal", "topic", "operation", "expected"),
    [
        # a service writes its own topics and their dead letters, and no one else's
        ("police-feed", "stockton.police-feed.child-concern-raised.v2", WRITE, True),
        ("police-feed", "stockton.police-feed.child-concern-raised.v2.dlq", WRITE, True),
        ("police-feed", "stockton.education.child-concern-raised.v1", WRITE, False),
        ("education", "stockton.police-feed.operation-encompass-notified.v1", WRITE, False),
        ("front-door", "hartlepool.police-feed.child-concern-raised.v1", WRITE, False),
        # it reads what the policy sends it, every producer and major, and nothing else
        ("front-door", "hartlepool.police-feed.child-concern-raised.v1", READ, True),
        ("front-door", "hartlepool.health-feed.child-concern-raised.v2", READ, True),
        ("education", "stockton.police-feed.operation-encompass-notified.v1", READ, True),
        ("education", "stockton.police-feed.child-concern-raised.v1", READ, False),
        ("health-feed", "stockton.social-care.social-care-status-changed.v1", READ, True),
        ("police-feed", "stockton.social-care.social-care-status-changed.v1", READ, False),
        ("police-feed", "stockton.front-door.enquiry-requested.v1", READ, True),
        ("police-feed", "stockton.front-door.referral-to-social-care.v1", READ, False),
        ("gateway", "stockton.front-door.contact-received.v1", READ, False),
        # consent records reach every holder the policy names, from every producer
        ("police-feed", "stockton.early-help.consent-recorded.v1", READ, True),
        ("social-care", "hartlepool.front-door.consent-withdrawn.v1", READ, True),
        # a consumer dead-letters what it refuses to <source topic>.dlq, and creates both
        ("front-door", "stockton.police-feed.child-concern-raised.v1.dlq", WRITE, True),
        ("front-door", "stockton.police-feed.child-concern-raised.v1.dlq", READ, False),
        ("front-door", "stockton.police-feed.child-concern-raised.v1", CREATE, True),
        ("front-door", "stockton.police-feed.child-concern-raised.v1.dlq", CREATE, True),
        ("front-door", "stockton.police-feed.operation-encompass-overdue.v1.dlq", CREATE, True),
        ("education", "stockton.police-feed.child-concern-raised.v1", CREATE, False),
        # a feed service reads its inbound topics and dead-letters refused records
        ("police-feed", "stockton.police-feed-inbound.police-incident.v1", READ, True),
        ("police-feed", "stockton.police-feed-inbound.police-incident.v1.dlq", WRITE, True),
        ("police-feed", "stockton.police-feed-inbound.police-incident.v1", WRITE, False),
        ("health-feed", "stockton.police-feed-inbound.police-incident.v1", READ, False),
        # DESCRIBE comes with READ and WRITE only
        ("education", "stockton.police-feed.operation-encompass-notified.v1", DESCRIBE, True),
        ("education", "stockton.education.operation-encompass-acknowledged.v1", DESCRIBE, True),
        ("education", "stockton.police-feed.child-concern-raised.v1", DESCRIBE, False),
        # an agency system writes its feed's inbound topics and reads their dead letters
        ("north-tees-ed", "stockton.health-feed-inbound.fhir-bundle.v1", WRITE, True),
        ("north-tees-ed", "stockton.health-feed-inbound.fhir-bundle.v1.dlq", READ, True),
        ("north-tees-ed", "stockton.health-feed-inbound.fhir-bundle.v1", READ, False),
        ("north-tees-ed", "stockton.health-feed-inbound.fhir-bundle.v1.dlq", WRITE, False),
        ("north-tees-ed", "hartlepool.health-feed-inbound.fhir-bundle.v1", WRITE, False),
        ("north-tees-ed", "stockton.health-feed.child-concern-raised.v1", READ, False),
        ("stockton-schools-mis", "stockton.education-inbound.exclusion.v1", WRITE, True),
        ("stockton-schools-mis", "stockton.police-feed-inbound.police-incident.v1", WRITE, False),
        (
            "cleveland-police-records",
            "hartlepool.police-feed-inbound.police-incident.v1",
            WRITE,
            True,
        ),
        (
            "cleveland-police-records",
            "stockton.police-feed-inbound.police-incident.v1",
            WRITE,
            True,
        ),
        ("cleveland-police-records", "stockton.police-feed.child-concern-raised.v1", WRITE, False),
        # nobody else: default deny
        ("intruder", "stockton.police-feed.child-concern-raised.v1", READ, False),
        ("intruder", "stockton.police-feed-inbound.police-incident.v1", WRITE, False),
    ],
)
def test_the_expected_matrix(
    principal: str, topic: str, operation: Operation, expected: bool
) -> None:
    assert may(principal, topic, operation) is expected


def test_an_education_principal_cannot_publish_to_any_police_topic() -> None:
    police = [t for t in CATALOGUE if t.split(".")[1].startswith("police-feed")]
    events = [t for t in police if not t.endswith(".dlq")]
    assert events
    assert not [t for t in events if may("education", t, WRITE)]
    # only the dead letters of the police topics it consumes (its own refusals)
    assert {t for t in police if may("education", t, WRITE)} == {
        dead_letter_topic(t) for t in events if may("education", t, READ)
    }


def test_the_gateway_writes_its_own_topics_and_nothing_else() -> None:
    writable = {t for t in CATALOGUE if may("gateway", t, WRITE)}
    assert writable == {t for t in CATALOGUE if t.split(".")[1] == "gateway"}
    assert not [t for t in CATALOGUE if may("gateway", t, READ)]
    assert not [r for r in RULES if r.principal == "User:gateway" and r.resource_type is GROUP]


def test_each_service_reads_its_consumer_groups_and_agency_systems_none() -> None:
    groups = {(r.principal, r.name) for r in RULES if r.resource_type is GROUP}
    assert ("User:front-door", "front-door") in groups
    assert {
        ("User:police-feed", "police-feed"),
        ("User:police-feed", "police-feed-inbound"),
    } <= groups
    assert ("User:front-door", "front-door-inbound") not in groups  # it takes no agency records
    assert all(
        r.operation is READ and r.pattern is PatternType.LITERAL
        for r in RULES
        if r.resource_type is GROUP
    )
    agency = {p.kafka_name for p in PRINCIPALS if p.kind is PrincipalKind.AGENCY_SYSTEM}
    assert not [g for g in groups if g[0] in agency]


def test_an_agency_system_may_do_exactly_its_inbound_writes_and_dead_letter_reads() -> None:
    for system in (p for p in PRINCIPALS if p.kind is PrincipalKind.AGENCY_SYSTEM):
        feed = next(s for s in SERVICES if s.name == system.service)
        inbound = {
            f"{t}.{feed.name}-inbound.{k}.v1" for t in system.tenants for k in feed.inbound_kinds
        }
        assert {t for t in CATALOGUE if may(system.name, t, WRITE)} == inbound
        assert {t for t in CATALOGUE if may(system.name, t, READ)} == {
            dead_letter_topic(t) for t in inbound
        }
        assert not [t for t in CATALOGUE if may(system.name, t, CREATE)]


def test_hub_admin_needs_no_acl_it_is_a_super_user() -> None:
    assert not [r for r in RULES if r.principal == f"User:{ADMIN}"]
    assert allowed(RULES, ADMIN, TOPIC, CATALOGUE[0], WRITE, super_users=[ADMIN])
    assert not allowed(RULES, ADMIN, TOPIC, CATALOGUE[0], WRITE)


def test_every_rule_allows_and_is_for_any_host() -> None:
    assert RULES
    assert {r.permission for r in RULES} == {Permission.ALLOW}
    assert {r.host for r in RULES} == {"*"}


def test_the_rules_are_derived_not_fixed_a_policy_rule_more_is_a_read_more() -> None:
    extra = PolicyRule(
        event="contact-rated",
        recipient="education",
        purposes=POLICY.document.rules[0].purposes,
        lawful_bases=POLICY.document.rules[0].lawful_bases,
        fields=("contact_id",),
    )
    wider = SharingPolicy(SharingPolicyDocument(version=1, rules=(*POLICY.document.rules, extra)))
    more = desired_acls(TENANTS, wider, SYSTEMS)
    topic = "stockton.front-door.contact-rated.v1"
    assert not may("education", topic, READ)
    assert allowed(more, "education", TOPIC, topic, READ)
    assert allowed(more, "education", TOPIC, dead_letter_topic(topic), WRITE)
    assert more - RULES == {
        AclRule("User:education", TOPIC, PatternType.LITERAL, name, op)
        for tenant in TENANTS
        for name, ops in (
            (f"{tenant}.front-door.contact-rated.v1", (READ, CREATE)),
            (f"{tenant}.front-door.contact-rated.v1.dlq", (WRITE, CREATE)),
        )
        for op in ops
    }


# -- tenants ----------------------------------------------------------------------------------


def test_no_rule_names_a_tenant_its_principal_does_not_serve() -> None:
    served = {p.kafka_name: set(p.tenants) for p in PRINCIPALS}
    for rule in RULES:
        if rule.resource_type is TOPIC:
            assert rule.name.split(".", 1)[0] in served[rule.principal], rule.describe()


def test_a_principal_of_one_tenant_can_touch_no_other_tenants_topic() -> None:
    single = [p for p in PRINCIPALS if len(p.tenants) == 1]
    assert len(single) == 8  # every agency system but the police's, which serves both
    operations = (READ, WRITE, CREATE, DESCRIBE, Operation.DELETE, Operation.ALTER)
    for principal in single:
        others = [t for t in CATALOGUE if t.split(".", 1)[0] not in principal.tenants]
        assert others
        touched = [(t, op) for t in others for op in operations if may(principal.name, t, op)]
        assert not touched, (principal.name, touched[:3])


def test_a_hartlepool_only_agency_system_reaches_no_stockton_topic() -> None:
    stockton = [t for t in CATALOGUE if t.startswith("stockton.")]
    for name in ("hartlepool-ed", "hartlepool-schools-mis", "hartlepool-social-care-system"):
        assert not [t for t in stockton if may(name, t, READ) or may(name, t, WRITE)]
        assert [t for t in CATALOGUE if may(name, t, WRITE)]  # it does reach Hartlepool's


def test_a_deployment_of_one_tenant_grants_nothing_of_another() -> None:
    rules = desired_acls(["stockton"], POLICY, SYSTEMS)
    assert not [r for r in rules if "hartlepool" in r.name]
    assert "User:hartlepool-ed" not in {r.principal for r in rules}
    assert "User:cleveland-police-records" in {r.principal for r in rules}


class CrossBorderRule(PolicyRule):
    """A rule sharing another tenant's events (not in the contracts yet): the hook's shape."""

    from_tenants: tuple[str, ...] = ()


def test_a_cross_border_rule_would_grant_exactly_the_other_tenants_topics_it_names() -> None:
    rule = CrossBorderRule(
        event="child-concern-raised",
        recipient="front-door",
        purposes=POLICY.document.rules[0].purposes,
        lawful_bases=POLICY.document.rules[0].lawful_bases,
        fields=("*",),
        from_tenants=("hartlepool",),
    )
    policy = SharingPolicy(SharingPolicyDocument(version=1, rules=(rule,)))
    # a front door serving only Stockton (a per-tenant principal)
    stockton_only = KafkaPrincipal(
        "front-door", PrincipalKind.SERVICE, Authentication.SCRAM, "front-door", ("stockton",)
    )
    rules = principal_acls(stockton_only, policy, deployed=TENANTS)
    readable = {r.name for r in rules if r.operation is READ and r.resource_type is TOPIC}
    assert "hartlepool.police-feed.child-concern-raised.v2" in readable
    assert "stockton.police-feed.child-concern-raised.v2" in readable
    assert {n.split(".")[2] for n in readable if n.startswith("hartlepool.")} == {
        "child-concern-raised"
    }
    writable = {r.name for r in rules if r.operation is WRITE}
    assert not [n for n in writable if n.startswith("hartlepool.") and not n.endswith(".dlq")]
    # without the rule's border, nothing of Hartlepool
    plain = SharingPolicy(
        SharingPolicyDocument(
            version=1, rules=(PolicyRule(**rule.model_dump(exclude={"from_tenants"})),)
        )
    )
    assert not [
        r for r in principal_acls(stockton_only, plain, TENANTS) if r.name.startswith("hartlepool.")
    ]


# -- how Kafka evaluates ACLs ------------------------------------------------------------------


def rule(
    name: str,
    operation: Operation,
    *,
    pattern: PatternType = PatternType.LITERAL,
    principal: str = "User:alice",
    permission: Permission = Permission.ALLOW,
    kind: ResourceType = TOPIC,
    host: str = "*",
) -> AclRule:
    return AclRule(principal, kind, pattern, name, operation, permission, host)


def test_a_literal_rule_matches_its_name_only_and_star_matches_every_name() -> None:
    rules = [rule("a.b", READ)]
    assert allowed(rules, "alice", TOPIC, "a.b", READ)
    assert allowed(rules, "User:alice", TOPIC, "a.b", READ)
    assert not allowed(rules, "alice", TOPIC, "a.bc", READ)
    assert not allowed(rules, "alice", GROUP, "a.b", READ)
    assert allowed([rule("*", READ)], "alice", TOPIC, "anything", READ)


def test_a_prefixed_rule_matches_every_name_it_starts() -> None:
    rules = [rule("stockton.police-feed.", WRITE, pattern=PatternType.PREFIXED)]
    assert allowed(rules, "alice", TOPIC, "stockton.police-feed.x.v1.dlq", WRITE)
    assert not allowed(rules, "alice", TOPIC, "stockton.police-feed-inbound.x.v1", WRITE)
    assert not allowed(rules, "alice", TOPIC, "stockton.police-feed", WRITE)


def test_read_write_delete_and_alter_imply_describe_and_nothing_else_does() -> None:
    for op in (READ, WRITE, Operation.DELETE, Operation.ALTER):
        assert allowed([rule("t", op)], "alice", TOPIC, "t", DESCRIBE)
    assert not allowed([rule("t", CREATE)], "alice", TOPIC, "t", DESCRIBE)
    assert not allowed([rule("t", READ)], "alice", TOPIC, "t", WRITE)
    assert not allowed([rule("t", WRITE)], "alice", TOPIC, "t", READ)
    assert allowed(
        [rule("t", Operation.ALTER_CONFIGS)], "alice", TOPIC, "t", Operation.DESCRIBE_CONFIGS
    )
    assert allowed([rule("t", Operation.ALL)], "alice", TOPIC, "t", WRITE)


def test_a_deny_wins_over_any_allow() -> None:
    rules = [
        rule("t.", Operation.ALL, pattern=PatternType.PREFIXED),
        rule("t.x", WRITE, permission=Permission.DENY),
    ]
    assert allowed(rules, "alice", TOPIC, "t.y", WRITE)
    assert not allowed(rules, "alice", TOPIC, "t.x", WRITE)
    assert allowed(rules, "alice", TOPIC, "t.x", READ)
    denied_all = [rule("t", READ), rule("t", Operation.ALL, permission=Permission.DENY)]
    assert not allowed(denied_all, "alice", TOPIC, "t", READ)


def test_rules_are_per_principal_with_a_wildcard_principal_and_host() -> None:
    assert not allowed([rule("t", READ)], "bob", TOPIC, "t", READ)
    assert allowed([rule("t", READ, principal="User:*")], "bob", TOPIC, "t", READ)
    from_one_host = [rule("t", READ, host="10.0.0.1")]
    assert allowed(from_one_host, "alice", TOPIC, "t", READ, host="10.0.0.1")
    assert not allowed(from_one_host, "alice", TOPIC, "t", READ, host="10.0.0.2")
    assert not allowed(from_one_host, "alice", TOPIC, "t", READ)


def test_no_rule_means_no() -> None:
    assert not allowed([], "alice", TOPIC, "t", DESCRIBE)
    assert allowed([], "root", TOPIC, "t", DESCRIBE, super_users=["User:root"])
