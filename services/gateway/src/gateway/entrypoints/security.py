"""Sessions, CSRF and security headers for the pages and the JSON API.

CSRF: a synchroniser token. Each session holds a random token; every
state-changing request (form POST or JSON call) must send it back, as the
``csrf_token`` form field or the ``X-CSRF-Token`` header, and it is compared
in constant time. Before sign-in there is no session, so the sign-in form
uses a double-submit token: a random ``hub_signin_csrf`` cookie (SameSite=Strict)
that the form (or ``X-CSRF-Token``) must repeat. Session cookies are HttpOnly,
SameSite=Lax and Secure (``__Host-`` prefixed) unless ``HUB_GATEWAY_DEV_HTTP``.
The dependencies that check them are in ``entrypoints.deps``.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from fastapi import Request, Response
from hub_service.problems import ProblemError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.adapters.sessions import Session
from gateway.service_layer.context import Gateway

SIGNIN_CSRF_COOKIE = "hub_signin_csrf"
CSRF_HEADER = "X-CSRF-Token"
MAX_FORM_BYTES = 64 * 1024


def session_cookie_name(gw: Gateway) -> str:
    return "__Host-hub_session" if gw.settings.cookie_secure else "hub_session"


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Whether ``given`` is the expected token (compared in constant time)."""
    if not expected or not given:
        return False
    return secrets.compare_digest(expected.encode(), given.encode())


def safe_next(value: str | None) -> str:
    """Where to go after signing in: only a path on this site (no ``//host`` or scheme),
    so the sign-in form is no open redirect."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


def set_session_cookie(response: Response, gw: Gateway, session: Session) -> None:
    response.set_cookie(
        session_cookie_name(gw),
        session.session_id,
        max_age=int(gw.settings.session_absolute.total_seconds()),
        path="/",
        secure=gw.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    response.delete_cookie(SIGNIN_CSRF_COOKIE, path="/")


def clear_session_cookie(response: Response, gw: Gateway) -> None:
    response.delete_cookie(
        session_cookie_name(gw),
        path="/",
        secure=gw.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def signin_csrf(request: Request) -> str:
    """The pre-session double-submit token (the cookie's, or a new one)."""
    existing = request.cookies.get(SIGNIN_CSRF_COOKIE)
    return existing if existing and 20 <= len(existing) <= 100 else secrets.token_urlsafe(32)


def set_signin_csrf(response: Response, gw: Gateway, token: str) -> None:
    response.set_cookie(
        SIGNIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/",
        secure=gw.settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


async def form_fields(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as field -> first value."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise ProblemError(415, "unsupported-media-type", "send a form")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ProblemError(413, "body-too-large", "form too large")
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeaders:
    """Headers on every answer: a strict CSP for pages (not FastAPI's docs), no
    framing, no sniffing, and ``no-store`` on everything that is not a static file."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        static = path.startswith(("/assets/", "/static/"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                add = {
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"x-frame-options": b"DENY",
                }
                if not path.startswith(DOCS_PATHS):
                    add[b"content-security-policy"] = CSP.encode()
                if not static:
                    add[b"cache-control"] = b"no-store"
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in add.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
