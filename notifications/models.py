"""The in-app inbox, delivery channels and the reminder machinery.

- Notification: one inbox item.
- NotificationPreference: a person's switch per kind and channel (no row = the default).
- ChannelConfig: a chat webhook (generic JSON, Feishu/Lark, DingTalk, WeCom) for the whole
  organisation or one unit (and its subtree).
- Delivery: one message on one channel to one person; the row is claimed before sending, so it is
  sent at most once, and a failure stays visible.
- ReminderSchedule: organisation defaults (person empty) and per-person overrides.
- ReminderLog: unique (person, kind, period): the exactly-once guarantee of reminders.
- ReminderRun: one dispatch, for the operators' page.
- CalendarDay / Absence: the working calendar on top of the `holidays` library.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.kinds import DEFAULT_SCHEDULES, LOG_KINDS, Channel, ReminderKind
from notifications.messages import Message
from org.models import Person, Unit


class Notification(models.Model):
    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=50)
    # `text` is the sentence in the recipient's language when it was sent (what the e-mail and
    # chat copies carry); `message` (notifications.messages.Message as JSON) is its source text
    # and parameters, so the inbox and the API word it in the reader's language when read.
    text = models.TextField(_("text"))
    message = models.JSONField(_("message"), null=True, blank=True, editable=False)
    url = models.CharField(_("link"), max_length=500, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.kind}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def display_text(self) -> str:
        """The sentence in the active language (the reader's); older rows without a message
        keep the text they were sent with."""
        if self.message:
            return Message.from_json(self.message).render()
        return self.text


class NotificationPreference(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=50)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "channel"], name="one_preference_per_kind_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.kind}/{self.channel}={self.enabled}"


class ChannelConfig(models.Model):
    class Kind(models.TextChoices):
        GENERIC = "generic", _("Generic JSON webhook")
        FEISHU = "feishu", _("Feishu / Lark group bot")
        DINGTALK = "dingtalk", _("DingTalk group bot")
        WECOM = "wecom", _("WeCom group bot")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GENERIC)
    url = models.URLField(_("webhook URL"), max_length=1000)
    # The bot's signing secret (Feishu "signature verification", DingTalk 加签); WeCom group
    # bots carry their key in the URL instead.
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    language = models.CharField(
        _("group language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channel_configs",
        help_text=_("Empty: the whole organisation. A unit: that unit and the units below it."),
    )
    kinds = models.JSONField(
        _("notification kinds"),
        default=list,
        blank=True,
        help_text=_("Kinds this channel carries; empty carries all reminders."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("chat webhook")
        verbose_name_plural = _("chat webhooks")

    def __str__(self) -> str:
        return self.name

    def carries(self, kind: str) -> bool:
        from notifications.kinds import REMINDER_KINDS

        return kind in (self.kinds or REMINDER_KINDS)

    def applies_to(self, person: Person) -> bool:
        return self.unit_id is None or self.unit_id in person.unit.ancestor_ids


class ReminderRun(models.Model):
    """One dispatch: when it ran, for which instant, how many reminders it found due. What
    happened to each channel is counted from its Delivery and ReminderLog rows."""

    class Trigger(models.TextChoices):
        BEAT = "beat", _("Scheduled")
        COMMAND = "command", _("Command")

    now = models.DateTimeField(_("dispatch time"))
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    due = models.PositiveIntegerField(_("due"), default=0)
    batches = models.PositiveIntegerField(_("batches"), default=0)
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")

    def __str__(self) -> str:
        return f"{self.now:%Y-%m-%d %H:%M} ({self.due})"


class ReminderLog(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        EXPIRED = "expired", _("Expired")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reminder_logs")
    kind = models.CharField(_("kind"), max_length=50, choices=LOG_KINDS)
    period = models.DateField(
        _("period"), help_text=_("The Monday of the local week; for a review step, its deadline.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    run = models.ForeignKey(
        ReminderRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    # The batch execution that inserted the row: it finds "its" rows after an
    # insert-or-ignore, and only those are sent.
    claim = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reminder log")
        verbose_name_plural = _("reminder logs")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "period"], name="one_reminder_per_period"
            )
        ]
        indexes = [models.Index(fields=["kind", "period"])]

    def __str__(self) -> str:
        return f"{self.person} {self.kind} {self.period} {self.status}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("kind"), max_length=50)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    config = models.ForeignKey(
        ChannelConfig, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    reminder_log = models.ForeignKey(
        ReminderLog, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    run = models.ForeignKey(
        ReminderRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The execution that claimed the row for its current attempt.
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["run", "channel", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.status}"


class ReminderSchedule(models.Model):
    """With no person: the organisation default for a kind. With a person: their override."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    kind = models.CharField(_("kind"), max_length=50, choices=ReminderKind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_schedules",
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    time = models.TimeField(_("local time"))
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["kind", "person"]
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(person__isnull=True), name="one_default_per_kind"
            ),
            models.UniqueConstraint(fields=["kind", "person"], name="one_override_per_person"),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="schedule_weekday_range"
            ),
        ]

    def __str__(self) -> str:
        who = self.person or _("organisation")
        return f"{self.kind} ({who}): {self.get_weekday_display()} {self.time:%H:%M}"

    @classmethod
    def builtin(cls, kind: str) -> ReminderSchedule:
        weekday, hour, minute = DEFAULT_SCHEDULES[ReminderKind(kind)]
        return cls(kind=kind, weekday=weekday, time=dt.time(hour, minute), enabled=True)


class CalendarDay(models.Model):
    """An organisation's own change to the public calendar: an extra day off, or a working
    day the library does not know. Overrides the `holidays` library for its country (or for
    everyone when the country is empty)."""

    date = models.DateField(_("date"))
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("ISO code such as CN or US; empty applies to everyone."),
    )
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "country"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [models.UniqueConstraint(fields=["date", "country"], name="one_calendar_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.country or '*'} {'work' if self.is_workday else 'off'}"


class Absence(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="absences")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-start", "pk"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="absence_order")
        ]
        indexes = [models.Index(fields=["person", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.start}–{self.end}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("An absence cannot end before it starts.")})
