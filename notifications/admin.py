from django.contrib import admin

from notifications.models import (
    Absence,
    CalendarDay,
    ChannelConfig,
    Delivery,
    Notification,
    NotificationPreference,
    ReminderLog,
    ReminderRun,
    ReminderSchedule,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "text", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    search_fields = ["text", "recipient__display_name"]


@admin.register(ChannelConfig)
class ChannelConfigAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "enabled"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["unit"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "kind",
        "channel",
        "config",
        "status",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "channel", "kind"]
    list_select_related = ["recipient", "config"]
    raw_id_fields = ["recipient", "notification", "reminder_log", "run"]
    search_fields = ["recipient__display_name", "last_error"]


@admin.register(ReminderSchedule)
class ReminderScheduleAdmin(admin.ModelAdmin):
    list_display = ["kind", "person", "weekday", "time", "enabled"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["period", "kind", "person", "status", "reason", "created_at"]
    list_filter = ["kind", "status", "reason"]
    list_select_related = ["person"]
    raw_id_fields = ["person", "run"]


@admin.register(ReminderRun)
class ReminderRunAdmin(admin.ModelAdmin):
    list_display = ["now", "trigger", "due", "batches", "started_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "country", "is_workday", "name"]
    list_filter = ["is_workday", "country"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["person", "start", "end", "note"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "channel", "enabled"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
