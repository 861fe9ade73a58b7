"""The one alias for a MongoDB document as the hub's code reads and writes it.

Pure (no driver import), so domain code may name it too.
"""

from __future__ import annotations

from typing import Any, TypeAlias

Document: TypeAlias = dict[str, Any]
"""A MongoDB document: field name -> BSON-compatible value."""
