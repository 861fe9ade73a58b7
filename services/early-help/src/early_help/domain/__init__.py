"""Domain model of early-help: pure, no I/O imports."""
