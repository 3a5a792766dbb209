"""A silo served as `silo serve` serves it, except that its outbox drainer waits for SIGUSR1: a
benchmark measures the CPU of the synchronous path first, then releases the drainers and measures
what delivering the backlog costs, in the same processes.

Run as ``python -m tests.benchmarks.held_silo control|region DATABASE_URL OTHER_ADDRESS
[LISTEN]`` with ``SILO_RPC_SHARED_SECRETS`` set; OTHER_ADDRESS is the control silo's address
for a region and region ``us``'s for the control silo. Prints its port on stdout.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from shared.config import Settings
from shared.logs import configure_logging
from shared.silo_mode import SiloMode
from shared.silo_process import SiloProcess


def _build(kind: str, database_url: str, other: str) -> SiloProcess:
    secrets = tuple(os.environ["SILO_RPC_SHARED_SECRETS"].split(","))
    if kind == "control":
        from control_silo.bootstrap import build_control_silo  # noqa: PLC0415

        return build_control_silo(
            Settings(
                mode=SiloMode.CONTROL,
                database_url=database_url,
                regions={"us": other},
                rpc_shared_secrets=secrets,
            )
        )
    from region_silo.bootstrap import build_region_silo  # noqa: PLC0415

    return build_region_silo(
        Settings(
            mode=SiloMode.REGION,
            region_name="us",
            database_url=database_url,
            control_address=other,
            rpc_shared_secrets=secrets,
        )
    )


def main() -> None:
    """Serves until SIGTERM; starts the drainer on SIGUSR1."""
    kind, database_url, other = sys.argv[1:4]
    listen = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1:0"
    configure_logging("INFO")
    silo = _build(kind, database_url, other)
    silo.check_schema()
    running = silo.serve(listen)
    release = threading.Event()
    stopping = threading.Event()
    signal.signal(signal.SIGUSR1, lambda _signum, _frame: release.set())
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stopping.set())
    print(running.port, flush=True)
    while not stopping.is_set():
        if release.wait(0.05):
            release.clear()
            silo.start_drainer()
    running.stop(1.0)
    silo.drainer.stop()
    silo.engine.dispose()


if __name__ == "__main__":
    main()
