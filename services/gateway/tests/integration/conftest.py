"""Fixtures of the gateway's integration tests: a front door and a gateway
running in-process on the real broker and database, demo users, concerns."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from front_door.bootstrap import build_app as build_front_door
from gateway.adapters.accounts import USERS, hash_password
from gateway.bootstrap import build_app as build_gateway
from gateway.settings import GatewaySettings
from hub_contracts.binding import to_kafka
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import (
    Address,
    AgencyReference,
    ChildAsStated,
    ChildConcernRaisedV2,
    Sex,
)
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis
from hub_service import ServiceSettings
from hub_service.staff import Role
from hub_testing.bus import in_app, produce_raw, running_service, wait_for

ROLES = {
    "practitioner": Role.PRACTITIONER,
    "manager": Role.MANAGER,
    "liaison": Role.AGENCY_LIAISON,
    "auditor": Role.AUDITOR,
}


class InProcess(httpx.AsyncBaseTransport):
    """Sends the gateway's front-door calls to a front door running in a TestClient."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        answer = await asyncio.to_thread(
            self.client.request,
            request.method,
            request.url.raw_path.decode(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            content=body,
        )
        headers = {"content-type": answer.headers.get("content-type", "application/json")}
        if "x-total-count" in answer.headers:  # a paged list's total
            headers["x-total-count"] = answer.headers["x-total-count"]
        return httpx.Response(answer.status_code, content=answer.content, headers=headers)


