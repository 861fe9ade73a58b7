"""``hubctl acl plan | apply``: make the broker's ACLs what the policy and the catalogue imply.

``plan`` compares the ACLs the broker holds with ``hub_ops.access.desired_acls``
for the deployed tenants: what to add, what to remove, how many are already
right. Only ACLs of principals this deployment manages (hub-admin, the hub's
services, the agency systems of the catalogue) are ever removed; ACLs of any
other principal are reported and left alone. ``apply`` carries the plan out
and sets the SCRAM-SHA-512 password of the principals it is given; running it
again changes nothing.

confluent-kafka's admin client answers with ``concurrent.futures``; they are
awaited through ``asyncio.wrap_future``, so the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialUpsertion,
)
from confluent_kafka.admin import ResourceType as KafkaResourceType
from hub_contracts.policy import load_policy
from hub_contracts.principals import ADMIN, AgencySystems, Authentication, load_agency_systems
from hub_contracts.services import SERVICES
from hub_contracts.tenancy import validate_tenant_id
from hub_messaging.kafka_security import KafkaSecurity

from hub_ops.access import (
    USER,
    AclRule,
    Operation,
    PatternType,
    Permission,
    ResourceType,
    desired_acls,
    kafka_principal,
)

REQUEST_TIMEOUT_S = 30.0
SETTLE_TIMEOUT_S = 30.0
SETTLE_POLL_S = 0.2
SCRAM_ITERATIONS = 8192
"""PBKDF2 iterations of each SCRAM-SHA-512 credential (Kafka accepts 4096 to 16384)."""
PASSWORD_BYTES = 32
T = TypeVar("T")


class AclError(RuntimeError):
    """The broker refused or could not answer an ACL or credential request."""


@dataclass(frozen=True)
class Plan:
    """What the broker holds against what the policy implies (or, from ``apply``, what changed)."""

    tenants: tuple[str, ...]
    to_add: tuple[AclRule, ...]
    """Implied and missing (``apply``: created)."""
    to_remove: tuple[AclRule, ...]
    """Held for a managed principal and no longer implied (``apply``: deleted)."""
    unchanged: int
    """Implied and already held."""
    unmanaged: tuple[AclRule, ...] = ()
    """Held for principals this deployment does not manage: reported, never removed."""
    credentials: tuple[str, ...] = ()
    """Principals whose SCRAM-SHA-512 password ``apply`` set."""
    applied: bool = False

    @property
    def in_sync(self) -> bool:
        return not self.to_add and not self.to_remove

    @property
    def desired(self) -> int:
        return len(self.to_add) + self.unchanged


def managed_principals(agency_systems: AgencySystems) -> frozenset[str]:
    """``User:`` principals whose ACLs this deployment owns, whatever tenants it serves."""
    names = [ADMIN, *(s.name for s in SERVICES), *(s.name for s in agency_systems.systems)]
    return frozenset(kafka_principal(n) for n in names)


def diff(
    tenants: Sequence[str],
    desired: Iterable[AclRule],
    existing: Iterable[AclRule],
    managed: Iterable[str],
) -> Plan:
    """The plan that makes ``existing`` what ``desired`` says, for the ``managed`` principals."""
    wanted, held, ours = frozenset(desired), frozenset(existing), frozenset(managed)
    return Plan(
        tenants=tuple(tenants),
        to_add=tuple(sorted(wanted - held)),
        to_remove=tuple(sorted(r for r in held - wanted if r.principal in ours)),
        unchanged=len(wanted & held),
        unmanaged=tuple(sorted(r for r in held if r.principal not in ours)),
    )


async def plan(bootstrap: str, admin: KafkaSecurity, tenants: Sequence[str]) -> Plan:
    """What ``apply`` would change on the broker at ``bootstrap`` for ``tenants``."""
    client = admin_client(bootstrap, admin)
    return await _plan(client, tenants, load_agency_systems())


async def apply(
    bootstrap: str,
    admin: KafkaSecurity,
    tenants: Sequence[str],
    passwords: Mapping[str, str] | None = None,
) -> Plan:
    """Create the missing ACLs, delete those no longer implied, and set ``passwords``.

    ``passwords`` maps principal names (hub-admin, services, agency systems
    that use SCRAM) to their password; each is upserted as a SCRAM-SHA-512
    credential. Idempotent: a second run finds nothing to add or remove.
    """
    systems = load_agency_systems()
    deployed = [validate_tenant_id(t) for t in tenants]
    chosen = dict(passwords or {})
    check_passwords(chosen, systems)
    client = admin_client(bootstrap, admin)
    planned = await _plan(client, deployed, systems)
    if planned.to_add:
        await create_acls(client, planned.to_add)
    if planned.to_remove:
        await delete_acls(client, planned.to_remove)
    if not planned.in_sync:
        await settled(client, planned.to_add, planned.to_remove)
    if chosen:
        await upsert_passwords(client, chosen)
    return Plan(
        tenants=planned.tenants,
        to_add=planned.to_add,
        to_remove=planned.to_remove,
        unchanged=planned.unchanged,
        unmanaged=planned.unmanaged,
        credentials=tuple(sorted(chosen)),
        applied=True,
    )


async def _plan(client: AdminClient, tenants: Sequence[str], systems: AgencySystems) -> Plan:
    deployed = [validate_tenant_id(t) for t in tenants]
    if not deployed:
        # a plan for no tenant would remove every ACL of every principal
        raise ValueError("name at least one tenant")
    desired = desired_acls(deployed, load_policy(), systems)
    existing = await existing_acls(client)
    return diff(deployed, desired, existing, managed_principals(systems))


# -- the broker -----------------------------------------------------------------------------


def admin_client(bootstrap: str, security: KafkaSecurity) -> AdminClient:
    """A confluent-kafka admin client connecting as ``security`` says."""
    config: dict[str, str | int | float] = {
        "bootstrap.servers": bootstrap,
        "client.id": "hubctl",
        # librdkafka would print every failed connection attempt; the request's error says it
        "log_level": 2,
        **security.confluent(),
    }
    return AdminClient(config)


async def existing_acls(client: AdminClient) -> set[AclRule]:
    """Every ACL the broker holds (those of a resource type this tool does not know are left
    out: it never changes them)."""
    # None matches any name, principal and host (confluent-kafka's stubs say str)
    everything = AclBindingFilter(
        KafkaResourceType.ANY,
        None,  # type: ignore[arg-type]
        ResourcePatternType.ANY,
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        AclOperation.ANY,
        AclPermissionType.ANY,
    )
    bindings: list[AclBinding] = await _result(
        client.describe_acls(everything, request_timeout=REQUEST_TIMEOUT_S), "describe ACLs"
    )
    return {rule for b in bindings if (rule := from_binding(b)) is not None}


async def create_acls(client: AdminClient, rules: Sequence[AclRule]) -> None:
    """Create ``rules`` on the broker (those it holds already are left as they are)."""
    futures = client.create_acls([to_binding(r) for r in rules], request_timeout=REQUEST_TIMEOUT_S)
    await _all(futures, "create ACL")


async def delete_acls(client: AdminClient, rules: Sequence[AclRule]) -> None:
    """Delete exactly ``rules`` from the broker."""
    # a filter naming every field exactly matches that one binding and nothing else
    filters = [to_filter(r) for r in rules]
    futures = client.delete_acls(filters, request_timeout=REQUEST_TIMEOUT_S)
    await _all(futures, "delete ACL")


async def settled(
    client: AdminClient,
    added: Iterable[AclRule],
    removed: Iterable[AclRule],
    timeout_s: float = SETTLE_TIMEOUT_S,
) -> None:
    """Wait until the broker enforces the changes: the controller commits them first and
    the broker applies them from the metadata log a moment later."""
    present, absent = set(added), set(removed)
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        held = await existing_acls(client)
        if present <= held and not absent & held:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AclError(
                f"the broker does not show the ACL changes after {timeout_s:.0f} s "
                f"({len(present - held)} to add, {len(absent & held)} to remove still pending)"
            )
        await asyncio.sleep(SETTLE_POLL_S)


async def upsert_passwords(client: AdminClient, passwords: Mapping[str, str]) -> None:
    """Set each principal's SCRAM-SHA-512 password (a new salt each time)."""
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
    alterations: list[Any] = [
        UserScramCredentialUpsertion(name, info, password.encode())
        for name, password in sorted(passwords.items())
    ]
    futures = client.alter_user_scram_credentials(alterations, request_timeout=REQUEST_TIMEOUT_S)
    await _all(futures, "set the SCRAM credential of")


