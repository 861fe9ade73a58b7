"""Regenerate the committed JSON Schema snapshots in contracts/schemas/.

Run after a *compatible* change (say, a new optional field) or a new major
version: ``.venv/bin/python contracts/scripts/snapshot_schemas.py``. It
refuses to overwrite a snapshot with a breaking change of the same major
version unless ``--accept-breaking`` is given (only for a contract that has
never been published).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hub_contracts.schema_compat import compare, current_schemas, render

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accept-breaking", action="store_true")
    args = parser.parse_args(argv)
    SCHEMAS.mkdir(exist_ok=True)
    current = current_schemas()
    refused = []
    for name, schema in current.items():
        path = SCHEMAS / f"{name}.json"
        if path.exists() and not args.accept_breaking:
            result = compare(json.loads(path.read_text("utf-8")), schema)
            if result.is_breaking:
                refused.append(f"{name}: " + "; ".join(result.breaking))
                continue
        path.write_text(render(schema), encoding="utf-8")
    stale = sorted(p.name for p in SCHEMAS.glob("*.json") if p.stem not in current)
    for line in refused:
        print(f"BREAKING, not written (publish a new major version): {line}", file=sys.stderr)
    for name in stale:
        print(f"snapshot without a contract (removed event?): {name}", file=sys.stderr)
    print(f"{len(current) - len(refused)} snapshot(s) written to {SCHEMAS}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
