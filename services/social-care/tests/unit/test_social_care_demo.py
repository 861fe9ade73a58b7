"""The demo data ``make up`` loads is accepted by social care's own models."""

from __future__ import annotations

import pytest
from hub_contracts.events.common import StatusKind
from hub_service.reference import read_demo_data
from social_care.domain.records import StatusChangeRecord
from social_care.domain.statuses import responsible_authority


@pytest.mark.parametrize(
    ("tenant", "la_code", "person", "kind"),
    [
        ("stockton", "808", "Oliver", StatusKind.CHILD_PROTECTION_PLAN),
        ("hartlepool", "805", "Jack", StatusKind.CHILD_IN_NEED),
    ],
)
def test_demo_records_and_authority_contacts_are_valid(
    tenant: str, la_code: str, person: str, kind: StatusKind
) -> None:
    data = read_demo_data("social_care", tenant)
    [contacts] = data["authority_contacts"]
    assert responsible_authority(contacts, tenant).la_code == la_code
    records = data["records"]
    assert isinstance(records, dict)
    [change] = [StatusChangeRecord.model_validate(r) for r in records["status-changes"]]
    assert (change.child.given_name, change.status_kind, change.change) == (person, kind, "started")
    assert change.child.nhs_number is not None
