"""Run the gateway service: ``python -m gateway [serve|load-demo]``."""

from hub_service.cli import run_service

from gateway.bootstrap import SERVICE, build_app

run_service(SERVICE, __package__ or "gateway", build_app)
