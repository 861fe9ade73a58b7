"""The AsyncAPI 3.0 document of the whole bus, and its human-readable companion.

Generated from the registry (payload models), the binding (headers), the
topic convention, the sharing policy (who receives what), the service
catalogue (inbound record kinds) and the agency systems' catalogue (who may
publish them), so none of them can drift from the document.
``contracts/scripts/generate_asyncapi.py`` writes ``contracts/asyncapi.yaml``
and ``contracts/docs/bus.md``; a unit test checks the committed files are fresh.

The inbound records' models live in the services (``hub_agency.RecordKind``),
which depend on this package, not the other way round: ``build`` takes them as
an argument (``inbound_models``), which the script and the drift test supply.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel

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
from hub_contracts.principals import AgencySystem, AgencySystems, load_agency_systems
from hub_contracts.services import SERVICES, ServiceInfo
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition
from hub_contracts.tenancy import DEFAULT_TENANTS
from hub_contracts.topics import dead_letter_topic

Doc = dict[str, Any]
SCHEMA_REF = "#/components/schemas/{model}"
HEADERS_SCHEMA = "CloudEventHeaders"
KAFKA_BINDING_VERSION = "0.5.0"
INBOUND_MAJOR = 1
"""Agency records' inbound topics are ``<tenant>.<service>-inbound.<kind>.v1``
(``hub_ops.access.INBOUND_MAJOR``; a unit test checks they agree)."""
SCRAM = "scramSha512"
X509 = "X509"
SCRAM_PORT = 9092
"""The SASL_SSL listener of the local stack (``HUB_KAFKA_PORT``)."""
TLS_PORT = 9093
"""The mutual-TLS listener of the local stack (``HUB_KAFKA_TLS_PORT``)."""
DEAD_LETTER_HEADERS: dict[str, str] = {
    "dlq_reason": "Machine-readable reason, e.g. `malformed-json`, `invalid-record`, "
    "`record-id-conflict`, `handler-failed`.",
    "dlq_detail": "What was wrong, for people.",
    "dlq_recipient": "The service that refused the record.",
    "dlq_source_topic": "The inbound topic the record was published to.",
    "dlq_source_offset": "`<partition>:<offset>` of the record on its inbound topic.",
}
InboundModels = Mapping[tuple[str, str], type[BaseModel]]
"""``(service, record kind) -> model`` of the records agency systems publish."""

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

**Inbound topics**: an agency system (a police records system, an A&E
system, a school MIS: `contracts/src/hub_contracts/agency-systems.yaml`)
publishes its own records, plain JSON without CloudEvents headers, to its
feed service's `<tenant>.<service>-inbound.<record-kind>.v1` for the tenants
it serves; the feed service validates each one against the same model as its
HTTP API (`POST /v1/{{tenant}}/<records>`) and dead-letters a refused one to
the same name plus `.dlq`, with the reason in `dlq_*` headers. The record
schemas are the services' own models (`hub_agency.RecordKind`): the generator
is given them by the script rather than importing the services, so the
contracts package depends on no service.

**Security**: every listener authenticates and the broker authorises by
default deny, with ACLs derived from the sharing policy and the topic
catalogue (`hub_ops.access`, `hubctl acl plan`). Hub services and agency
systems with a password use SCRAM-SHA-512 over TLS (`scramSha512`, the
`scram` server); agency systems with a client certificate issued by the
hub's CA use mutual TLS, principal = the certificate's CN (`X509`, the
`mutualTls` server). Each channel says who may write and read it.
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


DEAD_LETTER_HEADERS_SCHEMA = "DeadLetterHeaders"


def _servers() -> Doc:
    """The local stack's two listeners, each with the one way in it accepts."""
    return {
        "scram": {
            "host": f"localhost:{SCRAM_PORT}",
            "protocol": "kafka-secure",
            "title": "SASL_SSL listener (SCRAM-SHA-512)",
            "description": (
                "Hub services, hubctl and agency systems with a password: SCRAM-SHA-512 over "
                "TLS (the broker's certificate is signed by the hub's CA). Local stack: "
                f"`HUB_KAFKA_PORT`, default {SCRAM_PORT}; compose: `kafka:9092`."
            ),
            "security": [{"$ref": f"#/components/securitySchemes/{SCRAM}"}],
        },
        "mutualTls": {
            "host": f"localhost:{TLS_PORT}",
            "protocol": "kafka-secure",
            "title": "SSL listener (mutual TLS)",
            "description": (
                "Agency systems with a client certificate issued by the hub's CA; the "
                "principal is the certificate's CN (`ssl.principal.mapping.rules`). Local "
                f"stack: `HUB_KAFKA_TLS_PORT`, default {TLS_PORT}."
            ),
            "security": [{"$ref": f"#/components/securitySchemes/{X509}"}],
        },
    }


