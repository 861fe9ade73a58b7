"""The committed AsyncAPI document and bus docs are fresh and describe the real bus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hub_contracts.asyncapi import HEADERS_SCHEMA, build, render_markdown, render_yaml
from hub_contracts.binding import to_kafka
from hub_contracts.events import catalogue
from hub_contracts.examples import example_events
from hub_contracts.policy import load_policy
from hub_contracts.topics import topic_name

CONTRACTS = Path(__file__).resolve().parents[2]
REGENERATE = "run `.venv/bin/python contracts/scripts/generate_asyncapi.py`"
DOC = build()


def test_committed_asyncapi_is_fresh() -> None:
    committed = (CONTRACTS / "asyncapi.yaml").read_text("utf-8")
    assert committed == render_yaml(DOC), f"contracts/asyncapi.yaml is stale; {REGENERATE}"


def test_committed_bus_docs_are_fresh() -> None:
    committed = (CONTRACTS / "docs" / "bus.md").read_text("utf-8")
    assert committed == render_markdown(DOC), f"contracts/docs/bus.md is stale; {REGENERATE}"


def test_the_yaml_parses_back_to_the_document() -> None:
    assert yaml.safe_load(render_yaml(DOC)) == DOC


def test_one_channel_per_event_major_and_producer_with_the_topic_convention() -> None:
    expected = {f"{p}.{m.event_name}.v{m.major}" for m in catalogue().values() for p in m.producers}
    assert set(DOC["channels"]) == expected
    for channel_id, channel in DOC["channels"].items():
        producer, name, major = channel_id.split(".")
        address = channel["address"].replace("{tenant}", "stockton")
        assert address == topic_name("stockton", producer, name, int(major[1:]))
        assert channel["parameters"]["tenant"] == {"$ref": "#/components/parameters/tenant"}
    assert DOC["components"]["parameters"]["tenant"]["enum"] == ["hartlepool", "stockton"]


def test_every_producer_sends_and_every_policy_recipient_receives() -> None:
    ops = DOC["operations"]
    policy = load_policy()
    for model in catalogue().values():
        for producer in model.producers:
            send = ops[f"{producer}.send.{model.event_name}.v{model.major}"]
            assert send["action"] == "send"
            for recipient in policy.recipients(model.event_name):
                if policy.rules_for(model.event_name, model.major, recipient):
                    op = ops[f"{recipient}.receive.{producer}.{model.event_name}.v{model.major}"]
                    assert op["action"] == "receive"
    receives = [k for k, o in ops.items() if o["action"] == "receive"]
    assert not [k for k in receives if k.startswith("gateway.")]


def test_headers_schema_covers_every_header_the_binding_writes() -> None:
    headers_schema = DOC["components"]["schemas"][HEADERS_SCHEMA]
    for event in example_events():
        _key, _value, headers = to_kafka(event)
        assert {k for k, _ in headers} <= set(headers_schema["properties"])
    for name in (
        "ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "ce_subject",
        "ce_dataschema", "ce_tenant", "ce_traceparent", "ce_sharinglawfulbasis",
        "ce_sharingpurpose", "ce_sharingcondition", "ce_sharingconsentref",
        "ce_sharingoverride", "ce_sharingauthoriser",
    ):  # fmt: skip
        assert name in headers_schema["properties"], name
    assert "ce_sharinglawfulbasis" in headers_schema["required"]


def test_messages_carry_the_kafka_key_payload_schema_and_an_example() -> None:
    schemas = DOC["components"]["schemas"]
    for model in catalogue().values():
        message = DOC["components"]["messages"][f"{model.event_name}.v{model.major}"]
        assert message["bindings"]["kafka"]["key"]["type"] == "string"
        payload = schemas[message["payload"]["$ref"].rsplit("/", 1)[1]]
        assert set(payload["properties"]) == set(model.model_fields)
        assert all(p.get("description") for p in payload["properties"].values())
        example = message["examples"][0]
        assert model.model_validate(example["payload"])
        assert example["headers"]["ce_type"] == model.cloudevent_type()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_reference_resolves() -> None:
    for ref in _refs(DOC):
        target: Any = DOC
        for part in ref.removeprefix("#/").split("/"):
            assert part in target, ref
            target = target[part]


@pytest.mark.parametrize("name", ["OperationEncompassNotified", "EnquiryAnswered"])
def test_bus_docs_explain_payload_fields(name: str) -> None:
    text = render_markdown(DOC)
    assert f"Payload schema: `{name}`" in text
    assert "| `answer.facts[].summary` |" in text
    assert "| `child_present` | boolean | yes | Whether the child was present. |" in text
