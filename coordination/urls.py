from django.urls import path

from coordination import meeting_views, task_force_views, views

app_name = "coordination"

urlpatterns = [
    path("threads/<str:kind>/<int:pk>/", views.thread, name="thread"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/new/", meeting_views.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("actions/", meeting_views.open_actions, name="open-actions"),
    path("actions/<int:pk>/complete/", meeting_views.action_complete, name="action-complete"),
    path("task-forces/", task_force_views.task_force_list, name="task-forces"),
    path("task-forces/new/", task_force_views.task_force_new, name="task-force-new"),
    path("task-forces/<int:pk>/", task_force_views.task_force_detail, name="task-force"),
    path(
        "task-forces/<int:pk>/members/",
        task_force_views.task_force_members,
        name="task-force-members",
    ),
    path(
        "task-forces/<int:pk>/dissolve/",
        task_force_views.task_force_dissolve,
        name="task-force-dissolve",
    ),
]
