"""Entry point: `python -m worker`."""

import logging
import os
import signal
import sys
import threading

from .consumer import Config, run
from .handler import handle_message
from .health import HealthState, start_health_server

log = logging.getLogger("worker")


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    config = Config.from_env()
    health = HealthState()
    server = start_health_server(health, config.port)
    log.info("health endpoint on port %d", config.port)

    # Kubernetes sends SIGTERM: finish the current batch, then exit.
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    try:
        run(config, handle_message, health, stop)
    except Exception:
        log.exception("consumer stopped")
        return 1
    finally:
        server.shutdown()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
