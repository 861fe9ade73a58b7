"""Environment variables point the stack at external infrastructure or other ports."""

from __future__ import annotations

import pytest
from hub_localstack.config import StackConfig


def test_defaults_start_everything_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("KAFKA_BOOTSTRAP", "MONGO_URI", "HUB_KAFKA_PORT", "FRONT_DOOR_PORT"):
        monkeypatch.delenv(var, raising=False)
    config = StackConfig.from_env()
    assert config.local_infrastructure() == ("kafka", "mongo", "zipkin", "prometheus")
    assert config.service_env()["KAFKA_BOOTSTRAP"] == "127.0.0.1:9092"
    assert config.service_env()["FRONT_DOOR_PORT"] == "8001"


def test_external_kafka_and_mongodb_replace_the_local_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "kafka.internal:9092")
    monkeypatch.setenv("MONGO_URI", "mongodb://db.internal:27017/?replicaSet=rs0")
    config = StackConfig.from_env()
    assert config.local_infrastructure() == ("zipkin", "prometheus")
    env = config.service_env()
    assert env["KAFKA_BOOTSTRAP"] == "kafka.internal:9092"
    assert env["MONGO_URI"] == "mongodb://db.internal:27017/?replicaSet=rs0"


def test_ports_can_be_moved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP", raising=False)
    monkeypatch.setenv("HUB_KAFKA_PORT", "19092")
    monkeypatch.setenv("GATEWAY_PORT", "18000")
    config = StackConfig.from_env()
    assert config.kafka_bootstrap == "127.0.0.1:19092"
    assert config.service_url("gateway") == "http://127.0.0.1:18000"


def test_kafkas_three_listeners_have_their_own_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("KAFKA_BOOTSTRAP", "HUB_KAFKA_TLS_PORT", "HUB_KAFKA_CONTROLLER_PORT"):
        monkeypatch.delenv(var, raising=False)
    config = StackConfig.from_env()
    assert (config.kafka_port, config.kafka_tls_port, config.kafka_controller_port) == (
        9092,
        9093,
        9094,
    )
    ports = [config.mongo_port, config.zipkin_port, config.prometheus_port]
    ports += list(config.service_ports.values())
    assert not {9092, 9093, 9094} & set(ports), "no other default takes Kafka's ports"
    monkeypatch.setenv("HUB_KAFKA_TLS_PORT", "19093")
    assert StackConfig.from_env().kafka_tls_bootstrap == "127.0.0.1:19093"
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "kafka.internal:9092")
    assert StackConfig.from_env().kafka_tls_bootstrap is None
