"""Who may do what on the hub's Kafka: ACLs derived from the sharing policy and the catalogue.

Pure (no I/O): ``hubctl acl plan | apply`` (``hub_ops.acl``) compares what this
module derives with what the broker holds. The broker authorises by default
deny (``allow.everyone.if.no.acl.found=false``), so these ALLOW rules are
everything a principal may do; nothing is hand-listed:

- a **hub service** WRITEs its own topics (prefix ``<tenant>.<service>.`` for
  each tenant it serves, dead letters included) and the dead-letter topics of
  everything it consumes (a consumer dead-letters to ``<source topic>.dlq``);
  READs exactly the topics of the events the sharing policy sends it (literal
  names, each producer of each major version a rule covers; consent records
  included, which every holder keeps) and its agencies' inbound topics; READs
  its consumer groups (``<service>``, ``<service>-inbound``); may CREATE the
  topics it creates at start-up (those it consumes and their dead letters) and
  its own (the broker creates a topic on first publish); DESCRIBE comes with
  READ and WRITE;
- an **agency system** WRITEs its feed service's inbound topics for the
  tenants it serves, and READs their dead letters (its own refused records);
  what the hub shares with its agency it reads through the feed service for
  now (ADR 0006; ``agency_shared_topics`` is where a push topic would go);
- **hub-admin** is a super user in the broker's configuration: no ACLs.

A principal gets nothing of a tenant it does not serve. No policy rule crosses
a border today; a rule that did (``from_tenants``) would widen exactly the
topics it names (``source_tenants``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

import hub_contracts.events  # noqa: F401  (registers every contract payload)
from hub_contracts.envelope import REGISTRY, EventPayload
from hub_contracts.policy import PolicyRule, SharingPolicy
from hub_contracts.principals import AgencySystems, KafkaPrincipal, PrincipalKind, principals
from hub_contracts.services import SERVICES, SERVICES_BY_NAME, ServiceInfo
from hub_contracts.tenancy import validate_tenant_id
from hub_contracts.topics import dead_letter_topic, topic_name

INBOUND_MAJOR = 1
"""Agency records' inbound topics are ``<tenant>.<service>-inbound.<kind>.v1``."""
CLUSTER_NAME = "kafka-cluster"
"""The one name a cluster resource has."""
USER = "User:"


class ResourceType(StrEnum):
    TOPIC = "topic"
    GROUP = "group"
    CLUSTER = "cluster"
    TRANSACTIONAL_ID = "transactional-id"


class PatternType(StrEnum):
    LITERAL = "literal"
    """The resource's exact name (``*`` alone: every resource of the type)."""
    PREFIXED = "prefixed"
    """Every resource whose name starts with the pattern's name."""


class Operation(StrEnum):
    ALL = "all"
    READ = "read"
    WRITE = "write"
    CREATE = "create"
    DELETE = "delete"
    ALTER = "alter"
    DESCRIBE = "describe"
    CLUSTER_ACTION = "cluster-action"
    DESCRIBE_CONFIGS = "describe-configs"
    ALTER_CONFIGS = "alter-configs"
    IDEMPOTENT_WRITE = "idempotent-write"


