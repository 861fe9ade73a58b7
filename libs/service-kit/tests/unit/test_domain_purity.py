"""Domain code imports nothing that does I/O, not even through a package ``__init__``.

Every module of every ``domain`` package in the workspace (a service's
``src/<package>/domain/``, a library's ``domain`` package or module), and the
kits' pure modules that domain code is told to use, is imported alone in a
fresh interpreter; none of the web, bus or database stack may be loaded then.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
"""The workspace (``libs/service-kit/tests/unit`` is four levels down)."""
IO_PACKAGES = ("fastapi", "faststream", "aiokafka", "pymongo", "httpx")
KIT_PURE_MODULES = ("hub_service.clock", "hub_service.users", "hub_messaging.documents")
"""Modules of the service kit and the messaging library that domain code may import."""
KNOWN_IMPURE: dict[str, str] = {}
"""Modules known to import I/O, with why (strict xfail: fixing one fails until it goes)."""

_CHECK = f"""
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(p for p in {IO_PACKAGES!r} if p in sys.modules)))
"""


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def domain_modules() -> list[str]:
    """Every module of the workspace's domain packages, then the kits' pure modules."""
    found: set[str] = set()
    for package in [*ROOT.glob("services/*/src/*/domain"), *ROOT.glob("libs/*/src/*/domain")]:
        src = package.parent.parent
        found.update(_module_name(f, src) for f in package.rglob("*.py"))
    for module in ROOT.glob("libs/*/src/*/domain.py"):
        found.add(_module_name(module, module.parent.parent))
    return [*sorted(found), *KIT_PURE_MODULES]


def _loaded_io_packages(module: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _CHECK, module],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, f"importing {module} failed:\n{done.stderr[-2000:]}"
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@cache
def _results() -> dict[str, list[str]]:
    """Each module's check, run in parallel (one interpreter each) once per test session."""
    modules = domain_modules()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(modules, pool.map(_loaded_io_packages, modules), strict=True))


def test_the_domain_packages_are_found() -> None:
    modules = domain_modules()
    for package in ("police_feed", "health_feed", "education", "early_help", "social_care"):
        assert f"{package}.domain" in modules
    assert "hub_agency.domain" in modules
    assert "front_door.domain.contacts" in modules
    assert set(KNOWN_IMPURE) <= set(modules)


@pytest.mark.parametrize(
    "module",
    [
        pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=KNOWN_IMPURE[m]))
        if m in KNOWN_IMPURE
        else m
        for m in domain_modules()
    ],
)
def test_importing_a_domain_module_loads_no_io_package(module: str) -> None:
    assert _results()[module] == [], f"importing {module} alone loads {_results()[module]}"
