"""No Kafka secret is ever in the git tree: the stack generates them into git-ignored state."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hub_localstack.config import find_repo_root

ROOT = find_repo_root(Path(__file__))
PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=]{40,}")

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout"
)


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_no_private_key_or_credentials_file_is_tracked_or_addable() -> None:
    # tracked files and every untracked file `git add .` would pick up
    listed = _git("ls-files", "--cached", "--others", "--exclude-standard", "-z").stdout
    files = [ROOT / name for name in listed.split("\0") if name]
    assert len(files) > 100
    found = [
        path
        for path in files
        if path.name == "credentials.json"
        or path.suffix in {".key", ".p12", ".jks"}
        or (
            path.is_file()
            and path.stat().st_size < 2_000_000
            and PRIVATE_KEY.search(path.read_bytes())
        )
    ]
    assert not found, f"secrets in the git tree: {found}"


def test_the_stacks_state_folder_with_its_credentials_is_ignored() -> None:
    for inside in ("security/credentials.json", "security/ca.key", "kafka/server.properties"):
        assert _git("check-ignore", "-q", f".local/{inside}").returncode == 0, inside
