"""Consent records as every holder keeps them, and what holders do on withdrawal.

Consent is rarely the basis for safeguarding sharing, but where it is, the
recipient checks it: the consent must be known, cover the event, the purpose
and the recipient, not have expired and not have been withdrawn. Otherwise
the event is refused (``consent-not-valid``). Each event received under a
consent is noted; when the consent is withdrawn, the service's withdrawal hook
is called with those event ids so it can remove data held only on that basis.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hub_contracts.events.records import ConsentRecorded, ConsentWithdrawn
from hub_contracts.sharing import LawfulBasis
from pymongo import UpdateOne

from hub_messaging.documents import Document

if TYPE_CHECKING:
    from hub_messaging.consumer import Delivery, HandlerContext

CONSENTS = "consents"
RECEIPTS = "consent_receipts"

WithdrawalHook = Callable[[str, list[str], "HandlerContext"], Awaitable[None]]
"""Called with the consent id and the ids of events received under it."""


def relies_on_consent(delivery: Delivery) -> bool:
    return delivery.event.sharing.lawful_basis is LawfulBasis.CONSENT


def consent_problem(consent: Document | None, delivery: Delivery, recipient: str) -> str | None:
    """Why ``consent`` does not cover ``delivery`` for ``recipient``, or None if it does."""
    event = delivery.event
    if consent is None:
        return f"consent {event.sharing.consent_ref} is not known here"
    if consent.get("withdrawn_at") is not None:
        return f"consent {consent['_id']} was withdrawn"
    expires = consent.get("expires_at")
    if expires is not None and _aware(expires) <= event.time:
        return f"consent {consent['_id']} expired"
    scope = consent["scope"]
    if scope.get("event_names") and event.event_name not in scope["event_names"]:
        return f"consent {consent['_id']} does not cover {event.event_name}"
    if event.sharing.purpose.value not in scope["purposes"]:
        return f"consent {consent['_id']} does not cover {event.sharing.purpose.value}"
    if scope.get("recipients") and recipient not in scope["recipients"]:
        return f"consent {consent['_id']} does not cover {recipient}"
    return None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def load_consents(ctx_db: Any, refs: Sequence[str], session: Any) -> dict[str, Document]:
    docs = ctx_db[CONSENTS].find({"_id": {"$in": list(refs)}}, session=session)
    return {d["_id"]: d async for d in docs}


async def note_receipts(ctx: HandlerContext, deliveries: Sequence[Delivery]) -> None:
    """Remember which events arrived under which consent."""
    rows = [
        {
            "_id": d.event.id,
            "consent_id": d.event.sharing.consent_ref,
            "event_type": d.event.type,
            "subject": d.event.subject,
            "at": datetime.now(UTC),
        }
        for d in deliveries
    ]
    if rows:
        await ctx.db[RECEIPTS].insert_many(rows, session=ctx.session)


def consent_handlers(
    on_withdrawn: Sequence[WithdrawalHook],
) -> dict[str, Callable[[Sequence[Delivery], HandlerContext], Awaitable[None]]]:
    """Batch handlers for consent-recorded and consent-withdrawn."""

    async def recorded(batch: Sequence[Delivery], ctx: HandlerContext) -> None:
        await ctx.db[CONSENTS].bulk_write(
            [
                UpdateOne(
                    {"_id": d.event.data["consent_id"]},
                    {"$setOnInsert": _consent_doc(d)},
                    upsert=True,
                )
                for d in batch
            ],
            session=ctx.session,
        )

    async def withdrawn(batch: Sequence[Delivery], ctx: HandlerContext) -> None:
        for d in batch:
            withdrawal = ConsentWithdrawn.model_validate(d.event.data)
            consent_id = withdrawal.consent_id
            await ctx.db[CONSENTS].update_one(
                {"_id": consent_id},
                {"$set": {"withdrawn_at": withdrawal.withdrawn_at, "withdrawal_event": d.event.id}},
                upsert=True,
                session=ctx.session,
            )
            receipts = ctx.db[RECEIPTS].find({"consent_id": consent_id}, session=ctx.session)
            event_ids = [r["_id"] async for r in receipts]
            for hook in on_withdrawn:
                await hook(consent_id, event_ids, ctx)
            await ctx.db[RECEIPTS].delete_many({"consent_id": consent_id}, session=ctx.session)

    return {
        ConsentRecorded.event_name: recorded,
        ConsentWithdrawn.event_name: withdrawn,
    }


def _consent_doc(delivery: Delivery) -> Document:
    consent = ConsentRecorded.model_validate(delivery.event.data)
    return {
        "scope": consent.scope.model_dump(mode="json"),
        "given_at": consent.given_at,
        "expires_at": consent.expires_at,
        "withdrawn_at": None,
        "event_id": delivery.event.id,
    }
