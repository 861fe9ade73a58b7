"""Where the stack keeps its state, which ports it uses and which versions it runs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from hub_contracts.services import SERVICES, port_env_var

KAFKA_VERSION = "4.1.1"  # keep in step with deploy/local/pom.xml
ZIPKIN_VERSION = "3.5.1"
SECANTUS_CRATE = "secantus-mdb"
SECANTUS_VERSION = "0.5.3-beta.196"
SECANTUS_PY_VERSION = "0.7.0b3"


def find_repo_root(start: Path | None = None) -> Path:
    """The project root: ``HUB_REPO_ROOT`` or the nearest folder holding deploy/local/pom.xml."""
    if env := os.environ.get("HUB_REPO_ROOT"):
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "deploy" / "local" / "pom.xml").is_file():
            return folder
    for folder in Path(__file__).resolve().parents:
        if (folder / "deploy" / "local" / "pom.xml").is_file():
            return folder
    raise FileNotFoundError("cannot find the project root (deploy/local/pom.xml)")


def _port(var: str, default: int) -> int:
    return int(os.environ.get(var, default))


@dataclass(frozen=True)
class StackConfig:
    """Everything that places one stack on a machine; two configs never share state."""

    repo_root: Path
    state_dir: Path
    cache_dir: Path
    kafka_port: int = 9092
    """``INTERNAL``: SASL_SSL + SCRAM-SHA-512 (services, hubctl, agency systems with a password)."""
    kafka_tls_port: int = 9093
    """``AGENCY_TLS``: mutual TLS (agency systems with a client certificate)."""
    kafka_controller_port: int = 9094
    """KRaft's controller, PLAINTEXT, bound to 127.0.0.1."""
    mongo_port: int = 27017
    zipkin_port: int = 9411
    prometheus_port: int = 9090
    service_ports: dict[str, int] = field(default_factory=dict)
    tenants: tuple[str, ...] = ("hartlepool", "stockton")
    mongo_engine: str = "rs"
    """``rs`` (secantusd-rs, the default) or ``py`` (secantusd-py, slow fallback)."""
    external_kafka: str | None = None
    """``KAFKA_BOOTSTRAP``: use this Kafka instead of starting one."""
    external_mongo: str | None = None
    """``MONGO_URI``: use this MongoDB instead of starting SecantusDB."""

    @classmethod
    def from_env(cls) -> StackConfig:
        """The developer's stack: state in ``.local/``, ports from the environment."""
        root = find_repo_root()
        return cls(
            repo_root=root,
            state_dir=Path(os.environ.get("HUB_STATE_DIR", root / ".local")).resolve(),
            cache_dir=default_cache_dir(),
            kafka_port=_port("HUB_KAFKA_PORT", 9092),
            kafka_tls_port=_port("HUB_KAFKA_TLS_PORT", 9093),
            kafka_controller_port=_port("HUB_KAFKA_CONTROLLER_PORT", 9094),
            mongo_port=_port("HUB_MONGO_PORT", 27017),
            zipkin_port=_port("HUB_ZIPKIN_PORT", 9411),
            prometheus_port=_port("HUB_PROMETHEUS_PORT", 9090),
            service_ports={s.name: _port(port_env_var(s.name), s.port) for s in SERVICES},
            tenants=tuple(
                t for t in os.environ.get("HUB_TENANTS", "hartlepool,stockton").split(",") if t
            ),
            mongo_engine=os.environ.get("HUB_MONGO_ENGINE", "rs"),
            external_kafka=os.environ.get("KAFKA_BOOTSTRAP") or None,
            external_mongo=os.environ.get("MONGO_URI") or None,
        )

    def with_ports(self, **ports: object) -> StackConfig:
        """A copy with other ports (tests run a second stack beside the developer's)."""
        return replace(self, **ports)  # type: ignore[arg-type]

    @property
    def kafka_bootstrap(self) -> str:
        return self.external_kafka or f"127.0.0.1:{self.kafka_port}"

    @property
    def kafka_tls_bootstrap(self) -> str | None:
        """The mutual-TLS listener of the stack's own Kafka (None for an external one)."""
        return None if self.external_kafka else f"127.0.0.1:{self.kafka_tls_port}"

    @property
    def security_dir(self) -> Path:
        """The stack's generated Kafka credentials (git-ignored with the state folder)."""
        return self.state_dir / "security"

    @property
    def mongo_uri(self) -> str:
        return (
            self.external_mongo or f"mongodb://127.0.0.1:{self.mongo_port}/?directConnection=true"
        )

    def local_infrastructure(self) -> tuple[str, ...]:
        """The infrastructure processes this stack runs itself (not given from outside)."""
        parts: tuple[str, ...] = ("kafka",) if not self.external_kafka else ()
        parts += ("mongo",) if not self.external_mongo else ()
        return (*parts, "zipkin", "prometheus")

    @property
    def zipkin_url(self) -> str:
        return f"http://127.0.0.1:{self.zipkin_port}"

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.prometheus_port}"

    def service_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.service_ports[name]}"

    def service_env(self) -> dict[str, str]:
        """Environment that points every service at this stack."""
        env = {
            "KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "MONGO_URI": self.mongo_uri,
            "OTEL_EXPORTER_ZIPKIN_ENDPOINT": f"{self.zipkin_url}/api/v2/spans",
            "HUB_TENANTS": ",".join(self.tenants),
            "HUB_GATEWAY_DEV_HTTP": "true",  # the local stack serves plain http
            # demo agency tokens and the development internal-token key (docs/adr/0010)
            "HUB_ENV": "development",
        }
        for name, port in self.service_ports.items():
            env[port_env_var(name)] = str(port)
        return env


def default_cache_dir() -> Path:
    """Built artefacts shared by every clone on the machine (jars, the SecantusDB build)."""
    base = os.environ.get("HUB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "childrens-hub"
    )
    return Path(base).resolve()
