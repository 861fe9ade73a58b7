"""The AsyncAPI 3.0 document of the whole bus, and its human-readable companion.

Generated from the registry (payload models), the binding (headers), the
topic convention and the sharing policy (who receives what), so none of them
can drift from the document. ``contracts/scripts/generate_asyncapi.py`` writes
``contracts/asyncapi.yaml`` and ``contracts/docs/bus.md``; a unit test checks
the committed files are fresh.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from hub_contracts.binding import (
    _ATTRIBUTES,
    _OPTIONAL,
    _SHARING_HEADERS,
    MAX_EVENT_BYTES,
    to_kafka,
)
from hub_contracts.envelope import (
    SUBJECT_PATTERN,
    CloudEvent,
    EventPayload,
    parse_event_type,
)
from hub_contracts.events import catalogue
from hub_contracts.examples import example_events
from hub_contracts.policy import ALL_FIELDS, PolicyRule, SharingPolicy, load_policy
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition
from hub_contracts.tenancy import DEFAULT_TENANTS

Doc = dict[str, Any]
SCHEMA_REF = "#/components/schemas/{model}"
HEADERS_SCHEMA = "CloudEventHeaders"
KAFKA_BINDING_VERSION = "0.5.0"

_DESCRIPTION = f"""\
Every message on the Children's Hub bus is a **CloudEvents 1.0** event in the
Kafka protocol binding, *binary* content mode:

- **Topic**: `<tenant>.<producer>.<event-name>.v<major>` (e.g.
  `stockton.police-feed.child-concern-raised.v1`); dead letters go to the same
  name plus `.dlq`. ACLs are granted by prefix (`stockton.`,
  `stockton.police-feed.`).
- **Key**: the child's subject id at the producer (`ce_subject`), so one
  child's events stay in order.
- **Headers**: the CloudEvents attributes as `ce_<name>` (UTF-8 strings),
  the tenant as `ce_tenant`, W3C trace context as `ce_traceparent`, and the
  **sharing basis** as `ce_sharing*` headers. `ce_source` is
  `/<tenant>/<producer>`; `ce_type` is `uk.childrenshub.<event-name>.v<major>`;
  `ce_dataschema` is `urn:childrenshub:schema:<event-name>:v<major>`.
- **Value**: the payload as a JSON object (UTF-8), at most {MAX_EVENT_BYTES} bytes,
  valid against the message's payload schema. Unknown fields are refused.

An event without a sharing basis that the sharing policy accepts for some
recipient is refused and dead-lettered with a machine-readable reason.
Consumers only ever see the fields the policy lets them see: the receive
operations below list them. Consent as a basis needs `ce_sharingconsentref`;
sharing without consent needs both `ce_sharingoverride` and
`ce_sharingauthoriser`.

Versioning: adding an optional field is compatible (same major); anything
else is a new major version with its own type and topic, and an upcaster for
the old one (`hub_contracts.upcasters`).
"""


def _message_id(model: type[EventPayload]) -> str:
    return f"{model.event_name}.v{model.major}"


def _channel_id(producer: str, model: type[EventPayload]) -> str:
    return f"{producer}.{model.event_name}.v{model.major}"


def _summary(model: type[EventPayload]) -> str:
    return (model.__doc__ or model.event_name).strip().splitlines()[0]


def _description(model: type[EventPayload]) -> str:
    return " ".join((model.__doc__ or "").split())


def _asyncapi_schema(node: Any) -> Any:
    """Pydantic's JSON Schema in AsyncAPI Schema terms (string discriminator)."""
    if isinstance(node, dict):
        out = {k: _asyncapi_schema(v) for k, v in node.items() if k != "$defs"}
        if isinstance(out.get("discriminator"), dict):
            out["discriminator"] = out["discriminator"]["propertyName"]
        return out
    if isinstance(node, list):
        return [_asyncapi_schema(v) for v in node]
    return node


