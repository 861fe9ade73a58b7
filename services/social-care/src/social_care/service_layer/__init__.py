"""Handlers of social-care: plain functions over commands/events and ports."""
