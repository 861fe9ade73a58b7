"""The contract event catalogue: importing this package registers every payload.

``hub_contracts.envelope.REGISTRY`` maps each CloudEvents type to its payload
model once this package is imported; ``hub_contracts.binding.from_kafka``
imports it itself, so a consumer can never refuse a known event as unknown.
"""

from hub_contracts.envelope import REGISTRY, EventPayload
from hub_contracts.events.casework import (
    EarlyHelpClosureReason,
    EarlyHelpEpisodeClosed,
    EarlyHelpEpisodeOpened,
    SocialCareStatusChanged,
    StepDownRequested,
    StepUpRequested,
)
from hub_contracts.events.common import (
    Address,
    ChildAsStated,
    ChildIdentifiers,
    ConsentGiver,
    HouseholdMember,
    Relationship,
    ResponsibleAuthority,
    Sex,
    StatusKind,
)
from hub_contracts.events.concerns import AgencyReference, ChildConcernRaised, ChildConcernRaisedV2
from hub_contracts.events.enquiries import (
    EnquiryAnswered,
    EnquiryRequested,
    FactHeld,
    InformationHeld,
    NothingHeld,
    NotShared,
)
from hub_contracts.events.front_door import (
    ContactDeadlineBreached,
    ContactDecided,
    ContactRated,
    ContactReceived,
    ReferralToEarlyHelp,
    ReferralToSocialCare,
    StrategyDiscussionRequested,
)
from hub_contracts.events.identity import PersonLinkChanged
from hub_contracts.events.notifications import (
    AcknowledgerRole,
    CareSetting,
    OperationEncompassAcknowledged,
    OperationEncompassNotified,
    OperationEncompassOverdue,
    RecordAccessed,
)
from hub_contracts.events.records import (
    ConsentMethod,
    ConsentRecorded,
    ConsentScope,
    ConsentWithdrawn,
    NotSharedReason,
    PurgeReason,
    RecordPurged,
    SharingDecisionRecorded,
)


def catalogue() -> dict[str, type[EventPayload]]:
    """The hub's contract events by CloudEvents type, sorted.

    Only the models of this package: tests elsewhere register test-only
    contracts in the same ``REGISTRY``, which are no part of the bus.
    """
    prefix = __name__ + "."
    return {t: m for t, m in sorted(REGISTRY.items()) if m.__module__.startswith(prefix)}


__all__ = [
    "AcknowledgerRole",
    "Address",
    "AgencyReference",
    "CareSetting",
    "ChildAsStated",
    "ChildConcernRaised",
    "ChildConcernRaisedV2",
    "ChildIdentifiers",
    "ConsentGiver",
    "ConsentMethod",
    "ConsentRecorded",
    "ConsentScope",
    "ConsentWithdrawn",
    "ContactDeadlineBreached",
    "ContactDecided",
    "ContactRated",
    "ContactReceived",
    "EarlyHelpClosureReason",
    "EarlyHelpEpisodeClosed",
    "EarlyHelpEpisodeOpened",
    "EnquiryAnswered",
    "EnquiryRequested",
    "FactHeld",
    "HouseholdMember",
    "InformationHeld",
    "NotShared",
    "NotSharedReason",
    "NothingHeld",
    "OperationEncompassAcknowledged",
    "OperationEncompassNotified",
    "OperationEncompassOverdue",
    "PersonLinkChanged",
    "PurgeReason",
    "RecordAccessed",
    "RecordPurged",
    "ReferralToEarlyHelp",
    "ReferralToSocialCare",
    "Relationship",
    "ResponsibleAuthority",
    "Sex",
    "SharingDecisionRecorded",
    "SocialCareStatusChanged",
    "StatusKind",
    "StepDownRequested",
    "StepUpRequested",
    "StrategyDiscussionRequested",
    "catalogue",
]
