"""The one handler of ``ProblemError`` (registered in ``entrypoints.http``).

On a page route (``rendering.PageRoute``) a problem is a page: 401 ``unauthenticated``
sends the browser to sign in (and back afterwards), anything else renders
``error.html`` with the problem's status and detail, for whoever is signed in.
Everywhere else (the JSON API) it stays an RFC 9457 problem, as the service kit answers.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from hub_service.problems import ProblemError, problem_response

from gateway.entrypoints.deps import templates_of
from gateway.entrypoints.rendering import Page, PageRoute

TITLES = {
    403: "You cannot see this",
    404: "Page not found",
    409: "This has already been done",
    502: "Sorry, there is a problem with the service",
}
"""The error page's heading per status; any other status is "There is a problem"."""


def sign_in_redirect(request: Request) -> RedirectResponse:
    """To the sign-in page, coming back to this page once signed in."""
    return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)


async def problem_answer(request: Request, exc: ProblemError) -> Response:
    """A problem as a page on page routes; as problem details (JSON) elsewhere."""
    if not isinstance(request.scope.get("route"), PageRoute):
        return problem_response(exc.status, exc.reason, exc.detail, title=exc.title)
    if exc.status == 401 and exc.reason == "unauthenticated":
        return sign_in_redirect(request)
    page = Page(request, getattr(request.state, "session", None), templates_of(request))
    title = TITLES.get(exc.status, "There is a problem")
    return page.render("error.html", exc.status, title=title, detail=exc.detail)
