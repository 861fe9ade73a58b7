"""Domain model of social-care: pure, no I/O imports."""
