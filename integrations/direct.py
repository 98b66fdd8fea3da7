"""Direct messages: a person's reminder sent to them through a chat platform's app messaging
API, where the platform's app is configured (settings.KEEL_CHAT_APPS) and the person has a
ChatIdentity on it (a Feishu open_id, a DingTalk userid, a WeCom userid).

- Feishu / Lark: `POST /open-apis/auth/v3/tenant_access_token/internal` {app_id, app_secret},
  then `POST /open-apis/im/v1/messages?receive_id_type=open_id` with
  `Authorization: Bearer <tenant_access_token>` and {receive_id, msg_type: "text",
  content: "{\"text\": …}"}.
- DingTalk: `POST /v1.0/oauth2/accessToken` {appKey, appSecret}, then
  `POST /v1.0/robot/oToMessages/batchSend` with `x-acs-dingtalk-access-token` and
  {robotCode, userIds: [userid], msgKey: "sampleText", msgParam: "{\"content\": …}"}.
- WeCom: `GET /cgi-bin/gettoken?corpid=…&corpsecret=…`, then
  `POST /cgi-bin/message/send?access_token=…` {touser, msgtype: "text", agentid, text}.

`on_reminders_sent` listens to the reminder dispatch (reminders.signals): in the batch's
transaction it writes one DirectMessage per reminder and configured platform the person is
known on (unique per reminder and platform), and sends them after the commit; `send_pending`
claims each row before sending, so a duplicated task never sends twice.
"""

from __future__ import annotations

import json
import logging
import uuid

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from core.queue import enqueue
from integrations.models import ChatIdentity, ChatPlatform, DirectMessage

logger = logging.getLogger(__name__)

TIMEOUT = 10
MAX_ATTEMPTS = 5
BASES = {
    ChatPlatform.FEISHU: "https://open.feishu.cn",
    ChatPlatform.DINGTALK: "https://api.dingtalk.com",
    ChatPlatform.WECOM: "https://qyapi.weixin.qq.com",
}


class DirectMessageError(Exception):
    """The platform refused the message; `transient` when a later attempt may not."""

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message)
        self.transient = transient


def configured() -> dict:
    return {k: v for k, v in (settings.KEEL_CHAT_APPS or {}).items() if k in BASES}


class _Client:
    def __init__(self, platform: str, config: dict, http: requests.Session):
        self.platform, self.config, self.http = platform, config, http
        self.base = (config.get("api_base") or BASES[platform]).rstrip("/")
        self._token = None

    def _json(self, response: requests.Response) -> dict:
        if response.status_code == 429 or response.status_code >= 500:
            raise DirectMessageError(f"HTTP {response.status_code}", transient=True)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 400:
            raise DirectMessageError(f"HTTP {response.status_code}: {str(body)[:200]}")
        code = body.get("code", body.get("errcode", 0))
        if code not in (0, None, "0"):
            raise DirectMessageError(f"{code}: {body.get('msg') or body.get('errmsg') or ''}")
        return body

    def token(self) -> str:
        if self._token is None:
            self._token = self.fetch_token()
        return self._token


class FeishuApp(_Client):
    def fetch_token(self) -> str:
        return self._json(
            self.http.post(
                f"{self.base}/open-apis/auth/v3/tenant_access_token/internal",
                json={"app_id": self.config["app_id"], "app_secret": self.config["app_secret"]},
                timeout=TIMEOUT,
            )
        )["tenant_access_token"]

    def send(self, user_id: str, text: str) -> None:
        self._json(
            self.http.post(
                f"{self.base}/open-apis/im/v1/messages",
                params={"receive_id_type": "open_id"},
                headers={"Authorization": f"Bearer {self.token()}"},
                json={
                    "receive_id": user_id,
                    "msg_type": "text",
                    "content": json.dumps({"text": text}, ensure_ascii=False),
                },
                timeout=TIMEOUT,
            )
        )


class DingTalkApp(_Client):
    def fetch_token(self) -> str:
        return self._json(
            self.http.post(
                f"{self.base}/v1.0/oauth2/accessToken",
                json={"appKey": self.config["app_key"], "appSecret": self.config["app_secret"]},
                timeout=TIMEOUT,
            )
        )["accessToken"]

    def send(self, user_id: str, text: str) -> None:
        self._json(
            self.http.post(
                f"{self.base}/v1.0/robot/oToMessages/batchSend",
                headers={"x-acs-dingtalk-access-token": self.token()},
                json={
                    "robotCode": self.config.get("robot_code") or self.config["app_key"],
                    "userIds": [user_id],
                    "msgKey": "sampleText",
                    "msgParam": json.dumps({"content": text}, ensure_ascii=False),
                },
                timeout=TIMEOUT,
            )
        )


