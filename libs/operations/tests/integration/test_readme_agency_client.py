"""The README's "Connecting an agency system" works as written, on the session's secured broker.

The README's three Python files (``agency_kafka.py``, ``produce.py``,
``consume.py``, confluent-kafka) are taken from its code blocks and run as
subprocesses with the environment ``hubstack.py kafka-env <principal>``
prints: ``KAFKA_BOOTSTRAP`` and the principal's own ``KAFKA_*`` variables, and
nothing of the session's admin. The police records system (a client
certificate, mutual TLS) publishes a record and a malformed one to its
inbound topic, police-feed (running in-process) ingests the first and
dead-letters the second, and the README's consumer, as the same system,
reads that dead letter with its reason. A school MIS (SCRAM) publishes too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hub_messaging.kafka_security import ENV as KAFKA_ENV
from hub_messaging.kafka_security import KafkaSecurity
from hub_messaging.topics import ensure_topics
from hub_service.settings import ServiceSettings
from hub_testing.bus import in_app, running_service, until
from police_feed.bootstrap import build_app

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[4] / "README.md"
SECTION = "## Connecting an agency system"
FILES = ("agency_kafka.py", "produce.py", "consume.py")
TENANT = "stockton"  # the session broker's ACLs are for the default tenants
POLICE_SYSTEM = "cleveland-police-records"  # police-feed, a client certificate
SCHOOL_SYSTEM = "stockton-schools-mis"  # education, a password
POLICE_INBOUND = f"{TENANT}.police-feed-inbound.police-incident.v1"
SCHOOL_INBOUND = f"{TENANT}.education-inbound.pupil.v1"
Access = Callable[[str], tuple[str, KafkaSecurity]]


def readme_files() -> dict[str, str]:
    """The section's ```python blocks, by the file name their first line gives."""
    text = README.read_text("utf-8")
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    blocks = re.findall(r"```python\n(.*?)```", text[start:end], flags=re.DOTALL)
    found = {block.split()[1].rstrip(":"): block for block in blocks}
    assert set(FILES) <= set(found), f"the README's section lacks {set(FILES) - set(found)}"
    return {name: found[name] for name in FILES}


def test_the_readmes_python_files_are_about_twenty_lines_each() -> None:
    for name, code in readme_files().items():
        assert len(code.splitlines()) <= 25, name
        compile(code, name, "exec")


def _environment(access: Access, principal: str) -> dict[str, str]:
    """What ``hubstack.py kafka-env <principal>`` exports, and no other principal's."""
    bootstrap, security = access(principal)
    clean = {k: v for k, v in os.environ.items() if k not in KAFKA_ENV.values()}
    return clean | {"KAFKA_BOOTSTRAP": bootstrap, **security.env()}


