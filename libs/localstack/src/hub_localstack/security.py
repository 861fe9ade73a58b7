"""The stack's Kafka credentials, generated once into its git-ignored state folder.

``<state>/security/`` holds, for one deployment's principals
(``hub_contracts.principals.principals(tenants)``):

- ``ca.crt``/``ca.key``: a development certificate authority;
- ``broker.crt``/``broker.key`` and ``broker.pem`` (key and chain, Kafka's PEM
  keystore): the broker's certificate, for 127.0.0.1, ``localhost`` and
  ``kafka`` (compose's host name);
- ``clients/<name>.crt``/``.key``: a client certificate per agency system that
  authenticates with x509 (subject ``CN=<name>``), signed by the CA;
- ``credentials.json``: a random SCRAM password for every principal, and the
  certificate and key of those that have one.

Generating again reuses everything that is there and still valid, and adds
what a principal added since needs. Keys and ``credentials.json`` are 0600.
Nothing here is committed: the state folder is git-ignored, and in compose
the files live in a volume (``python -m hub_localstack.security --out /security``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import ipaddress
import json
import os
import secrets
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hub_contracts.principals import (
    ADMIN,
    Authentication,
    KafkaPrincipal,
    principals,
)
from hub_messaging.kafka_security import ENV as KAFKA_ENV
from hub_messaging.kafka_security import KafkaSecurity

from hub_localstack.kafka_config import (
    BROKER_PRINCIPAL,
    CERTIFICATE_ORGANISATION,
    SCRAM_MECHANISM,
    admin_client_properties,
    broker_properties,
)

BROKER_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "kafka")
"""Names the broker's certificate is valid for: loopback, and compose's host name."""
CA_DAYS = 3650
LEAF_DAYS = 825
RENEW_BEFORE = dt.timedelta(days=30)
"""A leaf certificate this close to expiry is issued again."""


@dataclass(frozen=True)
class Credential:
    """One principal's secrets: its SCRAM password, and its certificate if it has one."""

    password: str
    certfile: str | None = None
    keyfile: str | None = None


@dataclass(frozen=True)
class StackSecurity:
    """The generated credentials of one deployment and how each principal uses them."""

    folder: Path
    principals: Mapping[str, KafkaPrincipal]
    credentials: Mapping[str, Credential] = field(repr=False)

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def broker_keystore(self) -> Path:
        """The broker's private key followed by its certificate chain (PEM keystore)."""
        return self.folder / "broker.pem"

    @property
    def credentials_file(self) -> Path:
        return self.folder / "credentials.json"

    def password(self, name: str) -> str:
        return self.credentials[name].password

    def passwords(self) -> dict[str, str]:
        """Every principal's password, as ``credentials.json`` holds them."""
        return {name: c.password for name, c in self.credentials.items()}

    def scram_passwords(self) -> dict[str, str]:
        """The passwords the broker knows: of the principals that authenticate with SCRAM.
        An agency system with a certificate gets no SCRAM credential on the broker, so its
        certificate is its only way in (its password is kept should it switch to SCRAM)."""
        return {
            name: c.password
            for name, c in self.credentials.items()
            if self.principals[name].authentication is Authentication.SCRAM
        }

    def security(self, name: str) -> KafkaSecurity:
        """How ``name`` authenticates: a client certificate on the TLS listener for an
        x509 agency system; SCRAM-SHA-512 over TLS for everyone else."""
        principal = self.principals[name]
        credential = self.credentials[name]
        if principal.authentication is Authentication.X509:
            return KafkaSecurity(
                protocol="SSL",
                cafile=str(self.ca_file),
                certfile=credential.certfile,
                keyfile=credential.keyfile,
            )
        return KafkaSecurity(
            protocol="SASL_SSL",
            mechanism=SCRAM_MECHANISM,
            username=name,
            password=credential.password,
            cafile=str(self.ca_file),
        )

    def admin(self) -> KafkaSecurity:
        return self.security(ADMIN)

    def uses_tls_listener(self, name: str) -> bool:
        """True for a principal that connects to the mutual-TLS listener."""
        return self.principals[name].authentication is Authentication.X509

    def fingerprint(self) -> str:
        """Changes when the CA or the admin's password does: storage formatted with
        other credentials must be formatted again."""
        digest = hashlib.sha256(self.ca_file.read_bytes())
        digest.update(self.password(ADMIN).encode())
        return digest.hexdigest()

    def env(self, name: str) -> dict[str, str]:
        """Environment giving a process ``name``'s security, clearing any other's."""
        return {var: "" for var in KAFKA_ENV.values()} | self.security(name).env()


