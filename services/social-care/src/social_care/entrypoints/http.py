"""HTTP routes of social-care."""

from fastapi import FastAPI
from hub_service import ServiceRuntime
from hub_service.reference import reference_router


def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
    """Attach social-care's routes and subscribers."""
    app.include_router(reference_router({"authority-contacts": "authority_contacts"}))
