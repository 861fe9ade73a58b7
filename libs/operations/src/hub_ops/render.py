"""What ``hubctl`` prints, as text for a person or JSON for a script.

Never a payload, never the record key (the child's subject id), never a
header that may hold personal data: those are described by their size only.
Header text comes from other systems, so control characters are replaced
before it reaches a terminal.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from hub_ops.access import AclRule
from hub_ops.acl import Plan
from hub_ops.dead_letters import (
    DLQ_HEADER_PREFIX,
    INBOUND_MARK,
    REPLAY_OF,
    REPLAYED_BY,
    DeadLetter,
    replayability,
    summarise,
)
from hub_ops.replay import ReplayOutcome, ReplayStatus

DETAIL_WIDTH = 60
PERSONAL_HEADERS = {
    "ce_subject": "the child's subject id",
    "ce_sharingoverride": "free text about the case",
}
"""CloudEvents attributes that are personal data: named, never shown."""
SAFE_HEADERS = frozenset({"traceparent", "tracestate", "content-type", REPLAY_OF, REPLAYED_BY})
"""Headers besides ``ce_*`` and ``dlq_*`` known to hold no personal data."""


def clean(text: str, limit: int | None = None) -> str:
    """One printable line, at most ``limit`` characters."""
    line = "".join(
        " " if unicodedata.category(c).startswith(("C", "Z")) else c for c in text
    ).strip()
    if limit is not None and len(line) > limit:
        line = line[: limit - 1] + "…"
    return line


def format_time(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, two spaces apart; the last column is not padded."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [c.ljust(w) for c, w in zip(cells[:-1], widths, strict=False)]
        return "  ".join([*padded, cells[-1]]).rstrip()

    return "\n".join(line(r) for r in [header, *rows])


EVENT_TYPE_PREFIX = "uk.childrenshub."


def _event(dead: DeadLetter) -> str:
    """``<event-name>.v<major> <id>``: the type without the prefix every event shares."""
    if dead.event_type is None and dead.event_id is None:
        return "-"
    kind = (dead.event_type or "-").removeprefix(EVENT_TYPE_PREFIX)
    return clean(f"{kind} {dead.event_id or '-'}")


# -- hubctl dlq list ------------------------------------------------------------------------


def render_listing(dead_letters: Sequence[DeadLetter]) -> str:
    """A summary by dead-letter topic and reason, then one line per dead letter."""
    if not dead_letters:
        return "no dead letters"
    summary = table(
        ["dead-letter topic", "reason", "count", "oldest", "newest"],
        [
            [
                clean(r.topic),
                clean(r.reason),
                str(r.count),
                format_time(r.oldest),
                format_time(r.newest),
            ]
            for r in summarise(dead_letters)
        ],
    )
    lines = table(
        ["dead letter", "time", "reason", "recipient", "event", "source", "detail"],
        [
            [
                clean(d.ref),
                format_time(d.timestamp),
                clean(d.reason),
                clean(d.recipient or "-"),
                _event(d),
                clean(d.source),
                clean(d.detail, DETAIL_WIDTH) or "-",
            ]
            for d in dead_letters
        ],
    )
    return f"{summary}\n\n{lines}\n\n{len(dead_letters)} dead letter(s)"


def listing_json(dead_letters: Sequence[DeadLetter]) -> dict[str, Any]:
    return {
        "summary": [
            {
                "topic": r.topic,
                "reason": r.reason,
                "count": r.count,
                "oldest": format_time(r.oldest),
                "newest": format_time(r.newest),
            }
            for r in summarise(dead_letters)
        ],
        "dead_letters": [_entry(d) for d in dead_letters],
    }


def _entry(dead: DeadLetter) -> dict[str, Any]:
    return {
        "topic": dead.topic,
        "partition": dead.partition,
        "offset": dead.offset,
        "time": format_time(dead.timestamp),
        "reason": dead.reason,
        "recipient": dead.recipient,
        "event_type": dead.event_type,
        "event_id": dead.event_id,
        "source_topic": dead.source_topic,
        "source_offset": dead.source_offset,
        "detail": dead.detail,
        "replayable": replayability(dead).replayable,
    }


# -- hubctl dlq show ------------------------------------------------------------------------


def shown_headers(dead: DeadLetter) -> list[tuple[str, str | None, str]]:
    """``(name, text, note)`` for every header in order; ``text`` is ``None`` when the
    header is not shown, and ``note`` says why."""
    out: list[tuple[str, str | None, str]] = []
    for name, raw in dead.headers:
        if name in PERSONAL_HEADERS:
            out.append((name, None, f"not shown: {PERSONAL_HEADERS[name]}"))
        elif name.startswith(("ce_", DLQ_HEADER_PREFIX)) or name in SAFE_HEADERS:
            out.append((name, raw.decode(errors="replace"), ""))
        else:
            out.append((name, None, f"not shown: {len(raw)} bytes, may hold personal data"))
    return out


def trace_url(trace_id: str, zipkin_url: str) -> str:
    """The trace in the Zipkin UI; ``zipkin_url`` is the server (``/zipkin`` is tolerated)."""
    base = zipkin_url.rstrip("/").removesuffix("/zipkin")
    return f"{base}/zipkin/traces/{trace_id}"


def render_show(dead: DeadLetter, zipkin_url: str) -> str:
    verdict = replayability(dead)
    payload = (
        f"withheld by policy ({dead.payload_size} bytes held)"
        if dead.payload_withheld
        else f"{dead.payload_size} bytes, sha256 {dead.payload_sha256} (not shown)"
    )
    trace = "-"
    if dead.trace_id is not None:
        trace = f"{dead.trace_id}  {trace_url(dead.trace_id, zipkin_url)}"
    summary = [
        ("dead letter", clean(dead.ref)),
        ("time", format_time(dead.timestamp)),
        ("reason", clean(dead.reason)),
        ("recipient", clean(dead.recipient or "-")),
        ("event", _event(dead)),
        ("source", clean(dead.source)),
        ("trace", trace),
        ("payload", payload),
        ("key", f"{len(dead.key)} bytes (not shown: the child's subject id)"),
        ("replayable", ("yes: " if verdict.replayable else "no: ") + clean(verdict.why)),
    ]
    width = max(len(k) for k, _ in summary)
    lines = [f"{k.ljust(width)}  {v}" for k, v in summary]
    headers = shown_headers(dead)
    name_width = max((len(n) for n, _, _ in headers), default=0)
    lines += ["", "headers:"]
    for name, text, note in headers:
        shown = clean(text) if text is not None else f"({note})"
        lines.append(f"  {clean(name).ljust(name_width)}  {shown}")
    return "\n".join(lines)


def show_json(dead: DeadLetter, zipkin_url: str) -> dict[str, Any]:
    verdict = replayability(dead)
    headers = shown_headers(dead)
    return {
        **_entry(dead),
        "headers": {name: text for name, text, _ in headers if text is not None},
        "headers_not_shown": {name: note for name, text, note in headers if text is None},
        "payload": {
            "bytes": dead.payload_size,
            "sha256": dead.payload_sha256,
            "withheld_by_policy": dead.payload_withheld,
        },
        "trace_id": dead.trace_id,
        "trace_url": None if dead.trace_id is None else trace_url(dead.trace_id, zipkin_url),
        "replayable": verdict.replayable,
        "replayable_why": verdict.why,
    }


# -- hubctl dlq replay ----------------------------------------------------------------------

PUBLISHED_NOW = frozenset({ReplayStatus.REPLAYED, ReplayStatus.COMPLETED})
"""Outcomes for which this run published a record: the ones to follow."""


def render_replay(outcomes: Sequence[ReplayOutcome], metrics: Callable[[str], str | None]) -> str:
    """What was replayed, what was not and why, and how to follow the replays."""
    lines = []
    for outcome in outcomes:
        dead = outcome.dead_letter
        event = _event(dead)
        about = clean(dead.reason) if event == "-" else f"{clean(dead.reason)}, event {event}"
        what = f"{clean(dead.ref)} ({about})"
        landed = f"{clean(dead.source_topic or '-')} at {outcome.published or '-'}"
        if outcome.status is ReplayStatus.REPLAYED:
            lines.append(
                f"replayed {what}: published to {landed}, by {clean(outcome.by or '-')} "
                f"at {format_time(outcome.at)} (audited in {outcome.database})"
            )
        elif outcome.status is ReplayStatus.COMPLETED:
            lines.append(
                f"completed an earlier replay of {what} (recorded by {clean(outcome.by or '?')} "
                f"at {format_time(outcome.at)}, never published): published to {landed}, "
                f"by {clean(outcome.published_by or '-')} (audited in {outcome.database})"
            )
        elif outcome.status is ReplayStatus.ALREADY_REPLAYED:
            lines.append(
                f"already replayed at {format_time(outcome.at)} by {clean(outcome.by or '?')}: "
                f"{what}; nothing changed"
            )
        else:
            lines.append(f"not replayed: {what}: {clean(outcome.why)}")
    replayed = [o.dead_letter for o in outcomes if o.status in PUBLISHED_NOW]
    if replayed:
        lines += ["", "follow it:"]
        for topic in sorted({d.topic for d in replayed}):
            lines.append(
                f"  hubctl dlq list --topic {clean(topic)}   "
                "(a new dead letter there means it failed again)"
            )
        for recipient in sorted({d.recipient for d in replayed if d.recipient}):
            url = metrics(recipient)
            counters = (
                "hub_records_ingested_total, hub_records_rejected_total, hub_dead_letters_total"
                if any(
                    INBOUND_MARK in (d.source_topic or "")
                    for d in replayed
                    if d.recipient == recipient
                )
                else "hub_events_consumed_total, hub_events_duplicate_total, hub_dead_letters_total"
            )
            lines.append(f"  {url or recipient + ' metrics'}   ({counters})")
    return "\n".join(lines)


# -- hubctl acl plan | apply ----------------------------------------------------------------


def render_plan(plan: Plan) -> str:
    """The ACL changes, by principal then one line each; what is not managed here, if any."""
    tenants = "tenants " + ", ".join(plan.tenants)
    if plan.applied:
        head = (
            f"created {len(plan.to_add)} ACL(s), deleted {len(plan.to_remove)}, "
            f"{plan.unchanged} unchanged ({tenants})"
        )
        if plan.in_sync:
            head = f"nothing to change: {plan.unchanged} ACL(s) in place ({tenants})"
    elif plan.in_sync:
        head = f"in sync: {plan.unchanged} ACL(s) in place, as the policy implies ({tenants})"
    else:
        head = (
            f"{len(plan.to_add)} ACL(s) to add, {len(plan.to_remove)} to remove, "
            f"{plan.unchanged} in place ({tenants})"
        )
    parts = [head]
    if not plan.in_sync:
        parts.append(_by_principal(plan))
        lines = [f"+ {r.describe()}" for r in plan.to_add]
        lines += [f"- {r.describe()}" for r in plan.to_remove]
        parts.append("\n".join(lines))
    if plan.unmanaged:
        lines = [
            f"{len(plan.unmanaged)} ACL(s) of principals this deployment does not manage "
            "(left alone; remove them by hand if they should not be there):"
        ]
        lines += [f"  {r.describe()}" for r in plan.unmanaged]
        parts.append("\n".join(lines))
    if plan.credentials:
        parts.append("SCRAM-SHA-512 password set for: " + ", ".join(plan.credentials))
    if not plan.applied and not plan.in_sync:
        parts.append("run `hubctl acl apply` to make the broker match")
    return "\n\n".join(parts)


def _by_principal(plan: Plan) -> str:
    adding = Counter(r.principal for r in plan.to_add)
    removing = Counter(r.principal for r in plan.to_remove)
    rows = [
        [clean(p), str(adding[p]), str(removing[p])] for p in sorted(set(adding) | set(removing))
    ]
    verbs = ("created", "deleted") if plan.applied else ("to add", "to remove")
    return table(["principal", *verbs], rows)


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "tenants": list(plan.tenants),
        "applied": plan.applied,
        "in_sync": plan.in_sync,
        "to_add": [_rule(r) for r in plan.to_add],
        "to_remove": [_rule(r) for r in plan.to_remove],
        "unchanged": plan.unchanged,
        "unmanaged": [_rule(r) for r in plan.unmanaged],
        "credentials": list(plan.credentials),
    }


def _rule(rule: AclRule) -> dict[str, str]:
    return {
        "principal": rule.principal,
        "resource_type": rule.resource_type.value,
        "pattern": rule.pattern.value,
        "name": rule.name,
        "operation": rule.operation.value,
        "permission": rule.permission.value,
        "host": rule.host,
    }
