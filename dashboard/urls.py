from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("team/", views.manager, name="manager"),
    path("company/", views.company, name="company"),
    path("board/", views.board, name="board"),
    path("timeline/", views.timeline, name="timeline"),
    path("alignment/", views.alignment, name="alignment"),
    path("alignment/checklist.csv", views.alignment_csv, name="alignment-csv"),
]
