"""Command line for the local stack (``make up``, ``make down``, ``make status``).

Used by ``make up`` and ``make down``; state lives in ``.local/`` (or
``HUB_STATE_DIR``), built artefacts in ``~/.cache/childrens-hub``.
``kafka-env [PRINCIPAL]`` prints the ``export`` lines that make a shell that
principal on the stack's Kafka (default hub-admin, e.g. for hubctl):
``eval "$(python deploy/local/hubstack.py kafka-env)"``.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from hub_localstack import StackConfig, StackError
from hub_localstack.stack import Stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "command", choices=["up", "infra", "down", "status", "urls", "provision", "kafka-env"]
    )
    parser.add_argument("principal", nargs="?", default="hub-admin", help="for kafka-env")
    args = parser.parse_args()
    stack = Stack(StackConfig.from_env())
    try:
        if args.command in ("up", "infra"):
            stack.up(services=args.command == "up")
            print("\nThe Children's Hub is up:")
            for label, url in stack.urls().items():
                print(f"  {label:<22} {url}")
            print("\nStop it with: make down")
        elif args.command == "provision":
            stack.provision()
        elif args.command == "down":
            stopped = stack.down()
            print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
        elif args.command == "kafka-env":
            bootstrap, security = stack.kafka_access(args.principal)
            for name, value in {"KAFKA_BOOTSTRAP": bootstrap, **security.env()}.items():
                print(f"export {name}={shlex.quote(value)}")
        elif args.command == "status":
            for name, pid in stack.status().items():
                print(f"  {name:<12} {'running, pid ' + str(pid) if pid else 'stopped'}")
        else:
            for label, url in stack.urls().items():
                print(f"  {label:<22} {url}")
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
