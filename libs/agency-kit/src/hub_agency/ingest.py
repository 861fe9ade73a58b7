"""Idempotent ingest of an agency's own records, over HTTP and from Kafka.

An agency system sends its records (an incident, an A&E attendance, a pupil)
either to its feed service's HTTP API or to the service's inbound Kafka topic
``<tenant>.<service>-inbound.<record-kind>.v1``. Both paths validate against
the same pydantic model and run the same ``apply`` function, which stores
what the record means and returns the contract events it implies; the
record, its effects and its events commit in one MongoDB transaction.

Ingest is idempotent on the agency's record id: the same record again is
answered as a duplicate with the original outcome; a different record under
an id already used is refused (``record-id-conflict``), never overwritten.
Every refusal carries a machine-readable reason: an HTTP problem answer, or a
dead letter on ``<inbound topic>.dlq`` for records that came through Kafka.
"""

# no ``from __future__ import annotations``: FastAPI reads each route's body model
# from the annotation at definition time (one route per record kind)
import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from aiokafka import ConsumerRecord
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from faststream import AckPolicy
from faststream.kafka.annotations import KafkaMessage
from hub_contracts.envelope import CloudEvent, EventPayload
from hub_contracts.sharing import SharingBasis
from hub_contracts.topics import dead_letter_topic, topic_name
from hub_messaging.consumer import batch_handling_histogram
from hub_messaging.documents import Document
from hub_messaging.failures import database_unreachable, describe_failure
from hub_messaging.outbox import OUTBOX, records_row
from hub_messaging.outbox import OutgoingRecord as _Record
from hub_service.app import ServiceRuntime, Transaction
from hub_service.deps import TenantPath
from hub_service.problems import MAX_BODY_BYTES, ProblemError, problem_responses
from prometheus_client import Counter
from pydantic import BaseModel, Field, ValidationError
from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from hub_agency.clients import Principal, authenticated
from hub_agency.domain import AgencyRecord, Rejected

log = logging.getLogger("hub_agency.ingest")
INGESTED = "ingested_records"
LOOKS = 2
"""Transactions at one record when the first meets the same id committed concurrently
(a ``DuplicateKeyError``): the second finds it and answers as for a resend."""
RECORD_ATTEMPTS = 3
"""Attempts at a record from Kafka that fails for a reason other than the record itself."""
RETRY_BACKOFF_S = 0.2


R = TypeVar("R", bound=AgencyRecord)


@dataclass(frozen=True)
class IngestContext:
    """What ``apply`` may use: the open transaction on the tenant's database, and who sent it."""

    tenant: str
    service: str
    tx: Transaction
    principal: str
    via: Literal["http", "kafka"]
    received_at: datetime

    def event(
        self,
        payload: EventPayload,
        *,
        subject: str,
        sharing: SharingBasis,
        time: datetime | None = None,
    ) -> CloudEvent:
        """A contract event this service publishes for this tenant."""
        return CloudEvent.new(
            tenant=self.tenant,
            producer=self.service,
            subject=subject,
            payload=payload,
            sharing=sharing,
            time=time or self.received_at,
        )


Apply = Callable[[R, IngestContext], Awaitable[Sequence[CloudEvent]]]


@dataclass(frozen=True)
class RecordKind(Generic[R]):
    """One kind of record an agency sends, and what accepting one means."""

    name: str
    """Kebab-case singular, e.g. ``police-incident``: the inbound topic's event part."""
    route: str
    """URL segment of its HTTP API, e.g. ``incidents``."""
    model: type[R]
    apply: Apply[R]
    summary: str
    """One line for the OpenAPI document."""

    @property
    def collection(self) -> str:
        return self.route.replace("-", "_")


class PublishedEvent(BaseModel):
    id: str = Field(description="CloudEvents id of the event.")
    type: str = Field(description="CloudEvents type.")
    shared: bool = Field(description="False when the policy refused it (see the dead letters).")


