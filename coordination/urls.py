from django.urls import path

from coordination import views

app_name = "coordination"

urlpatterns = [
    path("threads/<str:kind>/<int:pk>/", views.thread, name="thread"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
]
