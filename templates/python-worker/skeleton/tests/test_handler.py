import unittest

from worker.handler import InvalidMessage, handle_message


class HandleMessageTest(unittest.TestCase):
    def test_processes_a_valid_message(self):
        result = handle_message(b'{"id": "42", "action": "greet"}')
        self.assertEqual(result, {"id": "42", "action": "greet", "status": "done"})

    def test_action_defaults_to_noop(self):
        self.assertEqual(handle_message(b'{"id": "7"}')["action"], "noop")

    def test_rejects_invalid_messages(self):
        for body in (b"not json", b"\xff\xfe", b"[1, 2]", b"{}", b'{"id": 42}', b'{"id": ""}'):
            with self.subTest(body=body), self.assertRaises(InvalidMessage):
                handle_message(body)


if __name__ == "__main__":
    unittest.main()