def _security_schemes() -> Doc:
    return {
        SCRAM: {
            "type": "scramSha512",
            "description": (
                "SASL SCRAM-SHA-512 over TLS: one principal per hub service and per agency "
                "system that authenticates with a password (`User:<name>`)."
            ),
        },
        X509: {
            "type": "X509",
            "description": (
                "Mutual TLS: a client certificate signed by the hub's CA; the principal is "
                "`User:<CN>`, the agency system's name in `agency-systems.yaml`."
            ),
        },
    }


def _event_access(producer: str, recipients: list[str]) -> str:
    readers = ", ".join(f"`{r}`" for r in recipients) or "no service"
    return (
        f"Written only by `{producer}` (for the tenants it serves). Read only by the "
        f"services the sharing policy sends it to ({readers}; the receive operations say "
        "which fields each may use); no agency system reads it. Its `.dlq` is written by "
        "those readers. ACLs: `hub_ops.access`."
    )


def _dead_letter_headers_schema() -> Doc:
    return {
        "type": "object",
        "description": "Why an inbound record was refused (Kafka headers, UTF-8 strings).",
        "properties": {name: _string(text) for name, text in DEAD_LETTER_HEADERS.items()},
        "required": list(DEAD_LETTER_HEADERS),
    }


def _merge_schemas(*groups: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for group in groups:
        for name, schema in group.items():
            if name in merged and merged[name] != schema:
                raise ValueError(f"two different schemas are called {name}")
            merged[name] = schema
    return dict(sorted(merged.items()))


@dataclass
class _Inbound:
    channels: Doc = dataclasses.field(default_factory=dict)
    operations: Doc = dataclasses.field(default_factory=dict)
    messages: Doc = dataclasses.field(default_factory=dict)
    schemas: Doc = dataclasses.field(default_factory=dict)


def inbound_channel_id(service: ServiceInfo, kind: str) -> str:
    """``police-feed-inbound.police-incident.v1``: the channel of one inbound record kind."""
    return f"{service.inbound_producer}.{kind}.v{INBOUND_MAJOR}"


def _writers(service: ServiceInfo, systems: AgencySystems) -> list[AgencySystem]:
    return [s for s in systems.systems if s.service == service.name]


def _writer_text(writers: list[AgencySystem]) -> str:
    if not writers:
        return "no agency system (none in `agency-systems.yaml`)"
    return "; ".join(
        f"`{s.name}` ({', '.join(s.tenants)}; {s.authentication.value})" for s in writers
    )


def _record_schema(model: type[BaseModel] | None, service: ServiceInfo) -> tuple[Doc, Doc]:
    """The payload of an inbound message, and the component schemas it needs."""
    if model is None:
        return {
            "type": "object",
            "description": f"The record as `{service.name}`'s HTTP API takes it (its OpenAPI).",
        }, {}
    schema = model.model_json_schema(ref_template=SCHEMA_REF)
    found = {name: _asyncapi_schema(sub) for name, sub in schema.get("$defs", {}).items()}
    found[model.__name__] = _asyncapi_schema(schema)
    return {"$ref": SCHEMA_REF.format(model=model.__name__)}, found


def _inbound(models: InboundModels, systems: AgencySystems) -> _Inbound:
    """Every inbound topic agency systems publish to, and its dead letters."""
    out = _Inbound()
    for service in SERVICES:
        writers = _writer_text(_writers(service, systems))
        group = f"{service.inbound_producer}"
        for kind in service.inbound_kinds:
            channel_id = inbound_channel_id(service, kind)
            dead_id = dead_letter_topic(channel_id)
            address = f"{{tenant}}.{channel_id}"
            message_id = f"{service.name}.{kind}.record"
            dead_message_id = f"{service.name}.{kind}.dead-letter"
            payload, schemas = _record_schema(models.get((service.name, kind)), service)
            out.schemas = _merge_schemas(out.schemas, schemas)
            out.messages[message_id] = {
                "name": message_id,
                "title": f"{kind} record for {service.name}",
                "summary": f"One {kind} record from an agency system.",
                "description": (
                    f"The record as JSON (UTF-8, at most {MAX_EVENT_BYTES} bytes; "
                    "no CloudEvents headers needed). Idempotent on `record_id`: the same "
                    "record again is a duplicate, a different one under a used id is refused "
                    "(`record-id-conflict`)."
                ),
                "contentType": "application/json",
                "payload": payload,
                "bindings": {
                    "kafka": {
                        "key": {
                            "type": "string",
                            "description": "Optional; the record id keeps one record's resends "
                            "in order.",
                        },
                        "bindingVersion": KAFKA_BINDING_VERSION,
                    }
                },
            }
            out.messages[dead_message_id] = {
                "name": dead_message_id,
                "title": f"refused {kind} record",
                "summary": f"A {kind} record {service.name} refused, and why.",
                "description": (
                    "The refused record's key and value exactly as they were published "
                    "(the value may not even be JSON), with the reason in `dlq_*` headers."
                ),
                "contentType": "application/octet-stream",
                "headers": {"$ref": f"#/components/schemas/{DEAD_LETTER_HEADERS_SCHEMA}"},
                "payload": {"description": "The refused record's value, byte for byte."},
            }
            tenant = {"tenant": {"$ref": "#/components/parameters/tenant"}}
            out.channels[channel_id] = {
                "address": address,
                "title": f"inbound {kind} records for {service.name}",
                "summary": f"Agency systems publish their {kind} records to {service.name}.",
                "description": (
                    f"Written only by the agency systems of `{service.name}`, each for the "
                    f"tenants it serves: {writers}. Read only by `{service.name}` (consumer "
                    f"group `{group}`). Refused records go to `{address}.dlq`. "
                    "ACLs: `hub_ops.access`."
                ),
                "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
                "parameters": tenant,
            }
            out.channels[dead_id] = {
                "address": f"{address}.dlq",
                "title": f"refused inbound {kind} records of {service.name}",
                "summary": f"The {kind} records {service.name} refused, with the reason.",
                "description": (
                    f"Written only by `{service.name}`. Read by the agency systems that may "
                    f"write `{address}` (their own tenants' only): {writers}; they read it "
                    "without a consumer group (assign the partitions; they hold no group ACL)."
                ),
                "messages": {dead_message_id: {"$ref": f"#/components/messages/{dead_message_id}"}},
                "parameters": tenant,
            }
            channel_ref = {"$ref": f"#/channels/{channel_id}"}
            dead_ref = {"$ref": f"#/channels/{dead_id}"}
            record_ref = {"$ref": f"#/channels/{channel_id}/messages/{message_id}"}
            dead_msg_ref = {"$ref": f"#/channels/{dead_id}/messages/{dead_message_id}"}
            out.operations[f"agency-systems.send.{channel_id}"] = {
                "action": "send",
                "channel": channel_ref,
                "title": f"an agency system of {service.name} publishes a {kind} record",
                "description": f"Allowed for: {writers}.",
                "messages": [record_ref],
            }
            out.operations[f"{service.name}.receive.{channel_id}"] = {
                "action": "receive",
                "channel": channel_ref,
                "title": f"{service.name} ingests {kind} records",
                "description": f"Consumer group `{group}`; same validation as the HTTP API.",
                "messages": [record_ref],
            }
            out.operations[f"{service.name}.send.{dead_id}"] = {
                "action": "send",
                "channel": dead_ref,
                "title": f"{service.name} dead-letters a refused {kind} record",
                "messages": [dead_msg_ref],
            }
            out.operations[f"agency-systems.receive.{dead_id}"] = {
                "action": "receive",
                "channel": dead_ref,
                "title": f"an agency system of {service.name} reads its refused {kind} records",
                "description": f"Allowed for: {writers}.",
                "messages": [dead_msg_ref],
            }
    return out


def build(
    policy: SharingPolicy | None = None,
    tenants: tuple[str, ...] = DEFAULT_TENANTS,
    inbound_models: InboundModels | None = None,
    agency_systems: AgencySystems | None = None,
) -> Doc:
    """The AsyncAPI 3.0 document as a dict.

    ``inbound_models`` gives the payload schema of each inbound record kind
    (``(service, kind) -> model``); a kind without one is described as a JSON
    object whose schema is the feed service's OpenAPI document.
    """
    policy = policy or load_policy()
    systems = agency_systems if agency_systems is not None else load_agency_systems()
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
                "description": _event_access(producer, sorted(recipients)),
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
    inbound = _inbound(inbound_models or {}, systems)
    channels.update(inbound.channels)
    operations.update(inbound.operations)
    messages.update(inbound.messages)
    schemas = {
        HEADERS_SCHEMA: _headers_schema(tenants),
        DEAD_LETTER_HEADERS_SCHEMA: _dead_letter_headers_schema(),
        **_merge_schemas(_payload_schemas(), inbound.schemas),
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Children's Hub event bus",
            "version": "1.0.0",
            "description": _DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "servers": _servers(),
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
            "securitySchemes": _security_schemes(),
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
    lines += ["", "## Servers and security", ""]
    schemes = doc["components"]["securitySchemes"]
    for server_id, server in doc["servers"].items():
        scheme = server["security"][0]["$ref"].rsplit("/", 1)[1]
        lines.append(
            f"- **{server_id}** (`{server['host']}`, {server['title']}): "
            f"{server['description']} Security scheme `{scheme}` "
            f"(`{schemes[scheme]['type']}`): {schemes[scheme]['description']}"
        )
    receivers: dict[str, list[tuple[str, str]]] = {}
    for op in doc["operations"].values():
        if op["action"] == "receive":
            channel = op["channel"]["$ref"].rsplit("/", 1)[1]
            receivers.setdefault(channel, []).append((op["title"], op.get("description", "")))
    inbound: list[tuple[str, Doc]] = []
    for channel_id, channel in doc["channels"].items():
        message_id = next(iter(channel["messages"]))
        message = messages[message_id]
        if "allOf" not in message.get("headers", {}):
            inbound.append((channel_id, channel))
            continue
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
            f"Access: {channel['description']}",
            "",
            "| field | type | required | description |",
            "|---|---|---|---|",
            *_field_rows(schemas[payload_name], schemas),
        ]
    lines += _inbound_markdown(inbound, messages, schemas)
    return "\n".join(lines) + "\n"


def _inbound_markdown(inbound: list[tuple[str, Doc]], messages: Doc, schemas: Doc) -> list[str]:
    dead = schemas[DEAD_LETTER_HEADERS_SCHEMA]
    lines = [
        "",
        "# Inbound topics: what agency systems publish",
        "",
        "Each agency system writes the inbound topics of its feed service for the tenants "
        "it serves and reads their `.dlq` (its own refused records), nothing else. "
        "A dead letter carries the refused record's key and value as published and these "
        "headers:",
        "",
        "| header | description |",
        "|---|---|",
        *(f"| `{n}` | {node['description']} |" for n, node in dead["properties"].items()),
    ]
    for _channel_id, channel in inbound:
        message = messages[next(iter(channel["messages"]))]
        lines += ["", f"## `{channel['address']}`", "", channel["summary"], ""]
        lines += [f"Access: {channel['description']}", ""]
        if "payload" not in message or "$ref" not in message["payload"]:
            lines.append(f"Payload: {message.get('description', '')}")
            continue
        payload_name = message["payload"]["$ref"].rsplit("/", 1)[1]
        lines += [
            message["description"],
            "",
            f"Payload schema: `{payload_name}`",
            "",
            "| field | type | required | description |",
            "|---|---|---|---|",
            *_field_rows(schemas[payload_name], schemas),
        ]
    return lines
