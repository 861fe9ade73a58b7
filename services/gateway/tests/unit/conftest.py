"""Fakes of the gateway's ports (sessions, sign-in audit, accounts, the front door, the
tenants' databases), and the gateway's real HTTP side on them: no I/O."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from gateway.adapters.sessions import Session
from gateway.domain.users import Principal
from gateway.entrypoints.http import attach
from gateway.service_layer.context import Gateway
from gateway.settings import GatewaySettings
from hub_service.problems import ProblemError, install_problem_handlers
from hub_service.staff import Role

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TENANT, OTHER = "hartlepool", "stockton"
ROLES = {
    "practitioner": Role.PRACTITIONER,
    "manager": Role.MANAGER,
    "liaison": Role.AGENCY_LIAISON,
    "auditor": Role.AUDITOR,
}


class FakeCollection:
    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []

    async def insert_one(self, doc: dict[str, Any]) -> None:
        self.docs.append(doc)


class FakeDatabase:
    def __init__(self) -> None:
        self.collections: dict[str, FakeCollection] = {}

    def __getitem__(self, name: str) -> FakeCollection:
        return self.collections.setdefault(name, FakeCollection())


class FakeRuntime:
    def __init__(self, tenants: tuple[str, ...]) -> None:
        self.settings = SimpleNamespace(tenants=tenants, service_name="gateway")
        self.databases = {t: FakeDatabase() for t in tenants}

    def database(self, tenant: str) -> FakeDatabase:
        return self.databases[tenant]


class FakeClock:
    def now(self) -> datetime:
        return NOW


class FakeSessions:
    def __init__(self) -> None:
        self.by_cookie: dict[str, Session] = {}

    async def get(self, session_id: str, now: datetime) -> Session | None:
        return self.by_cookie.get(session_id)

    async def create(self, principal: Principal, now: datetime) -> Session:
        session = Session(secrets.token_urlsafe(16), principal, secrets.token_urlsafe(16))
        self.by_cookie[session.session_id] = session
        return session

    async def delete(self, session_id: str) -> None:
        self.by_cookie.pop(session_id, None)


class FakeSignIns:
    def __init__(self) -> None:
        self.failures: list[datetime] = []
        self.events: list[str] = []

    async def failures_since(self, username: str, since: datetime) -> list[datetime]:
        return [f for f in self.failures if f > since]

    async def record(
        self, event: str, username: str, at: datetime, user_id: str | None = None
    ) -> None:
        self.events.append(event)


class FakeIdentity:
    async def authenticate(self, username: str, password: str) -> Principal | None:
        return None


class FakeFrontDoor:
    """Answers from ``answers`` by (method, path); a ``ProblemError`` there is raised."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], Any] = {}
        self.calls: list[tuple[str, str, str, str]] = []

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
        self.calls.append((principal.user_id, method, path, purpose))
        answer = self.answers.get((method, path), ProblemError(404, "not-found", "no route"))
        if isinstance(answer, ProblemError):
            raise answer
        return answer

    async def optional(self, principal: Principal, path: str, *, purpose: str) -> Any | None:
        try:
            return await self.call(principal, "GET", path, purpose=purpose)
        except ProblemError as exc:
            if exc.reason == "not-found":
                return None
            raise


@dataclass
class FakeHub:
    """The gateway's HTTP side over fakes, and the fakes to set up and look at."""

    client: TestClient
    gw: Gateway
    front_door: FakeFrontDoor
    sessions: FakeSessions
    sign_ins: FakeSignIns
    runtime: FakeRuntime
    now: datetime = NOW

    def sign_in(self, role: str, tenant: str = TENANT) -> str:
        """Signed in as ``role`` of ``tenant`` (the session cookie set): the CSRF token."""
        principal = Principal(
            user_id=f"u-{tenant}-{role}",
            display_name=f"{role.title()} of {tenant}",
            roles=frozenset({ROLES[role]}),
            tenants=frozenset({tenant}),
        )
        session = Session(secrets.token_urlsafe(16), principal, secrets.token_urlsafe(16))
        self.sessions.by_cookie[session.session_id] = session
        self.client.cookies.set("hub_session", session.session_id)
        return session.csrf_token

    def audit(self, tenant: str = TENANT) -> list[dict[str, Any]]:
        """The user actions audited in ``tenant``'s gateway database."""
        return self.runtime.databases[tenant]["user_actions"].docs


def fake_hub(settings: GatewaySettings | None = None) -> FakeHub:
    runtime = FakeRuntime((TENANT, OTHER))
    front_door, sessions, sign_ins = FakeFrontDoor(), FakeSessions(), FakeSignIns()
    gw = Gateway(
        runtime=runtime,  # type: ignore[arg-type]
        settings=settings or GatewaySettings(dev_http=True),
        clock=FakeClock(),
        front_door=front_door,  # type: ignore[arg-type]
        sessions=sessions,  # type: ignore[arg-type]
        identity=FakeIdentity(),
        sign_ins=sign_ins,  # type: ignore[arg-type]
    )
    app = FastAPI()
    install_problem_handlers(app)
    attach(app, gw)
    client = TestClient(app, base_url="http://testserver")
    return FakeHub(client, gw, front_door, sessions, sign_ins, runtime)


@pytest.fixture
def make_hub() -> Iterator[Callable[..., FakeHub]]:
    """Makes the gateway over fakes, with these settings (closed after the test)."""
    made: list[FakeHub] = []

    def make(settings: GatewaySettings | None = None) -> FakeHub:
        made.append(fake_hub(settings))
        return made[-1]

    yield make
    for found in made:
        found.client.close()


@pytest.fixture
def hub(make_hub: Callable[..., FakeHub]) -> FakeHub:
    """The gateway over fakes, for two tenants (hartlepool and stockton)."""
    return make_hub()
