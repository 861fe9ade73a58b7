"""JSON Schema snapshots of every contract, and a checker for breaking changes.

Compatible means: every payload valid under the old schema is still valid
under the new one, so a consumer on the new model reads old events (from the
log, an outbox, or a producer not yet upgraded). Adding an optional field or
an enum value, loosening a constraint, or editing a description is
compatible. Removing a field, adding a required one, changing a type,
narrowing an enum or tightening a constraint is breaking: that needs a new
major version (new type, new topic) and an upcaster.

Consumers upgrade before producers: payloads are closed (``extra="forbid"``),
so an old consumer would refuse a field it does not know.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hub_contracts.envelope import CloudEvent
from hub_contracts.events import catalogue

ENVELOPE_SNAPSHOT = "cloudevent"
Schema = dict[str, Any]


def snapshot_name(event_name: str, major: int) -> str:
    """File stem of an event's snapshot: ``<event-name>.v<major>``."""
    return f"{event_name}.v{major}"


def current_schemas() -> dict[str, Schema]:
    """The JSON Schema of every contract payload (and the envelope), by snapshot name."""
    schemas = {
        snapshot_name(m.event_name, m.major): m.model_json_schema() for m in catalogue().values()
    }
    schemas[ENVELOPE_SNAPSHOT] = CloudEvent.model_json_schema()
    return dict(sorted(schemas.items()))


