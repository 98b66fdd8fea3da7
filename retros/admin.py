from django.contrib import admin

from retros import services
from retros.models import (
    FiveWhyAnalysis,
    GlossaryTerm,
    Lesson,
    RetroAction,
    Retrospective,
    RetroTemplate,
    WhyLevel,
)


@admin.register(RetroTemplate)
class RetroTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]

    def save_model(self, request, obj, form, change):
        services.save_template(
            actor=request.person,
            template=obj,
            name=obj.name,
            questions=obj.questions,
            is_default=obj.is_default,
        )


class WhyLevelInline(admin.TabularInline):
    model = WhyLevel
    extra = 0


@admin.register(FiveWhyAnalysis)
class FiveWhyAnalysisAdmin(admin.ModelAdmin):
    list_display = ["problem", "retrospective", "countermeasure_owner", "countermeasure_due_on"]
    inlines = [WhyLevelInline]
    raw_id_fields = ["retrospective", "countermeasure_owner", "created_by"]


@admin.register(Retrospective)
class RetrospectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "cycle", "state", "facilitator", "created_at"]
    list_filter = ["state", "cycle"]
    raw_id_fields = ["goal", "unit", "facilitator", "participants", "created_by"]


@admin.register(RetroAction)
class RetroActionAdmin(admin.ModelAdmin):
    list_display = ["description", "kind", "retrospective", "owner", "due_on"]
    raw_id_fields = ["retrospective", "five_why", "owner", "goal", "plan"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "state", "author", "effectiveness"]
    list_filter = ["state", "category"]
    search_fields = ["title"]
    raw_id_fields = ["author", "unit", "source_retrospective"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.reindex_lesson(lesson=form.instance)


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "translation", "created_by", "created_at"]
    search_fields = ["term", "translation"]
    raw_id_fields = ["created_by"]
