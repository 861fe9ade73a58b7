"""Installs what the stack runs, once per machine, into the shared cache.

Every step is idempotent and says in one line what to do when a prerequisite
is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from hub_localstack.config import (
    KAFKA_VERSION,
    SECANTUS_CRATE,
    SECANTUS_PY_VERSION,
    SECANTUS_VERSION,
    ZIPKIN_VERSION,
    StackConfig,
)
from hub_localstack.errors import StackError


def _say(message: str) -> None:
    print(f"[stack] {message}", file=sys.stderr, flush=True)


def _run(cmd: list[str], what: str, cwd: Path | None = None, *, secret: bool = False) -> None:
    """Run ``cmd``; on failure raise with its output's tail (and without its arguments
    when they hold a secret, e.g. SCRAM passwords)."""
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        shown = cmd[0] if secret else " ".join(cmd)
        raise StackError(f"{what} failed (exit {result.returncode}): {shown}\n{tail}")


def java_command() -> str:
    """A Java 17+ runtime: ``JAVA_HOME`` first, then ``java`` on PATH."""
    java = (
        str(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
        if os.environ.get("JAVA_HOME")
        else shutil.which("java")
    )
    if not java or not Path(java).exists():
        raise StackError(
            "Java 17 is required for Kafka and Zipkin: "
            "install it (apt-get install openjdk-17-jre-headless)"
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)', out)
    if not match or int(match.group(1)) < 17:
        raise StackError(
            f"Java 17 or newer is required, found {out.splitlines()[0] if out else 'nothing'}: "
            "install openjdk-17-jre-headless or set JAVA_HOME"
        )
    return java


def kafka_classpath(config: StackConfig) -> Path:
    """Folder of the Kafka broker's jars, built by Maven from deploy/local/pom.xml."""
    lib = config.cache_dir / f"kafka-{KAFKA_VERSION}" / "lib"
    marker = lib / ".complete"
    if marker.exists():
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        raise StackError(
            "Maven is required to fetch Kafka's jars: install it (apt-get install maven)"
        )
    _say(f"fetching Apache Kafka {KAFKA_VERSION} jars from Maven Central")
    lib.mkdir(parents=True, exist_ok=True)
    _run(
        [
            mvn,
            "-q",
            "-B",
            "dependency:copy-dependencies",
            f"-DoutputDirectory={lib}",
            "-DincludeScope=runtime",
        ],
        "fetching Kafka jars",
        cwd=config.repo_root / "deploy" / "local",
    )
    marker.touch()
    return lib


def zipkin_jar(config: StackConfig) -> Path:
    """Zipkin's executable server jar from Maven Central."""
    folder = config.cache_dir / f"zipkin-{ZIPKIN_VERSION}"
    jar = folder / f"zipkin-server-{ZIPKIN_VERSION}-exec.jar"
    if jar.exists():
        return jar
    mvn = shutil.which("mvn")
    if not mvn:
        raise StackError("Maven is required to fetch Zipkin: install it (apt-get install maven)")
    _say(f"fetching Zipkin {ZIPKIN_VERSION} from Maven Central")
    folder.mkdir(parents=True, exist_ok=True)
    _run(
        [
            mvn,
            "-q",
            "-B",
            "dependency:copy",
            f"-Dartifact=io.zipkin:zipkin-server:{ZIPKIN_VERSION}:jar:exec",
            f"-DoutputDirectory={folder}",
        ],
        "fetching Zipkin",
        cwd=config.repo_root / "deploy" / "local",
    )
    return jar