@dataclass
class Hub:
    gateway: TestClient
    front_door: TestClient
    tenant: str
    other: str
    kafka: str

    def serve(self) -> AbstractContextManager[str]:
        """The gateway on a real port: its base URL."""
        return served(self.gateway)

    def sign_in(self, tenant: str, role: str) -> dict[str, str]:
        """Sign in as the tenant's user of ``role``; the CSRF header for later calls."""
        self.gateway.cookies.clear()
        token = self.gateway.get("/api/v1/sign-in").json()["csrf_token"]
        response = self.gateway.post(
            "/api/v1/session",
            json={"username": f"{tenant}-{role}", "password": f"pw-{tenant}-{role}"},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 201, response.text
        return {"X-CSRF-Token": response.json()["csrf_token"]}

    def concern(
        self,
        tenant: str,
        reference: str,
        rag: RagRating = RagRating.RED,
        *,
        given_name: str = "Amelia",
        family_name: str | None = None,
        born: date = date(2016, 3, 1),
        from_school: bool = False,
        address: Address | None = None,
    ) -> None:
        """A concern from the police (or a school) about one child."""
        agency = Agency.EDUCATION if from_school else Agency.POLICE
        event = CloudEvent.new(
            tenant=tenant,
            producer="education" if from_school else "police-feed",
            subject=f"CLV-{reference}",
            payload=ChildConcernRaisedV2(
                agency_reference=AgencyReference(agency=agency, reference=reference),
                referral_source=ReferralSource.SCHOOLS if from_school else ReferralSource.POLICE,
                rag_rating=rag,
                concern_summary="Child present at a domestic incident.",
                child=ChildAsStated(
                    agency_person_id=f"CLV-{reference}",
                    given_name=given_name,
                    family_name=family_name or f"Hart-{reference}",
                    date_of_birth=born,
                    sex=Sex.FEMALE if address else Sex.UNKNOWN,
                    address=address,
                ),
                occurred_at=datetime.now(UTC) - timedelta(hours=1),
            ),
            sharing=SharingBasis(
                lawful_basis=LawfulBasis.PUBLIC_TASK
                if from_school
                else LawfulBasis.LAW_ENFORCEMENT,
                purpose=Purpose.SAFEGUARDING_SCREENING,
            ),
        )
        key, value, headers = to_kafka(event)
        in_app(self.front_door, lambda: produce_raw(self.kafka, event.topic, value, headers, key))

    def front_door_queue(self, tenant: str) -> list[dict[str, Any]]:
        from hub_service.staff import issue_token

        token = issue_token("u-test", {Role.PRACTITIONER}, {tenant})
        answer = self.front_door.get(
            f"/v1/{tenant}/contacts", headers={"Authorization": f"Bearer {token}"}
        )
        items: list[dict[str, Any]] = answer.json()
        return items

    def front_door_contact(self, tenant: str, contact_id: str) -> dict[str, Any]:
        """The contact as the front door holds it (for its person id)."""
        from hub_service.staff import issue_token

        token = issue_token("u-test", {Role.PRACTITIONER}, {tenant})
        answer = self.front_door.get(
            f"/v1/{tenant}/contacts/{contact_id}", headers={"Authorization": f"Bearer {token}"}
        )
        found: dict[str, Any] = answer.json()
        return found

    def wait_for_child(self, tenant: str, family_name_end: str) -> list[dict[str, Any]]:
        """The open contacts whose child's name ends so, once there is one."""

        def arrived() -> list[dict[str, Any]] | None:
            found = [
                c
                for c in self.front_door_queue(tenant)
                if c["child_name"].endswith(family_name_end)
            ]
            return found or None

        return wait_for(arrived, what=f"a contact about *{family_name_end} in {tenant}")

    def wait_for_contacts(self, tenant: str, count: int) -> list[dict[str, Any]]:
        def enough() -> list[dict[str, Any]] | None:
            queue = self.front_door_queue(tenant)
            return queue if len(queue) >= count else None

        return wait_for(enough, what=f"{count} contacts in {tenant}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def served(client: TestClient) -> Iterator[str]:
    """The already started app of ``client`` on a real port (for a browser or a fuzzer),
    served on the app's own event loop, where its MongoDB client lives."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(client.app, host="127.0.0.1", port=port, log_config=None)
    )
    server.config.lifespan = "off"
    portal = client.portal
    assert portal is not None
    serving = portal.start_task_soon(server.serve)
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the app did not start serving"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        serving.result(timeout=15)


@contextmanager
def running_hub(kafka: str, mongo: str, tenant: str, other: str) -> Iterator[Hub]:
    tenants = (tenant, other)
    fd_settings = ServiceSettings.for_service(
        "front-door", kafka_bootstrap=kafka, mongo_uri=mongo, tenants=tenants
    )
    gw_settings = ServiceSettings.for_service(
        "gateway", kafka_bootstrap=kafka, mongo_uri=mongo, tenants=tenants
    )
    with running_service(build_front_door(fd_settings, deadline_check_s=None)) as front_door:
        app = build_gateway(
            gw_settings,
            GatewaySettings(
                dev_http=True,
                session_database=f"{tenant}-sessions",
                front_door_url="http://front-door",
            ),
            front_door_transport=InProcess(front_door),
        )
        with running_service(app) as gateway:
            hub = Hub(gateway, front_door, tenant, other, kafka)

            async def users() -> None:
                runtime = app.state.runtime
                for t in tenants:
                    for name, role in ROLES.items():
                        await runtime.database(t)[USERS].replace_one(
                            {"_id": f"{t}-{name}"},
                            {
                                "_id": f"{t}-{name}",
                                "user_id": f"u-{t}-{name}",
                                "display_name": f"{name.title()} of {t}",
                                "roles": [role.value],
                                "tenants": [t],
                                "password_hash": hash_password(f"pw-{t}-{name}"),
                            },
                            upsert=True,
                        )

            in_app(gateway, users)
            yield hub


@pytest.fixture(scope="module")
def hub(kafka_bootstrap: str, mongo_uri: str) -> Iterator[Hub]:
    """A front door and a gateway for two fresh tenants, with a user of every role in each."""
    suffix = uuid.uuid4().hex[:10]
    with running_hub(kafka_bootstrap, mongo_uri, f"hp{suffix}", f"st{suffix}") as hub:
        yield hub
