"""CloudEvents Kafka protocol binding, binary content mode.

Attributes travel as ``ce_<name>`` headers, the payload as the record value
(JSON), the child's subject id as the record key. Decoding never raises
anything but ``RejectedEvent``, whose machine-readable ``reason`` goes with the
event to its dead-letter topic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from hub_contracts.envelope import REGISTRY, CloudEvent, known_majors, parse_event_type
from hub_contracts.sharing import SharingBasis
from hub_contracts.tenancy import UnknownTenantError, validate_tenant_id

MAX_EVENT_BYTES = 256 * 1024
"""Largest record value accepted; larger events are refused as ``oversized``."""

Headers = Sequence[tuple[str, bytes]]

_SHARING_HEADERS = {
    "lawful_basis": "ce_sharinglawfulbasis",
    "purpose": "ce_sharingpurpose",
    "special_category_condition": "ce_sharingcondition",
    "consent_ref": "ce_sharingconsentref",
    "override_reason": "ce_sharingoverride",
    "authorised_by": "ce_sharingauthoriser",
}
_ATTRIBUTES = ("id", "source", "type", "specversion", "time", "subject", "dataschema", "tenant")
_OPTIONAL = ("traceparent", "tracestate")


class RejectReason(StrEnum):
    """Why an event was refused; machine-readable, carried to the dead-letter topic."""

    MALFORMED_JSON = "malformed-json"
    MISSING_ATTRIBUTE = "missing-attribute"
    INVALID_ATTRIBUTE = "invalid-attribute"
    UNKNOWN_TYPE = "unknown-type"
    UNKNOWN_MAJOR_VERSION = "unknown-major-version"
    INVALID_PAYLOAD = "invalid-payload"
    OVERSIZED = "oversized"
    UNKNOWN_TENANT = "unknown-tenant"
    TENANT_MISMATCH = "tenant-mismatch"
    MISSING_SHARING_BASIS = "missing-sharing-basis"
    BASIS_NOT_ACCEPTED = "basis-not-accepted"
    SPECIAL_CATEGORY_CONDITION_MISSING = "special-category-condition-missing"
    RECIPIENT_NOT_ALLOWED = "recipient-not-allowed"
    CONSENT_NOT_VALID = "consent-not-valid"
    HANDLER_FAILED = "handler-failed"


class RejectedEvent(Exception):
    """An event that cannot be accepted, with the reason and a short detail."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail[:500]


def to_kafka(event: CloudEvent) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """``(key, value, headers)`` of a Kafka record carrying ``event``."""
    headers = [(f"ce_{name}", str(getattr(event, name)).encode()) for name in _ATTRIBUTES]
    headers[_ATTRIBUTES.index("time")] = ("ce_time", event.time.isoformat().encode())
    for name in _OPTIONAL:
        if (value := getattr(event, name)) is not None:
            headers.append((f"ce_{name}", value.encode()))
    for field, header in _SHARING_HEADERS.items():
        if (value := getattr(event.sharing, field)) is not None:
            headers.append((header, str(value).encode()))
    headers.append(("content-type", event.datacontenttype.encode()))
    value = json.dumps(event.data, separators=(",", ":"), ensure_ascii=False).encode()
    return event.subject.encode(), value, headers


