"""Signing in and out: lockout after repeated failures, every attempt audited."""

from __future__ import annotations

import logging

from hub_service.problems import ProblemError

from gateway.adapters.accounts import normalise_username
from gateway.adapters.sessions import Session
from gateway.domain.lockout import locked_until
from gateway.service_layer.context import Gateway

log = logging.getLogger("gateway.auth")
MAX_CREDENTIAL = 200


async def sign_in(gw: Gateway, username: str, password: str) -> Session:
    """A new session for these credentials.

    Refuses with 401 ``sign-in-failed`` (never saying which part was wrong)
    or 429 ``sign-in-locked`` once ``lockout_failures`` attempts failed within
    ``lockout_window`` (even with the right password, until the window moves on).
    """
    name = normalise_username(username)[:MAX_CREDENTIAL]
    now = gw.clock.now()
    s = gw.settings
    failures = await gw.sign_ins.failures_since(name, now - s.lockout_window)
    until = locked_until(failures, now, limit=s.lockout_failures, window=s.lockout_window)
    if until is not None:
        await gw.sign_ins.record("sign-in-refused-locked", name, now)
        raise ProblemError(
            429,
            "sign-in-locked",
            "too many failed sign-ins for this username; try again later",
        )
    principal = None
    if name and password and len(password) <= MAX_CREDENTIAL:
        principal = await gw.identity.authenticate(name, password)
    if principal is None:
        await gw.sign_ins.record("sign-in-failed", name, now)
        if len(failures) + 1 >= s.lockout_failures:
            await gw.sign_ins.record("username-locked", name, now)
            log.warning("username locked after repeated sign-in failures")
        raise ProblemError(401, "sign-in-failed", "the username or password is not right")
    session = await gw.sessions.create(principal, now)
    await gw.sign_ins.record("sign-in-succeeded", name, now, principal.user_id)
    return session


async def sign_out(gw: Gateway, session: Session) -> None:
    await gw.sessions.delete(session.session_id)
    await gw.sign_ins.record(
        "signed-out", session.principal.user_id, gw.clock.now(), session.principal.user_id
    )
