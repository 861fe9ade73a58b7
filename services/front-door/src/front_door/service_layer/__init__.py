"""Handlers of front-door: plain functions over commands/events and ports."""
