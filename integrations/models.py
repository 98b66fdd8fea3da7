"""Outbound webhooks: subscriptions by event type, the events they were sent, and the delivery
log (exactly once per subscription and event: a unique row, claimed before sending)."""

from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.events import EVENT_TYPES


def new_secret() -> str:
    """A Standard Webhooks signing secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookSubscription(models.Model):
    """Another system's endpoint that wants some event types, signed with its own secret."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("endpoint URL"), max_length=1000)
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Off: the people an event names travel as ids and names only. On (an administrator's
    # grant): also their e-mail address and username.
    include_personal_data = models.BooleanField(
        _("include personal data"),
        default=False,
        help_text=_("Also send the e-mail address and username of the people an event names."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.event_types, list) or not self.event_types:
            raise ValidationError({"event_types": _("Choose at least one event type.")})
        unknown = [t for t in self.event_types if t not in EVENT_TYPES]
        if unknown:
            raise ValidationError(
                {
                    "event_types": _("Unknown event type: %(t)s.")
                    % {"t": ", ".join(map(str, unknown))}
                }
            )


class WebhookEvent(models.Model):
    """One domain event as sent: its message id (the `webhook-id`, the same on every retry
    and replay, so a receiver can drop repeats), type and payload (ids and plain values)."""

    msg_id = models.CharField(max_length=40, unique=True, editable=False)
    type = models.CharField(_("event type"), max_length=60)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.type} {self.msg_id}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="webhook_delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id} ({self.status})"


class ChatPlatform(models.TextChoices):
    FEISHU = "feishu", _("Feishu / Lark")
    DINGTALK = "dingtalk", _("DingTalk")
    WECOM = "wecom", _("WeCom")


class ChatIdentity(models.Model):
    """Who a person is on a chat platform, for direct messages from its app: a Feishu open_id,
    a DingTalk userid or a WeCom userid."""

    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="chat_identities",
    )
    platform = models.CharField(_("platform"), max_length=10, choices=ChatPlatform.choices)
    user_id = models.CharField(_("user id on the platform"), max_length=100)

    class Meta:
        ordering = ["platform", "person"]
        verbose_name = _("chat identity")
        verbose_name_plural = _("chat identities")
        constraints = [
            models.UniqueConstraint(fields=["platform", "person"], name="one_chat_identity"),
            models.UniqueConstraint(fields=["platform", "user_id"], name="unique_chat_user_id"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.user_id}"


class DirectMessage(models.Model):
    """A reminder sent to one person through a platform's app messaging API: once per
    reminder and platform (unique), claimed before it is sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    reminder_log = models.ForeignKey(
        "notifications.ReminderLog", on_delete=models.CASCADE, related_name="+"
    )
    identity = models.ForeignKey(ChatIdentity, on_delete=models.CASCADE, related_name="messages")
    platform = models.CharField(_("platform"), max_length=10, choices=ChatPlatform.choices)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("direct message")
        verbose_name_plural = _("direct messages")
        constraints = [
            models.UniqueConstraint(
                fields=["reminder_log", "platform"], name="one_direct_message_per_reminder"
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.platform} → {self.identity_id} ({self.status})"
