"""Run the health-feed service: ``python -m health_feed [serve|load-demo]``."""

from hub_service.cli import run_service

from health_feed.bootstrap import SERVICE, build_app

run_service(SERVICE, __package__ or "health_feed", build_app)
