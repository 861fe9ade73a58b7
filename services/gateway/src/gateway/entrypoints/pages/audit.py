"""Who looked at this child (hub manager, auditor): the gateway's audit of user
actions on the child's records, and the front door's access log."""

from __future__ import annotations

from fastapi.responses import HTMLResponse
from hub_service.problems import ProblemError

from gateway.entrypoints.deps import TenantPageDep
from gateway.entrypoints.rendering import page_router
from gateway.service_layer import contacts

router = page_router()


@router.get("/{tenant}/audit")
async def audit(page: TenantPageDep, contact_id: str = "") -> HTMLResponse:
    contact_id = contact_id.strip()[:100]
    if not contact_id:
        raise ProblemError(404, "not-found", "enter a contact id on the start page")
    found = await contacts.access_audit(page.user, contact_id)
    front_door = found["front_door"]
    if isinstance(front_door, dict):
        front_door = front_door.get("views") or front_door.get("entries")
    return page.render(
        "audit.html",
        contact_id=contact_id,
        entries=found["gateway"],
        front_door=front_door or [],
    )
