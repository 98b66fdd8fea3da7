"""Review pages (`reviews:home`, ...)."""

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:step>/", views.step, name="step"),
    path("feedback/<int:pk>/", views.feedback, name="feedback"),
    path("feedback/<int:pk>/decide/", views.feedback_decide, name="feedback-decide"),
    path("cycles/new/", views.cycle_edit, name="cycle-new"),
    path("cycles/<int:pk>/", views.cycle, name="cycle"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle-edit"),
    path("cycles/<int:pk>/export/", views.export, name="export"),
    path("cycles/<int:pk>/<slug:action>/", views.cycle_action, name="cycle-action"),
]
