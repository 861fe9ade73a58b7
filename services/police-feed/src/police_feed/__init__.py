"""The Police feed service (police-feed)."""