async def _all(futures: Mapping[Any, Future[Any]], doing: str) -> None:
    await asyncio.gather(*(_result(f, f"{doing} {_name(key)}") for key, f in futures.items()))


async def _result(future: Future[T], doing: str) -> T:
    try:
        return await asyncio.wrap_future(future)
    except KafkaException as exc:
        raise AclError(_explain(doing, exc)) from exc


def _explain(doing: str, exc: KafkaException) -> str:
    error = exc.args[0] if exc.args else None
    if isinstance(error, KafkaError):
        if error.code() == KafkaError.SECURITY_DISABLED:
            return f"cannot {doing}: the broker has no authorizer (authorizer.class.name)"
        return f"cannot {doing}: {error.name()}: {error.str()}"
    return f"cannot {doing}: {exc}"


def _name(key: Any) -> str:
    if isinstance(key, AclBinding):
        rule = from_binding(key)
        return rule.describe() if rule is not None else repr(key)
    return str(key)


# -- credentials ------------------------------------------------------------------------------


def check_passwords(passwords: Mapping[str, str], agency_systems: AgencySystems) -> None:
    """Refuse a password for a name that is no principal of the catalogue (a typo would
    otherwise create a user), for an agency system that authenticates with a client
    certificate (a password would be a second, weaker way in), or an empty one."""
    managed = managed_principals(agency_systems)
    certified = {s.name for s in agency_systems.systems if s.authentication is Authentication.X509}
    for name, password in passwords.items():
        if kafka_principal(name) not in managed or name.startswith(USER):
            raise ValueError(f"{name!r} is not a Kafka principal of the hub's catalogue")
        if name in certified:
            raise ValueError(
                f"{name!r} authenticates with a client certificate: it gets no password "
                "(issue it a new certificate instead)"
            )
        if not password:
            raise ValueError(f"the password of {name!r} is empty")


