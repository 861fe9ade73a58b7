"""Run the early-help service: ``python -m early_help [serve|load-demo]``."""

from hub_service.cli import run_service

from early_help.bootstrap import SERVICE, build_app

run_service(SERVICE, __package__ or "early_help", build_app)
