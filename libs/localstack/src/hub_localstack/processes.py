"""Processes started by the stack, tracked by PID file and stopped by PID only.

A PID file holds the PID and the process start time (from /proc), so a PID the
kernel has since given to another program is never signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hub_localstack.errors import StackError


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # field 22 (starttime) counted after the parenthesised command name
    fields = stat.rsplit(")", 1)[1].split()
    state = fields[0]
    if state == "Z":
        return None
    return fields[19]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _still_in_use(port: int, grace_s: float = 10.0) -> bool:
    """True if ``port`` stays taken for ``grace_s``.

    A multi-threaded server killed with SIGKILL shows as a zombie while its
    other threads are still closing its sockets, so a restart straight after
    may find the port briefly taken.
    """
    deadline = time.monotonic() + grace_s
    while port_in_use(port):
        if time.monotonic() > deadline:
            return True
        time.sleep(0.1)
    return False


def free_port() -> int:
    """A TCP port nothing listens on right now (for a test's own stack)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ManagedProcess:
    """One long-running process of the stack."""

    name: str
    command: Sequence[str]
    run_dir: Path
    log_dir: Path
    ports: Sequence[int]
    ready: Callable[[], bool]
    env: Mapping[str, str] | None = None
    cwd: Path | None = None

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def pid(self) -> int | None:
        """The PID of our running process, or None (a stale PID file is removed)."""
        try:
            pid_text, started = self.pid_file.read_text().split()
        except (OSError, ValueError):
            return None
        pid = int(pid_text)
        if _start_time(pid) != started:
            self.pid_file.unlink(missing_ok=True)
            return None
        return pid

    def start(self) -> bool:
        """Start the process unless ours already runs; returns True if it started one."""
        if self.pid() is not None:
            return False
        for port in self.ports:
            if _still_in_use(port):
                raise StackError(
                    f"{self.name}: port {port} is already in use by another process; "
                    f"stop that process or choose another port (see README, 'Ports')"
                )
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update(self.env or {})
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                list(self.command),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.cwd,
                start_new_session=True,  # outlives `make up`; stopped by `make down`
            )
        started = _start_time(proc.pid)
        if started is None:
            raise StackError(f"{self.name}: exited at once; see {self.log_file}")
        self.pid_file.write_text(f"{proc.pid} {started}\n")
        return True

    def wait_ready(self, timeout_s: float) -> None:
        """Wait until the readiness check passes; fail early if the process died."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self.pid() is None:
                raise StackError(f"{self.name}: process exited while starting; see {self.log_file}")
            if self.ready():
                return
            if time.monotonic() > deadline:
                raise StackError(
                    f"{self.name}: not ready after {timeout_s:.0f}s; see {self.log_file}"
                )
            time.sleep(0.25)

    def signal(self, sig: signal.Signals) -> int | None:
        """Send ``sig`` to our process (and its process group); returns the PID or None."""
        pid = self.pid()
        if pid is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        return pid

    def stop(self, timeout_s: float = 30.0) -> bool:
        """SIGTERM, then SIGKILL after ``timeout_s``; returns True if it was running."""
        pid = self.signal(signal.SIGTERM)
        if pid is None:
            return False
        deadline = time.monotonic() + timeout_s
        while self.pid() is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.pid() is not None:
            self.signal(signal.SIGKILL)
            while self.pid() is not None:
                time.sleep(0.05)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """SIGKILL at once, as a crash would (used by durability tests)."""
        if self.signal(signal.SIGKILL) is not None:
            while self.pid() is not None:
                time.sleep(0.05)
        self.pid_file.unlink(missing_ok=True)
