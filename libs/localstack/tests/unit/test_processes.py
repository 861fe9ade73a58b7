"""Processes are tracked and stopped by PID, never by name, and a taken port is named."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hub_localstack.components import prometheus_config
from hub_localstack.config import StackConfig
from hub_localstack.errors import StackError
from hub_localstack.processes import ManagedProcess, free_port


def _sleeper(tmp_path: Path, ports: list[int] | None = None) -> ManagedProcess:
    return ManagedProcess(
        "sleeper",
        [sys.executable, "-c", "import time; time.sleep(60)"],
        tmp_path / "run",
        tmp_path / "logs",
        ports or [],
        lambda: True,
    )


def test_start_is_idempotent_and_stop_ends_exactly_that_process(tmp_path: Path) -> None:
    proc = _sleeper(tmp_path)
    assert proc.start() is True
    pid = proc.pid()
    assert pid is not None
    assert proc.start() is False, "a second start must not run a second copy"
    assert proc.pid() == pid
    assert proc.stop() is True
    assert proc.pid() is None
    assert not proc.pid_file.exists()
    assert proc.stop() is False


def test_a_reused_pid_is_never_signalled(tmp_path: Path) -> None:
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        proc = _sleeper(tmp_path)
        proc.run_dir.mkdir(parents=True)
        # a stale PID file naming a live process that we did not start
        proc.pid_file.write_text(f"{bystander.pid} 1\n")
        assert proc.pid() is None
        assert proc.stop() is False
        assert bystander.poll() is None, "the bystander process must still run"
    finally:
        bystander.kill()
        bystander.wait()


def test_a_taken_port_gives_one_line_naming_the_fix(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(StackError) as error:
            _sleeper(tmp_path, [port]).start()  # waits out the grace period first
    message = str(error.value)
    assert "\n" not in message
    assert f"port {port} is already in use" in message
    assert "choose another port" in message


def test_prometheus_scrapes_every_service_of_the_stack(tmp_path: Path) -> None:
    config = StackConfig(
        repo_root=tmp_path,
        state_dir=tmp_path,
        cache_dir=tmp_path,
        prometheus_port=9999,
        service_ports={"gateway": 1234, "front-door": 2345},
    )
    document = yaml.safe_load(prometheus_config(config))
    jobs = {job["job_name"]: job["static_configs"] for job in document["scrape_configs"]}
    assert jobs["childrens-hub"] == [
        {"targets": ["127.0.0.1:1234"], "labels": {"service": "gateway"}},
        {"targets": ["127.0.0.1:2345"], "labels": {"service": "front-door"}},
    ]
    assert jobs["prometheus"] == [{"targets": ["127.0.0.1:9999"]}]


def test_free_port_is_free() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
