"""FHIR Bundles as trust systems send them: JSON or XML (``application/fhir+xml``). Pure.

Many trust systems and UK Core's own published examples use FHIR's XML
format. ``fhir.resources`` (with its ``xml`` extra, lxml) reads it into the
same Bundle model the JSON path uses, and the hub works on the Bundle's JSON
form from then on, so a bundle means the same whichever format it came in.

XML from outside is parsed without DTDs, entities or network access (no
XXE, no entity expansion); a document declaring a DOCTYPE is refused.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from lxml import etree
from pydantic import ValidationError

from health_feed.domain.attendance import INVALID_FHIR, BundleRefused

XML_MEDIA_TYPES = frozenset({"application/fhir+xml", "application/xml", "text/xml"})
JSON_MEDIA_TYPES = frozenset({"application/fhir+json", "application/json"})
_DOCTYPE = re.compile(rb"<!doctype", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False
    )


def bundle_from_xml(body: bytes) -> dict[str, Any]:
    """The FHIR JSON form of an XML Bundle; ``BundleRefused`` (invalid-fhir) says what is wrong."""
    if _DOCTYPE.search(body):
        raise BundleRefused(INVALID_FHIR, "Bundle (XML): a DOCTYPE is not allowed")
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise BundleRefused(INVALID_FHIR, f"Bundle (XML): not well-formed XML ({exc.msg})") from exc
    name = etree.QName(root)
    if name.namespace != "http://hl7.org/fhir" or name.localname != "Bundle":
        raise BundleRefused(
            INVALID_FHIR, 'Bundle (XML): the root must be <Bundle xmlns="http://hl7.org/fhir">'
        )
    try:
        bundle = Bundle.model_validate_xml(body, xmlparser=_parser())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BundleRefused(INVALID_FHIR, f"Bundle (XML) {where}: {first['msg'][:200]}") from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleRefused(
            INVALID_FHIR, f"Bundle (XML): not a FHIR R4 bundle ({type(exc).__name__})"
        ) from exc
    document: dict[str, Any] = json.loads(bundle.model_dump_json())
    return document


def bundle_from_json(body: bytes) -> dict[str, Any]:
    """A JSON Bundle as sent (checked as FHIR later, with the same rules as every bundle)."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleRefused("malformed-json", f"Bundle (JSON): {exc}") from exc
    if not isinstance(document, dict):
        raise BundleRefused(INVALID_FHIR, "Bundle (JSON): a JSON object with resourceType Bundle")
    return document


def record_id_of(bundle: dict[str, Any]) -> str:
    """The sending system's id for a bundle: ``Bundle.identifier.value``, else ``Bundle.id``.

    The record id makes a resent bundle a duplicate rather than a second concern.
    """
    identifier = bundle.get("identifier")
    value = identifier.get("value") if isinstance(identifier, dict) else None
    chosen = value or bundle.get("id")
    if not isinstance(chosen, str) or not chosen.strip():
        raise BundleRefused(
            INVALID_FHIR,
            "Bundle.identifier.value or Bundle.id: required, so that a resent bundle is "
            "recognised (or post the record envelope to /fhir-bundles with a record_id)",
        )
    return chosen.strip()
