"""Handlers of health-feed: plain functions over commands/events and ports."""
