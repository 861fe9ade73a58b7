"""Write contracts/asyncapi.yaml and contracts/docs/bus.md from the contracts.

Run after changing an event, the sharing policy or the binding:
``.venv/bin/python contracts/scripts/generate_asyncapi.py``. A unit test fails
while the committed files are stale.
"""

from __future__ import annotations

from pathlib import Path

from hub_contracts.asyncapi import build, render_markdown, render_yaml

CONTRACTS = Path(__file__).resolve().parents[1]
ASYNCAPI = CONTRACTS / "asyncapi.yaml"
BUS_DOC = CONTRACTS / "docs" / "bus.md"


def main() -> None:
    doc = build()
    ASYNCAPI.write_text(render_yaml(doc), encoding="utf-8")
    BUS_DOC.parent.mkdir(exist_ok=True)
    BUS_DOC.write_text(render_markdown(doc), encoding="utf-8")
    print(f"wrote {ASYNCAPI} and {BUS_DOC}")


if __name__ == "__main__":
    main()
