"""Domain model of health-feed: pure, no I/O imports."""
