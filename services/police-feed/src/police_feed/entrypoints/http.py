"""HTTP routes of police-feed."""

from fastapi import FastAPI
from hub_service import ServiceRuntime
from hub_service.reference import reference_router


def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Attach police-feed's routes and subscribers."""
    app.include_router(reference_router({"policing-areas": "policing_areas"}))