def _header_map(headers: Iterable[tuple[str, bytes | None]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, raw in headers:
        try:
            out[key] = (raw or b"").decode()
        except UnicodeDecodeError as exc:
            raise RejectedEvent(RejectReason.INVALID_ATTRIBUTE, f"header {key} not UTF-8") from exc
    return out


def from_kafka(
    value: bytes | None,
    headers: Iterable[tuple[str, bytes | None]],
    *,
    topic_tenant: str | None = None,
    tenants: Sequence[str] | None = None,
) -> CloudEvent:
    """Decode and validate a record; ``RejectedEvent`` says exactly what is wrong.

    ``topic_tenant`` is the tenant of the topic it arrived on: a ``tenant``
    attribute that disagrees is a forged tenant. ``tenants`` lists the
    tenants this deployment serves.
    """
    if value is not None and len(value) > MAX_EVENT_BYTES:
        raise RejectedEvent(RejectReason.OVERSIZED, f"{len(value)} bytes exceeds {MAX_EVENT_BYTES}")
    attrs = _header_map(headers)
    missing = [n for n in _ATTRIBUTES if f"ce_{n}" not in attrs]
    if missing:
        raise RejectedEvent(RejectReason.MISSING_ATTRIBUTE, f"missing {', '.join(missing)}")
    if attrs["ce_specversion"] != "1.0":
        raise RejectedEvent(RejectReason.INVALID_ATTRIBUTE, "specversion must be 1.0")
    tenant = attrs["ce_tenant"]
    try:
        validate_tenant_id(tenant)
    except UnknownTenantError as exc:
        raise RejectedEvent(RejectReason.UNKNOWN_TENANT, exc.reason) from exc
    if topic_tenant is not None and tenant != topic_tenant:
        raise RejectedEvent(
            RejectReason.TENANT_MISMATCH, f"tenant {tenant!r} on a {topic_tenant!r} topic"
        )
    if tenants is not None and tenant not in tenants:
        raise RejectedEvent(RejectReason.UNKNOWN_TENANT, f"{tenant!r} is not served here")
    if not attrs["ce_source"].startswith(f"/{tenant}/"):
        raise RejectedEvent(RejectReason.TENANT_MISMATCH, "source is not under the tenant")
    parsed = parse_event_type(attrs["ce_type"])
    _load_catalogue()
    if parsed is None:
        raise RejectedEvent(RejectReason.UNKNOWN_TYPE, f"malformed type {attrs['ce_type']!r}")
    if attrs["ce_type"] not in REGISTRY:
        name, major = parsed
        if known_majors(name):
            raise RejectedEvent(
                RejectReason.UNKNOWN_MAJOR_VERSION,
                f"{name} v{major} unknown; known majors {known_majors(name)}",
            )
        raise RejectedEvent(RejectReason.UNKNOWN_TYPE, f"no contract for {name}")
    if "ce_sharinglawfulbasis" not in attrs or "ce_sharingpurpose" not in attrs:
        raise RejectedEvent(RejectReason.MISSING_SHARING_BASIS, "no lawful basis or purpose")
    try:
        sharing = SharingBasis.model_validate(
            {f: attrs[h] for f, h in _SHARING_HEADERS.items() if h in attrs}
        )
    except ValidationError as exc:
        raise RejectedEvent(RejectReason.MISSING_SHARING_BASIS, _first_error(exc)) from exc
    try:
        data: Any = json.loads(value or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise RejectedEvent(RejectReason.MALFORMED_JSON, str(exc)[:200]) from exc
    if not isinstance(data, dict):
        raise RejectedEvent(RejectReason.MALFORMED_JSON, "payload is not a JSON object")
    try:
        event = CloudEvent.model_validate(
            {
                **{n: attrs[f"ce_{n}"] for n in _ATTRIBUTES},
                **{n: attrs[f"ce_{n}"] for n in _OPTIONAL if f"ce_{n}" in attrs},
                "sharing": sharing,
                "data": data,
            }
        )
    except ValidationError as exc:
        raise RejectedEvent(RejectReason.INVALID_ATTRIBUTE, _first_error(exc)) from exc
    try:
        event.payload()
    except ValidationError as exc:
        raise RejectedEvent(RejectReason.INVALID_PAYLOAD, _first_error(exc)) from exc
    return event


def _load_catalogue() -> None:
    """Register the contract catalogue before looking a type up.

    Imported here rather than at module level because the event modules import
    this module (``RejectReason``); after the first call it is a dict lookup.
    """
    import hub_contracts.events  # noqa: F401


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc}: {err['msg']}"[:300]
