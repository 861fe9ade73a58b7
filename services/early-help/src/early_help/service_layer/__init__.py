"""Handlers of early-help: plain functions over commands/events and ports."""
