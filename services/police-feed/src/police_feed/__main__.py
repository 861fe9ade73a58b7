"""Run the police-feed service: ``python -m police_feed [serve|load-demo]``."""

from hub_service.cli import run_service

from police_feed.bootstrap import SERVICE, build_app

run_service(SERVICE, __package__ or "police_feed", build_app)
