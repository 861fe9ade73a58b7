"""The Health feed service (health-feed)."""
