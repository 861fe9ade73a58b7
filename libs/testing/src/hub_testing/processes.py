"""Starting a service as its own process for a benchmark, and knowing when it is ready."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx
from hub_localstack.processes import free_port

__all__ = ["free_port", "start_ready"]


def start_ready(
    args: Sequence[str],
    env: Mapping[str, str],
    port: int,
    *,
    cwd: Path,
    stderr: IO[bytes] | None = None,
    timeout_s: float = 90,
) -> subprocess.Popen[bytes]:
    """Start ``args`` with ``env`` added to this process's environment and return it once
    ``GET /readyz`` on ``port`` answers 200; killed (by its PID) if it never does.

    The caller stops it by its PID too (``terminate`` / ``wait``)."""
    proc = subprocess.Popen(
        list(args), env={**os.environ, **env}, cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{args} exited with {proc.returncode} before becoming ready")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"{args} did not become ready on port {port} in {timeout_s:.0f} s")
