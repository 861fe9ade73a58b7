"""The JSON API under ``/api/v1``: the same handlers the pages use.

Sign in with ``GET /api/v1/sign-in`` (a pre-session CSRF token and cookie),
then ``POST /api/v1/session``; afterwards every state-changing call sends the
session's ``X-CSRF-Token``. Errors are RFC 9457 problems with a ``reason``.
"""

from fastapi import APIRouter

from gateway.entrypoints.api import contacts, duplicates, session, sharing, status

router = APIRouter(prefix="/api/v1")
for part in (status, session, contacts, duplicates, sharing):
    router.include_router(part.router)