def _payload_schemas() -> dict[str, Any]:
    """Component schemas: every payload model and every model it uses, by class name."""
    schemas: dict[str, Any] = {}

    def add(name: str, schema: Any) -> None:
        converted = _asyncapi_schema(schema)
        if name in schemas and schemas[name] != converted:
            raise ValueError(f"two different schemas are called {name}")
        schemas[name] = converted

    for model in catalogue().values():
        schema = model.model_json_schema(ref_template=SCHEMA_REF)
        for name, sub in schema.get("$defs", {}).items():
            add(name, sub)
        add(model.__name__, schema)
    return dict(sorted(schemas.items()))


def _string(description: str, **extra: Any) -> Doc:
    return {"type": "string", "description": description, **extra}


def _enum_values(enum: type[LawfulBasis | Purpose | SpecialCategoryCondition]) -> list[str]:
    return [m.value for m in enum]


def _headers_schema(tenants: tuple[str, ...]) -> Doc:
    fields = CloudEvent.model_fields
    basis_fields = SharingBasis.model_fields
    props: Doc = {}
    for name in _ATTRIBUTES:
        props[f"ce_{name}"] = _string(fields[name].description or name)
    props["ce_id"]["maxLength"] = 100
    props["ce_source"]["pattern"] = r"^/[a-z][a-z0-9-]*/[a-z][a-z0-9-]*$"
    props["ce_type"]["pattern"] = r"^uk\.childrenshub\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$"
    props["ce_specversion"] = {"type": "string", "const": "1.0", "description": "CloudEvents 1.0."}
    props["ce_time"]["format"] = "date-time"
    props["ce_subject"]["pattern"] = SUBJECT_PATTERN
    props["ce_tenant"]["enum"] = list(tenants)
    for name in _OPTIONAL:
        props[f"ce_{name}"] = _string(fields[name].description or name)
    props["ce_traceparent"]["pattern"] = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
    enums: dict[str, list[str]] = {
        "lawful_basis": _enum_values(LawfulBasis),
        "purpose": _enum_values(Purpose),
        "special_category_condition": _enum_values(SpecialCategoryCondition),
    }
    for field, header in _SHARING_HEADERS.items():
        info = basis_fields[field]
        props[header] = _string(f"Sharing basis: {info.description}")
        if field in enums:
            props[header]["enum"] = enums[field]
        for meta in info.metadata:
            if (max_length := getattr(meta, "max_length", None)) is not None:
                props[header]["maxLength"] = max_length
    props["content-type"] = {
        "type": "string",
        "const": "application/json",
        "description": "Content type of the record value.",
    }
    required = [f"ce_{n}" for n in _ATTRIBUTES]
    required += [_SHARING_HEADERS["lawful_basis"], _SHARING_HEADERS["purpose"]]
    return {
        "type": "object",
        "description": "CloudEvents attributes and extensions as Kafka headers (binary mode).",
        "properties": props,
        "required": required,
    }


def _rules_for(policy: SharingPolicy, model: type[EventPayload]) -> dict[str, list[PolicyRule]]:
    out: dict[str, list[PolicyRule]] = {}
    for recipient in policy.recipients(model.event_name):
        rules = policy.rules_for(model.event_name, model.major, recipient)
        if rules:
            out[recipient] = rules
    return out


def _rule_text(rule: PolicyRule) -> str:
    fields = "all fields" if ALL_FIELDS in rule.fields else ", ".join(f"`{f}`" for f in rule.fields)
    text = (
        f"Purposes: {', '.join(p.value for p in rule.purposes)}. "
        f"Lawful bases: {', '.join(b.value for b in rule.lawful_bases)}. "
        f"Visible fields: {fields}."
    )
    if rule.special_category_from:
        producers = rule.special_category_from
        whose = "any producer's" if ALL_FIELDS in producers else f"{', '.join(producers)}'s"
        text += (
            f" Special category data from {whose} events: the basis must name a special "
            "category condition (DPA 2018 Part 3 excepted)."
        )
    return f"{text} {rule.note}" if rule.note else text


