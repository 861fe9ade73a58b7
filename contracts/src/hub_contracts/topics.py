"""Topic naming: one convention for the whole bus.

``<tenant>.<producer>.<event-name>.v<major>`` so that Kafka ACLs can be granted by
prefix per tenant (``stockton.``) and per tenant and agency
(``stockton.police-feed.``). Dead letters keep the name and add ``.dlq``.
"""

from __future__ import annotations

import re

from hub_contracts.tenancy import validate_tenant_id

_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")


def topic_name(tenant: str, producer: str, event_name: str, major: int) -> str:
    """Build a topic name; every part is validated so ACL prefixes stay meaningful."""
    validate_tenant_id(tenant)
    for part in (producer, event_name):
        if not _NAME_RE.fullmatch(part):
            raise ValueError(f"topic part {part!r} must be lower-case kebab-case")
    if major < 1:
        raise ValueError("major version starts at 1")
    return f"{tenant}.{producer}.{event_name}.v{major}"


DEAD_LETTER_SUFFIX = ".dlq"


def dead_letter_topic(topic: str) -> str:
    """The dead-letter topic paired with ``topic``."""
    return f"{topic}{DEAD_LETTER_SUFFIX}"
