from django.contrib import admin

from incentives.models import Award, Evaluation, IncentiveRule


@admin.register(IncentiveRule)
class IncentiveRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "period", "unit", "is_active"]
    list_filter = ["kind", "period", "is_active"]
    search_fields = ["name"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["rule", "person", "period_start", "amount", "points", "state"]
    list_filter = ["state", "kind"]
    raw_id_fields = ["person", "approved_by"]
    list_select_related = ["rule", "person"]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["rule", "period_start", "evaluated_at"]
    list_select_related = ["rule"]
