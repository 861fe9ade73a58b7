"""Committed JSON Schema snapshots: a breaking change without a new major version fails.

An added optional field only needs the snapshots regenerating
(``.venv/bin/python contracts/scripts/snapshot_schemas.py``); the checker
itself is tested on synthetic before/after schemas below.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hub_contracts.schema_compat import compare, current_schemas, render

SNAPSHOTS = Path(__file__).resolve().parents[2] / "schemas"
RUN = "run `.venv/bin/python contracts/scripts/snapshot_schemas.py`"
CURRENT = current_schemas()


@pytest.mark.parametrize("name", sorted(CURRENT))
def test_current_schema_matches_its_snapshot(name: str) -> None:
    path = SNAPSHOTS / f"{name}.json"
    if not path.exists():
        pytest.fail(f"{name}: new contract without a snapshot (compatible); {RUN}")
    snapshot = json.loads(path.read_text("utf-8"))
    if snapshot == CURRENT[name]:
        assert path.read_text("utf-8") == render(CURRENT[name]), f"{name}: not canonical; {RUN}"
        return
    result = compare(snapshot, CURRENT[name])
    if result.is_breaking:
        pytest.fail(
            f"{name}: BREAKING change without a new major version: "
            + "; ".join(result.breaking)
            + ". Keep this major as it was; publish the change as a new major version "
            "(new model with major + 1, registered) with an upcaster in hub_contracts.upcasters."
        )
    pytest.fail(f"{name}: compatible change ({'; '.join(result.compatible)}); {RUN}")


def test_every_snapshot_has_a_contract() -> None:
    orphans = sorted(p.stem for p in SNAPSHOTS.glob("*.json") if p.stem not in CURRENT)
    assert not orphans, f"snapshots without a contract (a removed major is breaking): {orphans}"


# --- the checker on synthetic schemas ------------------------------------------------

BEFORE: dict[str, Any] = {
    "title": "ThingHappened",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "thing_id": {"type": "string", "maxLength": 100, "description": "Id."},
        "rating": {"$ref": "#/$defs/Rating"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "people": {"type": "array", "items": {"$ref": "#/$defs/Person"}},
    },
    "required": ["thing_id", "rating", "people"],
    "$defs": {
        "Rating": {"type": "string", "enum": ["red", "amber", "green"]},
        "Person": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
            "required": ["name"],
        },
    },
}


def _after(change: Any) -> dict[str, Any]:
    schema = copy.deepcopy(BEFORE)
    change(schema)
    return schema


def test_an_identical_schema_is_unchanged() -> None:
    assert compare(BEFORE, copy.deepcopy(BEFORE)).unchanged


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["properties"].__setitem__("extra", {"type": "string"}), "new optional field"),
        (lambda s: s["$defs"]["Rating"]["enum"].append("black"), "enum widened"),
        (lambda s: s["properties"]["thing_id"].__setitem__("maxLength", 200), "maxLength loosened"),
        (lambda s: s["properties"]["thing_id"].__setitem__("description", "New."), "description"),
        (lambda s: s["required"].remove("rating"), "required field became optional"),
        (
            lambda s: s["properties"].__setitem__(
                "thing_id", {"anyOf": [{"type": "string"}, {"type": "null"}]}
            ),
            "new variant",
        ),
        (
            lambda s: s["$defs"]["Person"]["properties"].__setitem__("alias", {"type": "string"}),
            "people[].alias: new optional field",
        ),
    ],
)
def test_compatible_changes_are_classified_compatible(change: Any, expected: str) -> None:
    result = compare(BEFORE, _after(change))
    assert not result.is_breaking, result.breaking
    assert any(expected in c for c in result.compatible), result.compatible


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["properties"].pop("note"), "note: field removed"),
        (
            lambda s: (
                s["properties"].__setitem__("extra", {"type": "string"}),
                s["required"].append("extra"),
            ),
            "extra: new required field",
        ),
        (lambda s: s["required"].append("note"), "optional field became required"),
        (
            lambda s: s["properties"].__setitem__("thing_id", {"type": "integer"}),
            "type changed",
        ),
        (lambda s: s["$defs"]["Rating"]["enum"].remove("green"), "enum narrowed"),
        (
            lambda s: s["properties"].__setitem__("note", {"type": "string"}),
            "no longer accepted",
        ),
        (lambda s: s["properties"]["thing_id"].__setitem__("maxLength", 50), "maxLength tightened"),
        (
            lambda s: s["properties"]["thing_id"].__setitem__("pattern", "^[0-9]+$"),
            "pattern changed",
        ),
        (lambda s: s["$defs"]["Person"]["properties"].pop("age"), "people[].age: field removed"),
        (
            lambda s: s["$defs"]["Person"]["properties"]["age"].__setitem__("type", "string"),
            "people[].age: type changed",
        ),
    ],
)
def test_breaking_changes_are_classified_breaking(change: Any, expected: str) -> None:
    result = compare(BEFORE, _after(change))
    assert any(expected in b for b in result.breaking), result.breaking


def test_a_real_contract_change_is_caught() -> None:
    v1 = CURRENT["child-concern-raised.v1"]
    v2 = CURRENT["child-concern-raised.v2"]
    result = compare(v1, v2)
    assert any("agency_reference" in b for b in result.breaking), result.breaking
