"""Telling a failure of the database from a failure of the work, and bounded transactions.

A consumer that cannot write because MongoDB is away must leave its records
on Kafka to be redelivered: nothing is lost and readiness shows the cause.
Any other failure belongs to the records being handled (a handler's bug, a
transaction too large for the storage engine, a document the server
refuses): those are isolated and, after bounded retries, dead-lettered, so
they never hold up the records behind them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import (
    ConnectionFailure,
    OperationFailure,
    PyMongoError,
    WriteConcernError,
    WTimeoutError,
)

T = TypeVar("T")
TRANSIENT = "TransientTransactionError"
TRANSACTION_ATTEMPTS = 3
"""Attempts of one transaction on a transient error (a write conflict, a primary stepping down)."""
DETAIL_LIMIT = 200
SERVER_UNAVAILABLE_CODES = frozenset(
    {
        91,  # ShutdownInProgress
        189,  # PrimarySteppedDown
        10107,  # NotWritablePrimary
        11600,  # InterruptedAtShutdown
        11602,  # InterruptedDueToReplStateChange
        13435,  # NotPrimaryNoSecondaryOk
        13436,  # NotPrimaryOrSecondary
    }
)
"""Server errors that say the server (or its replica set) cannot take writes now."""


def database_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` says the database cannot take the work now, not that the work is wrong.

    Such a failure must never dead-letter an event: it waits on Kafka instead.
    """
    if isinstance(exc, ConnectionFailure | WTimeoutError | WriteConcernError):
        return True
    return isinstance(exc, OperationFailure) and exc.code in SERVER_UNAVAILABLE_CODES


def describe_failure(exc: BaseException) -> str:
    """The error class and a short detail, fit for a dead letter's header.

    Server errors are described by their code and name only: their messages
    may quote the document that failed (a duplicate key, say), and a dead
    letter's headers must not carry personal data.
    """
    name = type(exc).__name__
    if isinstance(exc, OperationFailure):
        code_name = (exc.details or {}).get("codeName") if isinstance(exc.details, dict) else None
        return f"{name}: code {exc.code}{f' ({code_name})' if code_name else ''}"[:DETAIL_LIMIT]
    if isinstance(exc, PyMongoError):
        return name
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{name}: {text}"[:DETAIL_LIMIT] if text else name


async def run_transaction(
    mongo: AsyncMongoClient[Any],
    apply: Callable[[AsyncClientSession], Awaitable[T]],
    *,
    attempts: int = TRANSACTION_ATTEMPTS,
    backoff_s: float = 0.05,
) -> T:
    """Run ``apply`` in one transaction, retried a bounded number of times on transient errors.

    PyMongo's ``with_transaction`` retries transient errors for up to two
    minutes; a consumer isolating a failing record cannot wait that long at
    every step, so the bound here is a count.
    """
    for attempt in range(1, attempts + 1):
        async with mongo.start_session() as session:
            try:
                async with await session.start_transaction():
                    return await apply(session)
            except PyMongoError as exc:
                if exc.has_error_label(TRANSIENT) and attempt < attempts:
                    await asyncio.sleep(backoff_s * attempt)
                    continue
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")
