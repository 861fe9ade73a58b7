"""``hubctl``: the operations team's command line.

``hubctl dlq list | show | replay``, ``hubctl acl plan | apply`` and ``hubctl
kafka rotate-password``; connects with ``KAFKA_BOOTSTRAP`` and ``MONGO_URI``
like the services, as the principal the ``KAFKA_*`` security variables name
(hub-admin for ``acl`` and ``kafka``), for the tenants of ``HUB_TENANTS``.
Exit status: 0 done (a dead letter already replayed counts as done; ACLs in
sync), 1 something was not found, not replayed or refused, 2 a usage error,
3 ``acl plan`` found changes pending.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from aiokafka.errors import KafkaError
from hub_contracts.principals import ADMIN, load_agency_systems
from hub_messaging.kafka_security import KafkaSecurity
from pymongo.errors import PyMongoError

from hub_ops import acl, dlq
from hub_ops.dead_letters import Position, parse_position
from hub_ops.reader import DeadLetterNotFound, ReadIncomplete
from hub_ops.render import (
    listing_json,
    plan_json,
    render_listing,
    render_plan,
    render_replay,
    render_show,
    show_json,
)
from hub_ops.replay import ReplayIncomplete, ReplayStatus
from hub_ops.settings import OpsSettings, metrics_url, parse_tenants

PENDING = 3
"""``hubctl acl plan``'s exit status when the broker's ACLs differ from the policy's."""


