from django.contrib import admin

from reminders.models import GroupDigest


@admin.register(GroupDigest)
class GroupDigestAdmin(admin.ModelAdmin):
    """The group digests of each dispatch: whether each went out, and why not."""

    list_display = ["created_at", "config", "run", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status", "config"]
    list_select_related = ["config", "run"]
    raw_id_fields = ["run"]
    readonly_fields = ["people", "claim"]
