"""Handlers of police-feed: plain functions over commands/events and ports."""
