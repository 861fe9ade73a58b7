"""The baseline of benchmarks/front_door.py: FastAPI and one ``find_one`` by id, nothing else.

Run by the benchmark as ``uvicorn --factory bare_read:app`` with ``BENCH_MONGO_URI`` and
``BENCH_DATABASE`` set.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI
from pymongo import AsyncMongoClient


def app() -> FastAPI:
    api = FastAPI()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(os.environ["BENCH_MONGO_URI"])
    persons = client[os.environ["BENCH_DATABASE"]]["persons"]

    @api.get("/persons/{person_id}")
    async def read(person_id: str) -> dict[str, Any]:
        return await persons.find_one({"_id": person_id}) or {}

    @api.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    return api
