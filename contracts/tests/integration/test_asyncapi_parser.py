"""contracts/asyncapi.yaml is valid under the official AsyncAPI parser (@asyncapi/parser)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHECK = Path(__file__).resolve().parents[2] / "asyncapi-check"


@pytest.mark.integration
def test_the_official_parser_accepts_the_document() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to run @asyncapi/parser")
    if not (CHECK / "node_modules" / "@asyncapi" / "parser").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CHECK, check=True, timeout=600)
    result = subprocess.run(
        ["node", "check.mjs"], cwd=CHECK, capture_output=True, text=True, timeout=300, check=False
    )
    summary = re.search(r"(\d+) error\(s\)", result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary is not None, result.stdout
    assert summary.group(1) == "0", result.stdout
