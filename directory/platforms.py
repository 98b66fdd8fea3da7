"""Reading the organisation from a platform's contact API into a `Snapshot`: departments and
people in one shape, whatever the platform. Feishu (contact v3), DingTalk (钉钉, the `topapi`
contact API of an internal app) and WeCom (企业微信, the `cgi-bin` contact API) are read; the
credentials come from settings (KEEL_DIRECTORY_SYNC)."""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TIMEOUT = 20
PAGE_SIZE = 50


class PlatformError(Exception):
    """The platform answered with an error (its code and message)."""


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    parent_id: str | None  # None: directly under the organisation's root


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    email: str
    department_id: str | None
    manager_id: str | None
    title: str
    active: bool


@dataclass
class Snapshot:
    departments: list[Department] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


def _config(platform: str) -> dict:
    config = settings.KEEL_DIRECTORY_SYNC.get(platform)
    if not config:
        raise ImproperlyConfigured(f"Directory sync from {platform} is not configured.")
    return config


class FeishuClient:
    """Feishu / Lark contact API v3 with a tenant access token of a custom app."""

    root = "0"

    def __init__(self, *, app_id: str, app_secret: str, api_base: str = "https://open.feishu.cn"):
        self.base = api_base.rstrip("/")
        self.app_id, self.app_secret = app_id, app_secret
        self.session = requests.Session()

    def _check(self, response: requests.Response) -> dict:
        response.raise_for_status()
        body = response.json()
        if body.get("code", 0) != 0:
            raise PlatformError(f"Feishu error {body.get('code')}: {body.get('msg', '')}")
        return body

    def _authenticate(self) -> None:
        body = self._check(
            self.session.post(
                f"{self.base}/open-apis/auth/v3/tenant_access_token/internal",
                json={"app_id": self.app_id, "app_secret": self.app_secret},
                timeout=TIMEOUT,
            )
        )
        self.session.headers["Authorization"] = f"Bearer {body['tenant_access_token']}"

    def _pages(self, path: str, params: dict):
        token = ""
        while True:
            query = {**params, "page_size": PAGE_SIZE}
            if token:
                query["page_token"] = token
            data = self._check(
                self.session.get(f"{self.base}{path}", params=query, timeout=TIMEOUT)
            ).get("data", {})
            yield from data.get("items") or []
            token = data.get("page_token") or ""
            if not data.get("has_more") or not token:
                return

    def snapshot(self) -> Snapshot:
        self._authenticate()
        ids = {"department_id_type": "open_department_id", "user_id_type": "open_id"}
        departments = [
            Department(
                id=item["open_department_id"],
                name=item["name"],
                parent_id=None
                if item.get("parent_department_id") in (None, "", self.root)
                else item["parent_department_id"],
            )
            for item in self._pages(
                f"/open-apis/contact/v3/departments/{self.root}/children",
                {**ids, "fetch_child": "true"},
            )
            if not (item.get("status") or {}).get("is_deleted")
        ]
        members: dict[str, Member] = {}
        for department_id in [self.root, *(d.id for d in departments)]:
            for item in self._pages(
                "/open-apis/contact/v3/users/find_by_department",
                {**ids, "department_id": department_id},
            ):
                status = item.get("status") or {}
                departments_of = item.get("department_ids") or []
                members.setdefault(
                    item["open_id"],
                    Member(
                        id=item["open_id"],
                        name=item.get("name", ""),
                        email=item.get("enterprise_email") or item.get("email") or "",
                        department_id=next((d for d in departments_of if d != self.root), None),
                        manager_id=item.get("leader_user_id") or None,
                        title=item.get("job_title", ""),
                        active=not (status.get("is_resigned") or status.get("is_exited")),
                    ),
                )
        return Snapshot(departments=departments, members=list(members.values()))


