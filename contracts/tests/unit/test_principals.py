"""The principals of a deployment: admin, one per service, one per agency system."""

from __future__ import annotations

import pytest
from hub_contracts.principals import (
    ADMIN,
    AgencySystems,
    Authentication,
    PrincipalKind,
    load_agency_systems,
    principals,
)
from hub_contracts.services import SERVICES
from pydantic import ValidationError


def test_every_service_is_its_own_principal_and_admin_comes_first() -> None:
    found = principals(["hartlepool", "stockton"])
    assert found[0].name == ADMIN
    assert found[0].kind is PrincipalKind.ADMIN
    services = [p for p in found if p.kind is PrincipalKind.SERVICE]
    assert [p.name for p in services] == [s.name for s in SERVICES]
    assert all(p.authentication is Authentication.SCRAM for p in services)
    assert all(p.kafka_name == f"User:{p.name}" for p in found)
    assert len({p.name for p in found}) == len(found)


def test_an_agency_system_keeps_only_the_deployed_tenants_it_serves() -> None:
    stockton_only = {p.name: p for p in principals(["stockton"])}
    assert stockton_only["cleveland-police-records"].tenants == ("stockton",)
    assert "hartlepool-schools-mis" not in stockton_only  # serves no deployed tenant
    both = {p.name: p for p in principals(["hartlepool", "stockton"])}
    police = both["cleveland-police-records"]
    assert police.tenants == ("hartlepool", "stockton")
    assert police.service == "police-feed"
    assert police.authentication is Authentication.X509


def test_the_catalogue_refuses_names_that_clash_or_services_without_inbound_records(
    tmp_path: object,
) -> None:
    with pytest.raises(ValidationError, match="takes agency records"):
        AgencySystems.model_validate(
            {
                "systems": [
                    {
                        "name": "x-system",
                        "service": "gateway",
                        "tenants": ["stockton"],
                        "authentication": "scram",
                    }
                ]
            }
        )
    clash = tmp_path / "systems.yaml"  # type: ignore[operator]
    clash.write_text(
        "version: 1\nsystems:\n"
        "  - {name: front-door, service: police-feed, tenants: [stockton], authentication: scram}\n"
    )
    with pytest.raises(ValueError, match="unique and not a service"):
        load_agency_systems(clash)


def test_every_agency_service_takes_the_record_kinds_the_catalogue_names() -> None:
    """The catalogue's inbound kinds are the services' own record kinds (their inbound topics)."""
    from early_help.service_layer.records import EPISODE_CLOSURES, EPISODES, STEP_UP_REQUESTS
    from education.service_layer.records import ATTENDANCE_CONCERNS, EXCLUSIONS, PUPILS
    from health_feed.service_layer.attendances import FHIR_BUNDLES
    from police_feed.service_layer.incidents import INCIDENTS
    from social_care.service_layer.records import STATUS_CHANGES, STEP_DOWN_REQUESTS

    kinds = {
        "police-feed": (INCIDENTS,),
        "health-feed": (FHIR_BUNDLES,),
        "education": (PUPILS, ATTENDANCE_CONCERNS, EXCLUSIONS),
        "early-help": (EPISODES, EPISODE_CLOSURES, STEP_UP_REQUESTS),
        "social-care": (STATUS_CHANGES, STEP_DOWN_REQUESTS),
    }
    for service in SERVICES:
        assert service.inbound_kinds == tuple(k.name for k in kinds.get(service.name, ()))
