import logging
import unittest
from types import SimpleNamespace

from worker.consumer import Config, settle
from worker.handler import InvalidMessage


class FakeReceiver:
    """Records how messages were settled, like ServiceBusReceiver would."""

    def __init__(self):
        self.settled = []

    def complete_message(self, message):
        self.settled.append(("complete", message.message_id))

    def abandon_message(self, message):
        self.settled.append(("abandon", message.message_id))

    def dead_letter_message(self, message, reason=None, error_description=None):
        self.settled.append(("dead-letter", message.message_id, reason))


def message(body, message_id="m1"):
    # The SDK exposes a data body as an iterable of byte sections.
    return SimpleNamespace(body=iter([body]), message_id=message_id)


class SettleTest(unittest.TestCase):
    def setUp(self):
        self.receiver = FakeReceiver()
        logging.disable(logging.CRITICAL)
        self.addCleanup(logging.disable, logging.NOTSET)

    def test_completes_handled_messages(self):
        seen = []
        outcome = settle(self.receiver, message(b"hello"), seen.append)
        self.assertEqual(outcome, "completed")
        self.assertEqual(seen, [b"hello"])
        self.assertEqual(self.receiver.settled, [("complete", "m1")])

    def test_dead_letters_invalid_messages(self):
        def reject(body):
            raise InvalidMessage("bad")

        self.assertEqual(settle(self.receiver, message(b"x"), reject), "dead-lettered")
        self.assertEqual(self.receiver.settled, [("dead-letter", "m1", "InvalidMessage")])

    def test_abandons_on_other_errors_so_they_are_retried(self):
        def fail(body):
            raise ConnectionError("database down")

        self.assertEqual(settle(self.receiver, message(b"x"), fail), "abandoned")
        self.assertEqual(self.receiver.settled, [("abandon", "m1")])


class ConfigTest(unittest.TestCase):
    def test_reads_the_environment(self):
        config = Config.from_env({"SERVICEBUS_NAMESPACE": "contoso", "SERVICEBUS_QUEUE": "orders", "PORT": "9000"})
        self.assertEqual(config.namespace, "contoso.servicebus.windows.net")
        self.assertEqual(config.queue_name, "orders")
        self.assertEqual(config.port, 9000)

    def test_requires_a_namespace_or_connection_string(self):
        with self.assertRaises(SystemExit):
            Config.from_env({})


if __name__ == "__main__":
    unittest.main()
