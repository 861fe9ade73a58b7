"""One description of a principal's way into Kafka, for every client library."""

from __future__ import annotations

import pytest
from faststream.security import SASLScram512
from hub_messaging.kafka_security import KafkaSecurity, KafkaSecurityError


def test_nothing_set_is_plaintext_for_a_broker_without_authentication() -> None:
    security = KafkaSecurity.from_env({})
    assert security.protocol == "PLAINTEXT"
    assert not security.authenticated
    assert security.aiokafka() == {"security_protocol": "PLAINTEXT"}
    assert security.faststream() is None


def test_scram_over_tls_reaches_every_library_the_same() -> None:
    env = {
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_USERNAME": "front-door",
        "KAFKA_SASL_PASSWORD": "pw",
    }
    security = KafkaSecurity.from_env(env)
    assert security.authenticated
    options = security.aiokafka()
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "front-door"
    assert options["ssl_context"] is not None
    assert security.confluent() == {
        "security.protocol": "sasl_ssl",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "front-door",
        "sasl.password": "pw",
    }
    broker_security = security.faststream()
    assert isinstance(broker_security, SASLScram512)
    assert broker_security.use_ssl
    assert KafkaSecurity.from_env(security.env()) == security


def test_a_client_certificate_is_mutual_tls() -> None:
    security = KafkaSecurity(protocol="SSL", certfile="/c.pem", keyfile="/k.pem", cafile="/ca.pem")
    assert security.authenticated
    assert not security.uses_sasl
    assert security.confluent() == {
        "security.protocol": "ssl",
        "ssl.ca.location": "/ca.pem",
        "ssl.certificate.location": "/c.pem",
        "ssl.key.location": "/k.pem",
    }
    with pytest.raises(KafkaSecurityError, match="KAFKA_SSL_CERTFILE"):
        KafkaSecurity(protocol="SSL")


def test_incomplete_or_unknown_settings_are_refused() -> None:
    with pytest.raises(KafkaSecurityError, match="KAFKA_SASL_PASSWORD"):
        KafkaSecurity(protocol="SASL_SSL", username="front-door")
    with pytest.raises(KafkaSecurityError, match="one of"):
        KafkaSecurity(protocol="TLS")
