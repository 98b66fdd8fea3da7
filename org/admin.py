from django.contrib import admin

from org.models import HRBPAssignment, Person, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "head", "depth"]
    list_filter = ["kind", "depth"]
    search_fields = ["name"]
    raw_id_fields = ["parent", "head"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["display_name", "title", "unit", "manager", "level", "is_active"]
    list_filter = ["level", "is_active", "language"]
    search_fields = ["display_name", "user__username", "title"]
    raw_id_fields = ["user", "unit", "manager"]
    list_select_related = ["unit", "manager"]


@admin.register(HRBPAssignment)
class HRBPAssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "unit"]
    raw_id_fields = ["person", "unit"]
