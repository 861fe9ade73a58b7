"""Root conftest: every package's tests get the real-infrastructure fixtures.

Tests run the services in development mode (demo agency tokens, the
development internal-token key); the tests of the production checks clear it
themselves.
"""

import os

os.environ.setdefault("HUB_ENV", "development")

pytest_plugins = ["hub_testing.plugin"]
