"""Directory sync from WeCom (企业微信) against its recorded contact API answers
(tests/directory/payloads/wecom/) served on 127.0.0.1: departments under the root become
units, people join in their main department with their direct leader, a disabled member
(status 2) never joins."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from directory import sync
from org.models import Person, Unit

PAYLOADS = Path(__file__).parent / "payloads" / "wecom"
ROUTES = {
    "/cgi-bin/gettoken": "gettoken",
    "/cgi-bin/department/list": "department_list",
    "/cgi-bin/user/list": "user_list",
}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        name = ROUTES.get(url.path)
        if name is None:
            body = {"errcode": 404, "errmsg": "not found"}
        elif name != "gettoken" and query.get("access_token") != "accesstoken000001":
            body = {"errcode": 40014, "errmsg": "invalid access_token"}
        else:
            body = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def wecom(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    settings.KEEL_DIRECTORY_SYNC = {
        "wecom": {"corp_id": "ww0001", "secret": "s", "api_base": f"http://{host}:{port}"}
    }
    yield
    server.shutdown()
    server.server_close()


def test_wecom_departments_and_people_are_applied(company, wecom):
    result = sync.sync_directory(platform="wecom", dry_run=False)
    rd = Unit.objects.get(name="研发部")
    platform = Unit.objects.get(name="平台组")
    assert rd.parent == company["acme"] and platform.parent == rd
    lisi = Person.objects.get(display_name="李四")
    wangwu = Person.objects.get(display_name="王五")
    assert (lisi.unit, lisi.title, lisi.user.email) == (rd, "研发总监", "lisi@aurora.example")
    assert (wangwu.unit, wangwu.manager, wangwu.user.email) == (
        platform,
        lisi,
        "wangwu@aurora.example",
    )
    assert not Person.objects.filter(display_name="赵六").exists()
    assert "person joined: 王五 in 平台组" in result.changes
    assert {h.history_change_reason for h in wangwu.history.all()} == {"sync:wecom"}
