"""Run the education service: ``python -m education [serve|load-demo]``."""

from hub_service.cli import run_service

from education.bootstrap import SERVICE, build_app

run_service(SERVICE, __package__ or "education", build_app)
