"""Concern intake as a batch handler, on the real database: a run of concerns links,
makes contacts, candidates, facts and events exactly as one concern at a time would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from front_door.adapters.facts import FACTS, ensure_fact_indexes
from front_door.adapters.persons import PERSONS, ensure_person_indexes
from front_door.service_layer import view
from front_door.service_layer.intake import CONTACTS, concerns_handler
from front_door.service_layer.persons import CANDIDATES, ensure_candidate_indexes
from hub_contracts.binding import from_kafka
from hub_contracts.codes import Agency, RagRating, ReferralSource
from hub_contracts.envelope import CloudEvent
from hub_contracts.events import (
    Address,
    AgencyReference,
    ChildAsStated,
    ChildConcernRaisedV2,
    Sex,
)
from hub_contracts.policy import load_policy
from hub_contracts.sharing import LawfulBasis, Purpose, SharingBasis, SpecialCategoryCondition
from hub_messaging.consumer import EventConsumer
from hub_messaging.outbox import OUTBOX, current_trace_context, decode_records, event_record
from hub_service.clock import FixedClock
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.integration
TUESDAY_9AM = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HOME = Address(lines=("12 Marine Drive",), town="Hartlepool", postcode="TS24 7AB")
BORN = date(2016, 3, 1)
NHS_A, NHS_B = "9434765919", "9434765870"
PRODUCER = {
    Agency.POLICE: "police-feed",
    Agency.EDUCATION: "education",
    Agency.HEALTH: "health-feed",
}
Document = dict[str, Any]


@dataclass(frozen=True)
class Child:
    """A concern's child: which agency states it, with what id, name and NHS number."""

    agency: Agency
    ref: str
    given: str
    family: str = "Hart"
    nhs: str | None = None
    born: date = BORN
    sex: Sex = Sex.FEMALE


def _concern(tenant: str, child: Child, reference: str, provider: TracerProvider) -> CloudEvent:
    """A concern published inside its own (agency) trace."""
    police = child.agency is Agency.POLICE
    event = CloudEvent.new(
        tenant=tenant,
        producer=PRODUCER[child.agency],
        subject=child.ref,
        payload=ChildConcernRaisedV2(
            agency_reference=AgencyReference(agency=child.agency, reference=reference),
            referral_source=ReferralSource.POLICE if police else ReferralSource.SCHOOLS,
            rag_rating=RagRating.AMBER,
            concern_summary="Child present at a domestic incident.",
            child=ChildAsStated(
                agency_person_id=child.ref,
                given_name=child.given,
                family_name=child.family,
                date_of_birth=child.born,
                sex=child.sex,
                nhs_number=child.nhs,
                address=HOME,
            ),
            occurred_at=TUESDAY_9AM - timedelta(hours=2),
        ),
        sharing=SharingBasis(
            lawful_basis=LawfulBasis.LAW_ENFORCEMENT if police else LawfulBasis.PUBLIC_TASK,
            purpose=Purpose.SAFEGUARDING_SCREENING,
            special_category_condition=None
            if police
            else SpecialCategoryCondition.SAFEGUARDING_CHILDREN,
        ),
    )
    with provider.get_tracer("agency").start_as_current_span("POST /records"):
        return event.model_copy(update=current_trace_context())


def _records(events: Sequence[CloudEvent], first: int) -> list[ConsumerRecord[bytes, bytes]]:
    records = []
    for offset, event in enumerate(events, start=first):
        record = event_record(event.topic, event)
        records.append(
            ConsumerRecord(
                record.topic,
                0,
                offset,
                0,
                0,
                record.key,
                record.value,
                None,
                len(record.key),
                len(record.value),
                record.headers,
            )
        )
    return records


class Intake:
    """The front door's concern intake (the batch handler and the view's facts) on one tenant."""

    def __init__(self, mongo: AsyncMongoClient[Document], tenant: str) -> None:
        self.tenant = tenant
        self.db = mongo[f"{tenant}__front_door"]
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        handler = concerns_handler(
            FixedClock(TUESDAY_9AM), self.provider, on_contacts=[view.record_concern_facts]
        )
        self.consumer = EventConsumer(
            mongo=mongo,
            recipient="front-door",
            tenants=[tenant],
            policy=load_policy(),
            batch_handlers={ChildConcernRaisedV2.event_name: handler},
            database=lambda _: self.db,
            tracer_provider=self.provider,
        )
        self.offset = 0

    async def prepare(self) -> None:
        await self.consumer.prepare([CONTACTS, PERSONS, CANDIDATES, FACTS])
        await ensure_person_indexes(self.db)
        await ensure_candidate_indexes(self.db)
        await ensure_fact_indexes(self.db)

    async def batch(self, *concerns: tuple[Child, str]) -> list[CloudEvent]:
        """One batch of concerns (child, reference); returns the events as sent."""
        events = [_concern(self.tenant, c, ref, self.provider) for c, ref in concerns]
        await self.consumer.process_batch(_records(events, self.offset))
        self.offset += len(events)
        return events

    async def contacts(self) -> dict[str, Document]:
        """Contacts by their origin reference."""
        return {c["origin_reference"]: c async for c in self.db[CONTACTS].find()}

    async def persons(self) -> dict[str, Document]:
        return {p["_id"]: p async for p in self.db[PERSONS].find()}

    async def received(self) -> list[CloudEvent]:
        """The contact-received events in the outbox, in publication order."""
        events = []
        async for row in self.db[OUTBOX].find().sort("seq", 1):
            for record in decode_records(row):
                if record.topic.endswith(".contact-received.v1"):
                    events.append(from_kafka(record.value, record.headers))
        return events


