"""Process entry point shared by every service: ``python -m <service> [serve|load-demo]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI
from hub_contracts.tenancy import database_name
from pymongo import AsyncMongoClient, ReplaceOne

from hub_service.reference import read_demo_data
from hub_service.settings import ServiceSettings

DEMO_PARTS = ("reference", "records")
RECORDS_KEY = "records"
"""Key of a demo file holding agency records to send through the ingest API."""


def run_service(
    service_name: str, package: str, build_app: Callable[[ServiceSettings], FastAPI]
) -> None:
    """Parse the command line and serve the app or load its demo data."""
    parser = argparse.ArgumentParser(prog=f"python -m {package}")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "load-demo"])
    parser.add_argument(
        "--part",
        choices=["all", *DEMO_PARTS],
        default="all",
        help="load-demo: reference data, agency records, or both (the stack loads every "
        "service's reference data before any records, so events find it in place)",
    )
    args = parser.parse_args()
    settings = ServiceSettings.for_service(service_name)
    if args.command == "load-demo":
        parts = DEMO_PARTS if args.part == "all" else (args.part,)
        counts = asyncio.run(load_demo(settings, package, parts))
        print(json.dumps({"service": service_name, "loaded": counts}))
        return
    uvicorn.run(
        build_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
    )


async def load_demo(
    settings: ServiceSettings, package: str, parts: tuple[str, ...] = ("reference", "records")
) -> dict[str, dict[str, int]]:
    """Load the package's demo data for every tenant; running it twice changes nothing.

    Reference collections are upserted directly. Demo *records* (the
    ``records`` key: route -> record bodies) are sent through the running
    service's own ingest API with the development token, so they are
    validated and publish their events exactly as an agency system's would;
    ingest is idempotent on record ids, so a second load adds nothing.
    """
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongo_uri)
    counts: dict[str, dict[str, int]] = {}
    try:
        for tenant in settings.tenants:
            db = client[database_name(tenant, settings.service_name)]
            counts[tenant] = {}
            data = read_demo_data(package, tenant)
            records: dict[str, list[Any]] = data.pop(RECORDS_KEY, {})
            for collection, docs in data.items() if "reference" in parts else ():
                if docs:
                    await db[collection].bulk_write(
                        [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in docs]
                    )
                counts[tenant][collection] = len(docs)
            for route, bodies in records.items() if "records" in parts else ():
                for body in bodies:
                    await asyncio.to_thread(_post_record, settings, tenant, route, body)
                counts[tenant][f"records:{route}"] = len(bodies)
    finally:
        await client.close()
    return counts


def _post_record(settings: ServiceSettings, tenant: str, route: str, body: object) -> None:
    """POST one demo record to the running service (development token); raise on refusal."""
    url = f"http://127.0.0.1:{settings.port}/v1/{tenant}/{route}"
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer demo-{tenant}-{settings.service_name}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        problem = exc.read().decode(errors="replace")[:400]
        raise RuntimeError(f"demo record refused by {url}: {exc.code} {problem}") from exc
