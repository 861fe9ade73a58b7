"""What every agency service shares (police, health, education, early help, social care).

- ``domain``: the pure base of a service's domain: ``AgencyRecord``,
  ``Rejected``, ``ChildAsSeen`` (no I/O; what ``domain/`` code may import);
- ``ingest``: the agency's own records in, over HTTP or an inbound Kafka topic,
  idempotent on the agency's record id, with machine-readable refusals;
- ``enquiries``: the hub's enquiries answered from the agency's records;
- ``inbox``: what the hub sent the agency, readable by the agency;
- ``people``: finding a child in the agency's records;
- ``clients``: agency system principals and their tenants;
- ``basis``: the lawful basis each agency publishes under.

Import each from its module: the package itself imports nothing, so that
importing ``hub_agency.domain`` does not bring in the web and bus stack.
"""
