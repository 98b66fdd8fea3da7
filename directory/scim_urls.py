from django.urls import path

from directory import scim_views

urlpatterns = [
    path(
        "ServiceProviderConfig",
        scim_views.service_provider_config,
        name="scim-service-provider-config",
    ),
    path("Users", scim_views.users, name="scim-users"),
    path("Users/<str:pk>", scim_views.user, name="scim-user"),
    path("Groups", scim_views.groups, name="scim-groups"),
    path("Groups/<str:pk>", scim_views.group, name="scim-group"),
]
