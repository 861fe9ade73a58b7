"""How a process authenticates to Kafka: one description, every client library.

Every Kafka client of the hub (the services' FastStream broker, the outbox
relay's producer, readiness and progress probes, ``hubctl``, the tests)
takes its security from the same environment variables, so a process is one
principal whichever library it uses:

- ``KAFKA_SECURITY_PROTOCOL``: ``SASL_SSL`` (SCRAM over TLS, the hub's
  services), ``SSL`` (mutual TLS, agency systems with a certificate),
  ``SASL_PLAINTEXT`` or ``PLAINTEXT`` (only a broker without authentication);
- ``KAFKA_SASL_MECHANISM`` (default ``SCRAM-SHA-512``), ``KAFKA_SASL_USERNAME``,
  ``KAFKA_SASL_PASSWORD``;
- ``KAFKA_SSL_CAFILE`` (the CA that signed the broker's certificate),
  ``KAFKA_SSL_CERTFILE`` and ``KAFKA_SSL_KEYFILE`` (a client certificate).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

PROTOCOLS = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL")
ENV = {
    "protocol": "KAFKA_SECURITY_PROTOCOL",
    "mechanism": "KAFKA_SASL_MECHANISM",
    "username": "KAFKA_SASL_USERNAME",
    "password": "KAFKA_SASL_PASSWORD",
    "cafile": "KAFKA_SSL_CAFILE",
    "certfile": "KAFKA_SSL_CERTFILE",
    "keyfile": "KAFKA_SSL_KEYFILE",
}


class KafkaSecurityError(ValueError):
    """The Kafka security settings are incomplete or contradictory."""


@dataclass(frozen=True)
class KafkaSecurity:
    """A principal's way into Kafka."""

    protocol: str = "PLAINTEXT"
    mechanism: str = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = None
    cafile: str | None = None
    certfile: str | None = None
    keyfile: str | None = None

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise KafkaSecurityError(f"KAFKA_SECURITY_PROTOCOL must be one of {PROTOCOLS}")
        if self.uses_sasl and not (self.username and self.password):
            raise KafkaSecurityError(
                f"{self.protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"
            )
        if self.protocol == "SSL" and not (self.certfile and self.keyfile):
            raise KafkaSecurityError(
                "SSL (mutual TLS) needs KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> KafkaSecurity:
        """The security the environment describes (``PLAINTEXT`` when none)."""
        source = os.environ if env is None else env
        values = {field: source.get(name) for field, name in ENV.items()}
        given = {k: v for k, v in values.items() if v}
        return cls(**given)

    @property
    def uses_sasl(self) -> bool:
        return self.protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.protocol in ("SASL_SSL", "SSL")

    @property
    def authenticated(self) -> bool:
        """Whether the broker learns who this is (SCRAM or a client certificate)."""
        return self.uses_sasl or self.protocol == "SSL"

    def as_user(self, username: str, password: str) -> KafkaSecurity:
        """The same connection, as another SCRAM principal."""
        return replace(self, username=username, password=password)

    def env(self) -> dict[str, str]:
        """The environment variables that give a process this security."""
        return {
            name: str(value)
            for field, name in ENV.items()
            if (value := getattr(self, field)) is not None and value != ""
        }

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.uses_tls:
            return None
        context = ssl.create_default_context(cafile=self.cafile)
        if self.certfile and self.keyfile:
            context.load_cert_chain(self.certfile, self.keyfile)
        return context

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer and admin client."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.uses_sasl:
            options.update(
                sasl_mechanism=self.mechanism,
                sasl_plain_username=self.username,
                sasl_plain_password=self.password,
            )
        if self.uses_tls:
            options["ssl_context"] = self.ssl_context()
        return options

    def faststream(self) -> BaseSecurity | None:
        """The same, as FastStream's ``security=`` object for a ``KafkaBroker``."""
        if self.protocol == "PLAINTEXT":
            return None
        context = self.ssl_context()
        use_ssl = self.uses_tls
        if not self.uses_sasl:
            return BaseSecurity(ssl_context=context, use_ssl=use_ssl)
        username, password = self.username or "", self.password or ""
        kinds = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256}
        if self.mechanism in kinds:
            return kinds[self.mechanism](username, password, context, use_ssl)
        if self.mechanism == "PLAIN":
            return SASLPlaintext(username, password, context, use_ssl)
        raise KafkaSecurityError(f"KAFKA_SASL_MECHANISM {self.mechanism} is not supported")

    def confluent(self) -> dict[str, str]:
        """librdkafka properties (confluent-kafka, kcat's ``-X``)."""
        options = {"security.protocol": self.protocol.lower()}
        if self.uses_sasl:
            options.update(
                {
                    "sasl.mechanism": self.mechanism,
                    "sasl.username": self.username or "",
                    "sasl.password": self.password or "",
                }
            )
        if self.uses_tls and self.cafile:
            options["ssl.ca.location"] = self.cafile
        if self.certfile and self.keyfile:
            options["ssl.certificate.location"] = self.certfile
            options["ssl.key.location"] = self.keyfile
        return options


def kafka_options(security: KafkaSecurity | None = None) -> dict[str, Any]:
    """aiokafka keyword arguments for ``security`` (default: from the environment)."""
    return (security or KafkaSecurity.from_env()).aiokafka()