def secantusd_rs(config: StackConfig) -> Path | None:
    """The SecantusDB Rust daemon, built once with cargo and cached.

    The crate declares rust-version 1.98 while it builds with older stable
    toolchains, so ``--ignore-rust-version`` is passed (docs/adr/0002). Returns
    None when cargo is missing or the build fails, so the caller can fall back.
    """
    root = config.cache_dir / f"secantus-{SECANTUS_VERSION}"
    binary = root / "bin" / "secantusd-rs"
    if binary.exists():
        return binary
    cargo = shutil.which("cargo") or str(Path.home() / ".cargo" / "bin" / "cargo")
    if not Path(cargo).exists():
        _say("cargo not found: cannot build secantusd-rs; falling back to secantusd-py (slow)")
        return None
    _say(f"building SecantusDB {SECANTUS_VERSION} (secantusd-rs); once per machine, ~5 min")
    try:
        _run(
            [
                cargo,
                "install",
                SECANTUS_CRATE,
                "--version",
                SECANTUS_VERSION,
                "--locked",
                "--ignore-rust-version",
                "--root",
                str(root),
            ],
            "building secantusd-rs",
        )
    except StackError as exc:
        _say(f"{exc}\nfalling back to secantusd-py (slow)")
        return None
    return binary


def secantusd_py_command() -> list[str]:
    """The SecantusDB Python server, run through uvx from PyPI (fallback only)."""
    uvx = shutil.which("uvx")
    if not uvx:
        raise StackError("uvx is required for the secantusd-py fallback: pip install uv")
    return [uvx, "--from", f"secantusdb=={SECANTUS_PY_VERSION}", "secantusd-py"]


def debian_binary(binary: str, package: str, why: str) -> str | None:
    """``binary`` on the PATH, else installed from Debian's ``package`` when running as root
    (``make provision`` on a fresh machine); None if neither."""
    found = shutil.which(binary)
    if found:
        return found
    apt = shutil.which("apt-get")
    if not apt or os.geteuid() != 0:
        return None
    _say(f"installing {package} from Debian's packages ({why})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", package]):
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise StackError(f"installing {package} failed: {result.stderr.strip()[-300:]}")
    return shutil.which(binary)


def prometheus_binary() -> str:
    """Prometheus from Debian's packages, installed on first use when running as root."""
    found = debian_binary("prometheus", "prometheus", "metrics and alert rules")
    if found:
        return found
    raise StackError("Prometheus is required: install it (sudo apt-get install prometheus)")


def promtool_binary() -> str:
    """promtool (checks and unit-tests the alert rules), which Debian's prometheus
    package installs beside Prometheus: found, or installed, the same way."""
    beside = Path(prometheus_binary()).with_name("promtool")
    if beside.exists():
        return str(beside)
    found = shutil.which("promtool")
    if found:
        return found
    raise StackError("promtool is required: it comes with Prometheus (apt-get install prometheus)")


def gateway_frontend(config: StackConfig) -> Path:
    """The gateway's npm packages (GOV.UK Frontend; Playwright core and axe-core for the
    browser tests), installed with ``npm ci`` from services/gateway/package-lock.json."""
    folder = config.repo_root / "services" / "gateway"
    marker = folder / "node_modules" / "govuk-frontend" / "package.json"
    if marker.exists():
        return folder / "node_modules"
    npm = shutil.which("npm")
    if not npm:
        raise StackError(
            "npm is required for the gateway's pages: install it (apt-get install npm)"
        )
    _say("installing the gateway's npm packages (govuk-frontend, playwright-core, axe-core)")
    _run([npm, "ci", "--no-audit", "--no-fund"], "npm ci in services/gateway", cwd=folder)
    return folder / "node_modules"


def chromium_binary() -> str | None:
    """Debian's Chromium for the gateway's browser tests, installed when running as root."""
    found = debian_binary("chromium", "chromium", "browser tests")
    if not found:
        _say("Chromium not found: browser tests will be skipped (apt-get install chromium)")
    return found


def outside_tools() -> None:
    """What tests use to look at the hub as outsiders do: Debian's ``kcat`` (the README's
    librdkafka command-line client) and ``docker-compose`` (checks ``compose.yaml``)."""
    for binary, package in (("kcat", "kcat"), ("docker-compose", "docker-compose")):
        if debian_binary(binary, package, "tests use it as an outside tool") is None:
            _say(f"{binary} not found: tests that need it are skipped (apt-get install {package})")
