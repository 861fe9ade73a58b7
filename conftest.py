"""Root conftest: every package's tests get the real-infrastructure fixtures."""

pytest_plugins = ["hub_testing.plugin"]