def _position(text: str) -> Position:
    try:
        return parse_position(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _tenants(text: str) -> tuple[str, ...]:
    try:
        tenants = parse_tenants(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if not tenants:
        raise argparse.ArgumentTypeError("name at least one tenant")
    return tenants


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hubctl",
        description="Operate the Children's Hub. Uses KAFKA_BOOTSTRAP, MONGO_URI, the "
        "KAFKA_* security variables and HUB_TENANTS.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    dlq_parser = commands.add_parser(
        "dlq",
        help="dead letters: list, show, replay",
        description="Dead letters: every refused or failed record is on <source topic>.dlq.",
    )
    actions = dlq_parser.add_subparsers(dest="action", required=True, metavar="action")

    listing = actions.add_parser(
        "list",
        help="summarise and list dead letters (moves no one's offsets)",
        description="Read every *.dlq topic to its end: a summary by topic and reason, "
        "then one line per dead letter. Payloads are never printed.",
    )
    listing.add_argument("--tenant", help="only this tenant's dead-letter topics")
    listing.add_argument("--reason", help="only this dlq_reason, e.g. handler-failed")
    listing.add_argument("--topic", help="only this dead-letter topic")
    listing.add_argument("--json", action="store_true", help="JSON instead of text")

    show = actions.add_parser(
        "show",
        help="one dead letter: headers, reason, trace, whether replayable",
        description="One dead letter's headers, its trace in Zipkin, its payload's size and "
        "SHA-256 (never the payload), and whether it can be replayed.",
    )
    show.add_argument("topic", help="the dead-letter topic (<source topic>.dlq)")
    show.add_argument("position", type=_position, help="<partition>:<offset>")
    show.add_argument("--json", action="store_true", help="JSON instead of text")

    replay = actions.add_parser(
        "replay",
        help="replay dead letters after a fix: published back to their source topic",
        description="Replay one dead letter (or offsets up to --to on its partition): "
        "audited first in the recipient's operations_audit, then published back to its "
        "source topic by hubctl itself, as hub-admin (the KAFKA_* security variables). Only "
        "records a handler failed on, or agency records refused at ingest, are replayable; "
        "sharing-policy and consent refusals never are. Replaying twice changes nothing.",
    )
    replay.add_argument("topic", help="the dead-letter topic (<source topic>.dlq)")
    replay.add_argument("position", type=_position, help="<partition>:<offset>")
    replay.add_argument("--to", type=int, metavar="OFFSET", help="last offset of a range")
    replay.add_argument("--by", required=True, help="your name, for the audit trail")
    replay.add_argument("--reason-note", help="why it is replayed (kept in the audit trail)")
    _acl_commands(commands)
    _kafka_commands(commands)
    return parser


def _acl_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    acl_parser = commands.add_parser(
        "acl",
        help="Kafka ACLs from the sharing policy: plan, apply",
        description="Kafka authorises by default deny; the ACLs that allow anything are "
        "derived from the sharing policy and the topic catalogue (hub_ops.access). Run as "
        "hub-admin (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD).",
    )
    actions = acl_parser.add_subparsers(dest="action", required=True, metavar="action")
    tenants_help = "comma-separated tenants (default: HUB_TENANTS, else hartlepool,stockton)"
    planning = actions.add_parser(
        "plan",
        help="what the broker holds against what the policy implies (exit 3: changes pending)",
        description="Compare the broker's ACLs with those the policy and the catalogue imply: "
        "to add, to remove, unchanged. ACLs of principals the deployment does not manage are "
        "reported and never removed. Exit status 0 in sync, 3 changes pending.",
    )
    planning.add_argument("--tenants", type=_tenants, help=tenants_help)
    planning.add_argument("--json", action="store_true", help="JSON instead of text")
    applying = actions.add_parser(
        "apply",
        help="create the missing ACLs, delete those no longer implied (idempotent)",
        description="Carry out the plan: create the missing ACLs, delete those of managed "
        "principals no longer implied, and set the SCRAM-SHA-512 password of each principal "
        "in --passwords. Running it again changes nothing.",
    )
    applying.add_argument("--tenants", type=_tenants, help=tenants_help)
    applying.add_argument(
        "--passwords",
        type=Path,
        metavar="FILE.json",
        help="principal -> password (or -> {password: ...}), each set as its SCRAM credential",
    )
    applying.add_argument("--json", action="store_true", help="JSON instead of text")


def _kafka_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kafka_parser = commands.add_parser(
        "kafka",
        help="Kafka credentials: rotate a principal's password",
        description="Kafka credentials of the hub's principals (run as hub-admin).",
    )
    actions = kafka_parser.add_subparsers(dest="action", required=True, metavar="action")
    rotate = actions.add_parser(
        "rotate-password",
        help="a new random SCRAM-SHA-512 password, set on the broker and written to the file",
        description="Give a principal a new random password: set on the broker first, then "
        "written to --passwords. Connections already open keep working; new connections "
        "need the new password, so restart the principal's processes.",
    )
    rotate.add_argument("principal", help="e.g. police-feed, hartlepool-ed")
    rotate.add_argument(
        "--passwords", type=Path, required=True, metavar="FILE.json", help="the passwords file"
    )


async def run(args: argparse.Namespace, settings: OpsSettings, out: TextIO) -> int:
    """Carry out the parsed command, writing to ``out``; returns the exit status."""
    if args.command == "acl":
        return await run_acl(args, settings, KafkaSecurity.from_env(), out)
    if args.command == "kafka":
        return await run_kafka(args, settings, KafkaSecurity.from_env(), out)
    if args.action == "list":
        found = await dlq.list_dead_letters(
            settings.kafka_bootstrap, tenant=args.tenant, reason=args.reason, topic=args.topic
        )
        _write(out, listing_json(found) if args.json else render_listing(found))
        return 0
    if args.action == "show":
        dead = await dlq.show_dead_letter(settings.kafka_bootstrap, args.topic, args.position)
        rendered = show_json if args.json else render_show
        _write(out, rendered(dead, settings.zipkin_url))
        return 0
    try:
        outcomes = await dlq.replay_dead_letters(
            settings.kafka_bootstrap,
            settings.mongo_uri,
            args.topic,
            args.position,
            to=args.to,
            by=args.by,
            note=args.reason_note,
        )
    except ReplayIncomplete as exc:
        if exc.done:  # what was replayed before it, in a range
            _write(out, render_replay(exc.done, metrics_url))
        raise
    _write(out, render_replay(outcomes, metrics_url))
    return 1 if any(o.status is ReplayStatus.REFUSED for o in outcomes) else 0


async def run_acl(
    args: argparse.Namespace, settings: OpsSettings, admin: KafkaSecurity, out: TextIO
) -> int:
    tenants = args.tenants or settings.tenants
    if args.action == "plan":
        planned = await acl.plan(settings.kafka_bootstrap, admin, tenants)
        _write(out, plan_json(planned) if args.json else render_plan(planned))
        return 0 if planned.in_sync else PENDING
    passwords = acl.read_passwords(args.passwords) if args.passwords else None
    applied = await acl.apply(settings.kafka_bootstrap, admin, tenants, passwords)
    _write(out, plan_json(applied) if args.json else render_plan(applied))
    return 0


async def run_kafka(
    args: argparse.Namespace, settings: OpsSettings, admin: KafkaSecurity, out: TextIO
) -> int:
    path: Path = args.passwords
    # a file it could not write back is refused before anything changes on the broker
    await asyncio.to_thread(_readable_or_new, path)
    password = await acl.rotate_password(settings.kafka_bootstrap, admin, args.principal)
    await asyncio.to_thread(acl.save_password, path, args.principal, password)
    _write(out, rotated(args.principal, path))
    return 0


def _readable_or_new(path: Path) -> None:
    if path.exists():
        acl.read_passwords(path)


def rotated(principal: str, path: Path) -> str:
    """What to do after ``principal``'s password changed: restart what uses it."""
    head = (
        f"new SCRAM-SHA-512 password for {principal}: set on the broker and written to {path}\n"
        "connections already open keep working until they reconnect; every new connection "
        "needs the new password."
    )
    systems = {s.name for s in load_agency_systems().systems}
    if principal == ADMIN:
        steps = [
            "hub-admin is the broker's own inter-broker login too: put the new password in "
            "the broker's listener.name.internal.scram-sha-512.sasl.jaas.config before the "
            "broker next restarts, and in KAFKA_SASL_PASSWORD wherever hubctl runs as hub-admin",
        ]
    elif principal in systems:
        steps = [
            f"give {principal}'s operators the new password (over a channel fit for secrets); "
            "their client needs it in its SASL configuration (KAFKA_SASL_PASSWORD) and a restart",
        ]
    else:
        steps = [
            f"restart every replica of {principal} with KAFKA_SASL_PASSWORD from {path}:",
            "  local stack: make down && make up",
            "  Kubernetes:  update the secret that holds its KAFKA_SASL_PASSWORD, then "
            f"kubectl rollout restart deployment/{principal}",
        ]
    return "\n".join([head, "", "next:", *(f"  {s}" for s in steps)])


def _write(out: TextIO, rendered: str | dict[str, Any]) -> None:
    text = rendered if isinstance(rendered, str) else json.dumps(rendered, indent=2)
    out.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = OpsSettings()
    try:
        return asyncio.run(run(args, settings, sys.stdout))
    except (DeadLetterNotFound, ReadIncomplete, ReplayIncomplete, ValueError) as exc:
        print(f"hubctl: {exc}", file=sys.stderr)
        return 1
    except acl.AclError as exc:
        print(f"hubctl: Kafka at {settings.kafka_bootstrap}: {exc}", file=sys.stderr)
        return 1
    except KafkaError as exc:
        print(f"hubctl: Kafka at {settings.kafka_bootstrap}: {exc}", file=sys.stderr)
        return 1
    except PyMongoError as exc:
        print(f"hubctl: MongoDB: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
