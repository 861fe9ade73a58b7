"""The sharing policy (data in ``hub_contracts/sharing-policy.yaml``) and its engine.

One rule per event x recipient: the purposes it may be shared for, the lawful
bases accepted, and the payload fields the recipient may see (dotted paths;
``[]`` steps into lists; ``*`` means every field). Anything without a rule is
not shared. Where a rule's payload is special category data (health, or what
social care holds) when it comes from certain producers, the sender must also
name a UK GDPR Art 9 / DPA 2018 Sch 1 condition, unless it relies on DPA 2018
Part 3 (law enforcement), which has its own sensitive-processing rules.
Every decision the engine makes is one of ``shared``, ``minimised`` or
``refused``; a producer's decision not to share is recorded as
``not-shared-by-choice``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from hub_contracts.binding import RejectReason
from hub_contracts.envelope import CloudEvent
from hub_contracts.sharing import LawfulBasis, Purpose

ALL_FIELDS = "*"


class SharingOutcome(StrEnum):
    """What happened to one event for one recipient."""

    SHARED = "shared"
    MINIMISED = "minimised"
    REFUSED = "refused"
    NOT_SHARED_BY_CHOICE = "not-shared-by-choice"


class PolicyRule(BaseModel):
    """May ``event`` go to ``recipient``, for which purposes, on which bases, which fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: str = Field(description="Event name (kebab-case), every major unless ``major``.")
    major: int | None = Field(default=None, description="Limit the rule to one major version.")
    recipient: str = Field(description="Receiving service (or agency system principal).")
    purposes: tuple[Purpose, ...] = Field(min_length=1)
    lawful_bases: tuple[LawfulBasis, ...] = Field(min_length=1)
    fields: tuple[str, ...] = Field(min_length=1, description="Visible fields, or '*'.")
    special_category_from: tuple[str, ...] = Field(
        default=(),
        description=(
            "Producers whose event is special category data for this rule ('*' = any): "
            "the sharing basis must then name a special category condition."
        ),
    )
    note: str | None = Field(default=None, description="Why this rule exists, for reviewers.")


class SharingPolicyDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    rules: tuple[PolicyRule, ...]


@dataclass(frozen=True)
class Decision:
    """The engine's answer for one event and one recipient."""

    outcome: SharingOutcome
    recipient: str
    reason: RejectReason | None
    detail: str
    visible_fields: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return self.outcome in (SharingOutcome.SHARED, SharingOutcome.MINIMISED)


class SharingPolicy:
    """Evaluates events against the policy rules."""

    def __init__(self, document: SharingPolicyDocument) -> None:
        self.document = document
        self._rules: dict[tuple[str, str], list[PolicyRule]] = {}
        for rule in document.rules:
            self._rules.setdefault((rule.event, rule.recipient), []).append(rule)

    @classmethod
    def from_yaml(cls, text: str) -> SharingPolicy:
        return cls(SharingPolicyDocument.model_validate(yaml.safe_load(text)))

    def rules_for(self, event_name: str, major: int, recipient: str) -> list[PolicyRule]:
        return [
            r
            for r in self._rules.get((event_name, recipient), [])
            if r.major is None or r.major == major
        ]

    def recipients(self, event_name: str) -> list[str]:
        """Every recipient some rule lets receive ``event_name``."""
        return sorted({r.recipient for r in self.document.rules if r.event == event_name})

    def decide(self, event: CloudEvent, recipient: str) -> Decision:
        """May ``recipient`` see ``event``, and which fields of it?"""
        rules = self.rules_for(event.event_name, event.major, recipient)
        if not rules:
            return _refused(
                recipient,
                RejectReason.RECIPIENT_NOT_ALLOWED,
                f"no rule shares {event.event_name} with {recipient}",
            )
        basis = event.sharing
        for rule in rules:
            if basis.purpose in rule.purposes and basis.lawful_basis in rule.lawful_bases:
                if _needs_condition(rule, event):
                    return _refused(
                        recipient,
                        RejectReason.SPECIAL_CATEGORY_CONDITION_MISSING,
                        f"{event.event_name} from {event.producer} is special category data; "
                        f"the basis must name a special category condition "
                        f"(e.g. dpa-2018-sch1-para18)",
                    )
                every = ALL_FIELDS in rule.fields
                return Decision(
                    SharingOutcome.SHARED if every else SharingOutcome.MINIMISED,
                    recipient,
                    None,
                    "all fields" if every else f"{len(rule.fields)} field(s) visible",
                    rule.fields,
                )
        purposes = sorted({p.value for r in rules for p in r.purposes})
        bases = sorted({b.value for r in rules for b in r.lawful_bases})
        return _refused(
            recipient,
            RejectReason.BASIS_NOT_ACCEPTED,
            f"{basis.lawful_basis.value} for {basis.purpose.value} not accepted; "
            f"purposes {purposes}, bases {bases}",
        )

    def accepted_anywhere(self, event: CloudEvent) -> Decision:
        """Producer-side check: does any recipient accept this event's basis?"""
        recipients = self.recipients(event.event_name)
        decisions = [self.decide(event, r) for r in recipients]
        for decision in decisions:
            if decision.allowed:
                return decision
        if decisions:
            return decisions[0]
        return _refused(
            "*",
            RejectReason.RECIPIENT_NOT_ALLOWED,
            f"no rule shares {event.event_name} with anyone",
        )


