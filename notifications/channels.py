"""The channels a Delivery goes out on: email (HTML and plain text in the recipient's
language) and chat webhooks (generic JSON, Feishu/Lark, DingTalk, WeCom group bots).

Errors are sorted into transient (worth retrying: network trouble, 5xx, 429, SMTP trouble)
and permanent (a 4xx, a bot answering with an error code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import smtplib
import time
import urllib.parse
from dataclasses import dataclass
from functools import lru_cache

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from notifications.models import ChannelConfig, Delivery

WEBHOOK_TIMEOUT = 10


class DeliveryError(Exception):
    """A channel refused the message for good."""


class TransientDeliveryError(DeliveryError):
    """A channel failed in a way a later attempt may not."""


@dataclass(slots=True, frozen=True)
class Recipient:
    """Who a delivery goes to, as the senders read them (a Person answers the same)."""

    pk: int
    display_name: str
    language: str
    email: str


@dataclass(slots=True)
class Outgoing:
    """A delivery as the senders read it, from the row's values: a batch of thousands needs
    no model objects (`notifications.services.delivery.outgoing`). A Delivery answers the
    same attributes."""

    pk: int
    kind: str
    channel: str
    subject: str
    body: str
    url: str
    attempts: int
    recipient: Recipient
    config: ChannelConfig | None


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


EMAIL_TEXT = "notifications/email/message.txt"
EMAIL_HTML = "notifications/email/message.html"
PREFERENCES_PATH = "/notifications/preferences/"

# Email templates are rendered once per language (and with or without a link) with these
# stand-ins for the per-person values, which are then put in their place in one pass: the
# same text as rendering the template for each message, at a fraction of the cost (11,000
# reminders render 22,000 templates otherwise). Private-use characters never met in names.
_SLOT = re.compile("\ue000(name|subject|body|url)\ue001")


def _slot(name: str) -> str:
    return f"\ue000{name}\ue001"


@lru_cache(maxsize=64)
def _email_skeleton(template: str, language: str, with_url: bool, site_url: str) -> str:
    context = {
        "person": {"display_name": _slot("name")},
        "subject": _slot("subject"),
        "body": _slot("body"),
        "url": _slot("url") if with_url else "",
        "site_url": site_url,
        "preferences_url": absolute_url(PREFERENCES_PATH),
    }
    with translation.override(language):
        return str(render_to_string(template, context))


def render_email(*, language: str, name: str, subject: str, body: str, url: str):
    """The plain text and HTML of a notification email: each template rendered once per
    (language, link or not) with stand-ins, the values then escaped as the template would
    (HTML: escaped, the body's line breaks as <br>) and put in their place. The output is the
    same as `render_to_string` of the templates with these values
    (tests/notifications/test_channels.py compares them). Everything but the name is put in
    place once per message text (`_email_around_name`: a week's check-in nudge is one text
    per language), the name then once per person."""
    url = absolute_url(url)
    text, html = _email_around_name(language, subject, body, url, settings.SITE_URL)
    return name.join(text), escape(name).join(html)


@lru_cache(maxsize=512)
def _email_around_name(language: str, subject: str, body: str, url: str, site_url: str):
    """Both templates with subject, body and link in place, as the pieces between which the
    recipient's name goes (in one pass, as `_SLOT.sub` over the whole skeleton would: a value
    is never searched for stand-ins)."""
    raw = {"subject": subject, "body": body, "url": url}
    html_values = {
        "subject": escape(subject),
        "body": linebreaksbr(body, autoescape=True),
        "url": escape(url),
    }
    parts = []
    for template, values in ((EMAIL_TEXT, raw), (EMAIL_HTML, html_values)):
        skeleton = _email_skeleton(template, language, bool(url), site_url)
        pieces, current, end = [], [], 0
        for match in _SLOT.finditer(skeleton):
            current.append(skeleton[end : match.start()])
            end = match.end()
            if match.group(1) == "name":
                pieces.append("".join(current))
                current = []
            else:
                current.append(values[match.group(1)])
        current.append(skeleton[end:])
        pieces.append("".join(current))
        parts.append(tuple(pieces))
    return parts[0], parts[1]


def send_email(delivery: Delivery | Outgoing, connection=None) -> None:
    person = delivery.recipient
    address = person.email
    if not address:
        raise DeliveryError("The recipient has no email address.")
    text, html = render_email(
        language=person.language or settings.LANGUAGE_CODE,
        name=person.display_name,
        subject=delivery.subject,
        body=delivery.body,
        url=delivery.url,
    )
    message = EmailMultiAlternatives(
        subject=delivery.subject, body=text, from_email=None, to=[address], connection=connection
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise DeliveryError(f"SMTP refused: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientDeliveryError(f"SMTP error: {exc}") from exc


def webhook_text(delivery: Delivery | Outgoing) -> str:
    lines = [delivery.subject]
    if delivery.body.strip() != delivery.subject.strip():
        lines.append(delivery.body)
    if delivery.url:
        lines.append(absolute_url(delivery.url))
    return "\n".join(line for line in lines if line)


def bot_text_payload(config: ChannelConfig, text: str) -> dict | None:
    """A text message as the config's platform expects it; None for the generic webhook."""
    if config.kind == ChannelConfig.Kind.FEISHU:
        return {"msg_type": "text", "content": {"text": text}}
    if config.kind in (ChannelConfig.Kind.DINGTALK, ChannelConfig.Kind.WECOM):
        return {"msgtype": "text", "text": {"content": text}}
    return None


