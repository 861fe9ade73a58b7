"""A separate process for crash tests: it SIGKILLs itself at a chosen point.

python bus_worker.py consume-then-crash|consume|publish-then-crash MONGO_URI BOOTSTRAP TENANT [N]
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bus_fixtures import note, publish, running_bus


def crash() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(mode: str, mongo_uri: str, bootstrap: str, tenant: str, n: int) -> None:
    if mode == "publish-then-crash":
        # the state change and its events commit; the relay never runs
        async with running_bus(mongo_uri, bootstrap, tenant, consume=False) as bus:
            await bus.relay.stop()
            await publish(bus.mongo, tenant, [note(tenant, f"c{i}", "n") for i in range(n)])
            crash()
    async with running_bus(mongo_uri, bootstrap, tenant) as bus:
        if mode == "consume-then-crash":
            # after the transaction committed, before the offsets are committed
            bus.consumer.after_commit.insert(0, crash)
        print("ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    mode, mongo_uri, bootstrap, tenant = sys.argv[1:5]
    asyncio.run(
        main(mode, mongo_uri, bootstrap, tenant, int(sys.argv[5]) if len(sys.argv) > 5 else 0)
    )
