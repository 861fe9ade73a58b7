"""Process entry point shared by every service: ``python -m <service> [serve|load-demo]``."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from hub_contracts.tenancy import database_name
from pymongo import AsyncMongoClient, ReplaceOne

from hub_service.reference import read_demo_data
from hub_service.settings import ServiceSettings


def run_service(
    service_name: str, package: str, build_app: Callable[[ServiceSettings], FastAPI]
) -> None:
    """Parse the command line and serve the app or load its demo data."""
    parser = argparse.ArgumentParser(prog=f"python -m {package}")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "load-demo"])
    args = parser.parse_args()
    settings = ServiceSettings.for_service(service_name)
    if args.command == "load-demo":
        counts = asyncio.run(load_demo(settings, package))
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


async def load_demo(settings: ServiceSettings, package: str) -> dict[str, dict[str, int]]:
    """Upsert the package's demo data for every tenant; running it twice changes nothing."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongo_uri)
    counts: dict[str, dict[str, int]] = {}
    try:
        for tenant in settings.tenants:
            db = client[database_name(tenant, settings.service_name)]
            counts[tenant] = {}
            for collection, docs in read_demo_data(package, tenant).items():
                if docs:
                    await db[collection].bulk_write(
                        [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in docs]
                    )
                counts[tenant][collection] = len(docs)
    finally:
        await client.close()
    return counts