def _needs_condition(rule: PolicyRule, event: CloudEvent) -> bool:
    """True if ``rule`` treats ``event`` as special category data sent without a condition."""
    basis = event.sharing
    if basis.special_category_condition is not None:
        return False
    if basis.lawful_basis is LawfulBasis.LAW_ENFORCEMENT:
        return False  # DPA 2018 Part 3 s35 governs sensitive processing for the police
    producers = rule.special_category_from
    return ALL_FIELDS in producers or event.producer in producers


def _refused(recipient: str, reason: RejectReason, detail: str) -> Decision:
    return Decision(SharingOutcome.REFUSED, recipient, reason, detail, ())


def minimise(data: dict[str, Any], visible: tuple[str, ...]) -> dict[str, Any]:
    """``data`` holding only the ``visible`` field paths (shares unchanged values)."""
    if ALL_FIELDS in visible:
        return data
    out: dict[str, Any] = {}
    for path in visible:
        _copy_path(data, out, path.split("."))
    return out


def withheld_paths(data: dict[str, Any], visible: tuple[str, ...]) -> list[str]:
    """Leaf paths present in ``data`` that ``visible`` does not cover (for audit)."""
    if ALL_FIELDS in visible:
        return []
    covered = frozenset(visible)
    return sorted({p for p in _leaf_paths(data, "") if not _is_covered(p, covered)})


def _is_covered(path: str, covered: frozenset[str]) -> bool:
    """True if ``path`` or one of its parents is visible."""
    if path in covered:
        return True
    cut = path.rfind(".")
    while cut > 0:
        parent = path[:cut]
        # "household" covers "household[].family_name" as well as "household[]"
        if parent in covered or parent.removesuffix("[]") in covered:
            return True
        cut = path.rfind(".", 0, cut)
    return False


def _leaf_paths(value: Any, prefix: str) -> list[str]:
    if isinstance(value, dict):
        if not value:
            return [prefix] if prefix else []
        paths: list[str] = []
        for key, item in value.items():
            paths += _leaf_paths(item, f"{prefix}.{key}" if prefix else key)
        return paths
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [p for v in value for p in _leaf_paths(v, prefix + "[]")]
    return [prefix] if prefix else []


def _copy_path(src: Any, dst: dict[str, Any], parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    is_list = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(src, dict) or key not in src:
        return
    value = src[key]
    if not rest:
        dst[key] = value
        return
    if is_list and isinstance(value, list):
        target = dst.setdefault(key, [{} for _ in value])
        for item_src, item_dst in zip(value, target, strict=True):
            _copy_path(item_src, item_dst, rest)
    elif isinstance(value, dict):
        _copy_path(value, dst.setdefault(key, {}), rest)


@cache
def load_policy() -> SharingPolicy:
    """The committed sharing policy shipped with the contracts package."""
    text = resources.files("hub_contracts").joinpath("sharing-policy.yaml").read_text("utf-8")
    return SharingPolicy.from_yaml(text)
