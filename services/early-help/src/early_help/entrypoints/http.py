"""HTTP routes of early-help."""

from fastapi import FastAPI
from hub_service import ServiceRuntime
from hub_service.reference import reference_router


def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Attach early-help's routes and subscribers."""
    app.include_router(reference_router({"teams": "teams"}))
