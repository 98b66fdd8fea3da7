from django.urls import path

from tracking import views

app_name = "tracking"

urlpatterns = [
    path("", views.this_week, name="this-week"),
    path("autosave/", views.autosave, name="autosave"),
    path("key-results/<int:pk>/status/", views.kr_status, name="kr-status"),
    path("key-results/<int:pk>/burn-up/", views.kr_burnup, name="kr-burnup"),
    path("history/", views.history, name="history"),
    path("check-ins/<int:pk>/", views.check_in_detail, name="check-in"),
    path("check-ins/<int:pk>/feedback/", views.give_feedback, name="give-feedback"),
    path("feedback/<int:pk>/acknowledge/", views.acknowledge_feedback, name="acknowledge"),
    path("updates/<int:pk>/plan/", views.plan_from_update, name="plan-from-update"),
    path("team/", views.team, name="team"),
    path("review/", views.weekly_review, name="weekly-review"),
]
