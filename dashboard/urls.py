from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("alignment/", views.alignment, name="alignment"),
    path("alignment/checklist.csv", views.alignment_csv, name="alignment-csv"),
]
