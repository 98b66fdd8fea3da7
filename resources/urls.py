"""Resource pages (`resources:resource-inbox`, ...), mounted under `tracking/` as before."""

from django.urls import path

from resources import views

app_name = "resources"

urlpatterns = [
    path("requests/", views.inbox, name="resource-inbox"),
    path("requests/new/", views.new_request, name="resource-new"),
    path("requests/mine/", views.mine, name="my-requests"),
    path("requests/<int:pk>/", views.detail, name="resource-detail"),
    path("requests/<int:pk>/decide/", views.decide, name="resource-decide"),
    path("requests/<int:pk>/withdraw/", views.withdraw, name="resource-withdraw"),
    path("budgets/", views.budgets, name="budgets"),
]
