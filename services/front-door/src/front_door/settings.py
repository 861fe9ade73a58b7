"""The front door's own settings (pydantic-settings), beside the service kit's.

How many candidate matches intake may write: K per new person
(``HUB_MAX_CANDIDATES_PER_PERSON``) and a cap per transaction
(``HUB_MAX_CANDIDATE_WRITES_PER_TRANSACTION``); see ``service_layer.persons``.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from front_door.service_layer.persons import (
    MAX_CANDIDATE_WRITES_PER_TRANSACTION,
    MAX_CANDIDATES_PER_PERSON,
    CandidateLimits,
)


class FrontDoorSettings(BaseSettings):
    """Bounds of the person index's candidate matching."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, validate_by_name=True)

    max_candidates_per_person: int = Field(
        default=MAX_CANDIDATES_PER_PERSON,
        ge=1,
        le=100,
        validation_alias=AliasChoices("HUB_MAX_CANDIDATES_PER_PERSON"),
        description="K: a new person's best K candidate matches are suggested, no more.",
    )
    max_candidate_writes_per_transaction: int = Field(
        default=MAX_CANDIDATE_WRITES_PER_TRANSACTION,
        ge=1,
        validation_alias=AliasChoices("HUB_MAX_CANDIDATE_WRITES_PER_TRANSACTION"),
        description="Most candidate matches one intake transaction writes; past it each new "
        "person keeps its best first and the shortfall is logged.",
    )

    @property
    def candidate_limits(self) -> CandidateLimits:
        return CandidateLimits(
            per_person=self.max_candidates_per_person,
            per_transaction=self.max_candidate_writes_per_transaction,
        )