def new_password() -> str:
    """A random password (256 bits, URL-safe: no quoting in environment files)."""
    return secrets.token_urlsafe(PASSWORD_BYTES)


def read_passwords(path: Path) -> dict[str, str]:
    """Principal name -> password from a JSON object whose values are passwords, or objects
    with a ``password`` (the local stack's ``credentials.json``, where an entry with a
    ``certfile`` is a principal that signs in with its certificate: it is left out)."""
    return passwords_in(_load_json(path), path)


def passwords_in(document: dict[str, Any], where: object = "the passwords file") -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in document.items():
        if isinstance(value, dict) and value.get("certfile"):
            continue
        password = value.get("password") if isinstance(value, dict) else value
        if not isinstance(password, str):
            raise ValueError(f"{where}: the entry of {name!r} holds no password")
        found[name] = password
    return found


def save_password(path: Path, principal: str, password: str) -> None:
    """Write ``principal``'s new password into ``path`` (created if missing), keeping the
    file's shape and everything else in it; replaced at once, readable by its owner only."""
    document = _load_json(path) if path.exists() else {}
    entry = document.get(principal)
    document[principal] = {**entry, "password": password} if isinstance(entry, dict) else password
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2, sort_keys=True)
            out.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _load_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise ValueError(f"{path} must hold a JSON object of principal name -> password")
    return document


async def rotate_password(bootstrap: str, admin: KafkaSecurity, principal: str) -> str:
    """Give ``principal`` a new random SCRAM-SHA-512 password on the broker; returns it.

    Connections already open stay open; new ones need the new password. The
    caller writes it where the principal's processes read it from. A principal
    with a client certificate has no password to rotate: its certificate is
    issued again instead.
    """
    password = new_password()
    check_passwords({principal: password}, load_agency_systems())
    await upsert_passwords(admin_client(bootstrap, admin), {principal: password})
    return password


# -- between AclRule and confluent-kafka's bindings -------------------------------------------

_RESOURCE_TYPES = {
    ResourceType.TOPIC: KafkaResourceType.TOPIC,
    ResourceType.GROUP: KafkaResourceType.GROUP,
    ResourceType.CLUSTER: KafkaResourceType.BROKER,  # librdkafka's name for the cluster
    ResourceType.TRANSACTIONAL_ID: KafkaResourceType.TRANSACTIONAL_ID,
}
_PATTERNS = {
    PatternType.LITERAL: ResourcePatternType.LITERAL,
    PatternType.PREFIXED: ResourcePatternType.PREFIXED,
}
_OPERATIONS = {op: AclOperation[op.name] for op in Operation}
_PERMISSIONS = {
    Permission.ALLOW: AclPermissionType.ALLOW,
    Permission.DENY: AclPermissionType.DENY,
}


def _reverse(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    return {v: k for k, v in mapping.items()}


_FROM_RESOURCE = _reverse(_RESOURCE_TYPES)
_FROM_PATTERN = _reverse(_PATTERNS)
_FROM_OPERATION = _reverse(_OPERATIONS)
_FROM_PERMISSION = _reverse(_PERMISSIONS)


def to_binding(rule: AclRule) -> AclBinding:
    return AclBinding(
        _RESOURCE_TYPES[rule.resource_type],
        rule.name,
        _PATTERNS[rule.pattern],
        rule.principal,
        rule.host,
        _OPERATIONS[rule.operation],
        _PERMISSIONS[rule.permission],
    )


def to_filter(rule: AclRule) -> AclBindingFilter:
    """A filter that matches exactly ``rule``'s binding."""
    return AclBindingFilter(
        _RESOURCE_TYPES[rule.resource_type],
        rule.name,
        _PATTERNS[rule.pattern],
        rule.principal,
        rule.host,
        _OPERATIONS[rule.operation],
        _PERMISSIONS[rule.permission],
    )


def from_binding(binding: AclBinding) -> AclRule | None:
    """The rule a broker's binding is, or None for a kind this tool does not know."""
    parts = (
        _FROM_RESOURCE.get(binding.restype),
        _FROM_PATTERN.get(binding.resource_pattern_type),
        _FROM_OPERATION.get(binding.operation),
        _FROM_PERMISSION.get(binding.permission_type),
    )
    resource_type, pattern, operation, permission = parts
    if resource_type is None or pattern is None or operation is None or permission is None:
        return None
    return AclRule(
        binding.principal,
        resource_type,
        pattern,
        binding.name,
        operation,
        permission,
        binding.host,
    )
