"""A local stand-in for the app messaging APIs of Feishu, DingTalk and WeCom, checking each
request as the platform does: the app's credentials for an access token, that token on every
message (Feishu `Authorization: Bearer`, DingTalk `x-acs-dingtalk-access-token`, WeCom
`?access_token=`), and the message's documented shape. It answers the platform's error codes
otherwise; `messages` keeps what it accepted as (platform, user id, text)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

FEISHU = {"app_id": "cli_keel", "app_secret": "feishu-app-secret"}
DINGTALK = {"app_key": "ding-keel", "app_secret": "dingtalk-app-secret", "robot_code": "ding-keel"}
WECOM = {"corp_id": "ww-keel", "secret": "wecom-app-secret", "agent_id": "1000002"}
TOKENS = {"feishu": "t-feishu-tenant", "dingtalk": "t-dingtalk-app", "wecom": "t-wecom-app"}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def _answer(self, body: dict, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/cgi-bin/gettoken":
            given = (query.get("corpid", [""])[0], query.get("corpsecret", [""])[0])
            if given != (WECOM["corp_id"], WECOM["secret"]):
                return self._answer({"errcode": 40001, "errmsg": "invalid credential"})
            return self._answer({"errcode": 0, "access_token": TOKENS["wecom"], "expires_in": 7200})
        self._answer({}, 404)

    def do_POST(self) -> None:
        url = urlparse(self.path)
        routes = {
            "/open-apis/auth/v3/tenant_access_token/internal": self._feishu_token,
            "/open-apis/im/v1/messages": self._feishu_message,
            "/v1.0/oauth2/accessToken": self._dingtalk_token,
            "/v1.0/robot/oToMessages/batchSend": self._dingtalk_message,
            "/cgi-bin/message/send": self._wecom_message,
        }
        route = routes.get(url.path)
        if route is None:
            return self._answer({}, 404)
        return route(parse_qs(url.query), self._body())

    def _feishu_token(self, query: dict, body: dict) -> None:
        if body != FEISHU:
            return self._answer({"code": 10014, "msg": "app secret invalid"})
        return self._answer({"code": 0, "tenant_access_token": TOKENS["feishu"], "expire": 7200})

    def _feishu_message(self, query: dict, body: dict) -> None:
        if self.headers.get("Authorization") != f"Bearer {TOKENS['feishu']}":
            return self._answer({"code": 99991663, "msg": "Invalid access token"}, 400)
        if query.get("receive_id_type") != ["open_id"] or body.get("msg_type") != "text":
            return self._answer({"code": 230001, "msg": "param invalid"}, 400)
        text = json.loads(body.get("content") or "{}")["text"]
        self.server.messages.append(("feishu", body["receive_id"], text))
        return self._answer({"code": 0, "data": {"message_id": "om_1"}})

    def _dingtalk_token(self, query: dict, body: dict) -> None:
        given = (body.get("appKey"), body.get("appSecret"))
        if given != (DINGTALK["app_key"], DINGTALK["app_secret"]):
            return self._answer({"code": "invalidClientIdOrSecret", "message": "无效"}, 400)
        return self._answer({"accessToken": TOKENS["dingtalk"], "expireIn": 7200})

    def _dingtalk_message(self, query: dict, body: dict) -> None:
        if self.headers.get("x-acs-dingtalk-access-token") != TOKENS["dingtalk"]:
            return self._answer({"code": "InvalidAuthentication", "message": "token"}, 401)
        if body.get("robotCode") != DINGTALK["robot_code"] or body.get("msgKey") != "sampleText":
            return self._answer({"code": "invalidParameter", "message": "robotCode"}, 400)
        text = json.loads(body["msgParam"])["content"]
        for user_id in body["userIds"]:
            self.server.messages.append(("dingtalk", user_id, text))
        return self._answer({"processQueryKey": "q1"})

    def _wecom_message(self, query: dict, body: dict) -> None:
        if query.get("access_token") != [TOKENS["wecom"]]:
            return self._answer({"errcode": 40014, "errmsg": "invalid access_token"})
        if body.get("agentid") != int(WECOM["agent_id"]) or body.get("msgtype") != "text":
            return self._answer({"errcode": 40056, "errmsg": "invalid agentid"})
        self.server.messages.append(("wecom", body["touser"], body["text"]["content"]))
        return self._answer({"errcode": 0, "errmsg": "ok"})


class FakeChatApps:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.messages = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def messages(self) -> list:
        return self.server.messages

    def settings(self) -> dict:
        return {
            "feishu": {**FEISHU, "api_base": self.base},
            "dingtalk": {**DINGTALK, "api_base": self.base},
            "wecom": {**WECOM, "api_base": self.base},
        }

    def __enter__(self) -> FakeChatApps:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
