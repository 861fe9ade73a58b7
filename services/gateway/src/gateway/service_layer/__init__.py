"""Handlers of gateway: plain functions over commands/events and ports."""
