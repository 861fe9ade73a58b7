"""The stack's Kafka credentials: generated once, kept private, reused, extended."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hub_contracts.principals import (
    ADMIN,
    AGENCY_SYSTEMS_FILE_ENV,
    Authentication,
    principals,
)
from hub_localstack import security
from hub_localstack.config import StackConfig
from hub_localstack.kafka_config import (
    BROKER_PRINCIPAL,
    PRINCIPAL_MAPPING_RULES,
    admin_client_properties,
    broker_properties,
)

TENANTS = ("hartlepool", "stockton")


def _cert(path: str | Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def generated(tmp_path: Path) -> security.StackSecurity:
    return security.ensure(tmp_path / "security", TENANTS)


def test_every_principal_gets_a_random_password_and_x509_systems_a_certificate(
    generated: security.StackSecurity,
) -> None:
    expected = principals(TENANTS)
    assert set(generated.credentials) == {p.name for p in expected}
    passwords = [c.password for c in generated.credentials.values()]
    assert len(set(passwords)) == len(passwords), "every password is its own"
    assert all(len(p) >= 32 for p in passwords)
    stored = json.loads(generated.credentials_file.read_text())
    for principal in expected:
        entry = stored[principal.name]
        assert entry["password"] == generated.password(principal.name)
        if principal.authentication is Authentication.X509:
            cert = _cert(entry["certfile"])
            assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
                principal.name
            )
            cert.verify_directly_issued_by(_cert(generated.ca_file))
            usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
        else:
            assert entry["certfile"] is None
            assert entry["keyfile"] is None
    assert any(p.authentication is Authentication.X509 for p in expected)


def test_the_brokers_certificate_names_loopback_localhost_and_composes_host(
    generated: security.StackSecurity,
) -> None:
    cert = _cert(generated.folder / "broker.crt")
    cert.verify_directly_issued_by(_cert(generated.ca_file))
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert set(names.get_values_for_type(x509.DNSName)) == {"localhost", "kafka"}
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == BROKER_PRINCIPAL
    keystore = generated.broker_keystore.read_text()
    assert keystore.startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, as Kafka reads it
    assert "-----BEGIN CERTIFICATE-----" in keystore


def test_keys_and_credentials_are_readable_by_their_owner_only(
    generated: security.StackSecurity,
) -> None:
    folder = generated.folder
    secrets_ = [folder / "ca.key", folder / "broker.key", folder / "broker.pem"]
    secrets_ += [*(folder / "clients").glob("*.key"), generated.credentials_file]
    assert len(secrets_) >= 6
    for path in secrets_:
        assert _mode(path) == 0o600, path
    assert _mode(folder) == 0o700


def test_generating_again_reuses_everything(generated: security.StackSecurity) -> None:
    before = {p: p.read_bytes() for p in generated.folder.rglob("*") if p.is_file()}
    again = security.ensure(generated.folder, TENANTS)
    assert again.credentials == generated.credentials
    assert {p: p.read_bytes() for p in generated.folder.rglob("*") if p.is_file()} == before


def test_a_principal_added_later_gets_its_password_and_certificate_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "security"
    first = security.ensure(folder, TENANTS)
    systems = tmp_path / "agency-systems.yaml"
    systems.write_text(
        "version: 1\nsystems:\n"
        "  - {name: tees-valley-ambulance, service: health-feed, tenants: [stockton],"
        " authentication: x509}\n"
    )
    monkeypatch.setenv(AGENCY_SYSTEMS_FILE_ENV, str(systems))
    second = security.ensure(folder, TENANTS)
    assert second.password(ADMIN) == first.password(ADMIN)
    assert second.password("front-door") == first.password("front-door")
    added = second.security("tees-valley-ambulance")
    assert added.protocol == "SSL"
    assert added.certfile is not None
    assert _cert(added.certfile).subject.rfc4514_string() == (
        "CN=tees-valley-ambulance,O=childrens-hub-development"
    )


def test_a_certificate_from_another_ca_is_issued_again(tmp_path: Path) -> None:
    folder = tmp_path / "security"
    first = security.ensure(folder, TENANTS)
    old_cert, old_fingerprint = (folder / "broker.crt").read_bytes(), first.fingerprint()
    (folder / "ca.key").unlink()  # a CA lost: everything it signed is worthless
    second = security.ensure(folder, TENANTS)
    assert (folder / "broker.crt").read_bytes() != old_cert
    _cert(folder / "broker.crt").verify_directly_issued_by(_cert(second.ca_file))
    assert second.password(ADMIN) == first.password(ADMIN)
    assert second.fingerprint() != old_fingerprint, "the broker's storage is formatted again"


def test_a_certificate_near_its_end_is_renewed(tmp_path: Path) -> None:
    folder = tmp_path / "security"
    security.ensure(folder, TENANTS)
    old = _cert(folder / "broker.crt")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=security.LEAF_DAYS - 10)
    security.ensure(folder, TENANTS, now=later)
    assert _cert(folder / "broker.crt").serial_number != old.serial_number


def test_each_principal_authenticates_its_own_way(generated: security.StackSecurity) -> None:
    for principal in principals(TENANTS):
        sec = generated.security(principal.name)
        assert sec.cafile == str(generated.ca_file)
        if principal.authentication is Authentication.X509:
            assert (sec.protocol, sec.username, sec.password) == ("SSL", None, None)
            assert generated.uses_tls_listener(principal.name)
        else:
            assert sec.protocol == "SASL_SSL"
            assert sec.mechanism == "SCRAM-SHA-512"
            assert (sec.username, sec.password) == (
                principal.name,
                generated.password(principal.name),
            )
    env = generated.env("front-door")
    assert env["KAFKA_SASL_USERNAME"] == "front-door"
    assert env["KAFKA_SSL_CERTFILE"] == "", "another principal's certificate is cleared"


def test_the_broker_knows_a_scram_credential_only_for_scram_principals(
    generated: security.StackSecurity,
) -> None:
    arguments = security.scram_arguments(generated)
    scram = [p.name for p in principals(TENANTS) if p.authentication is Authentication.SCRAM]
    assert arguments == [
        f"SCRAM-SHA-512=[name={n},password={generated.password(n)}]" for n in scram
    ]
    assert not any("cleveland-police-records" in a for a in arguments)


def test_the_broker_config_authenticates_every_listener_and_denies_by_default(
    generated: security.StackSecurity, tmp_path: Path
) -> None:
    text = broker_properties(
        generated,
        data_dir=tmp_path / "data",
        bind_host="127.0.0.1",
        advertised_host="127.0.0.1",
        port=9092,
        tls_port=9093,
        controller_port=9094,
    )
    props = dict(line.split("=", 1) for line in text.splitlines() if line)
    assert props["listeners"] == (
        "INTERNAL://127.0.0.1:9092,AGENCY_TLS://127.0.0.1:9093,CONTROLLER://127.0.0.1:9094"
    )
    assert props["listener.security.protocol.map"] == (
        "INTERNAL:SASL_SSL,AGENCY_TLS:SSL,CONTROLLER:SSL"
    )
    assert "PLAINTEXT" not in text
    assert props["listener.name.agency_tls.ssl.client.auth"] == "required"
    assert props["listener.name.controller.ssl.client.auth"] == "required"
    assert props["inter.broker.listener.name"] == "INTERNAL"
    assert props["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-512"
    assert f'username="{ADMIN}"' in props["listener.name.internal.scram-sha-512.sasl.jaas.config"]
    assert props["allow.everyone.if.no.acl.found"] == "false"
    assert props["authorizer.class.name"].endswith("StandardAuthorizer")
    assert props["super.users"] == f"User:{ADMIN};User:{BROKER_PRINCIPAL}"
    assert props["ssl.keystore.type"] == props["ssl.truststore.type"] == "PEM"
    assert props["ssl.principal.mapping.rules"] == PRINCIPAL_MAPPING_RULES
    assert "ssl.truststore.location=" + str(generated.ca_file) in admin_client_properties(generated)


def test_an_agency_system_cannot_take_the_brokers_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    systems = tmp_path / "agency-systems.yaml"
    systems.write_text(
        "version: 1\nsystems:\n"
        f"  - {{name: {BROKER_PRINCIPAL}, service: police-feed, tenants: [stockton],"
        " authentication: x509}\n"
    )
    monkeypatch.setenv(AGENCY_SYSTEMS_FILE_ENV, str(systems))
    with pytest.raises(ValueError, match=r"broker's own name|not a service's"):
        security.ensure(tmp_path / "security", TENANTS)


def test_compose_files_give_each_principal_its_environment(tmp_path: Path) -> None:
    generated = security.ensure(tmp_path / "security", TENANTS)
    security.write_compose_files(generated)
    folder = generated.folder
    env = dict(
        line.split("=", 1) for line in (folder / "env" / "police-feed.env").read_text().split()
    )
    assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert env["KAFKA_SASL_USERNAME"] == "police-feed"
    assert env["KAFKA_SASL_PASSWORD"] == generated.password("police-feed")
    assert env["KAFKA_SSL_CAFILE"] == str(generated.ca_file)
    server = (folder / "kafka" / "server.properties").read_text()
    assert "advertised.listeners=INTERNAL://kafka:9092,AGENCY_TLS://kafka:9093" in server
    assert "CONTROLLER://127.0.0.1:9094" in server
    assert (folder / "kafka" / "add-scram.args").read_text().splitlines() == [
        f"--add-scram={a}" for a in security.scram_arguments(generated)
    ]
    cluster_id = (folder / "kafka" / "cluster-id").read_text()
    security.write_compose_files(generated)
    assert (folder / "kafka" / "cluster-id").read_text() == cluster_id
    for path in (folder / "env").iterdir():
        assert _mode(path) == 0o600


def test_the_stacks_credentials_live_in_its_state_folder(tmp_path: Path) -> None:
    config = StackConfig(repo_root=tmp_path, state_dir=tmp_path / ".local", cache_dir=tmp_path)
    assert config.security_dir == tmp_path / ".local" / "security"
    assert config.kafka_tls_bootstrap == "127.0.0.1:9093"
    assert config.service_env()["HUB_ENV"] == "development"


def test_a_password_rotated_by_hubctl_is_the_one_used_from_then_on(
    generated: security.StackSecurity,
) -> None:
    from hub_ops.acl import read_passwords, save_password

    save_password(generated.credentials_file, "police-feed", "rotated-password")
    again = security.ensure(generated.folder, TENANTS)
    assert again.password("police-feed") == "rotated-password"
    assert again.password("front-door") == generated.password("front-door")
    assert (
        again.credentials["cleveland-police-records"]
        == generated.credentials["cleveland-police-records"]
    )
    assert read_passwords(generated.credentials_file)["police-feed"] == "rotated-password"
    assert _mode(generated.credentials_file) == 0o600
