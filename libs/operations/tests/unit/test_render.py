"""What hubctl prints: enough to act on, never a payload or the child's subject id."""

from __future__ import annotations

import json

import pytest
from dlq_samples import (
    AT,
    TRACE_ID,
    as_dead_letter,
    event_topic,
    handler_failed,
    inbound_refused,
    policy_refused,
    without_personal_data,
)
from hub_ops.dead_letters import Position
from hub_ops.render import (
    clean,
    listing_json,
    render_listing,
    render_replay,
    render_show,
    show_json,
    trace_url,
)
from hub_ops.replay import ReplayOutcome, ReplayStatus

TENANT = "stockton"
ZIPKIN = "http://127.0.0.1:9411"
DEAD = [
    as_dead_letter(handler_failed(TENANT), partition=1, offset=0),
    as_dead_letter(policy_refused(TENANT), partition=2, offset=0),
    as_dead_letter(inbound_refused(TENANT), partition=0, offset=3),
]


def test_the_listing_summarises_then_lists_each_dead_letter() -> None:
    text = render_listing(DEAD)
    summary, lines, total = text.split("\n\n")
    row = next(r for r in summary.splitlines() if "handler-failed" in r)
    assert row.split() == [
        f"{event_topic(TENANT)}.dlq",
        "handler-failed",
        "1",
        "2026-03-04T10:15:00Z",
        "2026-03-04T10:15:00Z",
    ]
    line = next(li for li in lines.splitlines() if li.startswith(f"{event_topic(TENANT)}.dlq 1:0"))
    for part in (
        "2026-03-04T10:15:00Z",
        "handler-failed",
        "front-door",
        f"record-purged.v1 {DEAD[0].event_id}",
        f"{event_topic(TENANT)}:1:7",
        "KeyError after 3 attempts",
    ):
        assert part in line
    assert total == "3 dead letter(s)"


def test_neither_the_listing_nor_its_json_shows_payloads_or_subjects() -> None:
    assert without_personal_data(render_listing(DEAD))
    assert without_personal_data(json.dumps(listing_json(DEAD)))


def test_a_long_or_hostile_detail_stays_on_one_short_line() -> None:
    record = handler_failed(TENANT)
    detail = "x" * 200 + "\n\x1b[31mred"
    record = record._replace(
        headers=[(k, detail.encode() if k == "dlq_detail" else v) for k, v in record.headers]
    )
    text = render_listing([as_dead_letter(record)])
    assert "\x1b" not in text
    assert "x" * 59 + "…" in text
    assert len(text.splitlines()) == 7  # summary header + row, blank, header + row, blank, total


def test_an_empty_listing_says_so() -> None:
    assert render_listing([]) == "no dead letters"
    assert listing_json([]) == {"summary": [], "dead_letters": []}


def test_show_gives_headers_trace_size_and_digest_but_not_the_payload() -> None:
    dead = DEAD[0]
    text = render_show(dead, ZIPKIN)
    assert without_personal_data(text)
    assert f"{len(dead.value)} bytes, sha256 {dead.payload_sha256}" in text
    assert f"{TRACE_ID}  http://127.0.0.1:9411/zipkin/traces/{TRACE_ID}" in text
    assert "replayable   yes: front-door's handler failed" in text
    for header in ("ce_id", "ce_type", "ce_source", "ce_sharinglawfulbasis", "dlq_reason"):
        assert f"  {header} " in text
    assert "ce_subject" in text
    assert "(not shown: the child's subject id)" in text


def test_show_of_a_policy_refusal_says_the_payload_was_withheld_and_why_it_stays() -> None:
    text = render_show(DEAD[1], ZIPKIN)
    assert "withheld by policy (0 bytes held)" in text
    assert "dlq_payload" in text
    assert "withheld-by-policy" in text
    assert "replayable   no: refused by the sharing policy (basis-not-accepted)" in text


def test_show_names_unknown_headers_without_their_content() -> None:
    text = render_show(DEAD[2], ZIPKIN)
    assert without_personal_data(text)
    assert "x-agency-note" in text
    assert "trace        -" in text


