from django.contrib import admin

from integrations.models import ChatIdentity, DirectMessage


@admin.register(ChatIdentity)
class ChatIdentityAdmin(admin.ModelAdmin):
    """Who each person is on Feishu, DingTalk and WeCom, for direct messages."""

    list_display = ["person", "platform", "user_id"]
    list_filter = ["platform"]
    list_select_related = ["person"]
    raw_id_fields = ["person"]
    search_fields = ["person__display_name", "user_id"]


@admin.register(DirectMessage)
class DirectMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "platform", "identity", "status", "attempts", "last_error"]
    list_filter = ["status", "platform"]
    list_select_related = ["identity"]
    raw_id_fields = ["reminder_log", "identity"]
    readonly_fields = ["claim"]
