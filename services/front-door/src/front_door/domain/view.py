"""The joined-up view of a child: pure assembly rules, no I/O.

A *fact* is one thing an agency asserted about a person (a document of the
``facts`` collection): which agency, what (``kind``, ``summary``, ``detail``),
when it happened (``occurred_at``) and when it was asserted (``asserted_at``),
and the sharing basis it came under (``sharing``) -- its provenance. The view
is assembled from a person's facts and the hub's own contacts about them:

- the timeline, newest first, every entry with its provenance;
- current statuses (early help episode, child in need / CP plan / looked
  after, SEN / EHCP, police incidents of the last 12 months, A&E attendances);
- the household as each agency stated it;
- the consent and sharing panel (consents, every basis relied on, sharing
  without consent and decisions not to share).

A fact removed on consent withdrawal or purge stays as a *tombstone*: who
asserted something, when, on what basis, and why it was removed; no data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hub_messaging.documents import Document

HUB = "hub"
CONSENT_BASIS = "uk-gdpr-6-1-a"
POLICE_WINDOW = timedelta(days=365)
"""Police incidents count as recent for 12 months."""


class FactKind:
    """Kinds of fact the front door records itself (agencies' own kinds pass through)."""

    CONCERN = "concern"
    NOTHING_HELD = "nothing-held"
    NOT_SHARED = "not-shared"
    SOCIAL_CARE_STATUS = "social-care-status-changed"
    EPISODE_OPENED = "early-help-episode-opened"
    EPISODE_CLOSED = "early-help-episode-closed"
    STEP_UP = "step-up-requested"
    STEP_DOWN = "step-down-requested"
    OPERATION_ENCOMPASS = "operation-encompass-notified"
    RECORD_ACCESSED = "record-accessed"
    CONSENT = "consent-recorded"
    REMOVED = "removed"
    A_AND_E = "a-and-e-attendance"
    SEN = "sen-provision"
    HUB_RATING = "hub-rating"
    HUB_DECISION = "hub-decision"


MARKERS = frozenset({FactKind.NOTHING_HELD, FactKind.NOT_SHARED})
"""Answers that hold no fact about the child but are shown per agency."""
FACT_DATA = ("summary", "detail", "occurred_at", "link_keys")
"""What a removal takes out of a fact: everything asserted, and the ids it could link by.

The tombstone keeps only provenance (``_id``, ``person_id``, ``contact_id``,
``agency``, ``asserted_at``, ``source_event_*``, ``sharing``, ``late``)."""
HUB_BASIS: Document = {"lawful_basis": "uk-gdpr-6-1-e", "purpose": "safeguarding-screening"}
"""The basis of the hub's own records about a contact (public task, screening)."""


def removal_note(reason: str) -> str:
    """What a tombstone says, e.g. ``removed: consent withdrawn``."""
    return f"removed: {reason}"


def tombstone(fact: Document, reason: str, at: datetime) -> Document:
    """``fact`` with its data removed: provenance and the reason only."""
    kept = {k: v for k, v in fact.items() if k not in FACT_DATA}
    return {**kept, "kind": FactKind.REMOVED, "removed": {"reason": reason, "at": at}}


def is_removed(fact: Document) -> bool:
    return "removed" in fact


def relies_on_consent(fact: Document, consent_id: str) -> bool:
    """Whether ``fact`` came under ``consent_id`` (and so has no other basis here)."""
    sharing = fact.get("sharing") or {}
    return sharing.get("lawful_basis") == CONSENT_BASIS and sharing.get("consent_ref") == consent_id


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    if isinstance(value, str):
        try:
            return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def when(fact: Document) -> datetime:
    """When a fact sits on the timeline: when it happened, else when it was asserted."""
    return _aware(fact.get("occurred_at")) or _aware(fact.get("asserted_at")) or _EPOCH


def provenance(fact: Document) -> Document:
    """Which agency asserted it, when, and on which sharing basis."""
    return {
        "agency": fact.get("agency"),
        "asserted_at": fact.get("asserted_at"),
        "sharing": fact.get("sharing") or {},
        "source_event_type": fact.get("source_event_type"),
        "source_event_id": fact.get("source_event_id"),
    }


def timeline_entry(fact: Document) -> Document:
    """One line of the timeline: what was asserted (unless removed) and its provenance."""
    entry: Document = {
        "fact_id": fact["_id"],
        "kind": fact.get("kind"),
        "contact_id": fact.get("contact_id"),
        "provenance": provenance(fact),
    }
    if is_removed(fact):
        entry["removed"] = fact["removed"]
        entry["summary"] = removal_note(fact["removed"]["reason"])
        return entry
    entry["summary"] = fact.get("summary")
    entry["occurred_at"] = fact.get("occurred_at")
    entry["detail"] = fact.get("detail") or {}
    if fact.get("late"):
        entry["late"] = True
    return entry


def hub_entries(contacts: Iterable[Document]) -> list[Document]:
    """The hub's own ratings and decisions on the person's contacts, as timeline facts."""
    facts: list[Document] = []
    for contact in contacts:
        contact_id = contact["_id"]
        if contact.get("rated_at") is not None:
            facts.append(
                {
                    "_id": f"{contact_id}:rating",
                    "contact_id": contact_id,
                    "agency": HUB,
                    "kind": FactKind.HUB_RATING,
                    "summary": f"Rated {contact.get('rag_rating')}",
                    "asserted_at": contact["rated_at"],
                    "sharing": HUB_BASIS,
                    "detail": {
                        "rag_rating": contact.get("rag_rating"),
                        "by": contact.get("rated_by"),
                    },
                }
            )
        decision = contact.get("decision")
        if decision:
            facts.append(
                {
                    "_id": f"{contact_id}:decision",
                    "contact_id": contact_id,
                    "agency": HUB,
                    "kind": FactKind.HUB_DECISION,
                    "summary": f"{decision.get('outcome')}: {decision.get('reason')}",
                    "asserted_at": decision.get("decided_at"),
                    "sharing": HUB_BASIS,
                    "detail": {
                        "outcome": decision.get("outcome"),
                        "primary_need": decision.get("primary_need"),
                        "decided_by": decision.get("decided_by"),
                        "decided_in_time": decision.get("decided_in_time"),
                        "routed": decision.get("routed", []),
                    },
                }
            )
    return facts


# -- statuses ---------------------------------------------------------------------
def early_help_status(facts: Sequence[Document]) -> Document:
    """Early help episodes known to the hub; open if any episode is open.

    Episodes never reopen (a new one gets a new id), so a closure, from the
    episode events or from early help's enquiry answer, wins over an opening.
    """
    episodes: dict[str, Document] = {}
    for fact in facts:
        if fact.get("agency") != "early-help":
            continue
        kind, detail = fact.get("kind"), fact.get("detail") or {}
        episode_id = detail.get("episode_id") or detail.get("agency_reference")
        if not episode_id or kind not in {
            FactKind.EPISODE_OPENED,
            FactKind.EPISODE_CLOSED,
            "early-help-episode-open",
            "early-help-episode-closed",
        }:
            continue
        episode = episodes.setdefault(episode_id, {"episode_id": episode_id, "status": "open"})
        if kind in (FactKind.EPISODE_CLOSED, "early-help-episode-closed"):
            episode["status"] = "closed"
        for key in ("team", "lead_professional_role", "opened_at", "closed_at", "closure_reason"):
            if detail.get(key) is not None:
                episode[key] = detail[key]
        if kind.startswith("early-help-episode-") and kind not in (
            FactKind.EPISODE_OPENED,
            FactKind.EPISODE_CLOSED,
        ):
            episode.setdefault("summary", fact.get("summary"))
    listed = sorted(episodes.values(), key=lambda e: str(e.get("opened_at") or ""), reverse=True)
    return {"open": any(e["status"] == "open" for e in listed), "episodes": listed}


def social_care_status(facts: Sequence[Document]) -> dict[str, Document]:
    """Child in need, CP plan, looked after: current or not, from status changes.

    The latest change of each kind (by its date, then by when it was asserted)
    decides; social care's enquiry answers ('Current ... since') fill in kinds
    no status change told the hub about.
    """
    latest: dict[str, tuple[tuple[datetime, datetime], Document]] = {}
    for fact in facts:
        if fact.get("kind") != FactKind.SOCIAL_CARE_STATUS:
            continue
        detail = fact.get("detail") or {}
        kind = detail.get("status_kind")
        if not kind:
            continue
        changed_on = _aware(detail.get("ended_on") or detail.get("started_on")) or _EPOCH
        key = (changed_on, _aware(fact.get("asserted_at")) or _EPOCH)
        if kind not in latest or key >= latest[kind][0]:
            latest[kind] = (key, fact)
    statuses: dict[str, Document] = {}
    for kind, (_, fact) in latest.items():
        detail = fact["detail"]
        statuses[kind] = {
            "current": detail.get("change") == "started",
            "started_on": detail.get("started_on"),
            "ended_on": detail.get("ended_on"),
            "category_of_abuse": detail.get("category_of_abuse"),
            "case_id": detail.get("case_id"),
            "fact_id": fact["_id"],
        }
    for fact in facts:
        kind = str(fact.get("kind") or "")
        if fact.get("agency") != "social-care" or not kind.startswith("social-care-"):
            continue
        status_kind = kind.removeprefix("social-care-")
        if status_kind in statuses or status_kind == "status-changed":
            continue
        statuses[status_kind] = {
            "current": str(fact.get("summary") or "").startswith("Current"),
            "reported": fact.get("summary"),
            "fact_id": fact["_id"],
        }
    return statuses


def sen_status(facts: Sequence[Document]) -> Document | None:
    """SEN provision from education's latest answer: ``ehcp``, ``sen-support`` or ``none``."""
    sen = [f for f in facts if f.get("agency") == "education" and f.get("kind") == FactKind.SEN]
    if not sen:
        return None
    fact = max(sen, key=lambda f: _aware(f.get("asserted_at")) or _EPOCH)
    summary = str(fact.get("summary") or "")
    if "Education, Health and Care plan" in summary or "EHCP" in summary:
        provision = "ehcp"
    elif "SEN support" in summary:
        provision = "sen-support"
    else:
        provision = "none"
    return {
        "provision": provision,
        "ehcp": provision == "ehcp",
        "summary": summary,
        "fact_id": fact["_id"],
    }


def recent_police_incidents(facts: Sequence[Document], now: datetime) -> list[Document]:
    """Police facts that happened in the last 12 months, newest first."""
    since = now - POLICE_WINDOW
    recent = [
        f
        for f in facts
        if f.get("agency") == "police"
        and f.get("kind") not in MARKERS
        and since <= when(f) <= now + timedelta(days=1)
    ]
    return [_brief(f) for f in sorted(recent, key=when, reverse=True)]


def a_and_e_attendances(facts: Sequence[Document]) -> list[Document]:
    """Health's A&E (unscheduled care) attendances, newest first."""
    found = [f for f in facts if f.get("agency") == "health" and f.get("kind") == FactKind.A_AND_E]
    return [_brief(f) for f in sorted(found, key=when, reverse=True)]


def _brief(fact: Document) -> Document:
    return {
        "fact_id": fact["_id"],
        "kind": fact.get("kind"),
        "summary": fact.get("summary"),
        "occurred_at": fact.get("occurred_at"),
        "agency": fact.get("agency"),
    }


# -- household and sharing -----------------------------------------------------------
def household(facts: Sequence[Document]) -> list[Document]:
    """Household members as stated in concerns, each with who stated them, when, and how.

    The same person stated by several agencies (same names and date of birth)
    is one member with several statements.
    """
    members: dict[tuple[str, str, str], Document] = {}
    for fact in sorted(facts, key=lambda f: _aware(f.get("asserted_at")) or _EPOCH):
        for stated in (fact.get("detail") or {}).get("household") or []:
            key = (
                str(stated.get("given_name", "")).casefold(),
                str(stated.get("family_name", "")).casefold(),
                str(stated.get("date_of_birth") or ""),
            )
            member = members.setdefault(
                key,
                {
                    "given_name": stated.get("given_name"),
                    "family_name": stated.get("family_name"),
                    "date_of_birth": stated.get("date_of_birth"),
                    "stated_by": [],
                },
            )
            member["relationship_to_child"] = stated.get("relationship_to_child")
            member["lives_with_child"] = stated.get("lives_with_child")
            member["stated_by"].append(
                {
                    "agency": fact.get("agency"),
                    "asserted_at": fact.get("asserted_at"),
                    "contact_id": fact.get("contact_id"),
                    "fact_id": fact["_id"],
                    "sharing": fact.get("sharing") or {},
                }
            )
    return list(members.values())


def _consent_entry(fact: Document, now: datetime) -> Document:
    detail = fact.get("detail") or {}
    expires = _aware(detail.get("expires_at"))
    if detail.get("withdrawn_at") is not None:
        status = "withdrawn"
    elif expires is not None and expires <= now:
        status = "expired"
    else:
        status = "active"
    return {
        "consent_id": detail.get("consent_id"),
        "status": status,
        "recorded_by_agency": fact.get("agency"),
        "given_by": detail.get("given_by"),
        "method": detail.get("method"),
        "scope": detail.get("scope"),
        "given_at": detail.get("given_at"),
        "expires_at": detail.get("expires_at"),
        "withdrawn_at": detail.get("withdrawn_at"),
        "recorded_at": fact.get("asserted_at"),
    }


def sharing_panel(facts: Sequence[Document], now: datetime) -> Document:
    """Consents for this child, every basis facts came under, and overrides and refusals."""
    consents = [_consent_entry(f, now) for f in facts if f.get("kind") == FactKind.CONSENT]
    bases: dict[tuple[Any, ...], Document] = {}
    without_consent: list[Document] = []
    not_shared: list[Document] = []
    for fact in facts:
        sharing = fact.get("sharing") or {}
        key = (
            fact.get("agency"),
            sharing.get("lawful_basis"),
            sharing.get("purpose"),
            sharing.get("special_category_condition"),
            sharing.get("consent_ref"),
        )
        basis = bases.setdefault(
            key,
            {
                "agency": fact.get("agency"),
                "lawful_basis": sharing.get("lawful_basis"),
                "purpose": sharing.get("purpose"),
                "special_category_condition": sharing.get("special_category_condition"),
                "consent_ref": sharing.get("consent_ref"),
                "facts": 0,
                "removed": 0,
            },
        )
        basis["facts"] += 1
        if is_removed(fact):
            basis["removed"] += 1
        if sharing.get("override_reason"):
            without_consent.append(
                {
                    "fact_id": fact["_id"],
                    "agency": fact.get("agency"),
                    "asserted_at": fact.get("asserted_at"),
                    "lawful_basis": sharing.get("lawful_basis"),
                    "purpose": sharing.get("purpose"),
                    "override_reason": sharing["override_reason"],
                    "authorised_by": sharing.get("authorised_by"),
                    "recipient": (fact.get("detail") or {}).get("recipient"),
                }
            )
        if fact.get("kind") == FactKind.NOT_SHARED:
            not_shared.append(
                {
                    "fact_id": fact["_id"],
                    "agency": fact.get("agency"),
                    "asserted_at": fact.get("asserted_at"),
                    "reason": fact.get("summary"),
                    "decided_by": (fact.get("detail") or {}).get("decided_by"),
                    "recipient": (fact.get("detail") or {}).get("recipient"),
                }
            )
    ordered = sorted(bases.values(), key=lambda b: (str(b["agency"]), str(b["lawful_basis"])))
    return {
        "consents": consents,
        "bases": ordered,
        "shared_without_consent": without_consent,
        "not_shared": not_shared,
    }


def agency_answers(facts: Sequence[Document]) -> dict[str, list[Document]]:
    """Per agency, what its enquiry answers said: facts held, nothing held, or not shared."""
    answers: dict[str, list[Document]] = {}
    for fact in facts:
        detail = fact.get("detail") or {}
        if not detail.get("enquiry_id"):
            continue
        answers.setdefault(str(fact.get("agency")), []).append(
            {
                "enquiry_id": detail["enquiry_id"],
                "kind": fact.get("kind"),
                "fact_id": fact["_id"],
                "late": bool(fact.get("late")),
                "asserted_at": fact.get("asserted_at"),
            }
        )
    return answers


def assemble_view(
    person: Document,
    facts: Sequence[Document],
    contacts: Sequence[Document],
    now: datetime,
) -> Document:
    """The joined-up view of ``person`` from their facts and the hub's contacts about them."""
    live = [f for f in facts if not is_removed(f)]
    everything = [*facts, *hub_entries(contacts)]
    timeline = [timeline_entry(f) for f in sorted(everything, key=when, reverse=True)]
    return {
        "person": {
            "person_id": person["_id"],
            "given_name": person.get("given_name"),
            "family_name": person.get("family_name"),
            "date_of_birth": person.get("date_of_birth"),
            "sex": person.get("sex"),
            "nhs_number": person.get("nhs_number"),
            "identifiers": person.get("identifiers", []),
        },
        "statuses": {
            "early_help": early_help_status(live),
            "social_care": social_care_status(live),
            "education": sen_status(live),
            "recent_police_incidents": recent_police_incidents(live, now),
            "a_and_e_attendances": a_and_e_attendances(live),
        },
        "household": household(live),
        "contacts": [
            {
                "contact_id": c["_id"],
                "status": c.get("status"),
                "received_at": c.get("received_at"),
                "origin_agency": c.get("origin_agency"),
                "rag_rating": c.get("rag_rating") or c.get("rag_rating_as_received"),
                "outcome": (c.get("decision") or {}).get("outcome"),
            }
            for c in sorted(contacts, key=lambda c: str(c.get("received_at")), reverse=True)
        ],
        "answers_by_agency": agency_answers(facts),
        "sharing": sharing_panel(facts, now),
        "timeline": timeline,
    }
