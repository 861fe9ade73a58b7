"""Upcasters: turn an event of an old major version into the next one.

A breaking change is a new major version (new type, new topic); its producer
may keep publishing the old one for a while, and events already on the bus or
in an outbox stay old. A consumer written against the newest major upcasts
whatever it receives, step by step (v1 -> v2 -> ...). An upcaster gets the
whole event because some values come from the envelope (the producer, say).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hub_contracts.events  # noqa: F401  (registers the catalogue)
from hub_contracts.codes import AGENCY_OF_SERVICE
from hub_contracts.envelope import REGISTRY, CloudEvent, event_type, known_majors

Upcaster = Callable[[CloudEvent], dict[str, Any]]
"""Given an event of major ``n``, the payload data of major ``n + 1``."""

UPCASTERS: dict[tuple[str, int], Upcaster] = {}
"""Upcasters by ``(event-name, from_major)``."""


class UpcastError(ValueError):
    """No way to bring an event to the requested major version."""


def upcaster(event_name: str, from_major: int) -> Callable[[Upcaster], Upcaster]:
    """Register ``fn`` as the upcaster of ``event_name`` from ``from_major`` to the next."""

    def add(fn: Upcaster) -> Upcaster:
        key = (event_name, from_major)
        if key in UPCASTERS:
            raise ValueError(f"{event_name} v{from_major} already has an upcaster")
        UPCASTERS[key] = fn
        return fn

    return add


def latest_major(event_name: str) -> int:
    """The newest major version of an event that the registry knows."""
    majors = known_majors(event_name)
    if not majors:
        raise UpcastError(f"no contract for {event_name}")
    return majors[-1]


def upcast(event: CloudEvent, to_major: int) -> CloudEvent:
    """``event`` converted to ``to_major``: new type, dataschema and data; same id and envelope.

    The id, source, time, subject, tenant, trace context and sharing basis are
    kept, so de-duplication, ordering and the sharing decision stay the same.
    """
    name, major = event.event_name, event.major
    if to_major < major:
        raise UpcastError(f"cannot downcast {name} v{major} to v{to_major}")
    current = event
    while major < to_major:
        step = UPCASTERS.get((name, major))
        if step is None:
            raise UpcastError(f"no upcaster for {name} v{major} -> v{major + 1}")
        target = event_type(name, major + 1)
        if target not in REGISTRY:
            raise UpcastError(f"no contract for {target}")
        data = REGISTRY[target].model_validate(step(current)).model_dump(mode="json")
        current = CloudEvent.model_validate(
            {
                **current.model_dump(),
                "type": target,
                "dataschema": REGISTRY[target].dataschema(),
                "data": data,
            }
        )
        major += 1
    return current


@upcaster("child-concern-raised", 1)
def _child_concern_raised_v1_to_v2(event: CloudEvent) -> dict[str, Any]:
    """v2 qualifies the reference with the agency; v1 producers are one agency each."""
    agency = AGENCY_OF_SERVICE.get(event.producer)
    if agency is None:
        raise UpcastError(f"{event.producer} does not speak for an agency")
    data = dict(event.data)
    data["agency_reference"] = {"agency": agency.value, "reference": data["agency_reference"]}
    return data