def render(schema: Schema) -> str:
    """The committed text of a snapshot (stable key order, trailing newline)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass
class Comparison:
    """Differences between an old and a new schema, sorted into breaking and compatible."""

    breaking: list[str] = field(default_factory=list)
    compatible: list[str] = field(default_factory=list)

    @property
    def is_breaking(self) -> bool:
        return bool(self.breaking)

    @property
    def unchanged(self) -> bool:
        return not self.breaking and not self.compatible


_TIGHTER_IF_GREATER = ("minLength", "minItems", "minimum", "exclusiveMinimum", "minProperties")
_TIGHTER_IF_SMALLER = ("maxLength", "maxItems", "maximum", "exclusiveMaximum", "maxProperties")
_MUST_STAY = ("pattern", "format", "const")
_DOC_KEYS = ("description", "title", "examples", "default")


def compare(old: Schema, new: Schema) -> Comparison:
    """Classify every difference between two JSON Schemas (pydantic's output shape)."""
    result = Comparison()
    _Walker(old, new, result).node(old, new, "$")
    return result


class _Walker:
    def __init__(self, old_root: Schema, new_root: Schema, out: Comparison) -> None:
        self.roots = (old_root, new_root)
        self.out = out
        self.seen: set[tuple[int, int, str]] = set()

    def resolve(self, node: Any, root: Schema) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                return node
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def node(self, old: Any, new: Any, path: str) -> None:
        old = self.resolve(old, self.roots[0])
        new = self.resolve(new, self.roots[1])
        if not isinstance(old, dict) or not isinstance(new, dict):
            if old != new:
                self.out.breaking.append(f"{path}: schema changed")
            return
        key = (id(old), id(new), path)
        if key in self.seen:
            return
        self.seen.add(key)
        old_variants, new_variants = _variants(old), _variants(new)
        if len(old_variants) > 1 or len(new_variants) > 1:
            self.union(old_variants, new_variants, path)
            self.docs(old, new, path)
            return
        self.single(old, new, path)

    def union(self, old_variants: list[Any], new_variants: list[Any], path: str) -> None:
        for i, variant in enumerate(old_variants):
            trials = []
            for candidate in new_variants:
                trial = Comparison()
                _Walker(self.roots[0], self.roots[1], trial).node(variant, candidate, path)
                trials.append(trial)
            best = min(trials, key=lambda t: (len(t.breaking), len(t.compatible)))
            if best.breaking:
                label = _label(self.resolve(variant, self.roots[0]), i)
                self.out.breaking.append(f"{path}: variant {label} no longer accepted")
                self.out.breaking.extend(best.breaking)
            else:
                self.out.compatible.extend(best.compatible)
        if len(new_variants) > len(old_variants):
            self.out.compatible.append(f"{path}: new variant accepted")

    def docs(self, old: Schema, new: Schema, path: str) -> None:
        for key in _DOC_KEYS:
            if old.get(key) != new.get(key):
                self.out.compatible.append(f"{path}: {key} changed")

    def single(self, old: Schema, new: Schema, path: str) -> None:
        self.docs(old, new, path)
        old_type, new_type = _types(old), _types(new)
        if old_type and new_type and not old_type <= _widened(new_type):
            self.out.breaking.append(
                f"{path}: type changed from {sorted(old_type)} to {sorted(new_type)}"
            )
            return
        if not old_type and new_type:
            self.out.breaking.append(f"{path}: type now restricted to {sorted(new_type)}")
        self.enum(old, new, path)
        self.constraints(old, new, path)
        if "properties" in old or "properties" in new:
            self.properties(old, new, path)
        if "items" in old or "items" in new:
            self.node(old.get("items", {}), new.get("items", {}), f"{path}[]")
        if old.get("prefixItems") != new.get("prefixItems"):
            self.out.breaking.append(f"{path}: tuple items changed")

    def enum(self, old: Schema, new: Schema, path: str) -> None:
        old_values = _enum(old)
        new_values = _enum(new)
        if new_values is None:
            if old_values is not None:
                self.out.compatible.append(f"{path}: enum lifted")
            return
        if old_values is None:
            self.out.breaking.append(f"{path}: narrowed to enum {sorted(map(str, new_values))}")
            return
        removed = [v for v in old_values if v not in new_values]
        added = [v for v in new_values if v not in old_values]
        if removed:
            self.out.breaking.append(f"{path}: enum narrowed, removed {removed}")
        if added:
            self.out.compatible.append(f"{path}: enum widened, added {added}")

    def constraints(self, old: Schema, new: Schema, path: str) -> None:
        for key in _TIGHTER_IF_GREATER:
            if key in new and (key not in old or new[key] > old[key]):
                self.out.breaking.append(f"{path}: {key} tightened to {new[key]}")
            elif key in old and (key not in new or new[key] < old[key]):
                self.out.compatible.append(f"{path}: {key} loosened")
        for key in _TIGHTER_IF_SMALLER:
            if key in new and (key not in old or new[key] < old[key]):
                self.out.breaking.append(f"{path}: {key} tightened to {new[key]}")
            elif key in old and (key not in new or new[key] > old[key]):
                self.out.compatible.append(f"{path}: {key} loosened")
        for key in _MUST_STAY:
            if key == "const":
                continue  # compared as a one-value enum
            if key in new and old.get(key) != new[key]:
                self.out.breaking.append(f"{path}: {key} changed to {new[key]!r}")
            elif key in old and key not in new:
                self.out.compatible.append(f"{path}: {key} dropped")
        if old.get("additionalProperties", True) is not False and (
            new.get("additionalProperties", True) is False
        ):
            self.out.breaking.append(f"{path}: additional properties now refused")

    def properties(self, old: Schema, new: Schema, path: str) -> None:
        old_props: dict[str, Any] = old.get("properties", {})
        new_props: dict[str, Any] = new.get("properties", {})
        old_required = set(old.get("required", []))
        new_required = set(new.get("required", []))
        for name in sorted(old_props):
            sub = f"{path}.{name}"
            if name not in new_props:
                self.out.breaking.append(f"{sub}: field removed")
                continue
            if name in new_required and name not in old_required:
                self.out.breaking.append(f"{sub}: optional field became required")
            elif name in old_required and name not in new_required:
                self.out.compatible.append(f"{sub}: required field became optional")
            self.node(old_props[name], new_props[name], sub)
        for name in sorted(set(new_props) - set(old_props)):
            sub = f"{path}.{name}"
            if name in new_required:
                self.out.breaking.append(f"{sub}: new required field")
            else:
                self.out.compatible.append(f"{sub}: new optional field")


def _variants(node: Schema) -> list[Any]:
    for key in ("anyOf", "oneOf"):
        if key in node:
            return list(node[key])
    return [node]


def _label(node: Any, index: int) -> str:
    if isinstance(node, dict):
        if "title" in node:
            return str(node["title"])
        if "type" in node:
            return str(node["type"])
    return f"#{index}"


def _types(node: Schema) -> set[str]:
    value = node.get("type")
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def _widened(types: set[str]) -> set[str]:
    return types | {"integer"} if "number" in types else types


def _enum(node: Schema) -> list[Any] | None:
    if "const" in node:
        return [node["const"]]
    if "enum" in node:
        return list(node["enum"])
    return None
