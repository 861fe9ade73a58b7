"""When a partition counts as stalled (no I/O: offsets are given, the clock is ours)."""

from __future__ import annotations

from aiokafka import TopicPartition
from hub_service.progress import ProgressMonitor
from prometheus_client import CollectorRegistry

TP = TopicPartition("stockton.police-feed.child-concern-raised.v1", 0)


def monitor() -> ProgressMonitor:
    return ProgressMonitor(
        bootstrap="127.0.0.1:1",
        client_id="test",
        groups={},
        databases={},
        registry=CollectorRegistry(),
        stall_after_s=300,
    )


def test_lag_without_progress_stalls_only_after_the_threshold() -> None:
    m = monitor()
    assert not m.observe("front-door", TP, 10, 5, now=0).stalled
    at_299 = m.observe("front-door", TP, 10, 7, now=299)
    assert not at_299.stalled
    assert at_299.seconds_since_progress == 299
    assert m.observe("front-door", TP, 10, 9, now=300).stalled


def test_a_moving_offset_is_progress_even_with_lag() -> None:
    m = monitor()
    m.observe("front-door", TP, 10, 500, now=0)
    moving = m.observe("front-door", TP, 11, 800, now=299)
    assert moving.seconds_since_progress == 0
    assert not m.observe("front-door", TP, 11, 900, now=598).stalled
    assert m.observe("front-door", TP, 11, 900, now=599).stalled


def test_no_lag_is_never_stalled_however_quiet() -> None:
    m = monitor()
    m.observe("front-door", TP, 10, 0, now=0)
    quiet = m.observe("front-door", TP, 10, 0, now=10_000)
    assert not quiet.stalled
    assert quiet.seconds_since_progress == 0
    # new records arrive: the clock starts then, not when the partition was last busy
    assert not m.observe("front-door", TP, 10, 3, now=10_100).stalled
    assert m.observe("front-door", TP, 10, 3, now=10_400).stalled


def test_groups_are_watched_apart() -> None:
    m = monitor()
    m.observe("front-door", TP, 10, 4, now=0)
    m.observe("police-feed", TP, 10, 0, now=0)
    assert m.observe("front-door", TP, 10, 4, now=400).stalled
    assert not m.observe("police-feed", TP, 10, 0, now=400).stalled


def test_status_names_the_stalled_partitions() -> None:
    m = monitor()
    m.observe("front-door", TP, 10, 4, now=0)
    m.partitions = [m.observe("front-door", TP, 10, 4, now=400)]
    status = m.status()
    assert status["status"] == "degraded"
    assert status["stalled_partitions"] == [
        {
            "group": "front-door",
            "topic": TP.topic,
            "partition": 0,
            "lag": 4,
            "seconds_since_progress": 400.0,
        }
    ]
