"""``hubctl``: the operations team's command line.

``hubctl dlq list | show | replay``; connects with ``KAFKA_BOOTSTRAP`` and
``MONGO_URI`` like the services. Exit status: 0 done (a dead letter already
replayed counts as done), 1 something was not found or not replayed, 2 a
usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from aiokafka.errors import KafkaError
from pymongo.errors import PyMongoError

from hub_ops import dlq
from hub_ops.dead_letters import Position, parse_position
from hub_ops.reader import DeadLetterNotFound, ReadIncomplete
from hub_ops.render import listing_json, render_listing, render_replay, render_show, show_json
from hub_ops.replay import ReplayStatus
from hub_ops.settings import OpsSettings, metrics_url


def _position(text: str) -> Position:
    try:
        return parse_position(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hubctl",
        description="Operate the Children's Hub. Uses KAFKA_BOOTSTRAP and MONGO_URI.",
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
        help="replay dead letters after a fix, through the recipient's outbox",
        description="Replay one dead letter (or offsets up to --to on its partition) through "
        "the recipient's outbox, audited in operations_audit. Only records a handler failed "
        "on, or agency records refused at ingest, are replayable; sharing-policy and consent "
        "refusals never are. Replaying twice changes nothing.",
    )
    replay.add_argument("topic", help="the dead-letter topic (<source topic>.dlq)")
    replay.add_argument("position", type=_position, help="<partition>:<offset>")
    replay.add_argument("--to", type=int, metavar="OFFSET", help="last offset of a range")
    replay.add_argument("--by", required=True, help="your name, for the audit trail")
    replay.add_argument("--reason-note", help="why it is replayed (kept in the audit trail)")
    return parser


async def run(args: argparse.Namespace, settings: OpsSettings, out: TextIO) -> int:
    """Carry out the parsed command, writing to ``out``; returns the exit status."""
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
    outcomes = await dlq.replay_dead_letters(
        settings.kafka_bootstrap,
        settings.mongo_uri,
        args.topic,
        args.position,
        to=args.to,
        by=args.by,
        note=args.reason_note,
    )
    _write(out, render_replay(outcomes, metrics_url))
    return 1 if any(o.status is ReplayStatus.REFUSED for o in outcomes) else 0


def _write(out: TextIO, rendered: str | dict[str, Any]) -> None:
    text = rendered if isinstance(rendered, str) else json.dumps(rendered, indent=2)
    out.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = OpsSettings()
    try:
        return asyncio.run(run(args, settings, sys.stdout))
    except (DeadLetterNotFound, ReadIncomplete, ValueError) as exc:
        print(f"hubctl: {exc}", file=sys.stderr)
        return 1
    except KafkaError as exc:
        print(f"hubctl: Kafka at {settings.kafka_bootstrap}: {exc}", file=sys.stderr)
        return 1
    except PyMongoError as exc:
        print(f"hubctl: MongoDB: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
