"""Referrals social care receives (from the hub, or stepped up from early help). Pure."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from hub_agency.domain import ChildAsSeen


class ReferralKind(StrEnum):
    """Where a referral came from."""

    REFERRAL = "referral"
    """The hub's referral to social care (Children Act 1989 s17)."""
    STEP_UP = "step-up"
    """Early help asks social care to take a case."""


class ReferralStatus(StrEnum):
    """Where social care is with a referral."""

    AWAITING_DECISION = "awaiting-decision"


def name_key(name: str | None) -> str | None:
    """A name as compared: case and spacing ignored."""
    return " ".join(name.casefold().split()) if name else None


def child_keys(child: ChildAsSeen) -> dict[str, Any]:
    """What a received referral is found by when an enquiry asks about a child.

    The child's ``agency_person_id`` on a referral is the sender's id, not social
    care's, so it is no key here.
    """
    return {
        "nhs_number": child.nhs_number,
        "upn": child.upn,
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        "given_key": name_key(child.given_name),
        "family_key": name_key(child.family_name),
    }


def referral_matches(keys: dict[str, Any], child: ChildAsSeen) -> bool:
    """Whether a referral's child is the child asked about.

    By NHS number or UPN when both sides have one (two different verified
    numbers are two children); otherwise date of birth and both names.
    """
    for strong in ("nhs_number", "upn"):
        asked = getattr(child, strong)
        if asked and keys.get(strong):
            return bool(asked == keys[strong])
    return (
        child.date_of_birth is not None
        and keys.get("date_of_birth") == child.date_of_birth.isoformat()
        and keys.get("given_key") is not None
        and keys.get("given_key") == name_key(child.given_name)
        and keys.get("family_key") == name_key(child.family_name)
    )


def referral_summary(kind: ReferralKind, status: ReferralStatus, received_at: datetime) -> str:
    """How an open referral is told in an enquiry answer."""
    what = "Referral from the hub" if kind is ReferralKind.REFERRAL else "Step-up from early help"
    return f"{what} received {received_at.date().isoformat()}, {status.value.replace('-', ' ')}."