def test_show_json_keeps_the_same_secrets() -> None:
    shown = show_json(DEAD[0], ZIPKIN)
    assert without_personal_data(json.dumps(shown, default=str))
    assert shown["payload"] == {
        "bytes": len(DEAD[0].value),
        "sha256": DEAD[0].payload_sha256,
        "withheld_by_policy": False,
    }
    assert shown["trace_url"] == f"{ZIPKIN}/zipkin/traces/{TRACE_ID}"
    assert "ce_subject" in shown["headers_not_shown"]
    assert shown["headers"]["dlq_reason"] == "handler-failed"
    assert shown["replayable"] is True


@pytest.mark.parametrize(
    "base", ["http://zipkin:9411", "http://zipkin:9411/", "http://zipkin:9411/zipkin/"]
)
def test_the_trace_link_works_with_or_without_the_ui_path(base: str) -> None:
    assert trace_url(TRACE_ID, base) == f"http://zipkin:9411/zipkin/traces/{TRACE_ID}"


def test_replay_output_says_what_happened_to_each_and_how_to_follow_it() -> None:
    outcomes = [
        ReplayOutcome(
            DEAD[0],
            ReplayStatus.REPLAYED,
            "",
            "stockton__front_door",
            AT,
            "alice",
            Position(2, 41),
            "alice",
        ),
        ReplayOutcome(DEAD[2], ReplayStatus.ALREADY_REPLAYED, "", "x", AT, "bob"),
        ReplayOutcome(DEAD[1], ReplayStatus.REFUSED, "refused by the sharing policy (...)"),
    ]
    text = render_replay(outcomes, lambda service: f"http://127.0.0.1:8001/metrics?{service}")
    assert without_personal_data(text)
    lines = text.splitlines()
    assert lines[0] == (
        f"replayed {DEAD[0].ref} (handler-failed, event record-purged.v1 "
        f"{DEAD[0].event_id}): published to {event_topic(TENANT)} at 2:41, by alice at "
        "2026-03-04T10:15:00Z (audited in stockton__front_door)"
    )
    assert "outbox" not in text
    assert lines[1].startswith("already replayed at 2026-03-04T10:15:00Z by bob")
    assert lines[1].endswith("nothing changed")
    assert lines[2].startswith(f"not replayed: {DEAD[1].ref}")
    assert f"hubctl dlq list --topic {DEAD[0].topic}" in text
    assert "http://127.0.0.1:8001/metrics?front-door" in text
    assert "hub_events_consumed_total" in text


def test_a_completed_earlier_replay_says_who_started_it_and_where_it_landed() -> None:
    completed = ReplayOutcome(
        DEAD[2],
        ReplayStatus.COMPLETED,
        "",
        "stockton__police_feed",
        AT,
        "alice",
        Position(0, 9),
        "bob",
    )
    text = render_replay([completed], lambda service: None)
    first, *follow = text.splitlines()
    assert first == (
        f"completed an earlier replay of {DEAD[2].ref} (unknown-school) (recorded by alice "
        "at 2026-03-04T10:15:00Z, never published): published to "
        f"{DEAD[2].source_topic} at 0:9, by bob (audited in stockton__police_feed)"
    )
    assert follow[:2] == ["", "follow it:"]
    assert f"hubctl dlq list --topic {DEAD[2].topic}" in text
    assert "police-feed metrics   (hub_records_ingested_total" in text


def test_only_refusals_and_earlier_replays_give_nothing_to_follow() -> None:
    outcomes = [
        ReplayOutcome(DEAD[0], ReplayStatus.ALREADY_REPLAYED, "", "x", AT, "bob"),
        ReplayOutcome(DEAD[1], ReplayStatus.REFUSED, "refused by the sharing policy (...)"),
    ]
    assert "follow it" not in render_replay(outcomes, lambda service: None)


def test_clean_replaces_control_characters() -> None:
    assert clean("a\tb\r\nc\x00d") == "a b  c d"
    assert clean("abcdef", 4) == "abc…"