def webhook_payload(config: ChannelConfig, delivery: Delivery | Outgoing) -> dict:
    """The JSON each chat platform's group bot expects."""
    text = webhook_text(delivery)
    payload = bot_text_payload(config, text)
    if payload is not None:
        return payload
    person = delivery.recipient
    # Ids and names only: no e-mail address or username leaves for a third-party endpoint.
    return {
        "kind": delivery.kind,
        "text": text,
        "subject": delivery.subject,
        "url": absolute_url(delivery.url),
        "recipient": {"id": person.pk, "name": person.display_name},
    }


def feishu_sign(secret: str, timestamp: int) -> str:
    """Feishu / Lark custom bot signature: HMAC-SHA256 keyed with "timestamp\nsecret" over
    an empty message, base64; sent as "timestamp" (seconds) and "sign" in the JSON body."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk custom robot 加签: HMAC-SHA256 keyed with the secret over
    "timestamp\nsecret", base64 (URL-encoded when appended to the webhook URL)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_request(config: ChannelConfig, payload: dict, now: float | None = None):
    """The URL and JSON body to post to the bot, signed as its platform documents: Feishu in
    the body, DingTalk in the URL; WeCom's key is already in its URL."""
    now = time.time() if now is None else now
    url = config.url
    if config.secret and config.kind == ChannelConfig.Kind.FEISHU:
        timestamp = int(now)
        sign = feishu_sign(config.secret, timestamp)
        payload = {"timestamp": str(timestamp), "sign": sign, **payload}
    elif config.secret and config.kind == ChannelConfig.Kind.DINGTALK:
        timestamp = int(now * 1000)
        query = urllib.parse.urlencode(
            {"timestamp": timestamp, "sign": dingtalk_sign(config.secret, timestamp)}
        )
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    return url, payload


def _bot_error(config: ChannelConfig, response: requests.Response) -> str | None:
    """Feishu, DingTalk and WeCom answer 200 with an error code in the body."""
    if config.kind == ChannelConfig.Kind.GENERIC:
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    code = data.get("code", data.get("errcode", data.get("StatusCode", 0)))
    if code in (0, None, "0"):
        return None
    return f"{code}: {data.get('msg') or data.get('errmsg') or data.get('StatusMessage') or ''}"


def session() -> requests.Session:
    """One place to make the HTTP session (tests replace it)."""
    return requests.Session()


def send_webhook(delivery: Delivery | Outgoing, connection=None) -> None:
    config = delivery.config
    if config is None or not config.enabled:
        raise DeliveryError("The webhook is no longer configured.")
    post_to_bot(config, webhook_payload(config, delivery))


def post_to_bot(config: ChannelConfig, payload: dict) -> None:
    """Post a message to a chat webhook, signed; DeliveryError / TransientDeliveryError when
    it is refused."""
    url, payload = signed_request(config, payload)
    try:
        with session() as http:
            response = http.post(url, json=payload, timeout=WEBHOOK_TIMEOUT)
    except requests.RequestException as exc:
        raise TransientDeliveryError(f"{exc.__class__.__name__}: {exc}") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientDeliveryError(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")
    error = _bot_error(config, response)
    if error:
        raise DeliveryError(f"Bot error {error}")


SENDERS = {"email": send_email, "webhook": send_webhook}
