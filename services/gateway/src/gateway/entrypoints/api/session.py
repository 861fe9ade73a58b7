"""Signing in and out through the JSON API, and who is signed in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from hub_service.problems import ProblemError, problem_responses
from pydantic import BaseModel, ConfigDict, Field

from gateway.domain.users import UserPublic
from gateway.entrypoints.deps import CsrfSession, GatewayDep, SessionDep
from gateway.entrypoints.security import (
    CSRF_HEADER,
    SIGNIN_CSRF_COOKIE,
    clear_session_cookie,
    set_session_cookie,
    set_signin_csrf,
    signin_csrf,
    tokens_match,
)
from gateway.service_layer import auth

router = APIRouter(tags=["session"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=200, description="Your username.")
    password: str = Field(min_length=1, max_length=200, description="Your password.")


class SignInToken(BaseModel):
    csrf_token: str = Field(description=f"Send as `{CSRF_HEADER}` with `POST /api/v1/session`.")


@router.get("/sign-in", summary="A CSRF token for signing in")
async def sign_in_token(request: Request, gw: GatewayDep) -> JSONResponse:
    token = signin_csrf(request)
    response = JSONResponse(SignInToken(csrf_token=token).model_dump())
    set_signin_csrf(response, gw, token)
    return response


@router.post(
    "/session",
    summary="Sign in (local account); sets the session cookie",
    status_code=201,
    response_model=UserPublic,
    responses=problem_responses(401, 403, 422, 429),
)
async def sign_in(
    request: Request,
    gw: GatewayDep,
    credentials: Credentials,
    x_csrf_token: Annotated[str | None, Header(description="From `GET /sign-in`.")] = None,
) -> JSONResponse:
    if not tokens_match(request.cookies.get(SIGNIN_CSRF_COOKIE), x_csrf_token):
        raise ProblemError(403, "csrf-token-invalid", "get a token from GET /api/v1/sign-in")
    session = await auth.sign_in(gw, credentials.username, credentials.password)
    body = UserPublic.of(session.principal, session.csrf_token).model_dump(mode="json")
    response = JSONResponse(body, status_code=201)
    set_session_cookie(response, gw, session)
    return response


@router.get(
    "/session",
    summary="Who is signed in, with the session's CSRF token",
    response_model=UserPublic,
    responses=problem_responses(401),
)
async def whoami(session: SessionDep) -> UserPublic:
    return UserPublic.of(session.principal, session.csrf_token)


@router.delete(
    "/session",
    summary="Sign out",
    status_code=204,
    responses=problem_responses(401, 403),
)
async def sign_out(gw: GatewayDep, session: CsrfSession) -> Response:
    await auth.sign_out(gw, session)
    response = Response(status_code=204)
    clear_session_cookie(response, gw)
    return response
