"""Kafka's storage holds a SCRAM credential for every principal from its first start."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hub_localstack.stack import Stack

pytestmark = pytest.mark.integration


def test_storage_formatted_without_the_stacks_credentials_is_formatted_again(
    own_stack: Callable[..., Stack], capsys: pytest.CaptureFixture[str]
) -> None:
    stack = own_stack()
    data = stack.config.state_dir / "kafka" / "data"
    data.mkdir(parents=True)
    # what an earlier, unauthenticated stack left: formatted storage and its topics
    (data / "meta.properties").write_text("version=1\ncluster.id=old\nnode.id=1\n")
    (data / "old-topic-0").mkdir()

    stack.components.kafka()  # configures and formats; starts nothing

    assert "formatting it again" in capsys.readouterr().err
    assert not (data / "old-topic-0").exists()
    assert "cluster.id=old" not in (data / "meta.properties").read_text()
    marker = stack.config.state_dir / "kafka" / "credentials.sha256"
    assert marker.read_text().strip() == stack.components.security.fingerprint()

    formatted = (data / "meta.properties").read_text()
    Stack(stack.config).components.kafka()  # the next up keeps it
    assert (data / "meta.properties").read_text() == formatted
    assert "formatting it again" not in capsys.readouterr().err
    props = stack.config.state_dir / "kafka" / "server.properties"
    assert props.stat().st_mode & 0o077 == 0, "the broker's config holds its password"
