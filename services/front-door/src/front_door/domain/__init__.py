"""Domain model of front-door: pure, no I/O imports."""