class Permission(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


@dataclass(frozen=True, order=True)
class AclRule:
    """One Kafka ACL binding: ``principal`` may (or may not) do ``operation`` on a resource."""

    principal: str
    """``User:<name>``."""
    resource_type: ResourceType
    pattern: PatternType
    name: str
    operation: Operation
    permission: Permission = Permission.ALLOW
    host: str = "*"

    def matches(self, resource_type: ResourceType, name: str) -> bool:
        """Whether this rule's resource pattern covers the resource ``name``."""
        if resource_type is not self.resource_type:
            return False
        if self.pattern is PatternType.PREFIXED:
            return name.startswith(self.name)
        return self.name in ("*", name)

    def describe(self) -> str:
        """One line for a person: ``User:x ALLOW write topic prefixed 'a.b.'``."""
        return (
            f"{self.principal} {self.permission.value.upper()} {self.operation.value} "
            f"{self.resource_type.value} {self.pattern.value} {self.name!r}"
            + ("" if self.host == "*" else f" from {self.host}")
        )


def kafka_principal(name: str) -> str:
    """``User:<name>`` (a name that already says ``User:`` is kept)."""
    return name if name.startswith(USER) else f"{USER}{name}"


# -- the topic catalogue --------------------------------------------------------------------


def event_topics(tenant: str) -> list[str]:
    """Every contract event topic of ``tenant``: each event, major version and producer."""
    return sorted(
        topic_name(tenant, producer, model.event_name, model.major)
        for model in REGISTRY.values()
        for producer in model.producers
    )


def inbound_topics(tenant: str, service: ServiceInfo) -> list[str]:
    """The topics agency systems publish ``service``'s records to, for ``tenant``."""
    return [
        topic_name(tenant, service.inbound_producer, kind, INBOUND_MAJOR)
        for kind in service.inbound_kinds
    ]


def topic_catalogue(tenants: Sequence[str]) -> list[str]:
    """Every topic of a deployment serving ``tenants``, each with its ``.dlq`` twin."""
    names: set[str] = set()
    for tenant in tenants:
        validate_tenant_id(tenant)
        names.update(event_topics(tenant))
        for service in SERVICES:
            names.update(inbound_topics(tenant, service))
    return sorted(names | {dead_letter_topic(n) for n in names})


# -- what the policy makes each principal -----------------------------------------------------


def source_tenants(rule: PolicyRule, served: Sequence[str], deployed: Collection[str]) -> list[str]:
    """The tenants whose topics ``rule`` lets a recipient serving ``served`` read.

    Every rule today is within a tenant: a recipient reads its own tenants'
    topics. A cross-border rule would name the other tenants whose events it
    shares (``from_tenants``, not yet in ``PolicyRule``); they are added here,
    for that rule's event only, and only if this deployment serves them.
    """
    across: Sequence[str] = getattr(rule, "from_tenants", None) or ()
    return [*served, *(t for t in across if t in deployed and t not in served)]


def shared_event_topics(
    policy: SharingPolicy,
    recipient: str,
    served: Sequence[str],
    deployed: Collection[str],
) -> list[str]:
    """The event topics the policy sends ``recipient``: every producer of every major a rule
    covers, for the tenants each rule applies to (what ``EventConsumer.topics()`` subscribes
    to, consent records included)."""
    names: set[str] = set()
    for model in _models():
        for rule in policy.rules_for(model.event_name, model.major, recipient):
            for tenant in source_tenants(rule, served, deployed):
                names.update(
                    topic_name(tenant, producer, model.event_name, model.major)
                    for producer in model.producers
                )
    return sorted(names)


def agency_shared_topics(
    system: KafkaPrincipal, policy: SharingPolicy, deployed: Collection[str]
) -> list[str]:
    """Topics an agency system may read besides its own dead letters: none yet.

    ADR 0006: minimisation happens in the hub's consumer library, so no agency
    system reads a raw contract topic. If an agency needs push delivery, its
    feed service republishes its inbox (already minimised) to a per-agency
    topic; returning those names here grants them.
    """
    return []


def service_acls(
    principal: KafkaPrincipal, policy: SharingPolicy, deployed: Collection[str]
) -> set[AclRule]:
    """A hub service: its own topics, what the policy sends it, its agencies' inbound topics."""
    service = principal.service or principal.name
    info = SERVICES_BY_NAME[service]
    who = principal.kafka_name
    own = [f"{tenant}.{service}." for tenant in principal.tenants]
    rules = {_prefixed(who, p, op) for p in own for op in (Operation.WRITE, Operation.CREATE)}

    shared = shared_event_topics(policy, service, principal.tenants, deployed)
    inbound = [t for tenant in principal.tenants for t in inbound_topics(tenant, info)]
    for topic in [*shared, *inbound]:
        dead = dead_letter_topic(topic)
        rules.add(_literal(who, ResourceType.TOPIC, topic, Operation.READ))
        rules.add(_literal(who, ResourceType.TOPIC, topic, Operation.CREATE))
        if not any(dead.startswith(p) for p in own):  # its own dead letters are covered
            rules.add(_literal(who, ResourceType.TOPIC, dead, Operation.WRITE))
            rules.add(_literal(who, ResourceType.TOPIC, dead, Operation.CREATE))
    if shared:
        rules.add(_literal(who, ResourceType.GROUP, service, Operation.READ))
    if inbound:
        rules.add(_literal(who, ResourceType.GROUP, info.inbound_producer, Operation.READ))
    return rules


def agency_system_acls(
    principal: KafkaPrincipal, policy: SharingPolicy, deployed: Collection[str]
) -> set[AclRule]:
    """An agency system: its feed service's inbound topics of the tenants it serves."""
    assert principal.service is not None, "an agency system talks to a feed service"
    info = SERVICES_BY_NAME[principal.service]
    who = principal.kafka_name
    rules: set[AclRule] = set()
    for tenant in principal.tenants:
        for topic in inbound_topics(tenant, info):
            rules.add(_literal(who, ResourceType.TOPIC, topic, Operation.WRITE))
            rules.add(_literal(who, ResourceType.TOPIC, dead_letter_topic(topic), Operation.READ))
    for topic in agency_shared_topics(principal, policy, deployed):
        rules.add(_literal(who, ResourceType.TOPIC, topic, Operation.READ))
    return rules


def principal_acls(
    principal: KafkaPrincipal, policy: SharingPolicy, deployed: Collection[str]
) -> set[AclRule]:
    """Everything ``principal`` may do (hub-admin: nothing by ACL, it is a super user)."""
    if principal.kind is PrincipalKind.SERVICE:
        return service_acls(principal, policy, deployed)
    if principal.kind is PrincipalKind.AGENCY_SYSTEM:
        return agency_system_acls(principal, policy, deployed)
    return set()


def desired_acls(
    tenants: Sequence[str], policy: SharingPolicy, agency_systems: AgencySystems
) -> frozenset[AclRule]:
    """Every ACL a deployment serving ``tenants`` needs: all ALLOW, everything else denied."""
    deployed = [validate_tenant_id(t) for t in tenants]
    return frozenset(
        rule
        for principal in principals(deployed, agency_systems)
        for rule in principal_acls(principal, policy, deployed)
    )


# -- evaluation, as the broker's StandardAuthorizer does -------------------------------------

_IMPLIED: dict[Operation, frozenset[Operation]] = {
    Operation.DESCRIBE: frozenset(
        {Operation.READ, Operation.WRITE, Operation.DELETE, Operation.ALTER}
    ),
    Operation.DESCRIBE_CONFIGS: frozenset({Operation.ALTER_CONFIGS}),
}
"""An ALLOW of one of these operations also allows the key (Kafka's implied operations)."""


def allowed(
    rules: Iterable[AclRule],
    principal: str,
    resource_type: ResourceType,
    name: str,
    operation: Operation,
    *,
    host: str | None = None,
    super_users: Collection[str] = (),
) -> bool:
    """Whether Kafka's StandardAuthorizer lets ``principal`` do ``operation`` on ``name``.

    A super user may do anything; otherwise a matching DENY wins, then a
    matching ALLOW (of the operation, of ``all``, or of one that implies it:
    READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies
    DESCRIBE_CONFIGS); with neither, the answer is no (default deny). A rule
    limited to a host counts only for a request from that ``host``.
    """
    who = kafka_principal(principal)
    if who in {kafka_principal(s) for s in super_users}:
        return True
    implied_by = _IMPLIED.get(operation, frozenset())
    allow = False
    for rule in _applicable(rules, who, resource_type, name):
        if rule.host not in ("*", host):
            continue
        if rule.permission is Permission.DENY:
            if rule.operation in (operation, Operation.ALL):
                return False
        elif rule.operation in (operation, Operation.ALL) or rule.operation in implied_by:
            allow = True
    return allow


def _applicable(
    rules: Iterable[AclRule], who: str, resource_type: ResourceType, name: str
) -> Iterator[AclRule]:
    for rule in rules:
        if rule.principal in (who, f"{USER}*") and rule.matches(resource_type, name):
            yield rule


def _models() -> list[type[EventPayload]]:
    return sorted(REGISTRY.values(), key=lambda m: (m.event_name, m.major))


def _literal(who: str, kind: ResourceType, name: str, operation: Operation) -> AclRule:
    return AclRule(who, kind, PatternType.LITERAL, name, operation)


def _prefixed(who: str, prefix: str, operation: Operation) -> AclRule:
    return AclRule(who, ResourceType.TOPIC, PatternType.PREFIXED, prefix, operation)
