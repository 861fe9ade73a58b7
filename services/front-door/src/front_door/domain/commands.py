"""Commands hub staff give the front door (imperative names)."""

from __future__ import annotations

from hub_contracts.codes import RagRating
from hub_contracts.events.common import LongText
from pydantic import BaseModel, ConfigDict, Field


class RateContact(BaseModel):
    """A practitioner's urgency rating of a contact; starts the multi-agency enquiries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rag_rating: RagRating = Field(description="red (4 h), amber (24 h) or green (72 h).")
    rationale: LongText = Field(description="Why this rating, in the practitioner's words.")
