"""Machine-readable errors for every HTTP API of the hub (RFC 9457 problem details).

Every refusal answers ``application/problem+json`` with a stable ``reason``
code a client can branch on, a human ``detail``, and for invalid bodies the
field ``errors``; nothing is refused with a bare status.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 256 * 1024
"""Largest request body accepted (the same bound as an event on the bus)."""


class FieldError(BaseModel):
    """One invalid field of a request."""

    loc: list[str | int] = Field(
        description="Where the field is, e.g. ['body', 'child', 'nhs_number']."
    )
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="Pydantic's error type, e.g. 'value_error'.")


class Problem(BaseModel):
    """An error response (RFC 9457) with a machine-readable ``reason``."""

    type: str = Field(description="URN of the problem type: ``urn:childrenshub:problem:<reason>``.")
    title: str = Field(description="Short human summary of the problem type.")
    status: int = Field(description="HTTP status code.")
    reason: str = Field(description="Stable machine-readable reason code, e.g. 'unknown-school'.")
    detail: str = Field(description="What went wrong with this request, without personal data.")
    errors: list[FieldError] = Field(default_factory=list, description="Invalid fields, if any.")


class ProblemError(Exception):
    """Raise from a route (or a service layer called by one) to answer a problem."""

    def __init__(self, status: int, reason: str, detail: str, title: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.status = status
        self.reason = reason
        self.detail = detail
        self.title = title or reason.replace("-", " ").capitalize()


def problem_response(
    status: int,
    reason: str,
    detail: str,
    *,
    title: str | None = None,
    errors: list[FieldError] | None = None,
) -> JSONResponse:
    body = Problem(
        type=f"urn:childrenshub:problem:{reason}",
        title=title or reason.replace("-", " ").capitalize(),
        status=status,
        reason=reason,
        detail=detail,
        errors=errors or [],
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status, media_type=PROBLEM_JSON)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting problem answers for a route."""
    return {s: {"model": Problem, "description": "Refused; see `reason`."} for s in statuses}


def validation_errors(errors: Any) -> list[FieldError]:
    """Pydantic errors as field errors, without echoing the submitted values."""
    return [
        FieldError(
            loc=[str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
            msg=str(e.get("msg", "invalid")),
            type=str(e.get("type", "value_error")),
        )
        for e in errors
    ]


def install_problem_handlers(app: FastAPI) -> None:
    """Answer validation errors, HTTP errors and ``ProblemError`` as problem details."""

    @app.exception_handler(ProblemError)
    async def on_problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc.status, exc.reason, exc.detail, title=exc.title)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc.errors())
        first = errors[0] if errors else None
        detail = (
            f"{'.'.join(map(str, first.loc))}: {first.msg}" if first else "request is not valid"
        )
        return problem_response(422, "invalid-request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.detail, dict) and "error" in exc.detail:
            return problem_response(
                exc.status_code, str(exc.detail["error"]), str(exc.detail.get("reason", ""))
            )
        reason = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem_response(exc.status_code, reason, str(exc.detail))

    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` with 413 before reading them whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413, "body-too-large", f"request bodies are limited to {self.max_bytes} bytes"
        )
        await response(scope, receive, send)


class _BodyTooLarge(Exception):
    pass
