"""Receives messages from the Service Bus queue and settles them."""

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .handler import InvalidMessage
from .health import HealthState

log = logging.getLogger(__name__)

Handler = Callable[[bytes], Any]

# Messages stay locked while we work on them: keep batches small enough to
# finish within the queue's lock duration.
BATCH_SIZE = 10
MAX_WAIT_SECONDS = 5


@dataclass(frozen=True)
class Config:
    queue_name: str
    port: int
    namespace: str | None = None
    connection_string: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Config":
        namespace = env.get("SERVICEBUS_NAMESPACE") or None
        if namespace and "." not in namespace:
            namespace += ".servicebus.windows.net"
        connection_string = env.get("SERVICEBUS_CONNECTION_STRING") or None
        if not namespace and not connection_string:
            raise SystemExit(
                "Set SERVICEBUS_NAMESPACE (e.g. contoso.servicebus.windows.net), "
                "or SERVICEBUS_CONNECTION_STRING for local development"
            )
        return cls(
            queue_name=env.get("SERVICEBUS_QUEUE") or "${{ values.name }}",
            port=int(env.get("PORT") or ${{ values.port }}),
            namespace=namespace,
            connection_string=connection_string,
        )


def message_body(message: Any) -> bytes:
    body = message.body
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    return b"".join(body)  # data bodies arrive as an iterable of byte sections


def settle(receiver: Any, message: Any, handle: Handler) -> str:
    """Runs the handler on one message, then completes, abandons or dead-letters it."""
    try:
        handle(message_body(message))
    except InvalidMessage as err:
        log.warning("dead-lettering message %s: %s", message.message_id, err)
        receiver.dead_letter_message(message, reason="InvalidMessage", error_description=str(err))
        return "dead-lettered"
    except Exception:
        # Back on the queue for another try; after the queue's max delivery
        # count Service Bus moves it to the dead-letter queue.
        log.exception("message %s failed, will be retried", message.message_id)
        receiver.abandon_message(message)
        return "abandoned"
    receiver.complete_message(message)
    return "completed"


def run(config: Config, handle: Handler, health: HealthState, stop: threading.Event) -> None:
    """Receives until `stop` is set. Raises if the queue cannot be reached."""
    # Imported here so that the handler, the health server and their tests
    # need nothing beyond the standard library.
    from azure.servicebus import ServiceBusClient
    from azure.servicebus.exceptions import ServiceBusError

    if config.connection_string:
        client = ServiceBusClient.from_connection_string(config.connection_string)
    else:
        from azure.identity import DefaultAzureCredential

        # Workload identity on AKS: the pod gets a token, no secret is stored.
        client = ServiceBusClient(config.namespace, credential=DefaultAzureCredential())

    with client, client.get_queue_receiver(config.queue_name) as receiver:
        log.info("receiving from queue %s", config.queue_name)
        health.ready = True
        try:
            while not stop.is_set():
                health.beat()
                batch = receiver.receive_messages(
                    max_message_count=BATCH_SIZE, max_wait_time=MAX_WAIT_SECONDS
                )
                for message in batch:
                    try:
                        settle(receiver, message, handle)
                    except ServiceBusError:
                        # Usually a lost lock: the message reappears and is retried.
                        log.exception("could not settle message %s", message.message_id)
        finally:
            health.ready = False