def ensure(
    folder: Path,
    tenants: Sequence[str],
    *,
    hosts: Sequence[str] = BROKER_HOSTS,
    now: dt.datetime | None = None,
) -> StackSecurity:
    """Generate what is missing in ``folder`` and return the stack's credentials."""
    now = now or dt.datetime.now(dt.UTC)
    found = {p.name: p for p in principals(tenants)}
    if BROKER_PRINCIPAL in found:  # its certificate would make it a super user
        raise ValueError(f"{BROKER_PRINCIPAL!r} is the broker's own name, not a principal's")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    ca_key, ca_cert, new_ca = _ensure_ca(folder, now)
    _ensure_leaf(
        folder / "broker.crt",
        folder / "broker.key",
        ca_key,
        ca_cert,
        subject=BROKER_PRINCIPAL,
        hosts=hosts,
        server=True,
        renew=new_ca,
        now=now,
    )
    keystore = (folder / "broker.key").read_bytes() + (folder / "broker.crt").read_bytes()
    _write_if_changed(folder / "broker.pem", keystore, secret=True)

    stored = _load_credentials(folder / "credentials.json")
    credentials: dict[str, Credential] = {}
    for name, principal in found.items():
        password = stored.get(name, {}).get("password") or secrets.token_urlsafe(24)
        certfile = keyfile = None
        if principal.authentication is Authentication.X509:
            cert, key = folder / "clients" / f"{name}.crt", folder / "clients" / f"{name}.key"
            _ensure_leaf(
                cert, key, ca_key, ca_cert, subject=name, server=False, renew=new_ca, now=now
            )
            certfile, keyfile = str(cert), str(key)
        credentials[name] = Credential(password, certfile, keyfile)
    kept = {n: v for n, v in stored.items() if n not in credentials}  # a removed principal
    document = {**kept, **{n: _as_json(c) for n, c in credentials.items()}}
    _write_if_changed(
        folder / "credentials.json",
        (json.dumps(document, indent=2, sort_keys=True) + "\n").encode(),
        secret=True,
    )
    return StackSecurity(folder, found, credentials)


def _as_json(credential: Credential) -> dict[str, str | None]:
    return {
        "password": credential.password,
        "certfile": credential.certfile,
        "keyfile": credential.keyfile,
    }