@pytest.fixture
async def mongo(mongo_uri: str) -> AsyncIterator[AsyncMongoClient[Document]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongo_uri)
    yield client
    await client.close()


async def test_two_concerns_about_one_new_child_in_a_batch_make_one_person_and_two_contacts(
    mongo: AsyncMongoClient[Document], unique_name: str
) -> None:
    intake = Intake(mongo, unique_name)
    await intake.prepare()
    amelia = Child(Agency.POLICE, "CLV-P-1", "Amelia", nhs=NHS_A)
    at_school = Child(Agency.EDUCATION, "EDU-1", "Amelia", nhs=NHS_A)
    no_number = Child(Agency.POLICE, "CLV-P-1", "Amelia")
    sent = await intake.batch(
        (amelia, "INC-1"), (amelia, "INC-2"), (at_school, "EDU-C-1"), (no_number, "INC-3")
    )

    contacts = await intake.contacts()
    persons = await intake.persons()
    assert len(contacts) == 4
    [person] = persons.values()
    assert {c["person_id"] for c in contacts.values()} == {person["_id"]}
    assert [contacts[r]["linked_by"] for r in ("INC-1", "INC-2", "EDU-C-1", "INC-3")] == [
        "new",
        "nhs-number",
        "nhs-number",
        "agency-id",
    ]
    assert person["nhs_number"] == NHS_A
    assert person["identifiers"] == [
        {"agency": "police", "id": "CLV-P-1"},
        {"agency": "education", "id": "EDU-1"},
    ]
    assert await intake.db[CANDIDATES].count_documents({}) == 0

    # each contact's concern is a fact of the person, with the concern's provenance
    facts = await intake.db[FACTS].find().to_list()
    assert sorted(f["contact_id"] for f in facts) == sorted(c["_id"] for c in contacts.values())
    assert {f["person_id"] for f in facts} == {person["_id"]}
    assert {f["agency"] for f in facts} == {"police", "education"}

    # one contact-received per concern, in order, each continuing its concern's trace
    received = await intake.received()
    by_event = {c["origin_event_id"]: c for c in contacts.values()}
    assert [e.data["origin_event_id"] for e in received] == [e.id for e in sent]
    for event, concern in zip(received, sent, strict=True):
        contact = by_event[concern.id]
        assert event.subject == person["_id"]
        assert event.data["contact_id"] == contact["_id"]
        assert event.traceparent == contact["trace_context"]["traceparent"]
        assert concern.traceparent is not None
        assert event.traceparent.split("-")[1] == concern.traceparent.split("-")[1]
    handled = [
        s for s in intake.exporter.get_finished_spans() if s.name == "handle child-concern-raised"
    ]
    assert len(handled) >= 4
    contact_spans = {c["trace_context"]["traceparent"].split("-")[2] for c in contacts.values()}
    assert len(contact_spans) == 4  # one span per concern, not one per batch


async def test_a_mixed_batch_links_known_new_and_agency_id_children(
    mongo: AsyncMongoClient[Document], unique_name: str
) -> None:
    intake = Intake(mongo, unique_name)
    await intake.prepare()
    katherine = Child(Agency.POLICE, "CLV-P-7", "Katherine", nhs=NHS_B)
    oliver = Child(Agency.EDUCATION, "EDU-9", "Oliver", family="Reed", sex=Sex.MALE)
    await intake.batch((katherine, "INC-0"), (oliver, "EDU-C-0"))
    before = await intake.contacts()
    katherine_id, oliver_id = before["INC-0"]["person_id"], before["EDU-C-0"]["person_id"]

    await intake.batch(
        # known by NHS number, stated by another agency under its own id
        (Child(Agency.HEALTH, "RVW-7", "Katherine", nhs=NHS_B), "AE-1"),
        # new: no NHS number, an id nobody holds, but a nickname of a known child
        (Child(Agency.EDUCATION, "EDU-KT", "Katie"), "EDU-C-1"),
        # known by the agency's own id alone
        (Child(Agency.EDUCATION, "EDU-9", "Olly", family="Reed", sex=Sex.MALE), "EDU-C-2"),
        # new and unlike anyone
        (Child(Agency.POLICE, "CLV-P-8", "Isla", family="Shaw", born=date(2019, 7, 2)), "INC-1"),
        # the same new child again, by the id the batch has just given her
        (Child(Agency.POLICE, "CLV-P-8", "Isla", family="Shaw", born=date(2019, 7, 2)), "INC-2"),
    )

    contacts = await intake.contacts()
    persons = await intake.persons()
    linked = {r: (c["person_id"], c["linked_by"]) for r, c in contacts.items()}
    assert linked["AE-1"] == (katherine_id, "nhs-number")
    assert linked["EDU-C-2"] == (oliver_id, "agency-id")
    katie_id, new = linked["EDU-C-1"]
    assert new == "new"
    assert katie_id not in (katherine_id, oliver_id)
    isla_id, new = linked["INC-1"]
    assert new == "new"
    assert linked["INC-2"] == (isla_id, "agency-id")
    assert len(persons) == 4
    assert {"agency": "health", "id": "RVW-7"} in persons[katherine_id]["identifiers"]
    assert persons[oliver_id]["identifiers"] == [{"agency": "education", "id": "EDU-9"}]

    # Katie may be Katherine: suggested for a person to decide, never merged
    [candidate] = await intake.db[CANDIDATES].find().to_list()
    assert (candidate["new_person_id"], candidate["existing_person_id"]) == (
        katie_id,
        katherine_id,
    )
    assert candidate["evidence"]["given_name"] == "nickname"
    assert candidate["status"] == "open"
    assert candidate["suggested_at"].replace(tzinfo=UTC) == TUESDAY_9AM
    facts = await intake.db[FACTS].find().to_list()
    assert {f["contact_id"]: f["person_id"] for f in facts} == {
        c["_id"]: c["person_id"] for c in contacts.values()
    }


