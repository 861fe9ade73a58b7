"""Domain model of gateway: pure, no I/O imports."""
