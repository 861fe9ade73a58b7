"""The CloudEvents 1.0 envelope of every message on the bus, and the event registry.

Attributes: ``id``, ``source`` (``/<tenant>/<producer>``), ``type``
(``uk.childrenshub.<event-name>.v<major>``), ``specversion``, ``time``,
``subject`` (the child's subject id: also the partition key, so one child's
events stay in order), ``dataschema`` and ``datacontenttype``; extensions:
``tenant``, ``traceparent``/``tracestate`` and the sharing basis.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hub_contracts.sharing import SharingBasis
from hub_contracts.tenancy import validate_tenant_id
from hub_contracts.topics import topic_name

EVENT_TYPE_PREFIX = "uk.childrenshub"
SCHEMA_URN_PREFIX = "urn:childrenshub:schema"
_TYPE_RE = re.compile(r"^uk\.childrenshub\.(?P<name>[a-z][a-z0-9-]*)\.v(?P<major>[1-9][0-9]*)$")
SUBJECT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"


def event_type(name: str, major: int) -> str:
    """The CloudEvents ``type`` of an event, e.g. ``uk.childrenshub.contact-received.v1``."""
    return f"{EVENT_TYPE_PREFIX}.{name}.v{major}"


@lru_cache(maxsize=1024)
def parse_event_type(value: str) -> tuple[str, int] | None:
    """``(event-name, major)`` of a well-formed type, else None."""
    match = _TYPE_RE.fullmatch(value)
    return (match["name"], int(match["major"])) if match else None


class EventPayload(BaseModel):
    """Base of every contract payload: frozen, closed, each field described."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_name: ClassVar[str]
    """Kebab-case name, past tense for facts (``child-concern-raised``)."""
    major: ClassVar[int] = 1
    producers: ClassVar[tuple[str, ...]]
    """Services allowed to publish it (its topic's producer part)."""

    @classmethod
    def cloudevent_type(cls) -> str:
        return event_type(cls.event_name, cls.major)

    @classmethod
    def dataschema(cls) -> str:
        return f"{SCHEMA_URN_PREFIX}:{cls.event_name}:v{cls.major}"


P = TypeVar("P", bound=type[EventPayload])
REGISTRY: dict[str, type[EventPayload]] = {}
"""Every contract payload by CloudEvents type."""


def register(cls: P) -> P:
    """Class decorator adding a payload model to the registry."""
    key = cls.cloudevent_type()
    if key in REGISTRY and REGISTRY[key] is not cls:
        raise ValueError(f"{key} registered twice")
    REGISTRY[key] = cls
    return cls


def known_majors(name: str) -> list[int]:
    """Major versions of ``name`` that the registry knows."""
    parsed = (parse_event_type(t) for t in REGISTRY)
    return sorted(p[1] for p in parsed if p is not None and p[0] == name)


class CloudEvent(BaseModel):
    """One event on the bus, in CloudEvents 1.0 terms."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(
        default_factory=lambda: str(uuid.uuid4()),
        min_length=1,
        max_length=100,
        description="Unique per source; consumers de-duplicate on it.",
    )
    source: str = Field(
        pattern=r"^/[a-z][a-z0-9-]*/[a-z][a-z0-9-]*$",
        description="``/<tenant>/<producer>``: who published it, for which tenant.",
    )
    type: str = Field(description="``uk.childrenshub.<event-name>.v<major>``.")
    specversion: Literal["1.0"] = Field(default="1.0", description="CloudEvents version.")
    time: AwareDatetime = Field(description="When the fact happened or was recorded (UTC).")
    subject: str = Field(
        pattern=SUBJECT_PATTERN,
        description="The child's subject id at the producer; the Kafka partition key.",
    )
    dataschema: str = Field(description="URN of the payload's JSON Schema (name and major).")
    datacontenttype: Literal["application/json"] = Field(default="application/json")
    tenant: str = Field(description="Extension: the local authority tenant, e.g. 'stockton'.")
    traceparent: str | None = Field(default=None, description="Extension: W3C trace context.")
    tracestate: str | None = Field(default=None, description="Extension: W3C trace state.")
    sharing: SharingBasis = Field(description="Extension attributes: the sharing basis.")
    data: dict[str, Any] = Field(description="The payload, valid against ``dataschema``.")

    @classmethod
    def new(
        cls,
        *,
        tenant: str,
        producer: str,
        subject: str,
        payload: EventPayload,
        sharing: SharingBasis,
        time: datetime | None = None,
        event_id: str | None = None,
    ) -> CloudEvent:
        """Wrap a payload for publication by ``producer`` for ``tenant``."""
        if producer not in type(payload).producers:
            raise ValueError(f"{producer} may not publish {type(payload).event_name}")
        validate_tenant_id(tenant)
        values: dict[str, Any] = {
            "source": f"/{tenant}/{producer}",
            "type": type(payload).cloudevent_type(),
            "time": time or datetime.now(UTC),
            "subject": subject,
            "dataschema": type(payload).dataschema(),
            "tenant": tenant,
            "sharing": sharing,
            "data": payload.model_dump(mode="json"),
        }
        if event_id:
            values["id"] = event_id
        return cls(**values)

    @property
    def producer(self) -> str:
        return self.source.rsplit("/", 1)[1]

    @property
    def event_name(self) -> str:
        parsed = parse_event_type(self.type)
        if parsed is None:
            raise ValueError(f"malformed type {self.type!r}")
        return parsed[0]

    @property
    def major(self) -> int:
        parsed = parse_event_type(self.type)
        if parsed is None:
            raise ValueError(f"malformed type {self.type!r}")
        return parsed[1]

    @property
    def topic(self) -> str:
        return topic_name(self.tenant, self.producer, self.event_name, self.major)

    def payload(self) -> EventPayload:
        """The typed payload (raises if the type is unknown or the data invalid)."""
        return REGISTRY[self.type].model_validate(self.data)
