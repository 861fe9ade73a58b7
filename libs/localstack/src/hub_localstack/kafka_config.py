"""Kafka's configuration: every client authenticates, and nothing is allowed by default.

One broker+controller (KRaft) with three listeners:

- ``INTERNAL``: SASL_SSL with SCRAM-SHA-512, for the hub's services, hubctl and
  agency systems that authenticate with a password; also the inter-broker listener;
- ``AGENCY_TLS``: SSL with a required client certificate (mutual TLS), for agency
  systems with a certificate: the principal is the certificate's CN;
- ``CONTROLLER``: bound to 127.0.0.1 only, for KRaft's own traffic: mutual TLS where
  only the broker's own certificate is a super user. (A PLAINTEXT controller listener
  would make ``User:ANONYMOUS`` a super user, and any local process could then create
  ACLs through it: docs/adr/0010.)

The same text configures the local stack's broker and compose's (docs/adr/0010).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from hub_contracts.principals import ADMIN

if TYPE_CHECKING:
    from hub_localstack.security import StackSecurity

SCRAM_MECHANISM = "SCRAM-SHA-512"
CERTIFICATE_ORGANISATION = "childrens-hub-development"
"""The O of every certificate the development CA issues."""
PRINCIPAL_MAPPING_RULES = (
    rf"RULE:^CN=([a-z][a-z0-9-]*),O={CERTIFICATE_ORGANISATION}$/$1/,"
    r"RULE:^CN=([a-z][a-z0-9-]*)$/$1/,DEFAULT"
)
"""``ssl.principal.mapping.rules``: a client certificate ``CN=<name>,O=...`` is ``User:<name>``."""

BROKER_PRINCIPAL = "kafka-broker"
"""The broker's own identity: the CN of its certificate. Over the controller listener the
broker authenticates with that certificate; KRaft's controller authorises its registration
and heartbeats (ClusterAction) before any ACL can exist, so it is a super user."""
SUPER_USERS = f"User:{ADMIN};User:{BROKER_PRINCIPAL}"


def _scram_login(security: StackSecurity) -> str:
    """JAAS login as hub-admin (the broker's own, and Kafka's tools')."""
    return (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{ADMIN}" password="{security.password(ADMIN)}";'
    )


def broker_properties(
    security: StackSecurity,
    *,
    data_dir: Path,
    bind_host: str,
    advertised_host: str,
    port: int,
    tls_port: int,
    controller_port: int,
) -> str:
    """server.properties of a single-node broker+controller secured as the module says."""
    return textwrap.dedent(
        f"""\
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@127.0.0.1:{controller_port}
        listeners=INTERNAL://{bind_host}:{port},AGENCY_TLS://{bind_host}:{tls_port},CONTROLLER://127.0.0.1:{controller_port}
        advertised.listeners=INTERNAL://{advertised_host}:{port},AGENCY_TLS://{advertised_host}:{tls_port}
        controller.listener.names=CONTROLLER
        listener.security.protocol.map=INTERNAL:SASL_SSL,AGENCY_TLS:SSL,CONTROLLER:SSL
        inter.broker.listener.name=INTERNAL
        sasl.enabled.mechanisms={SCRAM_MECHANISM}
        sasl.mechanism.inter.broker.protocol={SCRAM_MECHANISM}
        listener.name.internal.sasl.enabled.mechanisms={SCRAM_MECHANISM}
        listener.name.internal.scram-sha-512.sasl.jaas.config={_scram_login(security)}
        listener.name.agency_tls.ssl.client.auth=required
        listener.name.controller.ssl.client.auth=required
        ssl.keystore.type=PEM
        ssl.keystore.location={security.broker_keystore}
        ssl.truststore.type=PEM
        ssl.truststore.location={security.ca_file}
        ssl.principal.mapping.rules={PRINCIPAL_MAPPING_RULES}
        authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
        allow.everyone.if.no.acl.found=false
        super.users={SUPER_USERS}
        log.dirs={data_dir}
        num.partitions=3
        offsets.topic.replication.factor=1
        transaction.state.log.replication.factor=1
        transaction.state.log.min.isr=1
        share.coordinator.state.topic.replication.factor=1
        share.coordinator.state.topic.min.isr=1
        group.initial.rebalance.delay.ms=0
        auto.create.topics.enable=true
        """
    )


def admin_client_properties(security: StackSecurity) -> str:
    """hub-admin's settings for Kafka's own command-line tools (``--command-config``)."""
    return textwrap.dedent(
        f"""\
        security.protocol=SASL_SSL
        sasl.mechanism={SCRAM_MECHANISM}
        sasl.jaas.config={_scram_login(security)}
        ssl.truststore.type=PEM
        ssl.truststore.location={security.ca_file}
        """
    )
