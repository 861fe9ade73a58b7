"""The processes of the stack and how each is configured, started and checked."""

from __future__ import annotations

import functools
import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from hub_contracts.services import SERVICES

from hub_localstack import provision, security
from hub_localstack.checks import http_ok, kafka_ready, mongo_ready
from hub_localstack.config import StackConfig
from hub_localstack.kafka_config import broker_properties
from hub_localstack.processes import ManagedProcess
from hub_localstack.security import StackSecurity

LOG4J2 = textwrap.dedent(
    """\
    Configuration:
      Appenders:
        Console:
          name: STDOUT
          PatternLayout:
            pattern: "[%d] %p %m (%c)%n"
      Loggers:
        Root:
          level: INFO
          AppenderRef:
            - ref: STDOUT
    """
)


PROMETHEUS_DEPLOY = Path("deploy") / "prometheus"
"""Alert rules, console templates and the compose config, relative to the project root."""
ALERT_RULES = PROMETHEUS_DEPLOY / "alerts.yml"
DASHBOARD_PATH = "/consoles/hub.html"
"""The operations dashboard, a console template served by the stack's Prometheus."""
COMPOSE_ZIPKIN_URL = "http://localhost:9411/zipkin/"
"""The tracing UI's address as the committed console library has it (compose.yaml's)."""


class Components:
    """Builds the ManagedProcess of each part of one stack."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.run_dir = config.state_dir / "run"
        self.log_dir = config.state_dir / "logs"

    def _process(
        self,
        name: str,
        command: list[str],
        ports: list[int],
        ready: Callable[[], bool],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> ManagedProcess:
        return ManagedProcess(
            name, command, self.run_dir, self.log_dir, ports, ready, env=env, cwd=cwd
        )

    # -- Kafka ---------------------------------------------------------------
    @functools.cached_property
    def security(self) -> StackSecurity:
        """The stack's Kafka credentials (generated on first use, then reused)."""
        return security.ensure(self.config.security_dir, self.config.tenants)

    def kafka_env(self, principal: str) -> dict[str, str]:
        """The ``KAFKA_*`` environment of ``principal`` against this stack's Kafka; nothing
        for an external Kafka, whose security the environment gives as it is."""
        return {} if self.config.external_kafka else self.security.env(principal)

    def kafka(self) -> ManagedProcess:
        """Single-node KRaft broker+controller; every client authenticates (docs/adr/0010).

        Data under state/kafka survives restarts. Storage is formatted with a SCRAM
        credential for every principal; storage formatted with other credentials (or
        before Kafka authenticated anyone) is formatted again.
        """
        c = self.config
        creds = self.security
        java = provision.java_command()
        classpath = f"{provision.kafka_classpath(c)}/*"
        folder = c.state_dir / "kafka"
        data, props, log4j = folder / "data", folder / "server.properties", folder / "log4j2.yaml"
        marker = folder / "credentials.sha256"
        process = self._process(
            "kafka",
            [
                java,
                "-Xms256m",
                "-Xmx768m",
                "-XX:+UseG1GC",
                f"-Dlog4j2.configurationFile={log4j}",
                "-cp",
                classpath,
                "kafka.Kafka",
                str(props),
            ],
            [c.kafka_port, c.kafka_tls_port, c.kafka_controller_port],
            lambda: kafka_ready(c.kafka_bootstrap, creds.admin()),
        )
        fingerprint = creds.fingerprint()
        formatted = (data / "meta.properties").exists()
        if formatted and (not marker.exists() or marker.read_text().strip() != fingerprint):
            provision._say(
                "kafka: storage was formatted without this stack's credentials; "
                "formatting it again (development data on Kafka is lost)"
            )
            process.stop()  # ours, by PID, if an earlier `make up` left it running
            shutil.rmtree(data)
            formatted = False
        data.mkdir(parents=True, exist_ok=True)
        properties = broker_properties(
            creds,
            data_dir=data,
            bind_host="127.0.0.1",
            advertised_host="127.0.0.1",
            port=c.kafka_port,
            tls_port=c.kafka_tls_port,
            controller_port=c.kafka_controller_port,
        )
        security.write_private(props, properties)  # holds the broker's own SCRAM password
        log4j.write_text(LOG4J2)
        if not formatted:
            marker.unlink(missing_ok=True)
            provision._run(
                [
                    java,
                    "-cp",
                    classpath,
                    "kafka.tools.StorageTool",
                    "format",
                    f"--cluster-id={security.new_cluster_id()}",
                    f"--config={props}",
                    *(f"--add-scram={arg}" for arg in security.scram_arguments(creds)),
                ],
                "formatting Kafka storage",
                secret=True,
            )
            marker.write_text(fingerprint + "\n")
        return process

    # -- MongoDB wire (SecantusDB) -------------------------------------------------
    def mongo(self) -> ManagedProcess:
        """SecantusDB on WiredTiger; data under state/mongo survives restarts."""
        c = self.config
        binary = provision.secantusd_rs(c) if c.mongo_engine == "rs" else None
        command = [str(binary)] if binary else provision.secantusd_py_command()
        data = c.state_dir / "mongo"
        data.mkdir(parents=True, exist_ok=True)
        command += [
            "--host",
            "127.0.0.1",
            "--port",
            str(c.mongo_port),
            "--storage-path",
            str(data),
            "--cache-size",
            "1G",
            "--log-level",
            "WARNING",
            # fsync the log at each commit: consumers commit Kafka offsets only
            # after their write, so an acknowledged write must survive a crash
            "--sync-on-commit",
        ]
        return self._process("mongo", command, [c.mongo_port], lambda: mongo_ready(c.mongo_uri))

    # -- Tracing UI and metrics ----------------------------------------------------
    def zipkin(self) -> ManagedProcess:
        c = self.config
        return self._process(
            "zipkin",
            [provision.java_command(), "-Xmx384m", "-jar", str(provision.zipkin_jar(c))],
            [c.zipkin_port],
            lambda: http_ok(f"{c.zipkin_url}/health"),
            env={"QUERY_PORT": str(c.zipkin_port), "STORAGE_TYPE": "mem"},
        )

    def prometheus(self) -> ManagedProcess:
        c = self.config
        folder = c.state_dir / "prometheus"
        (folder / "data").mkdir(parents=True, exist_ok=True)
        config_file = folder / "prometheus.yml"
        config_file.write_text(prometheus_config(c))
        consoles, libraries = render_consoles(c, folder)
        return self._process(
            "prometheus",
            [
                provision.prometheus_binary(),
                f"--config.file={config_file}",
                f"--storage.tsdb.path={folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{c.prometheus_port}",
                f"--web.console.templates={consoles}",
                f"--web.console.libraries={libraries}",
            ],
            [c.prometheus_port],
            lambda: http_ok(f"{c.prometheus_url}/-/ready"),
        )

    # -- The hub's services ------------------------------------------------------
    def service(self, name: str) -> ManagedProcess:
        c = self.config
        package = next(s.package for s in SERVICES if s.name == name)
        return self._process(
            name,
            [sys.executable, "-m", package, "serve"],
            [c.service_ports[name]],
            lambda: http_ok(f"{c.service_url(name)}/readyz"),
            # each service is its own Kafka principal
            env={**c.service_env(), **self.kafka_env(name)},
            cwd=c.repo_root,
        )

    def services(self) -> list[ManagedProcess]:
        return [self.service(s.name) for s in SERVICES if s.name in self.config.service_ports]


