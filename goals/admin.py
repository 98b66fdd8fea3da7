from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from goals.models import (
    AlignmentReview,
    Cycle,
    Goal,
    GoalSettings,
    GoalTemplate,
    KeyResult,
    TargetAdjustment,
)


@admin.register(GoalSettings)
class GoalSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "on_track_ratio", "at_risk_ratio", "stretch_limit"]


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "starts_on", "ends_on", "state", "parent"]
    list_filter = ["kind", "state"]


class KeyResultInline(admin.TabularInline):
    model = KeyResult
    extra = 0
    fields = [
        "name",
        "metric",
        "unit",
        "direction",
        "start_value",
        "target_value",
        "current_value",
        "weight",
        "due_on",
        "progress",
    ]
    readonly_fields = ["progress"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Goals and adjustments change through goals.services (pages and API), which keep
    progress, versions and notifications right; the admin shows them and their history."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    list_display = ["title", "level", "kind", "owner_name", "cycle", "state", "progress"]
    list_filter = ["cycle", "level", "kind", "state", "priority"]
    search_fields = ["title"]
    raw_id_fields = [
        "owner_person",
        "owner_unit",
        "parent",
        "created_by",
        "initiated_by",
        "agreed_by",
        "supports",
    ]
    list_select_related = ["owner_person", "owner_unit", "cycle"]
    readonly_fields = ["progress", "version"]
    inlines = [KeyResultInline]


@admin.register(GoalTemplate)
class GoalTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "min_tenure_months", "max_tenure_months", "is_active"]


@admin.register(TargetAdjustment)
class TargetAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["key_result", "old_target", "new_target", "reason", "state", "created_at"]
    list_filter = ["state", "reason"]
    raw_id_fields = ["key_result", "requested_by", "decided_by"]


@admin.register(AlignmentReview)
class AlignmentReviewAdmin(admin.ModelAdmin):
    """Read-only: reviews are recorded on the alignment page (which notifies the unit head)."""

    list_display = ["unit", "cycle", "outcome", "reviewer", "created_at"]
    list_filter = ["outcome", "cycle"]
    list_select_related = ["unit", "cycle", "reviewer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
