from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracking.models import (
    CauseTag,
    CheckIn,
    Feedback,
    ImprovementAction,
    ImprovementPlan,
    KeyResultUpdate,
    WeeklyReview,
)


@admin.register(CauseTag)
class CauseTagAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["label"]}


class KeyResultUpdateInline(admin.TabularInline):
    model = KeyResultUpdate
    extra = 0
    raw_id_fields = ["key_result"]
    readonly_fields = ["status", "progress", "expected_progress", "previous_value"]


@admin.register(CheckIn)
class CheckInAdmin(SimpleHistoryAdmin):
    """Read-mostly: check-ins are written by their authors through the services."""

    list_display = ["person", "week", "state", "submitted_at", "amendments"]
    list_filter = ["state", "week"]
    search_fields = ["person__display_name"]
    raw_id_fields = ["person"]
    date_hierarchy = "week"
    inlines = [KeyResultUpdateInline]
    list_select_related = ["person"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["check_in", "author", "kind", "created_at", "acknowledged_at"]
    list_filter = ["kind"]
    raw_id_fields = ["check_in", "update", "author"]
    list_select_related = ["check_in__person", "author"]


class ImprovementActionInline(admin.TabularInline):
    model = ImprovementAction
    extra = 0
    raw_id_fields = ["owner"]


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "person", "state", "source", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["person", "goal", "key_result", "created_by"]
    inlines = [ImprovementActionInline]
    list_select_related = ["person"]


@admin.register(WeeklyReview)
class WeeklyReviewAdmin(admin.ModelAdmin):
    list_display = ["manager", "week", "updated_at"]
    raw_id_fields = ["manager"]
    list_select_related = ["manager"]
