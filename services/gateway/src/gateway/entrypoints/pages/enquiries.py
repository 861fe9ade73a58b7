"""The enquiry status board: open contacts and each agency's answer (agency liaisons'
way in; no child details)."""

from __future__ import annotations

from fastapi.responses import HTMLResponse

from gateway.entrypoints.deps import TenantPageDep
from gateway.entrypoints.rendering import page_router
from gateway.service_layer import contacts

router = page_router()


@router.get("/{tenant}/enquiries")
async def enquiries(page: TenantPageDep) -> HTMLResponse:
    rows = await contacts.enquiry_board(page.user)
    return page.render("enquiries.html", rows=rows)
