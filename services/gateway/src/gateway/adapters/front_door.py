"""The front door's internal API, called as the signed-in user.

Every call carries a fresh short-lived staff token (``hub_service.staff``)
naming the user, their roles and tenants, and ``X-Hub-Purpose``; the front
door enforces tenant and role again and audits the views it serves. Its
refusals come back as the same problem ``reason``; an unreachable or failing
front door is a 502 ``front-door-unavailable``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from hub_service.problems import ProblemError
from hub_service.staff import issue_token

from gateway.domain.users import Principal

log = logging.getLogger("gateway.front_door")
MISSING_ROUTE = "not-found"
"""The front door's reason for a route it does not have (yet)."""
TOTAL_COUNT = "X-Total-Count"
"""The front door's header on a paged list: how many items there are in all."""


@dataclass(frozen=True)
class Page:
    """One page of a paged list of the front door's, and the total it has."""

    items: list[Any]
    total: int


def segment(value: str) -> str:
    """One path segment, escaped (ids come from users)."""
    return quote(value, safe="")


class FrontDoor:
    def __init__(
        self,
        base_url: str,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.transport = transport

    async def call(
        self,
        principal: Principal,
        method: str,
        path: str,
        *,
        purpose: str,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """The JSON answer of ``method path`` as ``principal``; refusals raise ``ProblemError``."""
        response = await self._request(principal, method, path, purpose, json, params)
        return response.json()

    async def page(
        self, principal: Principal, path: str, *, purpose: str, params: dict[str, Any]
    ) -> Page:
        """A page of a paged list (``limit``/``offset`` in ``params``) with its total."""
        response = await self._request(principal, "GET", path, purpose, None, params)
        items = list(response.json())
        total = response.headers.get(TOTAL_COUNT)
        return Page(items, int(total) if total and total.isdigit() else len(items))

    async def _request(
        self,
        principal: Principal,
        method: str,
        path: str,
        purpose: str,
        json: Any,
        params: dict[str, Any] | None,
    ) -> httpx.Response:
        token = issue_token(principal.user_id, principal.roles, principal.tenants)
        headers = {"Authorization": f"Bearer {token}", "X-Hub-Purpose": purpose}
        try:
            async with httpx.AsyncClient(
                base_url=self.base_url, timeout=self.timeout_s, transport=self.transport
            ) as client:
                response = await client.request(
                    method, path, json=json, params=params, headers=headers
                )
        except httpx.HTTPError as exc:
            log.warning("front door unreachable", extra={"error": type(exc).__name__})
            raise ProblemError(
                502, "front-door-unavailable", "the front door did not answer"
            ) from exc
        if response.status_code < 400:
            return response
        try:
            problem = response.json()
            reason, detail = str(problem["reason"]), str(problem.get("detail", ""))
        except (ValueError, KeyError, TypeError):
            reason, detail = "front-door-error", f"front door answered {response.status_code}"
        if response.status_code >= 500 or response.status_code == 401:
            log.warning("front door failed", extra={"status": response.status_code})
            raise ProblemError(502, "front-door-unavailable", f"front door: {reason}")
        raise ProblemError(response.status_code, reason, detail)

    async def optional(self, principal: Principal, path: str, *, purpose: str) -> Any | None:
        """GET a route the front door may not have yet: None when the route is missing."""
        try:
            return await self.call(principal, "GET", path, purpose=purpose)
        except ProblemError as exc:
            if exc.status in (404, 405) and exc.reason in (MISSING_ROUTE, "method-not-allowed"):
                return None
            raise
