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
from front_door.domain.identity import PersonDetails, score_pair
from front_door.service_layer import persons as person_index
from front_door.service_layer import view
from front_door.service_layer.intake import CONTACTS, concerns_handler
from front_door.service_layer.persons import (
    CANDIDATES,
    DEFAULT_LIMITS,
    CandidateLimits,
    ensure_candidate_indexes,
)
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
from hub_messaging.consumer import Delivery, EventConsumer, HandlerContext
from hub_messaging.documents import Document
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

    def __init__(
        self,
        mongo: AsyncMongoClient[Document],
        tenant: str,
        limits: CandidateLimits = DEFAULT_LIMITS,
    ) -> None:
        self.tenant = tenant
        self.mongo = mongo
        self.db = mongo[f"{tenant}__front_door"]
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.handler = handler = concerns_handler(
            FixedClock(TUESDAY_9AM),
            self.provider,
            on_contacts=[view.record_concern_facts],
            limits=limits,
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


# --- bounded, however alike the children -----------------------------------------------

TWINS_OF_NAME = ("Thompson", "Thomson", "Tompson", "Thomsen", "Thompsen", "Tomson", "Thomason")


def _alike(prefix: str, count: int, born: date = date(2017, 5, 14)) -> list[tuple[Child, str]]:
    """Children sharing given name, date of birth and sex, surnames a few letters apart."""
    return [
        (
            Child(
                Agency.POLICE,
                f"{prefix}-P-{i}",
                "Olivia",
                family=TWINS_OF_NAME[i % len(TWINS_OF_NAME)],
                born=born,
            ),
            f"{prefix}-{i}",
        )
        for i in range(count)
    ]


async def _open_per_new_person(intake: Intake) -> dict[str, int]:
    counts: dict[str, int] = {}
    async for c in intake.db[CANDIDATES].find({"status": "open"}):
        counts[c["new_person_id"]] = counts.get(c["new_person_id"], 0) + 1
    return counts


async def test_a_batch_of_alike_children_writes_no_more_than_the_transactions_cap(
    mongo: AsyncMongoClient[Document], unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    intake = Intake(mongo, unique_name, CandidateLimits(per_person=3, per_transaction=10))
    await intake.prepare()
    caplog.set_level("INFO", logger="front_door.persons")
    await intake.batch(*_alike("BURST", 8))

    contacts = await intake.contacts()
    assert len(contacts) == 8
    assert {c["linked_by"] for c in contacts.values()} == {"new"}
    # unbounded: 0+1+2+...+7 = 28 pairs; at most 3 each: 0+1+2+3x5 = 18; the cap keeps 10
    per_person = await _open_per_new_person(intake)
    assert sum(per_person.values()) == 10
    assert max(per_person.values()) <= 3
    # every new person keeps its best one before any keeps a second: 7 firsts, 3 seconds
    assert sorted(per_person.values()) == [1, 1, 1, 1, 2, 2, 2]
    persons = await intake.persons()
    order = [contacts[f"BURST-{i}"]["person_id"] for i in range(8)]
    details = [PersonDetails.from_document(persons[p]) for p in order]
    async for c in intake.db[CANDIDATES].find():
        i = order.index(c["new_person_id"])
        best = sorted((score_pair(details[i], d).score for d in details[:i]), reverse=True)
        kept = per_person[c["new_person_id"]]
        assert c["score"] in best[:kept]
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert warning.getMessage() == "candidate matches not written: the transaction's cap is reached"
    assert (warning.not_written, warning.written, warning.cap) == (8, 10, 10)  # type: ignore[attr-defined]
    assert "Olivia" not in caplog.text  # counts, never names
    assert "Thom" not in caplog.text


async def test_runs_of_one_transaction_share_its_cap(
    mongo: AsyncMongoClient[Document], unique_name: str
) -> None:
    intake = Intake(mongo, unique_name, CandidateLimits(per_person=5, per_transaction=6))
    await intake.prepare()
    first, second = _alike("RUN", 8)[:4], _alike("RUN", 8)[4:]
    deliveries = [
        [_delivery(_concern(intake.tenant, c, ref, intake.provider)) for c, ref in run]
        for run in (first, second)
    ]
    async with mongo.start_session() as session, await session.start_transaction():
        ctx = HandlerContext(intake.tenant, intake.db, session, intake.consumer.outbox)
        for run in deliveries:  # two runs of concerns in one transaction (one batch)
            await intake.handler(run, ctx)

    # alone, the runs would write 0+1+2+3 = 6 and then 4+5+5+5 = 19; together at most 6
    assert sum((await _open_per_new_person(intake)).values()) == 6
    assert len(await intake.contacts()) == 8


def _delivery(event: CloudEvent) -> Delivery:
    from hub_contracts.policy import SharingOutcome

    return Delivery(event, SharingOutcome.SHARED, (), topic=event.topic, partition=0, offset=0)


async def test_a_large_block_does_not_crowd_out_another_new_persons_match(
    mongo: AsyncMongoClient[Document], unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(person_index, "BLOCK_LIMIT", 3)
    monkeypatch.setattr(person_index, "BLOCK_READ_PAGE", 4)  # the read takes several pages
    intake = Intake(mongo, unique_name)
    await intake.prepare()
    await intake.batch(*_alike("OLD", 20))  # a block far over the limit ...
    katherine = Child(Agency.POLICE, "CLV-K-1", "Katherine", born=date(2019, 7, 2))
    await intake.batch((katherine, "K-1"))  # ... and, after it, a child in a small one
    before = set(await intake.persons())

    katie = Child(Agency.EDUCATION, "EDU-K-2", "Katie", born=date(2019, 7, 2))
    await intake.batch(*_alike("NEW", 5), (katie, "K-2"))

    contacts = await intake.contacts()
    katie_id = contacts["K-2"]["person_id"]
    found = await intake.db[CANDIDATES].find({"new_person_id": katie_id}).to_list()
    assert [c["existing_person_id"] for c in found] == [contacts["K-1"]["person_id"]]
    # each new Olivia is scored against at most BLOCK_LIMIT persons, though K is 5
    per_person = await _open_per_new_person(intake)
    new = {contacts[f"NEW-{i}"]["person_id"] for i in range(5)}
    assert all(per_person[p] == 3 for p in new)
    assert set(await intake.persons()) - before == new | {katie_id}
