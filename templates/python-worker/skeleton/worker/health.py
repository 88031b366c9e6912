"""Tiny HTTP server for the Kubernetes probes, standard library only."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HealthState:
    """What the probes report. The consumer loop updates it."""

    def __init__(self, stale_after: float = 120.0) -> None:
        self.ready = False
        self.stale_after = stale_after
        self._last_beat = time.monotonic()

    def beat(self) -> None:
        """Called on every turn of the consumer loop."""
        self._last_beat = time.monotonic()

    def is_alive(self) -> bool:
        # A loop that stopped turning is hung: let Kubernetes restart the pod.
        return time.monotonic() - self._last_beat < self.stale_after


def start_health_server(state: HealthState, port: int, host: str = "") -> ThreadingHTTPServer:
    """Serves /healthz (liveness) and /readyz (readiness) on a daemon thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (name fixed by http.server)
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                ok = state.is_alive()
                self._send(200 if ok else 503, {"status": "ok" if ok else "stale"})
            elif path == "/readyz":
                ok = state.ready
                self._send(200 if ok else 503, {"status": "ready" if ok else "not ready"})
            else:
                self._send(404, {"error": "not found"})

        def _send(self, status: int, body: dict) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass  # probes hit this every few seconds; keep the logs for real work

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
