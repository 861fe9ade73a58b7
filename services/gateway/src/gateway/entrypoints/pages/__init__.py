"""The pages hub staff use, GOV.UK Design System markup rendered from Jinja.

Pages call the same service-layer handlers as the JSON API, so the checks,
field filtering and audit are the same; forms post back with the session's
CSRF token and show GOV.UK error summaries. Each action is authorised before its
form is read, so a refused role sees "You cannot see this", never a validation
message. A page's problems are rendered by the one handler in ``entrypoints.problems``.
"""

from fastapi import APIRouter

from gateway.entrypoints.pages import (
    audit,
    contacts,
    decisions,
    duplicates,
    enquiries,
    home,
    persons,
    sharing,
)

router = APIRouter()
for part in (home, contacts, decisions, audit, enquiries, duplicates, persons, sharing):
    router.include_router(part.router)
