"""Bring a whole stack up, report its status and take it down."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from hub_contracts.services import SERVICES
from hub_messaging.kafka_security import KafkaSecurity

from hub_localstack import provision
from hub_localstack.checks import kafka_ready, mongo_ready
from hub_localstack.components import DASHBOARD_PATH, Components, process_names
from hub_localstack.config import StackConfig
from hub_localstack.errors import StackError
from hub_localstack.processes import ManagedProcess

READY_TIMEOUT_S = {"kafka": 120.0, "mongo": 60.0, "zipkin": 120.0, "prometheus": 60.0}
SERVICE_READY_TIMEOUT_S = 90.0


def _say(message: str) -> None:
    print(f"[stack] {message}", file=sys.stderr, flush=True)


@dataclass
class Stack:
    """One stack: the developer's (``.local/``) or a test's own (a temp folder)."""

    config: StackConfig

    def __post_init__(self) -> None:
        self.components = Components(self.config)

    def handle(self, name: str) -> ManagedProcess:
        """A handle on a process for status and stop, without provisioning anything."""
        c = self.components
        return ManagedProcess(name, [], c.run_dir, c.log_dir, [], lambda: False)

    def up_infrastructure(self, parts: tuple[str, ...] | None = None) -> None:
        """Start the named infrastructure processes (default: all not given from outside)."""
        if parts is None:
            parts = self.config.local_infrastructure()
        c = self.config
        if c.external_kafka and not kafka_ready(c.external_kafka):
            raise StackError(
                f"KAFKA_BOOTSTRAP={c.external_kafka} does not answer; unset it or start it"
            )
        if c.external_mongo and not mongo_ready(c.external_mongo):
            raise StackError("MONGO_URI does not answer a ping; unset it or start that server")
        procs = [getattr(self.components, name)() for name in parts]
        started = [p for p in procs if p.start()]
        for proc in procs:
            proc.wait_ready(READY_TIMEOUT_S[proc.name])
            state = "started" if proc in started else "already running"
            _say(f"{proc.name}: {state} (pid {proc.pid()})")
            if proc.name == "kafka":
                self.apply_acls()

    def kafka_admin(self) -> KafkaSecurity:
        """hub-admin's security against this stack's Kafka (an external Kafka's: the
        environment's, as it is)."""
        if self.config.external_kafka:
            return KafkaSecurity.from_env()
        return self.components.security.admin()

    def kafka_access(self, principal: str) -> tuple[str, KafkaSecurity]:
        """The bootstrap and security with which ``principal`` reaches this stack's Kafka:
        the mutual-TLS listener for an agency system with a certificate, else SCRAM."""
        c = self.config
        if c.external_kafka or c.kafka_tls_bootstrap is None:
            raise StackError("the credentials of an external Kafka are not the stack's to give")
        creds = self.components.security
        if principal not in creds.principals:
            known = ", ".join(creds.principals)
            raise StackError(f"{principal!r} is no Kafka principal of this stack ({known})")
        tls = creds.uses_tls_listener(principal)
        return (c.kafka_tls_bootstrap if tls else c.kafka_bootstrap), creds.security(principal)

    def apply_acls(self) -> None:
        """Kafka's ACLs as the sharing policy implies them, and every principal's SCRAM
        credential, applied as hub-admin before any service starts (the stack's own
        Kafka only: an external one is its operators', ``hubctl acl apply``)."""
        if self.config.external_kafka:
            return
        from hub_ops.acl import apply  # hubctl's own, so the stack and operators agree

        c, creds = self.config, self.components.security
        coroutine = apply(c.kafka_bootstrap, creds.admin(), c.tenants, creds.scram_passwords())
        # its own thread and loop, so a caller inside a running event loop can use it too
        with ThreadPoolExecutor(max_workers=1) as pool:
            plan = pool.submit(asyncio.run, coroutine).result()
        _say(
            f"kafka ACLs: {len(plan.to_add)} added, {len(plan.to_remove)} removed, "
            f"{plan.unchanged} unchanged; {len(plan.credentials)} SCRAM credentials set"
        )

    def up_services(self) -> None:
        """Every service of the hub, each waited on until /readyz answers 200."""
        if "gateway" in self.config.service_ports:
            provision.gateway_frontend(self.config)
        procs = self.components.services()
        started = [p for p in procs if p.start()]
        for proc in procs:
            proc.wait_ready(SERVICE_READY_TIMEOUT_S)
            state = "started" if proc in started else "already running"
            _say(f"{proc.name}: {state} (pid {proc.pid()}, {self.config.service_url(proc.name)})")

    def load_demo(self) -> None:
        """Each service loads its own demo data for every tenant into its own databases.

        Every service's reference data first (schools, teams, ...), then the
        agency records, so the events records cause find that data in place.
        """
        base = {**os.environ, **self.config.service_env()}
        for part in ("reference", "records"):
            for service in SERVICES:
                if service.name not in self.config.service_ports:
                    continue
                # as the service itself: its own Kafka principal
                env = {**base, **self.components.kafka_env(service.name)}
                result = subprocess.run(
                    [sys.executable, "-m", service.package, "load-demo", "--part", part],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=self.config.repo_root,
                    check=False,
                )
                if result.returncode != 0:
                    raise StackError(
                        f"{service.name}: loading demo {part} failed: {result.stderr[-400:]}"
                    )
                _say(f"demo {part}: {result.stdout.strip()}")

    def provision(self) -> None:
        """Fetch and build everything the stack runs, without starting anything."""
        c = self.config
        provision.java_command()
        provision.kafka_classpath(c)
        provision.zipkin_jar(c)
        provision.prometheus_binary()
        provision.promtool_binary()  # make test checks and unit-tests the alert rules
        provision.gateway_frontend(c)
        provision.chromium_binary()
        provision.outside_tools()
        if c.mongo_engine == "rs" and provision.secantusd_rs(c) is None:
            _say("secantusd-rs unavailable: the stack will use secantusd-py (slow)")

    def up(self, *, services: bool = True, demo: bool = True) -> None:
        t0 = time.monotonic()
        self.up_infrastructure()
        if services:
            self.up_services()
            if demo:
                self.load_demo()
        _say(f"up in {time.monotonic() - t0:.1f}s")

    def down(self) -> list[str]:
        """Stop, by PID, exactly the processes this stack started; services first."""
        stopped = []
        for name in reversed(process_names(self.config)):
            if self.handle(name).stop():
                stopped.append(name)
        return stopped

    def status(self) -> dict[str, int | None]:
        return {name: self.handle(name).pid() for name in process_names(self.config)}

    def urls(self) -> dict[str, str]:
        c = self.config
        urls = {
            "Kafka bootstrap": c.kafka_bootstrap,
            **(
                {
                    "Kafka mutual TLS": c.kafka_tls_bootstrap,
                    "Kafka credentials": str(c.security_dir / "credentials.json"),
                }
                if c.kafka_tls_bootstrap
                else {}
            ),
            "MongoDB": c.mongo_uri,
            "Tracing UI (Zipkin)": f"{c.zipkin_url}/zipkin/",
            # Debian's build serves only the classic UI
            "Prometheus": f"{c.prometheus_url}/classic/targets",
            "Operations dashboard": f"{c.prometheus_url}{DASHBOARD_PATH}",
        }
        if "gateway" in c.service_ports:
            urls = {"Gateway": c.service_url("gateway") + "/", **urls}
        return urls
