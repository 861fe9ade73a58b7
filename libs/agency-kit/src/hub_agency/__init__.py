"""What every agency service shares (police, health, education, early help, social care).

- ``ingest``: the agency's own records in, over HTTP or an inbound Kafka topic,
  idempotent on the agency's record id, with machine-readable refusals;
- ``enquiries``: the hub's enquiries answered from the agency's records;
- ``inbox``: what the hub sent the agency, readable by the agency;
- ``people``: finding a child in the agency's records;
- ``clients``: agency system principals and their tenants;
- ``basis``: the lawful basis each agency publishes under.
"""

from hub_agency.basis import agency_basis
from hub_agency.clients import Principal, authenticated, demo_token
from hub_agency.enquiries import EnquiryAnswering, EnquiryAsSeen, NotSharedDecision
from hub_agency.inbox import INBOX, inbox_document, inbox_router, keep_in_inbox
from hub_agency.ingest import AgencyRecord, IngestContext, RecordIngest, RecordKind, Rejected
from hub_agency.people import ChildAsSeen, ensure_child_indexes, find_child, remember_child

__all__ = [
    "INBOX",
    "AgencyRecord",
    "ChildAsSeen",
    "EnquiryAnswering",
    "EnquiryAsSeen",
    "IngestContext",
    "NotSharedDecision",
    "Principal",
    "RecordIngest",
    "RecordKind",
    "Rejected",
    "agency_basis",
    "authenticated",
    "demo_token",
    "ensure_child_indexes",
    "find_child",
    "inbox_document",
    "inbox_router",
    "keep_in_inbox",
    "remember_child",
]
