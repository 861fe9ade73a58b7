"""Dead letters as an operator sees them: what was refused, by whom, why, and whether it
may be replayed.

No I/O here. A ``DeadLetter`` keeps the record's bytes so that it can be
replayed, but they are kept out of its ``repr`` and nothing in this package
renders them: the payload and the key (the child's subject id) are personal
data.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from hub_contracts.binding import RejectReason
from hub_contracts.services import SERVICES_BY_NAME
from hub_contracts.tenancy import UnknownTenantError, validate_tenant_id
from hub_contracts.topics import dead_letter_topic

DLQ_SUFFIX = dead_letter_topic("")
DLQ_HEADER_PREFIX = "dlq_"
PAYLOAD_HEADER = "dlq_payload"
WITHHELD_BY_POLICY = "withheld-by-policy"
INBOUND_MARK = "-inbound."
"""Inbound topics, where agency systems publish raw records, carry this in their name."""
REPLAY_OF = "hub_replay_of"
"""Header on a replayed record: ``<dlq topic>:<partition>:<offset>`` of its dead letter."""
REPLAYED_BY = "hub_replayed_by"
"""Header on a replayed record: who replayed it."""

POLICY_REASONS = frozenset(
    {
        RejectReason.MISSING_SHARING_BASIS.value,
        RejectReason.BASIS_NOT_ACCEPTED.value,
        RejectReason.SPECIAL_CATEGORY_CONDITION_MISSING.value,
        RejectReason.RECIPIENT_NOT_ALLOWED.value,
        RejectReason.CONSENT_NOT_VALID.value,
        "policy-refused",
    }
)
"""Reasons that mean the sharing policy (or the child's consent) refused the event."""

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


class Position(NamedTuple):
    """Where a record is on its topic."""

    partition: int
    offset: int

    def __str__(self) -> str:
        return f"{self.partition}:{self.offset}"


def parse_position(text: str) -> Position:
    """``"<partition>:<offset>"`` as a ``Position``; ``ValueError`` says what is wrong."""
    partition, sep, offset = text.strip().partition(":")
    if not sep or not partition.isdigit() or not offset.isdigit():
        raise ValueError(f"{text!r} is not <partition>:<offset>, e.g. 0:42")
    return Position(int(partition), int(offset))


def is_dead_letter_topic(topic: str) -> bool:
    return topic.endswith(DLQ_SUFFIX) and len(topic) > len(DLQ_SUFFIX)


def tenant_of(topic: str) -> str:
    """The tenant a topic belongs to: its first dot-separated part."""
    return topic.split(".", 1)[0]


@dataclass(frozen=True)
class DeadLetter:
    """One record on a dead-letter topic."""

    topic: str
    partition: int
    offset: int
    timestamp: datetime | None
    """When it was dead-lettered (the record's Kafka timestamp)."""
    key: bytes = field(repr=False)
    value: bytes = field(repr=False)
    headers: tuple[tuple[str, bytes], ...] = field(repr=False)

    @classmethod
    def from_record(cls, record: Any) -> DeadLetter:
        """From an aiokafka ``ConsumerRecord``."""
        timestamp = None
        if record.timestamp is not None and record.timestamp >= 0:
            timestamp = datetime.fromtimestamp(record.timestamp / 1000, UTC)
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp=timestamp,
            key=record.key or b"",
            value=record.value or b"",
            headers=tuple((k, v or b"") for k, v in record.headers),
        )

    @property
    def position(self) -> Position:
        return Position(self.partition, self.offset)

    @property
    def ref(self) -> str:
        """How an operator names it: ``<dlq topic> <partition>:<offset>``."""
        return f"{self.topic} {self.position}"

    def header(self, name: str) -> str | None:
        """The header's text; the last one wins, as the dead-lettering service appends its own."""
        found = None
        for key, raw in self.headers:
            if key == name:
                found = raw
        return None if found is None else found.decode(errors="replace")

    @property
    def reason(self) -> str:
        return self.header("dlq_reason") or "unknown"

    @property
    def detail(self) -> str:
        return self.header("dlq_detail") or ""

    @property
    def recipient(self) -> str | None:
        return self.header("dlq_recipient")

    @property
    def source_topic(self) -> str | None:
        return self.header("dlq_source_topic")

    @property
    def source_offset(self) -> str | None:
        """``partition:offset`` on the source topic, when the dead-lettering service knew it."""
        return self.header("dlq_source_offset")

    @property
    def source(self) -> str:
        """``<source topic>:<partition>:<offset>`` (as much of it as is known)."""
        topic = self.source_topic or "-"
        return topic if self.source_offset is None else f"{topic}:{self.source_offset}"

    @property
    def event_type(self) -> str | None:
        return self.header("ce_type")

    @property
    def event_id(self) -> str | None:
        return self.header("ce_id")

    @property
    def tenant(self) -> str:
        return tenant_of(self.topic)

    @property
    def payload_withheld(self) -> bool:
        """The recipient refused it by policy and kept only the envelope."""
        return self.header(PAYLOAD_HEADER) == WITHHELD_BY_POLICY

    @property
    def payload_size(self) -> int:
        return len(self.value)

    @property
    def payload_sha256(self) -> str:
        """Identifies the payload (e.g. to match it with the producer's) without showing it."""
        return hashlib.sha256(self.value).hexdigest()

    @property
    def trace_id(self) -> str | None:
        """The W3C trace id of the event's journey, from ``traceparent`` or ``ce_traceparent``."""
        for name in ("traceparent", "ce_traceparent"):
            match = _TRACEPARENT.fullmatch((self.header(name) or "").strip().lower())
            if match and set(match.group(1)) != {"0"}:
                return match.group(1)
        return None


