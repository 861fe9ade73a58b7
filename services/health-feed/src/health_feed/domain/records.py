"""The records health systems send to health-feed."""

from __future__ import annotations

from typing import Any

from hub_agency.domain import AgencyRecord
from hub_contracts.codes import RagRating
from pydantic import Field


class FhirBundleRecord(AgencyRecord):
    """An unscheduled-care attendance as a FHIR R4 (UK Core) Bundle.

    ``record_id`` is the sending system's bundle or message id. The bundle
    holds one Patient (with NHS number), one Encounter (class EMER) and
    optionally active Flags; a safeguarding Flag raises a concern with the hub.
    """

    bundle: dict[str, Any] = Field(
        description="The FHIR Bundle as JSON (parsed as FHIR R4B, the release closest to R4).",
        json_schema_extra={"examples": [{"resourceType": "Bundle", "type": "message"}]},
    )
    rag_rating: RagRating | None = Field(
        default=None,
        description="The clinician's own urgency rating of a safeguarding concern, if given.",
    )