# --- one batch is one concern at a time ------------------------------------------------

SEQUENCE: list[tuple[Child, str]] = [
    (Child(Agency.POLICE, "CLV-P-1", "Katherine"), "R01"),
    (Child(Agency.HEALTH, "RVW-2", "Kathryn", nhs=NHS_B), "R02"),  # Katherine has no number yet
    (Child(Agency.POLICE, "CLV-P-1", "Katherine", nhs=NHS_A), "R03"),  # now she has
    (Child(Agency.HEALTH, "RVW-1", "Katherine", nhs=NHS_A), "R04"),  # and is found by it
    (Child(Agency.HEALTH, "RVW-5", "Kathryn", nhs=NHS_B), "R05"),  # found by hers
    (Child(Agency.EDUCATION, "EDU-2", "Katie"), "R06"),  # a nickname of both
    (Child(Agency.EDUCATION, "EDU-3", "Emily"), "R07"),  # their twin
    (Child(Agency.EDUCATION, "EDU-2", "Katie"), "R08"),
    (Child(Agency.POLICE, "CLV-P-5", "William", family="Reed", sex=Sex.MALE), "R09"),
    (Child(Agency.EDUCATION, "EDU-6", "Bill", family="Reed", sex=Sex.MALE), "R10"),
    (Child(Agency.POLICE, "CLV-P-5", "William", family="Reed", sex=Sex.MALE), "R11"),
]


async def _outcome(intake: Intake) -> dict[str, Any]:
    """What intake made, with hub ids replaced by the references that made them."""
    contacts = await intake.contacts()
    persons = await intake.persons()
    first: dict[str, str] = {}
    for ref in sorted(contacts):
        first.setdefault(contacts[ref]["person_id"], ref)
    candidates = await intake.db[CANDIDATES].find().to_list()
    facts = await intake.db[FACTS].find().to_list()
    return {
        "contacts": {r: (first[c["person_id"]], c["linked_by"]) for r, c in contacts.items()},
        "persons": {
            first[p]: (
                doc["identifiers"],
                doc.get("nhs_number"),
                doc["given_name"],
                doc["match_keys"],
            )
            for p, doc in persons.items()
        },
        "candidates": sorted(
            (
                first[c["new_person_id"]],
                first[c["existing_person_id"]],
                c["score"],
                sorted(c["evidence"].items()),
            )
            for c in candidates
        ),
        "facts": sorted((first[f["person_id"]], f["agency"], f["kind"]) for f in facts),
        "received": [first[e.subject] for e in await intake.received()],
    }


async def test_one_batch_makes_what_one_concern_at_a_time_makes(
    mongo: AsyncMongoClient[Document], unique_name: str
) -> None:
    one_by_one = Intake(mongo, unique_name)
    batched = Intake(mongo, f"{unique_name}b")
    await one_by_one.prepare()
    await batched.prepare()
    for concern in SEQUENCE:
        await one_by_one.batch(concern)
    await batched.batch(*SEQUENCE)

    expected = await _outcome(one_by_one)
    assert await _outcome(batched) == expected
    # and the sequence exercised what it should: links learnt within the batch ...
    assert expected["contacts"]["R03"] == ("R01", "agency-id")
    assert expected["contacts"]["R04"] == ("R01", "nhs-number")  # the number R03 stated
    assert expected["contacts"]["R05"] == ("R02", "nhs-number")
    assert expected["contacts"]["R08"] == ("R06", "agency-id")
    assert len(expected["persons"]) == 6
    # ... and candidates as each new person was then: Kathryn (R02) came while Katherine
    # had no NHS number, so they were a pair; Katie pairs with both; the twin with nobody
    assert [(new, old) for new, old, _, _ in expected["candidates"]] == [
        ("R02", "R01"),
        ("R06", "R01"),
        ("R06", "R02"),
        ("R10", "R09"),
    ]