def _example(event: CloudEvent) -> Doc:
    _key, value, headers = to_kafka(event)
    return {
        "name": f"{event.event_name}-v{event.major}",
        "summary": f"From {event.producer} for {event.tenant}",
        "headers": {k: v.decode() for k, v in headers},
        "payload": json.loads(value),
    }


def build(policy: SharingPolicy | None = None, tenants: tuple[str, ...] = DEFAULT_TENANTS) -> Doc:
    """The AsyncAPI 3.0 document as a dict."""
    policy = policy or load_policy()
    examples = {e.type: e for e in example_events(tenant=tenants[0])}
    models = sorted(catalogue().values(), key=lambda m: (m.event_name, m.major))
    channels: Doc = {}
    operations: Doc = {}
    messages: Doc = {}
    for model in models:
        message_id = _message_id(model)
        messages[message_id] = {
            "name": message_id,
            "title": f"{model.event_name} v{model.major}",
            "summary": _summary(model),
            "description": _description(model),
            "contentType": "application/json",
            "headers": {
                "allOf": [
                    {"$ref": f"#/components/schemas/{HEADERS_SCHEMA}"},
                    {
                        "type": "object",
                        "properties": {
                            "ce_type": {"type": "string", "const": model.cloudevent_type()},
                            "ce_dataschema": {"type": "string", "const": model.dataschema()},
                        },
                    },
                ]
            },
            "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
            "bindings": {
                "kafka": {
                    "key": {
                        "type": "string",
                        "pattern": SUBJECT_PATTERN,
                        "description": "The child's subject id (same as ce_subject).",
                    },
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
            "examples": [_example(examples[model.cloudevent_type()])],
        }
        recipients = _rules_for(policy, model)
        for producer in model.producers:
            channel_id = _channel_id(producer, model)
            channel_ref = {"$ref": f"#/channels/{channel_id}"}
            message_ref = {"$ref": f"#/channels/{channel_id}/messages/{message_id}"}
            channels[channel_id] = {
                "address": f"{{tenant}}.{producer}.{model.event_name}.v{model.major}",
                "title": f"{model.event_name} v{model.major} from {producer}",
                "summary": _summary(model),
                "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
                "parameters": {"tenant": {"$ref": "#/components/parameters/tenant"}},
            }
            operations[f"{producer}.send.{model.event_name}.v{model.major}"] = {
                "action": "send",
                "channel": channel_ref,
                "title": f"{producer} publishes {model.event_name} v{model.major}",
                "messages": [message_ref],
            }
            for recipient, rules in recipients.items():
                operations[f"{recipient}.receive.{producer}.{model.event_name}.v{model.major}"] = {
                    "action": "receive",
                    "channel": channel_ref,
                    "title": f"{recipient} receives {model.event_name} v{model.major}",
                    "description": " ".join(_rule_text(r) for r in rules),
                    "messages": [message_ref],
                }
    schemas = {HEADERS_SCHEMA: _headers_schema(tenants), **_payload_schemas()}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Children's Hub event bus",
            "version": "1.0.0",
            "description": _DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "localhost:9092",
                "protocol": "kafka",
                "description": "Single-node KRaft broker of the local stack (`make up`).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "parameters": {
                "tenant": {
                    "enum": list(tenants),
                    "description": "The local authority tenant (a separate data controller).",
                    "examples": [tenants[0]],
                }
            },
            "messages": messages,
            "schemas": schemas,
        },
    }


def render_yaml(doc: Doc) -> str:
    """The committed text of ``asyncapi.yaml``."""
    header = "# Generated by contracts/scripts/generate_asyncapi.py; do not edit by hand.\n"
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def _type_text(node: Doc, schemas: Doc) -> str:
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[1]
    for key in ("anyOf", "oneOf"):
        if key in node:
            return " or ".join(_type_text(v, schemas) for v in node[key])
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = str(node.get("type", "any"))
    if kind == "array":
        return f"list of {_type_text(node.get('items', {}), schemas)}"
    if "format" in node:
        return f"{kind} ({node['format']})"
    return kind


