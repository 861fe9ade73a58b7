"""The command line's arguments and configuration."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hub_messaging.kafka_security import KafkaSecurity
from hub_ops import acl
from hub_ops.access import AclRule, Operation, PatternType
from hub_ops.access import ResourceType as Kind
from hub_ops.acl import Plan
from hub_ops.cli import build_parser, main, rotated
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


# -- hubctl acl | kafka -------------------------------------------------------------------


RULE = AclRule("User:front-door", Kind.TOPIC, PatternType.LITERAL, "s.a.b.v1", Operation.READ)
FOREIGN = AclRule("User:other", Kind.GROUP, PatternType.LITERAL, "g", Operation.READ)


def test_acl_plan_and_apply_take_tenants_json_and_a_passwords_file() -> None:
    args = build_parser().parse_args(["acl", "plan", "--tenants", "stockton, hartlepool", "--json"])
    assert (args.command, args.action, args.tenants, args.json) == (
        "acl",
        "plan",
        ("stockton", "hartlepool"),
        True,
    )
    args = build_parser().parse_args(["acl", "apply", "--passwords", "p.json"])
    assert (args.action, args.tenants, args.passwords) == ("apply", None, Path("p.json"))
    args = build_parser().parse_args(
        ["kafka", "rotate-password", "police-feed", "--passwords", "p.json"]
    )
    assert (args.command, args.principal, args.passwords) == (
        "kafka",
        "police-feed",
        Path("p.json"),
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["acl"],
        ["acl", "plan", "--tenants", "Not A Tenant"],
        ["acl", "plan", "--tenants", ","],
        ["kafka", "rotate-password", "police-feed"],  # --passwords is required
    ],
)
def test_acl_and_kafka_usage_errors_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


def test_tenants_come_from_hub_tenants(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUB_TENANTS", raising=False)
    assert OpsSettings().tenants == ("hartlepool", "stockton")
    monkeypatch.setenv("HUB_TENANTS", "stockton")
    assert OpsSettings().tenants == ("stockton",)


def _fake_plan(pending: bool, *, applied: bool = False) -> Plan:
    return Plan(
        tenants=("stockton",),
        to_add=(RULE,) if pending else (),
        to_remove=(),
        unchanged=0 if pending else 1,
        unmanaged=(FOREIGN,),
        applied=applied,
    )


@pytest.mark.parametrize(("pending", "status"), [(False, 0), (True, 3)])
def test_acl_plan_exits_0_in_sync_and_3_with_changes_pending(
    pending: bool, status: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[str, tuple[str, ...]]] = []

    async def plan(bootstrap: str, admin: KafkaSecurity, tenants: tuple[str, ...]) -> Plan:
        seen.append((bootstrap, tuple(tenants)))
        return _fake_plan(pending)

    monkeypatch.setattr(acl, "plan", plan)
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "broker:9092")
    monkeypatch.setenv("HUB_TENANTS", "stockton")
    assert main(["acl", "plan"]) == status
    out = capsys.readouterr().out
    assert seen == [("broker:9092", ("stockton",))]
    assert "User:other" in out  # foreign ACLs are reported
    if pending:
        assert "+ User:front-door ALLOW read topic literal 's.a.b.v1'" in out
        assert "hubctl acl apply" in out
    else:
        assert out.startswith("in sync: 1 ACL(s) in place")


def test_acl_apply_reads_the_passwords_file_and_prints_what_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    passwords = tmp_path / "p.json"
    passwords.write_text(json.dumps({"front-door": {"password": "pw"}}))
    given: list[object] = []

    async def apply(
        bootstrap: str, admin: KafkaSecurity, tenants: tuple[str, ...], passwords: object = None
    ) -> Plan:
        given.append(passwords)
        return replace(_fake_plan(True, applied=True), credentials=("front-door",))

    monkeypatch.setattr(acl, "apply", apply)
    assert main(["acl", "apply", "--passwords", str(passwords), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert given == [{"front-door": "pw"}]
    assert shown["applied"]
    assert shown["credentials"] == ["front-door"]
    assert shown["to_add"][0]["name"] == "s.a.b.v1"


def test_acl_errors_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def plan(*args: object) -> Plan:
        raise acl.AclError("cannot describe ACLs: the broker has no authorizer")

    monkeypatch.setattr(acl, "plan", plan)
    assert main(["acl", "plan"]) == 1
    assert "no authorizer" in capsys.readouterr().err


def test_rotating_a_password_sets_it_then_writes_it_and_says_what_to_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    passwords = tmp_path / "p.json"
    passwords.write_text(json.dumps({"police-feed": "old", "front-door": "other"}))

    async def rotate(bootstrap: str, admin: KafkaSecurity, principal: str) -> str:
        assert json.loads(passwords.read_text())["police-feed"] == "old"  # broker first
        return "brand-new"

    monkeypatch.setattr(acl, "rotate_password", rotate)
    assert main(["kafka", "rotate-password", "police-feed", "--passwords", str(passwords)]) == 0
    assert json.loads(passwords.read_text()) == {"police-feed": "brand-new", "front-door": "other"}
    out = capsys.readouterr().out
    assert "brand-new" not in out  # the password is in the file, never on the terminal
    assert "restart every replica of police-feed" in out
    assert "kubectl rollout restart deployment/police-feed" in out


def test_a_broken_passwords_file_is_refused_before_the_broker_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    passwords = tmp_path / "p.json"
    passwords.write_text("{not json")
    rotated: list[str] = []

    async def rotate(bootstrap: str, admin: KafkaSecurity, principal: str) -> str:
        rotated.append(principal)
        return "x"

    monkeypatch.setattr(acl, "rotate_password", rotate)
    assert main(["kafka", "rotate-password", "police-feed", "--passwords", str(passwords)]) == 1
    assert rotated == []
    assert "not JSON" in capsys.readouterr().err


def test_after_a_rotation_an_agency_system_and_hub_admin_get_their_own_advice() -> None:
    assert "operators" in rotated("hartlepool-ed", Path("p.json"))
    assert "inter-broker" in rotated("hub-admin", Path("p.json"))
