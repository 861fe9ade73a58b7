"""The command line's arguments and configuration."""

from __future__ import annotations

import pytest
from hub_ops.cli import build_parser, main
from hub_ops.dead_letters import Position
from hub_ops.settings import OpsSettings, metrics_url


def test_show_takes_a_topic_and_a_position() -> None:
    args = build_parser().parse_args(["dlq", "show", "t.dlq", "1:42", "--json"])
    assert (args.action, args.topic, args.position, args.json) == ("show", "t.dlq", (1, 42), True)
    assert isinstance(args.position, Position)


def test_replay_takes_a_range_a_name_and_a_note() -> None:
    args = build_parser().parse_args(
        ["dlq", "replay", "t.dlq", "0:3", "--to", "9", "--by", "alice", "--reason-note", "fixed"]
    )
    assert (args.position, args.to, args.by, args.reason_note) == ((0, 3), 9, "alice", "fixed")


@pytest.mark.parametrize(
    "argv",
    [
        ["dlq", "replay", "t.dlq", "0:3"],  # --by is required
        ["dlq", "show", "t.dlq", "three"],
        ["dlq"],
    ],
)
def test_a_usage_error_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "usage: hubctl" in capsys.readouterr().err


def test_a_topic_that_is_not_a_dead_letter_topic_is_refused_before_connecting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["dlq", "show", "stockton.police-feed.record-purged.v1", "0:1"]) == 1
    assert "is not a dead-letter topic" in capsys.readouterr().err


def test_it_connects_like_the_services(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA_BOOTSTRAP", "MONGO_URI", "HUB_ZIPKIN_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = OpsSettings()
    assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert settings.mongo_uri == "mongodb://127.0.0.1:27017/?directConnection=true"
    assert settings.zipkin_url == "http://127.0.0.1:9411"
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "kafka.internal:9092")
    monkeypatch.setenv("HUB_ZIPKIN_URL", "http://zipkin.internal:9411")
    assert OpsSettings().kafka_bootstrap == "kafka.internal:9092"
    assert OpsSettings().zipkin_url == "http://zipkin.internal:9411"


def test_a_services_metrics_are_where_its_port_or_url_says() -> None:
    assert metrics_url("front-door", {}) == "http://127.0.0.1:8001/metrics"
    assert metrics_url("front-door", {"FRONT_DOOR_PORT": "18001"}) == (
        "http://127.0.0.1:18001/metrics"
    )
    assert metrics_url("front-door", {"FRONT_DOOR_URL": "http://fd:8001/"}) == (
        "http://fd:8001/metrics"
    )
    assert metrics_url("not-a-service", {}) is None
