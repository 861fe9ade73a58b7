"""Which failures wait on Kafka and which are isolated, and what a dead letter says of them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hub_messaging.failures import database_unreachable, describe_failure, run_transaction
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    OperationFailure,
    ServerSelectionTimeoutError,
    WTimeoutError,
)


@pytest.mark.parametrize(
    "exc",
    [
        ServerSelectionTimeoutError("no servers"),
        AutoReconnect("connection reset"),
        WTimeoutError("waiting for replication timed out", 64),
        OperationFailure("interrupted at shutdown", 11600),
        OperationFailure("not primary", 10107),
    ],
)
def test_an_unreachable_or_unwritable_database_is_never_the_events_fault(exc: Exception) -> None:
    assert database_unreachable(exc)


@pytest.mark.parametrize(
    "exc",
    [
        OperationFailure("Transaction is too large", 10334, {"codeName": "TransactionTooLarge"}),
        DuplicateKeyError("E11000 duplicate key", 11000),
        ValueError("a handler's bug"),
        KeyError("given_name"),
    ],
)
def test_anything_else_belongs_to_the_events_being_handled(exc: Exception) -> None:
    assert not database_unreachable(exc)


def test_a_server_error_is_described_by_code_never_by_its_message() -> None:
    exc = DuplicateKeyError(
        'E11000 duplicate key error dup key: { nhs_number: "9434765919" }',
        11000,
        {"codeName": "DuplicateKey", "errmsg": "dup key: 9434765919"},
    )
    assert describe_failure(exc) == "DuplicateKeyError: code 11000 (DuplicateKey)"


def test_other_errors_keep_their_first_line_short() -> None:
    described = describe_failure(ValueError("first line " + "x" * 500 + "\nsecond line"))
    assert described.startswith("ValueError: first line x")
    assert len(described) <= 200
    assert "second line" not in described
    assert describe_failure(RuntimeError()) == "RuntimeError"


class _FakeSession:
    def __init__(self, outcomes: list[Exception | None]) -> None:
        self.outcomes = outcomes

    async def __aenter__(self) -> _FakeSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def start_transaction(self) -> _FakeSession:
        return self


class _FakeClient:
    def __init__(self) -> None:
        self.sessions = 0

    def start_session(self) -> _FakeSession:
        self.sessions += 1
        return _FakeSession([])


def _transient() -> OperationFailure:
    exc = OperationFailure("write conflict", 112)
    exc._add_error_label("TransientTransactionError")
    return exc


async def test_a_transient_error_is_retried_a_bounded_number_of_times() -> None:
    client = _FakeClient()
    calls = 0

    async def always_conflicts(session: Any) -> None:
        nonlocal calls
        calls += 1
        raise _transient()

    with pytest.raises(OperationFailure):
        await run_transaction(client, always_conflicts, attempts=3, backoff_s=0)  # type: ignore[arg-type]
    assert calls == 3


async def test_a_transient_error_then_success_returns_the_result() -> None:
    client = _FakeClient()
    calls = 0

    async def conflicts_once(session: Any) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise _transient()
        await asyncio.sleep(0)
        return "done"

    assert await run_transaction(client, conflicts_once, backoff_s=0) == "done"  # type: ignore[arg-type]
    assert calls == 2


async def test_a_non_transient_error_is_not_retried() -> None:
    calls = 0

    async def too_large(session: Any) -> None:
        nonlocal calls
        calls += 1
        raise OperationFailure("Transaction is too large", 10334)

    with pytest.raises(OperationFailure):
        await run_transaction(_FakeClient(), too_large, backoff_s=0)  # type: ignore[arg-type]
    assert calls == 1
