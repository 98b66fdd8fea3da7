"""A webhook receiver on 127.0.0.1 that verifies every message with the `standardwebhooks`
library, as an integrator's endpoint would: 204 when the signature holds, 400 when not. It
can be told to fail the next answers (`fail_next`) to exercise retries."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        server.raw.append((body, headers))
        if server.fail_next:
            server.fail_next -= 1
            self.send_response(503)
            self.end_headers()
            return
        try:
            data = Webhook(server.secret).verify(body, headers)
        except WebhookVerificationError:
            server.rejected.append(body)
            self.send_response(400)
            self.end_headers()
            return
        server.accepted.append(data)
        self.send_response(204)
        self.end_headers()


class Receiver:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.secret = None
        self.server.raw, self.server.accepted, self.server.rejected = [], [], []
        self.server.fail_next = 0
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/keel"

    def __getattr__(self, name):
        return getattr(self.__dict__["server"], name)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