def _load_credentials(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    loaded: dict[str, dict[str, str]] = json.loads(path.read_text())
    return loaded


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read (a config holding a password)."""
    _write_if_changed(path, text.encode(), secret=True)


def _write_if_changed(path: Path, content: bytes, *, secret: bool) -> None:
    """Write atomically (no half-written key on a crash), 0600 for a secret."""
    mode = 0o600 if secret else 0o644
    if path.exists() and path.read_bytes() == content:
        path.chmod(mode)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    partial.chmod(mode)
    partial.replace(path)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    # PKCS#8, which Kafka's PEM keystore reads; unencrypted, protected by its file mode
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, CERTIFICATE_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ensure_ca(
    folder: Path, now: dt.datetime
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate, bool]:
    key_path, cert_path = folder / "ca.key", folder / "ca.crt"
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if isinstance(key, ec.EllipticCurvePrivateKey) and cert.not_valid_after_utc > now:
            return key, cert, False
    key = _new_key()
    name = _name("Children's Hub development CA")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_if_changed(key_path, _key_pem(key), secret=True)
    _write_if_changed(cert_path, cert.public_bytes(serialization.Encoding.PEM), secret=False)
    return key, cert, True


def _ensure_leaf(
    cert_path: Path,
    key_path: Path,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    *,
    subject: str,
    hosts: Sequence[str] = (),
    server: bool,
    renew: bool,
    now: dt.datetime,
) -> None:
    """Issue ``subject``'s certificate unless a valid one from this CA is there."""
    if not renew and _still_good(cert_path, key_path, ca_cert, subject, hosts, now):
        return
    key = _new_key()
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # the broker's certificate also authenticates it to itself (inter-broker TLS)
        .add_extension(
            x509.ExtendedKeyUsage([usage, ExtendedKeyUsageOID.CLIENT_AUTH] if server else [usage]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if hosts:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(list(_general_names(hosts))), critical=False
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    _write_if_changed(key_path, _key_pem(key), secret=True)
    _write_if_changed(cert_path, cert.public_bytes(serialization.Encoding.PEM), secret=False)


def _general_names(hosts: Iterable[str]) -> Iterable[x509.GeneralName]:
    for host in hosts:
        try:
            yield x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            yield x509.DNSName(host)


def _still_good(
    cert_path: Path,
    key_path: Path,
    ca_cert: x509.Certificate,
    subject: str,
    hosts: Sequence[str],
    now: dt.datetime,
) -> bool:
    if not (cert_path.exists() and key_path.exists()):
        return False
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    if cert.issuer != ca_cert.subject or cert.subject != _name(subject):
        return False
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    if cert.not_valid_after_utc - RENEW_BEFORE < now:
        return False
    if hosts:
        try:
            names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return False
        if set(names) != set(_general_names(hosts)):
            return False
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    return key.public_key() == cert.public_key()


def owned_by(folder: Path, uid: int, gid: int) -> None:
    """Give every file of ``folder`` to ``uid:gid`` (compose: the containers' user)."""
    for path in (folder, *folder.rglob("*")):
        os.chown(path, uid, gid)


# -- compose: the one-shot init service -------------------------------------------


def write_compose_files(security: StackSecurity, *, kafka_host: str = "kafka") -> None:
    """What compose's containers read from the shared volume besides the certificates:

    - ``env/<principal>.env``: the ``KAFKA_*`` variables of each principal, sourced
      by deploy/docker/kafka-env.sh before a service (or hubctl) starts;
    - ``kafka/server.properties``: the broker's configuration (the same listeners as
      the local stack's), ``kafka/cluster-id``, ``kafka/add-scram.args`` (one
      ``--add-scram`` per SCRAM principal, for ``kafka-storage.sh format``) and
      ``kafka/credentials.sha256`` (storage formatted with other credentials is
      formatted again: deploy/docker/kafka-storage.sh);
    - ``kafka/admin.properties``: hub-admin's client settings for Kafka's own tools;
    - ``kafka/scram-passwords.json``: the SCRAM principals' passwords, which
      ``hubctl acl apply --passwords`` sets on the broker (a principal added later).
    """
    folder = security.folder
    for name in security.principals:
        lines = "".join(f"{var}={shlex.quote(v)}\n" for var, v in security.env(name).items())
        _write_if_changed(folder / "env" / f"{name}.env", lines.encode(), secret=True)
    cluster_id = folder / "kafka" / "cluster-id"
    if not cluster_id.exists():
        _write_if_changed(cluster_id, (new_cluster_id() + "\n").encode(), secret=False)
    properties = broker_properties(
        security,
        data_dir=Path("/var/lib/kafka/data"),
        bind_host="0.0.0.0",
        advertised_host=kafka_host,
        port=9092,
        tls_port=9093,
        controller_port=9094,
    )
    _write_if_changed(folder / "kafka" / "server.properties", properties.encode(), secret=True)
    scram = "".join(f"--add-scram={arg}\n" for arg in scram_arguments(security))
    _write_if_changed(folder / "kafka" / "add-scram.args", scram.encode(), secret=True)
    passwords = json.dumps(security.scram_passwords(), indent=2, sort_keys=True) + "\n"
    _write_if_changed(folder / "kafka" / "scram-passwords.json", passwords.encode(), secret=True)
    fingerprint = (security.fingerprint() + "\n").encode()
    _write_if_changed(folder / "kafka" / "credentials.sha256", fingerprint, secret=False)
    _write_if_changed(
        folder / "kafka" / "admin.properties",
        admin_client_properties(security).encode(),
        secret=True,
    )


def scram_arguments(security: StackSecurity) -> list[str]:
    """``kafka-storage format --add-scram`` values: every SCRAM principal's credential."""
    return [
        f"{SCRAM_MECHANISM}=[name={name},password={password}]"
        for name, password in security.scram_passwords().items()
    ]


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding."""
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hub_localstack.security",
        description="Generate (idempotently) the Kafka credentials of a deployment: a "
        "development CA, the broker's certificate, agency systems' client certificates "
        "and a SCRAM password per principal.",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument(
        "--tenants",
        default=os.environ.get("HUB_TENANTS", "hartlepool,stockton"),
        help="comma-separated tenants (default: HUB_TENANTS)",
    )
    parser.add_argument(
        "--compose",
        action="store_true",
        help="also write compose's broker config, SCRAM bootstrap and env files",
    )
    parser.add_argument("--owner", help="UID:GID to give the files to (compose's containers)")
    args = parser.parse_args(argv)
    tenants = [t for t in args.tenants.split(",") if t]
    security = ensure(args.out.resolve(), tenants)
    if args.compose:
        write_compose_files(security)
    if args.owner:
        uid, gid = (int(part) for part in args.owner.split(":"))
        owned_by(security.folder, uid, gid)
    print(
        f"kafka credentials in {security.folder}: {len(security.principals)} principals, "
        f"{sum(1 for n in security.principals if security.uses_tls_listener(n))} "
        "with a client certificate"
    )
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
