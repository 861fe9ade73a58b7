"""Wiring of the front-door service: settings, clients, routes and subscribers."""

from fastapi import FastAPI
from hub_service import ServiceSettings, create_service_app
from hub_service.clock import Clock, SystemClock

from front_door.entrypoints.http import configure_with
from front_door.service_layer.deadlines import CHECK_INTERVAL_S as DEADLINE_CHECK_S
from front_door.settings import FrontDoorSettings

SERVICE = "front-door"


def build_app(
    settings: ServiceSettings | None = None,
    clock: Clock | None = None,
    deadline_check_s: float | None = DEADLINE_CHECK_S,
    front_door_settings: FrontDoorSettings | None = None,
) -> FastAPI:
    """Build the front-door app; the broker and clients are made here, not at import.

    ``clock`` is the time every statutory clock reads (tests pass a ``FixedClock``);
    ``deadline_check_s`` is how often breaches are looked for (None: only on demand);
    ``front_door_settings`` are the front door's own (from the environment if None).
    """
    own = front_door_settings or FrontDoorSettings()
    return create_service_app(
        settings or ServiceSettings.for_service(SERVICE),
        title="Children's Hub front door",
        configure=configure_with(clock or SystemClock(), deadline_check_s, own.candidate_limits),
    )
