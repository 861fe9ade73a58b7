"""A missing prerequisite gives one line naming the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from hub_localstack import provision
from hub_localstack.errors import StackError


def test_missing_java_names_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-such-jdk"))
    with pytest.raises(StackError) as error:
        provision.java_command()
    assert "\n" not in str(error.value)
    assert "Java 17" in str(error.value)
    assert "install" in str(error.value)


def test_old_java_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "jdk" / "bin" / "java"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk"))
    with pytest.raises(StackError, match="Java 17 or newer is required, found openjdk version"):
        provision.java_command()


def test_java_17_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert provision.java_command().endswith("java")
