"""Domain model of education: pure, no I/O imports."""
