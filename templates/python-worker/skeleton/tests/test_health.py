import json
import unittest
import urllib.error
import urllib.request

from worker.health import HealthState, start_health_server


class HealthServerTest(unittest.TestCase):
    def setUp(self):
        self.state = HealthState(stale_after=60)
        # Port 0: the OS picks a free port, so tests never collide.
        self.server = start_health_server(self.state, port=0, host="127.0.0.1")
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def get(self, path):
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=5) as res:
                return res.status, json.load(res)
        except urllib.error.HTTPError as err:
            with err:
                return err.code, json.load(err)

    def test_healthz_is_ok_while_the_loop_turns(self):
        self.assertEqual(self.get("/healthz"), (200, {"status": "ok"}))

    def test_healthz_fails_when_the_loop_is_stuck(self):
        self.state.stale_after = 0
        self.assertEqual(self.get("/healthz"), (503, {"status": "stale"}))

    def test_readyz_follows_the_consumer(self):
        self.assertEqual(self.get("/readyz"), (503, {"status": "not ready"}))
        self.state.ready = True
        self.assertEqual(self.get("/readyz"), (200, {"status": "ready"}))

    def test_unknown_path(self):
        self.assertEqual(self.get("/nope")[0], 404)


if __name__ == "__main__":
    unittest.main()