def _field_rows(schema: Doc, schemas: Doc, prefix: str = "", depth: int = 0) -> list[str]:
    rows: list[str] = []
    required = set(schema.get("required", []))
    for name, node in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        description = str(node.get("description", "")).replace("|", "/").replace("\n", " ")
        rows.append(
            f"| `{path}` | {_type_text(node, schemas)} | {'yes' if name in required else 'no'} "
            f"| {description} |"
        )
        if depth < 3:
            for sub, sub_prefix in _nested(node, schemas, path):
                rows.extend(_field_rows(sub, schemas, sub_prefix, depth + 1))
    return rows


def _nested(node: Doc, schemas: Doc, path: str) -> list[tuple[Doc, str]]:
    targets: list[tuple[Doc, str]] = []
    candidates = [node]
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        candidates = [node["items"]]
        path += "[]"
    expanded: list[Doc] = []
    for c in candidates:
        variants: list[Doc] = c.get("anyOf") or c.get("oneOf") or [c]
        expanded.extend(variants)
    for c in expanded:
        if "$ref" in c:
            target = schemas[c["$ref"].rsplit("/", 1)[1]]
            if "properties" in target:
                targets.append((target, f"{path}."))
    return targets


def render_markdown(doc: Doc) -> str:
    """``docs/bus.md``: one section per channel, with the payload's fields explained."""
    schemas = doc["components"]["schemas"]
    messages = doc["components"]["messages"]
    lines = [
        "<!-- Generated by contracts/scripts/generate_asyncapi.py; do not edit by hand. -->",
        "# The Children's Hub event bus",
        "",
        doc["info"]["description"].strip(),
        "",
        "Tenants (`{tenant}`): "
        + ", ".join(f"`{t}`" for t in doc["components"]["parameters"]["tenant"]["enum"])
        + ".",
        "",
        "## Headers",
        "",
        "| header | required | description |",
        "|---|---|---|",
    ]
    headers = schemas[HEADERS_SCHEMA]
    for name, node in headers["properties"].items():
        required = "yes" if name in headers["required"] else "no"
        lines.append(f"| `{name}` | {required} | {node.get('description', '')} |")
    receivers: dict[str, list[tuple[str, str]]] = {}
    for op in doc["operations"].values():
        if op["action"] == "receive":
            channel = op["channel"]["$ref"].rsplit("/", 1)[1]
            receivers.setdefault(channel, []).append((op["title"], op.get("description", "")))
    for channel_id, channel in doc["channels"].items():
        message_id = next(iter(channel["messages"]))
        message = messages[message_id]
        payload_name = message["payload"]["$ref"].rsplit("/", 1)[1]
        parsed = parse_event_type(message["headers"]["allOf"][1]["properties"]["ce_type"]["const"])
        assert parsed is not None
        lines += [
            "",
            f"## `{channel['address']}`",
            "",
            message["description"],
            "",
            f"- Producer: `{channel_id.split('.')[0]}`",
            f"- `ce_type`: `{message['headers']['allOf'][1]['properties']['ce_type']['const']}`",
            "- `ce_dataschema`: "
            f"`{message['headers']['allOf'][1]['properties']['ce_dataschema']['const']}`",
            f"- Payload schema: `{payload_name}` (`contracts/schemas/{message_id}.json`)",
            "",
            "Received by:",
            "",
        ]
        for title, description in receivers.get(channel_id, []):
            lines.append(f"- **{title.split(' ')[0]}**: {description}")
        if channel_id not in receivers:
            lines.append("- nobody (no sharing policy rule)")
        lines += [
            "",
            "| field | type | required | description |",
            "|---|---|---|---|",
            *_field_rows(schemas[payload_name], schemas),
        ]
    return "\n".join(lines) + "\n"
