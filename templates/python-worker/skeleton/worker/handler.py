"""Business logic for one message. Pure Python: no Service Bus types here."""

import json
import logging
from typing import Any

log = logging.getLogger(__name__)


class InvalidMessage(ValueError):
    """The message can never succeed: it is dead-lettered instead of retried."""


def handle_message(body: bytes) -> dict[str, Any]:
    """Processes one message body and returns what was done.

    Expects a JSON object with a string ``id``, for example ``{"id": "42", "action": "greet"}``.
    Raise InvalidMessage for bad input; any other exception means "try again later".
    """
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidMessage(f"body is not JSON: {err}") from err
    if not isinstance(payload, dict):
        raise InvalidMessage("body must be a JSON object")
    message_id = payload.get("id")
    if not isinstance(message_id, str) or not message_id:
        raise InvalidMessage('"id" must be a non-empty string')

    # Replace with the real work. Keep it idempotent: Service Bus delivers
    # at least once, so the same message may arrive twice.
    action = payload.get("action", "noop")
    log.info("processed message %s (action %s)", message_id, action)
    return {"id": message_id, "action": action, "status": "done"}
