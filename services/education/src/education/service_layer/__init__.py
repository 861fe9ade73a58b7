"""Handlers of education: plain functions over commands/events and ports."""