class WeComApp(_Client):
    def fetch_token(self) -> str:
        return self._json(
            self.http.get(
                f"{self.base}/cgi-bin/gettoken",
                params={"corpid": self.config["corp_id"], "corpsecret": self.config["secret"]},
                timeout=TIMEOUT,
            )
        )["access_token"]

    def send(self, user_id: str, text: str) -> None:
        self._json(
            self.http.post(
                f"{self.base}/cgi-bin/message/send",
                params={"access_token": self.token()},
                json={
                    "touser": user_id,
                    "msgtype": "text",
                    "agentid": int(self.config["agent_id"]),
                    "text": {"content": text},
                },
                timeout=TIMEOUT,
            )
        )


CLIENTS = {
    ChatPlatform.FEISHU: FeishuApp,
    ChatPlatform.DINGTALK: DingTalkApp,
    ChatPlatform.WECOM: WeComApp,
}


def session() -> requests.Session:
    return requests.Session()


def _with_link(text: str, url: str) -> str:
    if not url:
        return text
    link = url if url.startswith("http") else settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")
    return f"{text}\n{link}"


def on_reminders_sent(sender=None, *, reminders: list[dict], **kwargs) -> None:
    """One DirectMessage per reminder and configured platform the person is known on."""
    platforms = list(configured())
    if not reminders or not platforms:
        return
    identities = ChatIdentity.objects.filter(
        platform__in=platforms, person_id__in={r["person"] for r in reminders}
    )
    by_person: dict[int, list[ChatIdentity]] = {}
    for identity in identities:
        by_person.setdefault(identity.person_id, []).append(identity)
    rows = [
        DirectMessage(
            reminder_log_id=reminder["log"],
            identity=identity,
            platform=identity.platform,
            text=_with_link(reminder["text"], reminder["url"]),
        )
        for reminder in reminders
        for identity in by_person.get(reminder["person"], [])
    ]
    if rows:
        DirectMessage.objects.bulk_create(rows, ignore_conflicts=True)
        from integrations import tasks

        enqueue(tasks.send_direct_messages, [r["log"] for r in reminders])


def send_pending(*, reminder_log_ids: list[int]) -> dict[str, int]:
    """Send the pending direct messages of these reminders, each claimed first; one access
    token per platform for the lot."""
    token = uuid.uuid4().hex
    DirectMessage.objects.filter(
        reminder_log_id__in=reminder_log_ids, status=DirectMessage.Status.PENDING
    ).update(
        status=DirectMessage.Status.SENDING,
        claim=token,
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )
    rows = list(
        DirectMessage.objects.filter(
            status=DirectMessage.Status.SENDING, claim=token
        ).select_related("identity")
    )
    counts = {"sent": 0, "failed": 0, "retrying": 0}
    apps = configured()
    clients: dict[str, _Client] = {}
    with session() as http:
        for row in rows:
            fields: dict = {"last_error": ""}
            try:
                config = apps.get(row.platform)
                if config is None:
                    raise DirectMessageError("The platform's app is no longer configured.")
                client = clients.get(row.platform)
                if client is None:
                    client = clients[row.platform] = CLIENTS[row.platform](
                        row.platform, config, http
                    )
                client.send(row.identity.user_id, row.text)
            except requests.RequestException as exc:
                error = DirectMessageError(f"{exc.__class__.__name__}: {exc}", transient=True)
                outcome, fields = _failure(row, error)
            except DirectMessageError as exc:
                outcome, fields = _failure(row, exc)
            else:
                outcome = "sent"
                fields.update(status=DirectMessage.Status.SENT, sent_at=timezone.now())
            counts[outcome] += 1
            DirectMessage.objects.filter(pk=row.pk, claim=token).update(
                updated_at=timezone.now(), **fields
            )
    return counts


def _failure(row: DirectMessage, exc: DirectMessageError) -> tuple[str, dict]:
    if exc.transient and row.attempts < MAX_ATTEMPTS:
        return "retrying", {"status": DirectMessage.Status.PENDING, "last_error": str(exc)[:500]}
    return "failed", {"status": DirectMessage.Status.FAILED, "last_error": str(exc)[:500]}


def sweep(now=None) -> int:
    """Send again direct messages left pending (a transient error, a lost task) for five
    minutes, or stuck sending for fifteen (a dead worker); answers how many reminders."""
    import datetime as dt

    from django.db.models import Q

    now = now or timezone.now()
    stale = Q(status=DirectMessage.Status.PENDING, updated_at__lt=now - dt.timedelta(minutes=5))
    stuck = Q(status=DirectMessage.Status.SENDING, updated_at__lt=now - dt.timedelta(minutes=15))
    DirectMessage.objects.filter(stuck).update(status=DirectMessage.Status.PENDING, claim="")
    ids = sorted(
        set(
            DirectMessage.objects.filter(stale | stuck | Q(status="pending", claim="")).values_list(
                "reminder_log_id", flat=True
            )[:1000]
        )
    )
    if ids:
        from integrations import tasks

        enqueue(tasks.send_direct_messages, ids)
    return len(ids)
