"""Write contracts/asyncapi.yaml and contracts/docs/bus.md from the contracts.

Run after changing an event, the sharing policy, the binding or an inbound
record model: ``make asyncapi`` (``.venv/bin/python contracts/scripts/generate_asyncapi.py``).
A unit test fails while the committed files are stale.

The inbound records' models are the services' own (``hub_agency.RecordKind``);
``hub_contracts`` imports no service, so this script collects them and hands
them to ``build`` (the drift test does the same through ``inbound_models``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from hub_contracts.asyncapi import InboundModels, build, render_markdown, render_yaml
from hub_contracts.services import SERVICES

CONTRACTS = Path(__file__).resolve().parents[1]
ASYNCAPI = CONTRACTS / "asyncapi.yaml"
BUS_DOC = CONTRACTS / "docs" / "bus.md"
RECORD_KINDS: dict[str, str] = {
    "police-feed": "police_feed.service_layer.incidents",
    "health-feed": "health_feed.service_layer.attendances",
    "education": "education.service_layer.records",
    "early-help": "early_help.service_layer.records",
    "social-care": "social_care.service_layer.records",
}
"""The module of each service that takes agency records, and defines ``RECORD_KINDS``."""


def inbound_models() -> InboundModels:
    """``(service, kind) -> model`` of every inbound record kind; every kind the service
    catalogue lists must have one, and no service may take a kind the catalogue lacks."""
    found: dict[tuple[str, str], Any] = {}
    for service in SERVICES:
        if not service.inbound_kinds:
            continue
        module = importlib.import_module(RECORD_KINDS[service.name])
        kinds = {kind.name: kind.model for kind in module.RECORD_KINDS}
        if set(kinds) != set(service.inbound_kinds):
            raise ValueError(
                f"{service.name} takes {sorted(kinds)}; the catalogue lists "
                f"{sorted(service.inbound_kinds)}"
            )
        found.update({(service.name, name): model for name, model in kinds.items()})
    return found


def main() -> None:
    doc = build(inbound_models=inbound_models())
    ASYNCAPI.write_text(render_yaml(doc), encoding="utf-8")
    BUS_DOC.parent.mkdir(exist_ok=True)
    BUS_DOC.write_text(render_markdown(doc), encoding="utf-8")
    print(f"wrote {ASYNCAPI} and {BUS_DOC}")


if __name__ == "__main__":
    main()
