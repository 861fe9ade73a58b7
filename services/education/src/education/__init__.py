"""The Education and SEND service (education)."""
