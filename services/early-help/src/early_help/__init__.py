"""The Early help service (early-help)."""
