"""Notification kinds and delivery channels, with the defaults a person has not changed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Chat webhook")


class ReminderKind(models.TextChoices):
    CHECK_IN = "reminder.check_in", _("Weekly check-in nudge")
    WEEKLY_REVIEW = "reminder.weekly_review", _("Manager weekly review reminder")
    ESCALATION = "reminder.escalation", _("Missed check-ins escalation")


REMINDER_KINDS = [kind.value for kind in ReminderKind]


class ReviewReminderKind(models.TextChoices):
    """Reminders of a performance review's steps before their deadline: sent once per person,
    step and deadline (the send log's period is the deadline). Not weekly, so not in the
    schedules; a person switches them with their other notifications."""

    SELF = "reminder.review_self", _("Self-assessment due")
    FEEDBACK = "reminder.review_feedback", _("360-degree feedback due")
    MANAGER = "reminder.review_manager", _("Manager evaluation due")


# Kinds of the send log: the weekly reminders and the review step reminders.
LOG_KINDS = [*ReminderKind.choices, *ReviewReminderKind.choices]

# Built-in schedule when the organisation has not stored one: (weekday Mon=0, hour, minute).
DEFAULT_SCHEDULES = {
    ReminderKind.CHECK_IN: (4, 15, 0),
    ReminderKind.WEEKLY_REVIEW: (0, 9, 0),
    ReminderKind.ESCALATION: (0, 9, 0),
}

OTHER_KIND = "other"


def kind_label(kind: str) -> str:
    if kind in REMINDER_KINDS:
        return str(ReminderKind(kind).label)
    return str(_("Other notifications"))


def preference_kind(kind: str) -> str:
    """Reminders are switched per kind; every other notification shares one switch."""
    return kind if kind in REMINDER_KINDS else OTHER_KIND


def default_enabled(kind: str, channel: str) -> bool:
    """Everything is on until the person switches it off. (Which kinds a group chat carries is
    the chat webhook's own setting: reminders only, unless an admin lists other kinds.)"""
    return True


def switchable(kind: str, channel: str) -> bool:
    """The inbox keeps every notification other apps send (approvals, feedback ...): that one
    switch is fixed. Every reminder can be switched off on every channel."""
    return not (preference_kind(kind) == OTHER_KIND and channel == Channel.IN_APP)
