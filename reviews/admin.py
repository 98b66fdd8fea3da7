from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reviews.models import FeedbackRequest, FormTemplate, Review, ReviewCycle


@admin.register(ReviewCycle)
class ReviewCycleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "goal_cycle", "unit", "state", "top_rating_limit"]
    list_filter = ["state"]
    readonly_fields = ["state", "locked_at", "created_by"]


@admin.register(FormTemplate)
class FormTemplateAdmin(admin.ModelAdmin):
    """The review forms (sections and the anchored scale in both languages): admins edit the
    shipped ones or add their own; the model validates that both languages are complete."""

    list_display = ["key", "level", "name"]
    list_filter = ["level"]


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    """Read-only: every change goes through the services (calibration is audited there)."""

    list_display = ["person", "cycle", "state", "overall_rating", "calibrated_rating"]
    list_filter = ["state", "cycle"]
    list_select_related = ["person", "cycle"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(admin.ModelAdmin):
    """Counts and states only: the answers are never shown with the reviewer."""

    list_display = ["review", "relation", "state"]
    list_filter = ["state"]
    fields = ["review", "relation", "state"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