class WeComClient:
    """WeCom (企业微信) contact API with a corp id and the contact app's secret."""

    root = "1"

    def __init__(self, *, corp_id: str, secret: str, api_base: str = "https://qyapi.weixin.qq.com"):
        self.base = api_base.rstrip("/")
        self.corp_id, self.secret = corp_id, secret
        self.token = ""

    def _get(self, path: str, params: dict) -> dict:
        response = requests.get(
            f"{self.base}{path}", params={**params, "access_token": self.token}, timeout=TIMEOUT
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errcode", 0) != 0:
            raise PlatformError(f"WeCom error {body.get('errcode')}: {body.get('errmsg', '')}")
        return body

    def snapshot(self) -> Snapshot:
        self.token = self._get(
            "/cgi-bin/gettoken", {"corpid": self.corp_id, "corpsecret": self.secret}
        )["access_token"]
        departments = [
            Department(
                id=str(item["id"]),
                name=item["name"],
                parent_id=None
                if str(item.get("parentid")) in ("0", self.root)
                else str(item["parentid"]),
            )
            for item in self._get("/cgi-bin/department/list", {}).get("department", [])
            if str(item["id"]) != self.root
        ]
        users = self._get("/cgi-bin/user/list", {"department_id": self.root, "fetch_child": 1}).get(
            "userlist", []
        )
        members = [
            Member(
                id=item["userid"],
                name=item.get("name", ""),
                email=item.get("biz_mail") or item.get("email") or "",
                department_id=None
                if str(item.get("main_department", self.root)) == self.root
                else str(item["main_department"]),
                manager_id=(item.get("direct_leader") or [None])[0],
                title=item.get("position", ""),
                active=item.get("status", 1) == 1,
            )
            for item in users
        ]
        return Snapshot(departments=departments, members=members)


class DingTalkClient:
    """DingTalk (钉钉) contact API of an internal app: an access token from its app key and
    secret, the department tree one level at a time (`department/listsub` from the root
    department 1) and the people of each department (`user/list`, a cursor of pages).

    The list of a department's people names no manager; a person's manager is the leader of
    their department (the first of its people flagged `leader`), or for a leader, the leader
    of the nearest department above. A person in several departments belongs to the first of
    their `dept_id_list`. People who leave are removed from the directory, so whoever is
    listed is active (`active` there means "has activated the DingTalk app")."""

    root = 1
    page_size = 100

    def __init__(
        self, *, app_key: str, app_secret: str, api_base: str = "https://oapi.dingtalk.com"
    ):
        self.base = api_base.rstrip("/")
        self.app_key, self.app_secret = app_key, app_secret
        self.token = ""

    def _check(self, response: requests.Response) -> dict:
        response.raise_for_status()
        body = response.json()
        if body.get("errcode", 0) != 0:
            raise PlatformError(f"DingTalk error {body.get('errcode')}: {body.get('errmsg', '')}")
        return body

    def _post(self, path: str, body: dict) -> dict:
        return self._check(
            requests.post(
                f"{self.base}{path}",
                params={"access_token": self.token},
                json=body,
                timeout=TIMEOUT,
            )
        )

    def _departments(self) -> list[dict]:
        found, waiting, seen = [], [self.root], {self.root}
        while waiting:
            parent = waiting.pop(0)
            body = self._post(
                "/topapi/v2/department/listsub", {"dept_id": parent, "language": "zh_CN"}
            )
            for item in body.get("result") or []:
                if item["dept_id"] in seen:
                    continue
                seen.add(item["dept_id"])
                found.append(item)
                waiting.append(item["dept_id"])
        return found

    def _users(self, department_id: int):
        cursor = 0
        while True:
            result = (
                self._post(
                    "/topapi/v2/user/list",
                    {
                        "dept_id": department_id,
                        "cursor": cursor,
                        "size": self.page_size,
                        "contain_access_limit": False,
                        "language": "zh_CN",
                    },
                ).get("result")
                or {}
            )
            yield from result.get("list") or []
            if not result.get("has_more") or result.get("next_cursor") is None:
                return
            cursor = result["next_cursor"]

    def snapshot(self) -> Snapshot:
        self.token = self._check(
            requests.get(
                f"{self.base}/gettoken",
                params={"appkey": self.app_key, "appsecret": self.app_secret},
                timeout=TIMEOUT,
            )
        )["access_token"]
        raw = self._departments()
        parents = {item["dept_id"]: item.get("parent_id") for item in raw}
        departments = [
            Department(
                id=str(item["dept_id"]),
                name=item["name"],
                parent_id=None
                if item.get("parent_id") in (None, self.root)
                else str(item["parent_id"]),
            )
            for item in raw
        ]
        people: dict[str, dict] = {}
        leaders: dict[int, list[str]] = {}
        for department_id in [self.root, *parents]:
            for item in self._users(department_id):
                people.setdefault(item["userid"], item)
                if item.get("leader"):
                    leaders.setdefault(department_id, []).append(item["userid"])

        def home(item: dict) -> int:
            listed = [d for d in item.get("dept_id_list") or [] if d in parents or d == self.root]
            return listed[0] if listed else self.root

        def manager(userid: str, department_id: int) -> str | None:
            seen: set[int] = set()
            while department_id is not None and department_id not in seen:
                seen.add(department_id)
                heads = [u for u in leaders.get(department_id, []) if u != userid]
                if heads:
                    return heads[0]
                department_id = (
                    None if department_id == self.root else parents.get(department_id, self.root)
                )
            return None

        members = []
        for userid, item in people.items():
            department_id = home(item)
            members.append(
                Member(
                    id=userid,
                    name=item.get("name", ""),
                    email=item.get("org_email") or item.get("email") or "",
                    department_id=None if department_id == self.root else str(department_id),
                    manager_id=manager(userid, department_id),
                    title=item.get("title", ""),
                    active=True,
                )
            )
        return Snapshot(departments=departments, members=members)


def client_for(platform: str):
    config = _config(platform)
    if platform == "feishu":
        return FeishuClient(
            app_id=config["app_id"],
            app_secret=config["app_secret"],
            api_base=config.get("api_base") or "https://open.feishu.cn",
        )
    if platform == "dingtalk":
        return DingTalkClient(
            app_key=config["app_key"],
            app_secret=config["app_secret"],
            api_base=config.get("api_base") or "https://oapi.dingtalk.com",
        )
    if platform == "wecom":
        return WeComClient(
            corp_id=config["corp_id"],
            secret=config["secret"],
            api_base=config.get("api_base") or "https://qyapi.weixin.qq.com",
        )
    raise ImproperlyConfigured(f"Keel cannot read the directory of {platform}.")