@dataclass(frozen=True)
class Replayability:
    """Whether a dead letter may be replayed, and why (or why not), in words for a person."""

    replayable: bool
    why: str


def replayability(dead: DeadLetter) -> Replayability:
    """Replayable: it carries its record, and either a handler failed on it or it is an
    agency's raw record refused at ingest. Policy and consent refusals never are: an
    operator must not push a record past the sharing policy."""
    expected_source = dead.topic.removesuffix(DLQ_SUFFIX)
    if not is_dead_letter_topic(dead.topic):
        return Replayability(False, f"{dead.topic} is not a dead-letter topic")
    try:
        validate_tenant_id(dead.tenant)
    except UnknownTenantError as exc:
        return Replayability(False, f"its topic names no tenant ({exc.reason})")
    if dead.payload_withheld:
        return Replayability(
            False,
            f"refused by the sharing policy ({dead.reason}) and its payload was withheld: "
            f"{dead.recipient or 'the recipient'} must not hold this data, so there is "
            "nothing to replay, and an operator never pushes an event past the policy; "
            "the producer must publish it again under a basis the policy accepts",
        )
    if not dead.value:
        return Replayability(False, "it carries no record (empty value): nothing to replay")
    if dead.source_topic is None:
        return Replayability(False, "it names no source topic (no dlq_source_topic header)")
    if dead.source_topic != expected_source:
        return Replayability(
            False,
            f"its source topic {dead.source_topic} is not the topic of this dead-letter "
            f"topic ({expected_source})",
        )
    if dead.recipient is None or dead.recipient not in SERVICES_BY_NAME:
        return Replayability(False, f"its recipient {dead.recipient!r} is not a service of the hub")
    if dead.reason == RejectReason.HANDLER_FAILED.value:
        return Replayability(
            True,
            f"{dead.recipient}'s handler failed on it ({dead.detail or 'no detail'}); "
            "once the cause is fixed, the replayed record is handled afresh",
        )
    if INBOUND_MARK in dead.source_topic:
        return Replayability(
            True,
            f"an agency record refused at {dead.recipient}'s ingest ({dead.reason}); "
            "once the cause is fixed (e.g. missing reference data), ingest takes it again",
        )
    if dead.reason in POLICY_REASONS:
        return Replayability(
            False,
            f"refused by the sharing policy ({dead.reason}): an operator never pushes an "
            "event past the policy; the producer must publish it again under a basis the "
            "policy accepts",
        )
    return Replayability(
        False,
        f"the event itself was refused ({dead.reason}): the same bytes would be refused "
        "again; the producer must publish a corrected event",
    )


@dataclass(frozen=True)
class SummaryRow:
    """Dead letters of one topic with one reason."""

    topic: str
    reason: str
    count: int
    oldest: datetime | None
    newest: datetime | None


def summarise(dead_letters: Iterable[DeadLetter]) -> list[SummaryRow]:
    """Counts, oldest and newest per dead-letter topic and reason, sorted by both."""
    groups: dict[tuple[str, str], list[DeadLetter]] = {}
    for dead in dead_letters:
        groups.setdefault((dead.topic, dead.reason), []).append(dead)
    rows = []
    for (topic, reason), group in sorted(groups.items()):
        times = [d.timestamp for d in group if d.timestamp is not None]
        rows.append(
            SummaryRow(
                topic,
                reason,
                len(group),
                min(times) if times else None,
                max(times) if times else None,
            )
        )
    return rows


def select(dead_letters: Sequence[DeadLetter], *, reason: str | None = None) -> list[DeadLetter]:
    """The dead letters with ``reason`` (all of them when ``None``), in topic order."""
    chosen = [d for d in dead_letters if reason is None or d.reason == reason]
    return sorted(chosen, key=lambda d: (d.topic, d.partition, d.offset))
