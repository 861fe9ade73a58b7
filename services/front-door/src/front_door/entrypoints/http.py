"""Wiring of the front door: its routers, its subscriptions, its background loops.

Each capability keeps its routes in its own ``entrypoints`` module and its
event handlers in its ``service_layer`` module; this file only composes them,
with one ``runtime.consume`` call for the service.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from hub_contracts.events import ChildConcernRaisedV2, ConsentRecorded, EnquiryAnswered
from hub_service import ServiceRuntime
from hub_service.clock import Clock
from hub_service.reference import reference_router
from pymongo import ASCENDING

from front_door.adapters.facts import FACTS, ensure_fact_indexes
from front_door.adapters.persons import PERSONS, ensure_person_indexes
from front_door.entrypoints.contacts import RECORD_VIEWS, contacts_router
from front_door.entrypoints.enquiry_status import enquiry_status_router
from front_door.entrypoints.persons import persons_router
from front_door.entrypoints.sharing import sharing_router
from front_door.entrypoints.view import ensure_view_indexes, view_router
from front_door.service_layer import view
from front_door.service_layer.answers import UNMATCHED, enquiry_answered_handler
from front_door.service_layer.deadlines import DeadlineWatch
from front_door.service_layer.decisions import DECISIONS
from front_door.service_layer.intake import CONTACTS, concerns_handler
from front_door.service_layer.persons import (
    CANDIDATES,
    IDENTITY_AUDIT,
    CandidateLimits,
    ensure_candidate_indexes,
)
from front_door.service_layer.screening import ENQUIRIES


def configure_with(clock: Clock, deadline_check_s: float | None, limits: CandidateLimits) -> Any:
    def configure(runtime: ServiceRuntime, app: FastAPI) -> None:
        """Attach the front door's routes and subscribers."""
        app.include_router(reference_router({"settings": "tenant_settings"}))
        intake = concerns_handler(
            clock, runtime.tracer_provider, on_contacts=[view.record_concern_facts], limits=limits
        )
        app.include_router(contacts_router(runtime, clock, intake))
        app.include_router(persons_router(runtime, clock))
        app.include_router(view_router(runtime, clock))
        app.include_router(sharing_router(runtime, clock))
        app.include_router(enquiry_status_router(runtime, clock))
        handlers = {
            EnquiryAnswered.event_name: view.recording_answer_facts(
                enquiry_answered_handler(clock)
            ),
            **view.HANDLERS,
        }
        collections = [CONTACTS, ENQUIRIES, PERSONS, UNMATCHED, RECORD_VIEWS, DECISIONS]
        collections += [CANDIDATES, IDENTITY_AUDIT]
        collections += [FACTS]
        runtime.consume(
            handlers=handlers,
            batch_handlers={
                ChildConcernRaisedV2.event_name: intake,
                ConsentRecorded.event_name: view.consent_recorded_handler(),
            },
            collections=collections,
            on_consent_withdrawn=[view.consent_withdrawn],
        )

        async def indexes() -> None:
            for tenant in runtime.settings.tenants:
                db = runtime.database(tenant)
                await ensure_person_indexes(db)
                await ensure_candidate_indexes(db)
                await ensure_fact_indexes(db)
                await ensure_view_indexes(db)
                await db[CONTACTS].create_index([("status", ASCENDING), ("screen_by", ASCENDING)])
                await db[ENQUIRIES].create_index("contact_id")
                await db[CONTACTS].create_index("origin_event_id")

        runtime.on_start.append(indexes)
        watch = DeadlineWatch(runtime, clock)
        if deadline_check_s is not None:
            runtime.background.append(lambda: watch.run(deadline_check_s))
        app.state.deadline_watch = watch

    return configure
