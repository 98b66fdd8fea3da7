from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from org import services, tokens
from org.models import ApiToken, HRBPAssignment, Person, Unit


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
    actions = ["deactivate", "reactivate"]

    def save_model(self, request, obj, form, change):
        """A change of "active" ends (or restores) access through the services: sessions and
        API tokens end at once on deactivation."""
        if change and "is_active" in form.changed_data:
            active = obj.is_active
            obj.is_active = not active
            super().save_model(request, obj, form, change)
            services.update_person(person=obj, is_active=active)
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Deactivate (end their sessions and API tokens)"))
    def deactivate(self, request, queryset):
        for person in queryset.filter(is_active=True).select_related("user"):
            services.deactivate_person(person=person)

    @admin.action(description=_("Reactivate"))
    def reactivate(self, request, queryset):
        for person in queryset.filter(is_active=False).select_related("user"):
            services.reactivate_person(person=person)


@admin.register(HRBPAssignment)
class HRBPAssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "unit"]
    raw_id_fields = ["person", "unit"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    raw_id_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # made through the API, where the key is shown once

    @admin.action(description=_("Revoke"))
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.revoke_token(token=token)


# DRF's own token model is no longer used (its rows moved to ApiToken, org migration 0003).
try:
    from rest_framework.authtoken.models import TokenProxy

    admin.site.unregister(TokenProxy)
except (ImportError, admin.sites.NotRegistered):
    pass
