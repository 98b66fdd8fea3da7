from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("service-accounts/", views.service_accounts, name="service-accounts"),
    path(
        "service-accounts/<int:pk>/revoke/",
        views.revoke_service_account,
        name="service-account-revoke",
    ),
]
