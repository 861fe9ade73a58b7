"""Creating the topics a service uses, before it uses them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from hub_messaging.kafka_security import KafkaSecurity

DEFAULT_PARTITIONS = 3


async def ensure_topics(
    bootstrap: str,
    names: Iterable[str],
    *,
    partitions: int = DEFAULT_PARTITIONS,
    replication: int = 1,
    security: KafkaSecurity | None = None,
) -> list[str]:
    """Create the missing topics (more partitions = more consumer replicas); returns new ones.

    ``security`` defaults to the environment's (``KafkaSecurity.from_env``).
    """
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, **(security or KafkaSecurity.from_env()).aiokafka()
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(set(names) - existing)
        if missing:
            # another replica may create them at the same moment
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(n, partitions, replication) for n in missing])
        return missing
    finally:
        await admin.close()
