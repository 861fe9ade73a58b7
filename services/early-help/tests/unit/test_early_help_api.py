"""Early help's HTTP API as its bootstrap builds it (nothing started: no Kafka, no MongoDB)."""

from __future__ import annotations

from early_help.bootstrap import SERVICE, build_app
from hub_service.settings import ServiceSettings


def test_episodes_are_listed_once_with_their_current_state() -> None:
    app = build_app(ServiceSettings.for_service(SERVICE, environment="development"))
    paths = app.openapi()["paths"]

    def summary(method: str, path: str) -> str:
        return str(paths[path][method]["summary"])

    # the kit's plain list of accepted episode records is not built: early help's is the one
    assert summary("get", "/v1/{tenant}/episodes") == (
        "Episodes with their current state, newest first"
    )
    assert "status" in {p["name"] for p in paths["/v1/{tenant}/episodes"]["get"]["parameters"]}
    assert summary("post", "/v1/{tenant}/episodes") == "Open an early help episode"
    assert summary("get", "/v1/{tenant}/episodes/{record_id}") == "One episode as accepted"
    # the other record kinds keep the kit's list
    assert summary("get", "/v1/{tenant}/episode-closures") == "Latest episode-closures accepted"
