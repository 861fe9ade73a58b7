"""v1 events become v2 events without losing their identity or sharing basis."""

from __future__ import annotations

import pytest
from hub_contracts.binding import from_kafka, to_kafka
from hub_contracts.codes import Agency
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import ChildConcernRaised, ChildConcernRaisedV2, catalogue
from hub_contracts.examples import EXAMPLE_BASES, example_payloads
from hub_contracts.upcasters import UPCASTERS, UpcastError, latest_major, upcast


def _v1(producer: str = "police-feed") -> CloudEvent:
    return CloudEvent.new(
        tenant="hartlepool",
        producer=producer,
        subject="child-42",
        payload=example_payloads()[ChildConcernRaised.cloudevent_type()],
        sharing=EXAMPLE_BASES["child-concern-raised"],
        event_id="evt-1",
    ).model_copy(update={"traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"})


def test_v1_concern_becomes_v2_with_the_agency_qualified_reference() -> None:
    old = _v1()
    new = upcast(old, 2)
    assert new.type == "uk.childrenshub.child-concern-raised.v2"
    assert new.dataschema == "urn:childrenshub:schema:child-concern-raised:v2"
    payload = new.payload()
    assert isinstance(payload, ChildConcernRaisedV2)
    assert payload.agency_reference.agency is Agency.POLICE
    assert payload.agency_reference.reference == old.data["agency_reference"]
    for kept in ("id", "source", "time", "subject", "tenant", "traceparent", "sharing"):
        assert getattr(new, kept) == getattr(old, kept), kept
    assert new.topic == "hartlepool.police-feed.child-concern-raised.v2"


def test_the_agency_comes_from_the_producer() -> None:
    payload = upcast(_v1("health-feed"), 2).payload()
    assert isinstance(payload, ChildConcernRaisedV2)
    assert payload.agency_reference.agency is Agency.HEALTH


def test_an_upcast_event_still_travels_the_binding() -> None:
    new = upcast(_v1(), 2)
    _key, value, headers = to_kafka(new)
    assert from_kafka(value, headers, topic_tenant="hartlepool") == new


def test_upcasting_to_the_same_major_is_a_no_op_and_downcasting_is_refused() -> None:
    old = _v1()
    assert upcast(old, 1) == old
    with pytest.raises(UpcastError, match="downcast"):
        upcast(upcast(old, 2), 1)


def test_a_missing_step_is_an_error() -> None:
    with pytest.raises(UpcastError, match="no upcaster"):
        upcast(_v1(), 3)
    assert latest_major("child-concern-raised") == 2
    with pytest.raises(UpcastError, match="no contract"):
        latest_major("no-such-event")


def test_every_superseded_major_has_an_upcaster() -> None:
    for model in catalogue().values():
        if model.major < latest_major(model.event_name):
            assert (model.event_name, model.major) in UPCASTERS
