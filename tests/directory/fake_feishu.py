"""A local stand-in for Feishu's contact API (open-apis) answering with recorded responses
(tests/directory/payloads/feishu/): the tenant token, the department tree one page at a time,
and the users of each department. Requests without the token are refused, as Feishu does."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PAYLOADS = Path(__file__).parent / "payloads" / "feishu"


def recorded(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


class FakeFeishu:
    def __init__(self, state: str = "before"):
        self.state = state
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeFeishu:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def departments(self, page_token: str) -> dict:
        second = PAYLOADS / f"{self.state}_departments_2.json"
        if page_token and second.exists():
            return recorded(f"{self.state}_departments_2")
        return recorded(f"{self.state}_departments_1")

    def users(self, department_id: str) -> dict:
        body = recorded(f"{self.state}_users")
        items = body["data"]["items"]
        body["data"]["items"] = [i for i in items if department_id in i["department_ids"]]
        return body

    def _handler(self):
        fake = self
        token = recorded("token")["tenant_access_token"]

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body: dict, status: int = 200):
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                fake.requests.append(f"POST {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                sent = json.loads(self.rfile.read(length) or b"{}")
                if (
                    self.path == "/open-apis/auth/v3/tenant_access_token/internal"
                    and sent.get("app_secret") == "recorded-secret"
                ):
                    return self._json(recorded("token"))
                return self._json({"code": 10014, "msg": "app secret invalid"})

            def do_GET(self):
                fake.requests.append(f"GET {self.path}")
                if self.headers.get("Authorization") != f"Bearer {token}":
                    return self._json({"code": 99991663, "msg": "Invalid access token"}, 400)
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/open-apis/contact/v3/departments/0/children":
                    return self._json(fake.departments(query.get("page_token", "")))
                if url.path == "/open-apis/contact/v3/users/find_by_department":
                    return self._json(fake.users(query["department_id"]))
                return self._json({"code": 404, "msg": "not found"}, 404)

        return Handler
