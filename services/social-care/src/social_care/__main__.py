"""Run the social-care service: ``python -m social_care [serve|load-demo]``."""

from hub_service.cli import run_service

from social_care.bootstrap import SERVICE, build_app

run_service(SERVICE, __package__ or "social_care", build_app)
