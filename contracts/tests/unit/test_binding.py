"""The Kafka binding carries every contract intact and refuses bad records with a reason."""

from __future__ import annotations

import json

import pytest
from hub_contracts.binding import (
    MAX_EVENT_BYTES,
    RejectedEvent,
    RejectReason,
    from_kafka,
    to_kafka,
)
from hub_contracts.envelope import CloudEvent
from hub_contracts.examples import CHILD_SUBJECT, example_events

EVENTS = example_events()
CONCERN = next(e for e in EVENTS if e.type == "uk.childrenshub.child-concern-raised.v1")
Headers = list[tuple[str, bytes]]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.type)
def test_every_contract_survives_the_round_trip(event: CloudEvent) -> None:
    key, value, headers = to_kafka(event)
    assert key == CHILD_SUBJECT.encode()
    decoded = from_kafka(value, headers, topic_tenant="stockton", tenants=["stockton"])
    assert decoded == event
    assert decoded.payload() == event.payload()
    assert decoded.topic == f"stockton.{event.producer}.{event.event_name}.v{event.major}"


def _record(event: CloudEvent = CONCERN) -> tuple[bytes, Headers]:
    _key, value, headers = to_kafka(event)
    return value, headers


def _with_header(headers: Headers, name: str, value: str) -> Headers:
    return [(k, value.encode() if k == name else v) for k, v in headers]


def _reject(value: bytes | None, headers: Headers, topic_tenant: str | None = None) -> RejectReason:
    with pytest.raises(RejectedEvent) as caught:
        from_kafka(value, headers, topic_tenant=topic_tenant)
    return caught.value.reason


def test_malformed_json_is_refused() -> None:
    _value, headers = _record()
    assert _reject(b'{"agency_reference": ', headers) is RejectReason.MALFORMED_JSON
    assert _reject(b"[1, 2]", headers) is RejectReason.MALFORMED_JSON


def test_an_unknown_event_type_is_refused() -> None:
    value, headers = _record()
    headers = _with_header(headers, "ce_type", "uk.childrenshub.child-abducted-by-aliens.v1")
    assert _reject(value, headers) is RejectReason.UNKNOWN_TYPE


def test_an_unknown_major_version_of_a_known_event_is_refused() -> None:
    value, headers = _record()
    headers = _with_header(headers, "ce_type", "uk.childrenshub.child-concern-raised.v9")
    assert _reject(value, headers) is RejectReason.UNKNOWN_MAJOR_VERSION


def test_an_oversized_record_is_refused_before_parsing() -> None:
    _value, headers = _record()
    assert _reject(b" " * (MAX_EVENT_BYTES + 1), headers) is RejectReason.OVERSIZED


def test_a_record_without_a_sharing_basis_is_refused() -> None:
    value, headers = _record()
    without = [(k, v) for k, v in headers if k != "ce_sharinglawfulbasis"]
    assert _reject(value, without) is RejectReason.MISSING_SHARING_BASIS
    consent_without_ref = _with_header(headers, "ce_sharinglawfulbasis", "uk-gdpr-6-1-a")
    assert _reject(value, consent_without_ref) is RejectReason.MISSING_SHARING_BASIS


def test_a_forged_tenant_is_refused() -> None:
    value, headers = _record()
    assert _reject(value, headers, topic_tenant="hartlepool") is RejectReason.TENANT_MISMATCH
    forged = _with_header(headers, "ce_tenant", "hartlepool")
    assert _reject(value, forged, topic_tenant="stockton") is RejectReason.TENANT_MISMATCH


def test_a_payload_that_breaks_its_contract_is_refused() -> None:
    value, headers = _record()
    data = json.loads(value)
    data["child"]["nhs_number"] = "9434765918"  # wrong check digit
    assert _reject(json.dumps(data).encode(), headers) is RejectReason.INVALID_PAYLOAD
