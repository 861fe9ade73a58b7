"""Domain model of police-feed: pure, no I/O imports."""
