"""UK Core's published examples as health-feed's tests send them (see ``data/README.md``)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
RICHARD_SMITH_NHS_NUMBER = "9912003888"


def uk_core_xml_bundle(bundle_id: str = "rvw-ed-2026-000451", *, flag: bool = True) -> bytes:
    """An A&E message as XML: UK Core's published Patient RichardSmith, unchanged, with an
    emergency Encounter at North Tees (ODS RVW) and, by default, a safeguarding Flag."""
    patient = (DATA / "UKCore-Patient-RichardSmith-Example.xml").read_text("utf-8")
    safeguarding = (
        """
  <entry>
    <fullUrl value="urn:uuid:flag" />
    <resource>
      <Flag>
        <status value="active" />
        <code>
          <coding>
            <system value="http://snomed.info/sct" />
            <code value="836881000000105" />
          </coding>
          <text value="Injury not consistent with the explanation given." />
        </code>
        <subject><reference value="Patient/UKCore-Patient-RichardSmith-Example" /></subject>
      </Flag>
    </resource>
  </entry>"""
        if flag
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Bundle xmlns="http://hl7.org/fhir">
  <id value="{bundle_id}" />
  <type value="collection" />
  <entry>
    <fullUrl value="Patient/UKCore-Patient-RichardSmith-Example" />
    <resource>
{patient.replace('<Patient xmlns="http://hl7.org/fhir">', "<Patient>")}
    </resource>
  </entry>
  <entry>
    <fullUrl value="urn:uuid:encounter" />
    <resource>
      <Encounter>
        <id value="enc-1" />
        <status value="finished" />
        <class>
          <system value="http://terminology.hl7.org/CodeSystem/v3-ActCode" />
          <code value="EMER" />
        </class>
        <subject><reference value="Patient/UKCore-Patient-RichardSmith-Example" /></subject>
        <period><start value="2026-11-19T21:40:00+00:00" /></period>
        <serviceProvider>
          <identifier>
            <system value="https://fhir.nhs.uk/Id/ods-organization-code" />
            <value value="RVW" />
          </identifier>
          <display value="University Hospital of North Tees" />
        </serviceProvider>
      </Encounter>
    </resource>
  </entry>{safeguarding}
</Bundle>
""".encode()