def prometheus_config(config: StackConfig) -> str:
    """Scrape every service's /metrics, each target labelled with its service, and
    Prometheus itself; evaluate the hub's alert rules."""
    hub_targets = [
        {"targets": [f"127.0.0.1:{port}"], "labels": {"service": name}}
        for name, port in config.service_ports.items()
    ]
    document: dict[str, Any] = {
        "global": {"scrape_interval": "5s", "evaluation_interval": "5s"},
        "rule_files": [str(config.repo_root / ALERT_RULES)],
        "scrape_configs": [
            {"job_name": "childrens-hub", "static_configs": hub_targets},
            {
                "job_name": "prometheus",
                "static_configs": [{"targets": [f"127.0.0.1:{config.prometheus_port}"]}],
            },
        ],
    }
    return yaml.safe_dump(document, sort_keys=False)


def render_consoles(config: StackConfig, folder: Path) -> tuple[Path, Path]:
    """The dashboard's console templates and libraries, copied into ``folder`` with this
    stack's Zipkin address in place of compose's; returns (templates, libraries)."""
    zipkin = f"{config.zipkin_url}/zipkin/"
    rendered = []
    for part in ("consoles", "console_libraries"):
        target = folder / part
        shutil.rmtree(target, ignore_errors=True)  # a file removed from the tree goes too
        target.mkdir(parents=True)
        for source in sorted((config.repo_root / PROMETHEUS_DEPLOY / part).iterdir()):
            text = source.read_text().replace(COMPOSE_ZIPKIN_URL, zipkin)
            (target / source.name).write_text(text)
        rendered.append(target)
    return rendered[0], rendered[1]


def process_names(config: StackConfig) -> list[str]:
    """Names of every process of a stack, in start order."""
    return ["kafka", "mongo", "zipkin", "prometheus", *config.service_ports]
