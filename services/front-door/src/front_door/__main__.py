"""Run the front-door service: ``python -m front_door [serve|load-demo]``."""

from hub_service.cli import run_service

from front_door.bootstrap import SERVICE, build_app

run_service(SERVICE, __package__ or "front_door", build_app)
