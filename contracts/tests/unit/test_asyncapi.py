"""The committed AsyncAPI document and bus docs are fresh and describe the real bus."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hub_contracts.asyncapi import (
    DEAD_LETTER_HEADERS_SCHEMA,
    HEADERS_SCHEMA,
    INBOUND_MAJOR,
    SCRAM,
    TLS_PORT,
    X509,
    build,
    inbound_channel_id,
    render_markdown,
    render_yaml,
)
from hub_contracts.binding import to_kafka
from hub_contracts.events import catalogue
from hub_contracts.examples import example_events
from hub_contracts.policy import load_policy
from hub_contracts.principals import load_agency_systems
from hub_contracts.services import SERVICES
from hub_contracts.tenancy import DEFAULT_TENANTS
from hub_contracts.topics import dead_letter_topic, topic_name

CONTRACTS = Path(__file__).resolve().parents[2]
REGENERATE = "run `make asyncapi` (contracts/scripts/generate_asyncapi.py)"


def _script() -> ModuleType:
    """contracts/scripts/generate_asyncapi.py, which collects the services' record models."""
    path = CONTRACTS / "scripts" / "generate_asyncapi.py"
    spec = importlib.util.spec_from_file_location("generate_asyncapi", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


INBOUND_MODELS = _script().inbound_models()
DOC = build(inbound_models=INBOUND_MODELS)
INBOUND = {
    inbound_channel_id(s, kind) for s in SERVICES for kind in s.inbound_kinds
}  # fmt: skip
EVENT_CHANNELS = {
    k: v for k, v in DOC["channels"].items() if k not in INBOUND | {f"{c}.dlq" for c in INBOUND}
}


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
    assert set(EVENT_CHANNELS) == expected
    for channel_id, channel in EVENT_CHANNELS.items():
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


def test_every_inbound_topic_of_every_service_is_a_channel_with_its_dead_letters() -> None:
    from hub_ops.access import inbound_topics  # the ACLs' own names for them

    systems = load_agency_systems().systems
    described = {c["address"] for c in DOC["channels"].values()}
    count = 0
    for service in SERVICES:
        for tenant in DEFAULT_TENANTS:
            for topic in inbound_topics(tenant, service):
                count += 1
                assert topic.replace(f"{tenant}.", "{tenant}.", 1) in described, topic
                assert dead_letter_topic(topic).replace(f"{tenant}.", "{tenant}.", 1) in described
        writers = [s.name for s in systems if s.service == service.name]
        for kind in service.inbound_kinds:
            channel_id = inbound_channel_id(service, kind)
            channel = DOC["channels"][channel_id]
            address = topic_name("stockton", service.inbound_producer, kind, INBOUND_MAJOR)
            assert channel["address"].replace("{tenant}", "stockton") == address
            assert f"Read only by `{service.name}`" in channel["description"]
            dead = DOC["channels"][f"{channel_id}.dlq"]
            for writer in writers:  # who may write it, and read its dead letters
                assert f"`{writer}`" in channel["description"]
                assert f"`{writer}`" in dead["description"]
            message = DOC["components"]["messages"][next(iter(channel["messages"]))]
            payload = DOC["components"]["schemas"][message["payload"]["$ref"].rsplit("/", 1)[1]]
            model = INBOUND_MODELS[(service.name, kind)]
            assert set(payload["properties"]) == set(model.model_fields)
            dead_message = DOC["components"]["messages"][next(iter(dead["messages"]))]
            assert dead_message["headers"] == {
                "$ref": f"#/components/schemas/{DEAD_LETTER_HEADERS_SCHEMA}"
            }
            ops = DOC["operations"]
            assert ops[f"agency-systems.send.{channel_id}"]["action"] == "send"
            assert ops[f"agency-systems.receive.{channel_id}.dlq"]["action"] == "receive"
    assert count == sum(len(s.inbound_kinds) for s in SERVICES) * len(DEFAULT_TENANTS) > 0


def test_the_script_supplies_a_model_for_every_inbound_kind() -> None:
    expected = {(s.name, kind) for s in SERVICES for kind in s.inbound_kinds}
    assert set(INBOUND_MODELS) == expected


def test_servers_reference_both_security_schemes() -> None:
    schemes = DOC["components"]["securitySchemes"]
    assert schemes[SCRAM]["type"] == "scramSha512"
    assert schemes[X509]["type"] == "X509"
    used = {
        ref["$ref"].rsplit("/", 1)[1]
        for server in DOC["servers"].values()
        for ref in server["security"]
    }
    assert used == {SCRAM, X509}
    by_scheme = {s["security"][0]["$ref"].rsplit("/", 1)[1]: s for s in DOC["servers"].values()}
    assert by_scheme[SCRAM]["host"] == "localhost:9092"
    assert by_scheme[X509]["host"] == f"localhost:{TLS_PORT}"


def test_the_documented_ports_are_the_local_stacks_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hub_localstack.config import StackConfig

    for var in ("HUB_KAFKA_PORT", "HUB_KAFKA_TLS_PORT", "KAFKA_BOOTSTRAP"):
        monkeypatch.delenv(var, raising=False)
    config = StackConfig.from_env()
    hosts = {s["host"] for s in DOC["servers"].values()}
    assert hosts == {f"localhost:{config.kafka_port}", f"localhost:{config.kafka_tls_port}"}


def test_the_inbound_major_is_the_acls() -> None:
    from hub_ops.access import INBOUND_MAJOR as ACL_MAJOR

    assert ACL_MAJOR == INBOUND_MAJOR