def _run(folder: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _accepted(output: str, topic: str) -> str:
    """``partition:offset`` from produce.py's ``accepted: TOPIC P:O``."""
    match = re.fullmatch(rf"accepted: {re.escape(topic)} (\d+:\d+)\n", output)
    assert match, output
    return match.group(1)


def _incident(record_id: str) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "incident_kind": "domestic-abuse",
        "occurred_at": "2026-11-20T22:15:00+00:00",
        "place": "the family home",
        "summary": "Shouting and a broken door; the partner was arrested at the scene.",
        "rag_rating": "amber",
        "officer_role": "response officer",
        "children": [
            {
                "child": {
                    "agency_person_id": f"{record_id}-P1",
                    "given_name": "Amelia",
                    "family_name": "Hart",
                    "date_of_birth": "2016-03-01",
                },
                "present": True,
                "school_urn": "123456",
            }
        ],
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, code in readme_files().items():
        (tmp_path / name).write_text(code, "utf-8")
    return tmp_path


@pytest.mark.usefixtures("inbound_topics")
def test_an_agency_system_publishes_and_reads_its_dead_letters_as_the_readme_says(
    folder: Path,
    kafka_bootstrap: str,
    kafka_principal: Access,
    mongo_uri: str,
    unique_name: str,
) -> None:
    police = _environment(kafka_principal, POLICE_SYSTEM)
    assert police["KAFKA_SECURITY_PROTOCOL"] == "SSL"  # its certificate, the TLS listener
    record_id = f"README-{unique_name}"
    (folder / "incident.json").write_text(json.dumps(_incident(record_id)), "utf-8")
    (folder / "broken.json").write_text('{"record_id": "' + record_id + '-2", not json', "utf-8")

    settings = ServiceSettings.for_service(
        "police-feed", kafka_bootstrap=kafka_bootstrap, mongo_uri=mongo_uri, tenants=(TENANT,)
    )
    with running_service(build_app(settings)) as client:
        good = _accepted(
            _run(folder, police, "produce.py", POLICE_INBOUND, "incident.json"), POLICE_INBOUND
        )
        bad = _accepted(
            _run(folder, police, "produce.py", POLICE_INBOUND, "broken.json"), POLICE_INBOUND
        )
        runtime = client.app.state.runtime  # type: ignore[attr-defined]

        async def ingested() -> Any:
            return await runtime.database(TENANT)["incidents"].find_one({"_id": record_id})

        stored = in_app(client, lambda: until(ingested, what="the README's incident"))
        assert stored["via"] == "kafka"

        async def dead_lettered() -> bool:
            return bool(
                await runtime.database(TENANT)["outbox"].find_one(
                    {"_id": f"{POLICE_INBOUND}.dlq|{bad}"}
                )
            )

        in_app(client, lambda: until(dead_lettered, what="the malformed record's dead letter"))

        def refusals() -> list[str]:
            out = _run(folder, police, "consume.py", POLICE_INBOUND)
            return [line for line in out.splitlines() if line.startswith(f"refused {bad}: ")]

        lines: list[str] = []
        for _ in range(3):  # the outbox relay publishes the dead letter shortly after
            if lines := refusals():
                break
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"refused {bad}: malformed-json: ")
        assert not any(line.startswith(f"refused {good}:") for line in refusals())


@pytest.fixture
async def inbound_topics(kafka_bootstrap: str, kafka_security: KafkaSecurity) -> None:
    """The inbound topics and their dead letters exist (the feed services create them; an
    agency system may not: writing to a missing topic is refused as unauthorised)."""
    await ensure_topics(
        kafka_bootstrap,
        [POLICE_INBOUND, f"{POLICE_INBOUND}.dlq", SCHOOL_INBOUND, f"{SCHOOL_INBOUND}.dlq"],
        security=kafka_security,
    )


@pytest.mark.usefixtures("inbound_topics")
def test_a_system_with_a_password_publishes_and_reads_its_own_dead_letters(
    folder: Path, kafka_principal: Access
) -> None:
    school = _environment(kafka_principal, SCHOOL_SYSTEM)
    assert school["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"  # SCRAM-SHA-512
    (folder / "pupil.json").write_text("{}", "utf-8")
    _accepted(_run(folder, school, "produce.py", SCHOOL_INBOUND, "pupil.json"), SCHOOL_INBOUND)
    _run(folder, school, "consume.py", SCHOOL_INBOUND)  # its dead letters it may read
    refused = subprocess.run(
        [sys.executable, "produce.py", POLICE_INBOUND, "pupil.json"],
        cwd=folder,
        env=school,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode != 0
    assert "not accepted" in refused.stderr
    assert "authoriz" in refused.stderr.lower(), refused.stderr


def readme_kcat() -> str:
    """The section's kcat commands, without the line that points them at the dev stack."""
    text = README.read_text("utf-8")
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    [block] = [b for b in re.findall(r"```sh\n(.*?)```", text[start:end], re.DOTALL) if "kcat" in b]
    return "\n".join(line for line in block.splitlines() if not line.startswith("eval "))


@pytest.mark.usefixtures("inbound_topics")
def test_the_readmes_kcat_commands_publish_and_read_the_dead_letters(
    tmp_path: Path, kafka_principal: Access
) -> None:
    """kcat comes from Debian (`make provision` installs it as root): skipped without it."""
    if shutil.which("kcat") is None:
        pytest.skip("kcat is not installed (apt-get install kcat)")
    police = _environment(kafka_principal, POLICE_SYSTEM)
    (tmp_path / "incident.json").write_text('{"record_id": "kcat-incident"}', "utf-8")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_kcat()],
        cwd=tmp_path,
        env=police,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(line.startswith("refused ") for line in result.stdout.splitlines()), result.stdout