class IngestOutcome(BaseModel):
    """What became of one record."""

    kind: str = Field(description="Record kind, e.g. 'police-incident'.")
    record_id: str = Field(description="The agency's record id.")
    status: Literal["accepted", "duplicate"] = Field(
        description="'accepted' the first time; 'duplicate' when the same record came again."
    )
    received_at: datetime = Field(description="When the record was first accepted.")
    events: list[PublishedEvent] = Field(description="Contract events the record caused.")


@dataclass
class _Metrics:
    ingested: Counter
    rejected: Counter


@dataclass
class RecordIngest:
    """The ingest paths of one agency service for its record kinds."""

    runtime: ServiceRuntime
    kinds: Sequence[RecordKind[Any]]
    _metrics: _Metrics = field(init=False)

    def __post_init__(self) -> None:
        registry = self.runtime.registry
        self._metrics = _Metrics(
            Counter(
                "hub_records_ingested",
                "Agency records accepted (or recognised as duplicates).",
                ["kind", "via", "status"],
                registry=registry,
            ),
            Counter(
                "hub_records_rejected",
                "Agency records refused, by machine-readable reason.",
                ["kind", "via", "reason"],
                registry=registry,
            ),
        )
        self.runtime.on_start.append(self._prepare)

    @property
    def service(self) -> str:
        return self.runtime.settings.service_name

    async def _prepare(self) -> None:
        for tenant in self.runtime.settings.tenants:
            db = self.runtime.database(tenant)
            existing = set(await db.list_collection_names())
            for name in {INGESTED, OUTBOX, *(k.collection for k in self.kinds)} - existing:
                # collections cannot be created inside a transaction on every server
                await db.create_collection(name)
            for kind in self.kinds:
                await db[kind.collection].create_index([("received_at", DESCENDING)])

    # -- the one path both entry points take ------------------------------------------
    async def ingest(
        self,
        kind: RecordKind[R],
        tenant: str,
        record: R,
        *,
        principal: str,
        via: Literal["http", "kafka"],
    ) -> IngestOutcome:
        """Accept ``record`` once; raises ``Rejected`` with the reason otherwise."""
        body = record.model_dump(mode="json")
        digest = hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        key = f"{kind.name}:{record.record_id}"

        async def once(tx: Transaction) -> IngestOutcome:
            return await self._ingest_once(
                tx, kind, tenant, record, body, digest, key, principal, via
            )

        for _ in range(LOOKS):
            try:
                # transient errors (a write conflict) are retried, boundedly, by the runtime
                outcome = await self.runtime.run_transaction(tenant, once)
            except DuplicateKeyError:
                # the same id committed concurrently: looking again finds it
                continue
            except Rejected as exc:
                self._metrics.rejected.labels(kind.name, via, exc.reason).inc()
                raise
            self._metrics.ingested.labels(kind.name, via, outcome.status).inc()
            return outcome
        raise RuntimeError(f"could not commit {key} after {LOOKS} attempts")

    async def _ingest_once(
        self,
        tx: Transaction,
        kind: RecordKind[R],
        tenant: str,
        record: R,
        body: Document,
        digest: str,
        key: str,
        principal: str,
        via: Literal["http", "kafka"],
    ) -> IngestOutcome:
        now = datetime.now(UTC)
        seen = await tx.db[INGESTED].find_one({"_id": key}, session=tx.session)
        if seen is not None:
            if seen["sha256"] != digest:
                raise Rejected(
                    "record-id-conflict",
                    f"{kind.name} {record.record_id} was already accepted with different "
                    "content; send changes as a new record",
                    status=409,
                )
            stored = IngestOutcome.model_validate(seen["outcome"])
            return stored.model_copy(update={"status": "duplicate"})
        ctx = IngestContext(tenant, self.service, tx, principal, via, now)
        events = await kind.apply(record, ctx)
        decisions = await tx.publish(events) if events else []
        outcome = IngestOutcome(
            kind=kind.name,
            record_id=record.record_id,
            status="accepted",
            received_at=now,
            events=[
                PublishedEvent(id=e.id, type=e.type, shared=d.allowed)
                for e, d in zip(events, decisions, strict=True)
            ],
        )
        await tx.db[kind.collection].insert_one(
            {
                "_id": record.record_id,
                "record": body,
                "received_at": now,
                "principal": principal,
                "via": via,
            },
            session=tx.session,
        )
        await tx.db[INGESTED].insert_one(
            {"_id": key, "sha256": digest, "outcome": outcome.model_dump(mode="json")},
            session=tx.session,
        )
        return outcome

    # -- HTTP --------------------------------------------------------------------------
    def router(self, *, without_list: Collection[RecordKind[Any]] = ()) -> APIRouter:
        """``POST /v1/{tenant}/<route>`` per kind, plus reading back what was accepted.

        ``without_list``: kinds whose ``GET /v1/{tenant}/<route>`` list the
        service serves itself (e.g. with each item's current state), so that
        the API has, and documents, one ``GET`` there.
        """
        router = APIRouter(prefix="/v1/{tenant}", tags=["records"])
        for kind in self.kinds:
            self._add_routes(router, kind, listed=kind not in without_list)
        return router

    def _add_routes(self, router: APIRouter, kind: RecordKind[R], *, listed: bool) -> None:
        ingest = self

        async def post(
            record: kind.model,  # type: ignore[name-defined]
            request: Request,
            principal: Annotated[Principal, Depends(authenticated)],
            tenant: TenantPath,
        ) -> Any:
            try:
                outcome = await ingest.ingest(
                    kind, tenant, record, principal=principal.name, via="http"
                )
            except Rejected as exc:
                raise ProblemError(exc.status, exc.reason, exc.detail) from exc
            status = 201 if outcome.status == "accepted" else 200
            return JSONResponse(outcome.model_dump(mode="json"), status_code=status)

        router.add_api_route(
            f"/{kind.route}",
            post,
            methods=["POST"],
            summary=kind.summary,
            status_code=201,
            response_model=IngestOutcome,
            responses={
                200: {"model": IngestOutcome, "description": "The same record was sent again."},
                **problem_responses(401, 403, 404, 409, 413, 422),
            },
            description=(
                f"Idempotent on `record_id`. Agency systems may instead publish the same JSON "
                f"to `<tenant>.{self.service}-inbound.{kind.name}.v1`."
            ),
        )

        async def list_records(
            principal: Annotated[Principal, Depends(authenticated)],
            tenant: TenantPath,
            limit: Annotated[int, Query(ge=1, le=500)] = 100,
        ) -> list[dict[str, Any]]:
            db = ingest.runtime.database(tenant)
            cursor = db[kind.collection].find({}).sort("received_at", DESCENDING).limit(limit)
            return [_public(doc) async for doc in cursor]

        async def get_record(
            principal: Annotated[Principal, Depends(authenticated)],
            tenant: TenantPath,
            record_id: Annotated[str, Path(description="The agency's record id.")],
        ) -> dict[str, Any]:
            doc = await ingest.runtime.database(tenant)[kind.collection].find_one(
                {"_id": record_id}
            )
            if doc is None:
                raise ProblemError(404, "record-not-found", f"no {kind.name} {record_id}")
            return _public(doc)

        if listed:
            router.add_api_route(
                f"/{kind.route}",
                list_records,
                methods=["GET"],
                summary=f"Latest {kind.route} accepted",
                responses=problem_responses(401, 403, 404),
            )
        router.add_api_route(
            f"/{kind.route}/{{record_id}}",
            get_record,
            methods=["GET"],
            summary=f"One {kind.name} as accepted",
            responses=problem_responses(401, 403, 404),
        )

    # -- Kafka ----------------------------------------------------------------------------
    def inbound_topic(self, tenant: str, kind: RecordKind[Any]) -> str:
        return topic_name(tenant, f"{self.service}-inbound", kind.name, 1)

    def subscribe(self) -> None:
        """Consume the inbound topics of every tenant; call from ``configure``."""
        by_topic = {
            self.inbound_topic(tenant, kind): (tenant, kind)
            for tenant in self.runtime.settings.tenants
            for kind in self.kinds
        }
        self.runtime.inbound_topics.extend(sorted(by_topic))

        async def raw(message: Any) -> Any:
            return None

        group = f"{self.service}-inbound"
        self.runtime.consumer_groups[group] = sorted(by_topic)
        handling = batch_handling_histogram(self.runtime.registry)
        subscriber = self.runtime.broker.subscriber(
            *sorted(by_topic),
            group_id=group,
            batch=True,
            max_records=200,
            batch_timeout_ms=50,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            decoder=raw,
        )

        @subscriber
        async def handle(message: KafkaMessage) -> None:
            records = message.raw_message
            if not isinstance(records, tuple | list):
                records = (records,)
            with handling.labels(group).time():
                for record in records:
                    tenant, kind = by_topic[record.topic]
                    await self._from_kafka(tenant, kind, record)

    async def _from_kafka(
        self, tenant: str, kind: RecordKind[Any], record: ConsumerRecord[bytes, bytes]
    ) -> None:
        """Ingest one inbound record; refuse it to the dead letters, or fail for redelivery.

        A record that fails for a reason other than itself (a bug, a transaction
        the server refuses) is retried a bounded number of times, then
        dead-lettered as ``handler-failed`` so the records behind it go on; only
        an unreachable database leaves it on Kafka to be redelivered.
        """
        value = record.value or b""
        principal = f"kafka:{record.topic}"
        try:
            if len(value) > MAX_BODY_BYTES:
                raise Rejected("oversized", f"{len(value)} bytes; the limit is {MAX_BODY_BYTES}")
            try:
                parsed = json.loads(value)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise Rejected("malformed-json", str(exc)) from exc
            try:
                model = kind.model.model_validate(parsed)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise Rejected("invalid-record", f"{where}: {first['msg']}") from exc
            await self._ingest_bounded(kind, tenant, model, principal)
        except Rejected as exc:
            if exc.reason in ("oversized", "malformed-json", "invalid-record", "handler-failed"):
                self._metrics.rejected.labels(kind.name, "kafka", exc.reason).inc()
            await self._dead_letter(tenant, record, exc)

    async def _ingest_bounded(
        self, kind: RecordKind[R], tenant: str, record: R, principal: str
    ) -> None:
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                await self.ingest(kind, tenant, record, principal=principal, via="kafka")
                return
            except Rejected:
                raise
            except Exception as exc:
                if database_unreachable(exc):
                    raise
                log.warning(
                    "inbound record failed",
                    extra={"kind": kind.name, "attempt": attempt, "error": type(exc).__name__},
                )
                if attempt == RECORD_ATTEMPTS:
                    detail = f"{describe_failure(exc)} (after {RECORD_ATTEMPTS} attempts)"
                    raise Rejected("handler-failed", detail) from exc
                await asyncio.sleep(RETRY_BACKOFF_S * 2 ** (attempt - 1))

    async def _dead_letter(
        self, tenant: str, record: ConsumerRecord[bytes, bytes], exc: Rejected
    ) -> None:
        log.warning(
            "inbound record refused",
            extra={"topic": record.topic, "offset": record.offset, "reason": exc.reason},
        )
        source = f"{record.partition}:{record.offset}"
        dead = _Record(
            dead_letter_topic(record.topic),
            record.key or b"",
            record.value or b"",
            [
                ("dlq_reason", exc.reason.encode()),
                ("dlq_detail", exc.detail.encode()),
                ("dlq_recipient", self.service.encode()),
                ("dlq_source_topic", record.topic.encode()),
                ("dlq_source_offset", source.encode()),
            ],
        )
        row_id = f"{dead.topic}|{source}"
        async with self.runtime.transaction(tenant) as tx:
            if await tx.db[OUTBOX].find_one({"_id": row_id}, session=tx.session) is None:
                await tx.db[OUTBOX].insert_one(records_row(row_id, [dead]), session=tx.session)


def _public(doc: Document) -> Document:
    return {
        "record_id": doc["_id"],
        "received_at": doc["received_at"],
        "via": doc.get("via"),
        "record": doc["record"],
    }
