"""The audit of who looked at a child's record: one call, one shape, before it is shown."""

from __future__ import annotations

from datetime import UTC, datetime

from hub_service.staff import StaffUser

from front_door.domain.audit import RecordSeen, RecordView
from front_door.service_layer.unit_of_work import UnitOfWork


async def record_view(
    uow: UnitOfWork,
    user: StaffUser,
    seen: RecordSeen,
    *,
    person_id: str | None,
    contact_id: str | None = None,
    count: int | None = None,
) -> None:
    """Audit one look: who (user and roles), at what, whose record (person, contact), why
    (``X-Hub-Purpose``) and when (wall-clock time, whatever clock the hub's deadlines run on).
    ``count`` is how many records a list showed."""
    await uow.record_views.add(
        RecordView(
            user_id=user.user_id,
            roles=tuple(sorted(user.roles)),
            what=seen.value,
            person_id=person_id,
            contact_id=contact_id,
            purpose=user.purpose,
            viewed_at=datetime.now(UTC),
            count=count,
        )
    )
