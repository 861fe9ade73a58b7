"""health-feed's MongoDB collections (one database per tenant) and their indexes."""

from __future__ import annotations

from hub_agency.inbox import INBOX
from hub_agency.people import CHILDREN, ensure_child_indexes
from hub_service.app import Database
from pymongo import DESCENDING

ATTENDANCES = "attendances"
"""One document per accepted bundle: setting, arrival, ODS code, safeguarding flag yes/no."""
CP_IS_FLAGS = "cp_is_flags"
"""One document per NHS number: CP-IS statuses and the latest 25 accesses."""
UNMATCHED_STATUS_CHANGES = "unmatched_status_changes"
"""Status changes that came without an NHS number: kept, never dropped."""
STATUS_CHANGE_COUNTS = "status_change_counts"
"""Counts of status changes received, by status kind and what was done with them."""

COLLECTIONS = (
    ATTENDANCES,
    CP_IS_FLAGS,
    UNMATCHED_STATUS_CHANGES,
    STATUS_CHANGE_COUNTS,
    CHILDREN,
    INBOX,
)


async def ensure_indexes(db: Database) -> None:
    """Indexes the routes and the enquiry search rely on."""
    await ensure_child_indexes(db)
    await db[ATTENDANCES].create_index([("nhs_number", 1), ("arrived_at", DESCENDING)])
    await db[ATTENDANCES].create_index([("person_id", 1), ("arrived_at", DESCENDING)])
    await db[UNMATCHED_STATUS_CHANGES].create_index([("received_at", DESCENDING)])
