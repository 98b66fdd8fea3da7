"""Local stand-ins for the Feishu, DingTalk and WeCom group-bot endpoints, verifying each
request the way the platform documents it (and answering its error codes when not):

- Feishu custom bot with signature verification: body `timestamp` (seconds) and `sign` =
  base64(HMAC-SHA256(key="timestamp\\nsecret", msg="")), timestamp within an hour.
- DingTalk custom robot with 加签: URL `timestamp` (ms) and `sign` = urlencoded
  base64(HMAC-SHA256(key=secret, msg="timestamp\\nsecret")), within an hour.
- WeCom group bot: `?key=` in the URL.

They listen on 127.0.0.1 on a free port, in a thread; `messages` keeps what they accepted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

FEISHU_TOKEN = "feishu-hook-token"
FEISHU_SECRET = "feishu-secret"
DINGTALK_TOKEN = "dingtalk-access-token"
DINGTALK_SECRET = "SECdingtalk-secret"
WECOM_KEY = "wecom-key"
HOUR = 3600


def _feishu(body: dict) -> dict:
    timestamp, sign = body.get("timestamp"), body.get("sign")
    if not timestamp or not sign:
        return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}
    key = f"{timestamp}\n{FEISHU_SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    if sign != expected or abs(time.time() - int(timestamp)) > HOUR:
        return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}
    return {"code": 0, "msg": "success"}


def _dingtalk(query: dict) -> dict:
    timestamp = query.get("timestamp", [""])[0]
    sign = query.get("sign", [""])[0]  # parse_qs has already URL-decoded it
    if query.get("access_token", [""])[0] != DINGTALK_TOKEN:
        return {"errcode": 300001, "errmsg": "token is not exist"}
    if not timestamp or not sign:
        return {"errcode": 310000, "errmsg": "sign not match"}
    message = f"{timestamp}\n{DINGTALK_SECRET}".encode()
    expected = base64.b64encode(
        hmac.new(DINGTALK_SECRET.encode(), message, hashlib.sha256).digest()
    ).decode()
    if sign != expected or abs(time.time() * 1000 - int(timestamp)) > HOUR * 1000:
        return {"errcode": 310000, "errmsg": "sign not match"}
    return {"errcode": 0, "errmsg": "ok"}


def _wecom(query: dict) -> dict:
    if query.get("key", [""])[0] != WECOM_KEY:
        return {"errcode": 93000, "errmsg": "invalid webhook url"}
    return {"errcode": 0, "errmsg": "ok"}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if url.path == f"/open-apis/bot/v2/hook/{FEISHU_TOKEN}":
            platform, answer = "feishu", _feishu(body)
        elif url.path == "/robot/send":
            platform, answer = "dingtalk", _dingtalk(query)
        elif url.path == "/cgi-bin/webhook/send":
            platform, answer = "wecom", _wecom(query)
        else:
            self.send_response(404)
            self.end_headers()
            return
        ok = answer.get("code", answer.get("errcode")) == 0
        (self.server.messages if ok else self.server.refused).append((platform, body))
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class FakeBots:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.messages, self.server.refused = [], []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def messages(self) -> list:
        return self.server.messages

    @property
    def refused(self) -> list:
        return self.server.refused

    def urls(self) -> dict:
        return {
            "feishu": f"{self.base}/open-apis/bot/v2/hook/{FEISHU_TOKEN}",
            "dingtalk": f"{self.base}/robot/send?access_token={DINGTALK_TOKEN}",
            "wecom": f"{self.base}/cgi-bin/webhook/send?key={WECOM_KEY}",
        }

    def __enter__(self) -> FakeBots:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
