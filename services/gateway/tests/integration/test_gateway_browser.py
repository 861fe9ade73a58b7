"""In a real browser: Debian's Chromium, headless, driven by playwright-core, with
axe-core checking every page (no serious or critical violations). Screenshots
are kept under test-artifacts/gateway-browser/."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration
GATEWAY = Path(__file__).resolve().parents[2]
REPO = GATEWAY.parents[1]
ARTIFACTS = REPO / "test-artifacts" / "gateway-browser"


def test_a_manager_screens_and_decides_a_red_contact_in_chromium(hub: Any) -> None:
    chromium = shutil.which("chromium")
    if chromium is None or not (GATEWAY / "node_modules" / "playwright-core").exists():
        pytest.skip("needs Debian's chromium and npm ci in services/gateway (make provision)")
    hub.concern(hub.tenant, "BROWSER-1")
    hub.wait_for_contacts(hub.tenant, 1)
    with hub.serve() as base_url:
        assert httpx.get(f"{base_url}/sign-in", timeout=10).status_code == 200
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
        result = subprocess.run(
            ["node", str(GATEWAY / "tests" / "browser" / "journey.mjs")],
            cwd=GATEWAY,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
            env={
                "PATH": "/usr/bin:/bin",
                "BASE_URL": base_url,
                "ARTIFACTS": str(ARTIFACTS),
                "TENANT": hub.tenant,
                "USERNAME": f"{hub.tenant}-manager",
                "PASSWORD": f"pw-{hub.tenant}-manager",
                "CHILD": "Amelia Hart-BROWSER-1",
                "CHROMIUM": chromium,
            },
        )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [s["name"] for s in report["steps"]] == [
        "sign-in",
        "sign-in-error",
        "work-queue",
        "contact",
        "decision-errors",
        "decided",
        "audit",
        "sharing",
        "shared",
        "duplicates",
        "enquiries",
    ]
    serious = [v for v in report["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert len(list(ARTIFACTS.glob("*.png"))) == 11
