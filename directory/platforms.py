"""Reading the organisation from a platform's contact API into a `Snapshot`: departments and
people in one shape, whatever the platform. Feishu (contact v3) and WeCom (企业微信, the
`cgi-bin` contact API) are read; the credentials come from settings (KEEL_DIRECTORY_SYNC)."""

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


def client_for(platform: str):
    config = _config(platform)
    if platform == "feishu":
        return FeishuClient(
            app_id=config["app_id"],
            app_secret=config["app_secret"],
            api_base=config.get("api_base") or "https://open.feishu.cn",
        )
    if platform == "wecom":
        return WeComClient(
            corp_id=config["corp_id"],
            secret=config["secret"],
            api_base=config.get("api_base") or "https://qyapi.weixin.qq.com",
        )
    raise ImproperlyConfigured(f"Keel cannot read the directory of {platform}.")
