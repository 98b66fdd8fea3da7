"""A local stand-in for DingTalk's contact API (oapi.dingtalk.com) answering with recorded
responses (tests/directory/payloads/dingtalk/): the access token of an internal app, the
sub-departments of one department (`topapi/v2/department/listsub`) and one page of a
department's people (`topapi/v2/user/list`, by cursor). Calls without the token are refused,
as DingTalk does, and a wrong app secret gets DingTalk's error."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PAYLOADS = Path(__file__).parent / "payloads" / "dingtalk"
APP_SECRET = "recorded-secret"


def recorded(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


class FakeDingTalk:
    def __init__(self, state: str = "before"):
        self.state = state
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeDingTalk:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, sent: dict) -> dict:
        recording = recorded(self.state)
        if path == "/topapi/v2/department/listsub":
            key, table = str(sent.get("dept_id", 1)), recording["listsub"]
        elif path == "/topapi/v2/user/list":
            key, table = f"{sent['dept_id']}:{sent.get('cursor', 0)}", recording["user_list"]
        else:
            return {"errcode": 404, "errmsg": "not found"}
        return table.get(key) or {"errcode": 60003, "errmsg": "部门不存在"}

    def _handler(self):
        fake = self
        token = recorded("gettoken")["access_token"]

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body: dict):
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _query(self) -> tuple[str, dict]:
                url = urlsplit(self.path)
                return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}

            def do_GET(self):
                fake.requests.append(f"GET {self.path}")
                path, query = self._query()
                if path == "/gettoken" and query.get("appsecret") == APP_SECRET:
                    return self._json(recorded("gettoken"))
                return self._json({"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                sent = json.loads(self.rfile.read(length) or b"{}")
                path, query = self._query()
                fake.requests.append(f"POST {path} {json.dumps(sent, sort_keys=True)}")
                if query.get("access_token") != token:
                    return self._json({"errcode": 40014, "errmsg": "不合法的access_token"})
                return self._json(fake.answer(path, sent))

        return Handler
