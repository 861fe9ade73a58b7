"""Make the front door's fakes (front_door_fakes.py) importable by these tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
