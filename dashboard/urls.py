from django.urls import path

from dashboard import views
from dashboard.audit import views as audit_views

app_name = "dashboard"

urlpatterns = [
    path("team/", views.manager, name="manager"),
    path("team/<slug:section>/", views.manager_section, name="manager-section"),
    path("company/", views.company, name="company"),
    path("board/", views.board, name="board"),
    path("timeline/", views.timeline, name="timeline"),
    path("alignment/", views.alignment, name="alignment"),
    path("units/", views.units_overview, name="units"),
    path("exports/", views.export_page, name="exports"),
    path("exports/<str:what>.<str:fmt>", views.export_download, name="export"),
    path("import/", views.import_page, name="import"),
    path("import/errors.csv", views.import_errors, name="import-errors"),
    path("import/template.csv", views.import_template, name="import-template"),
    path("alignment/checklist.csv", views.alignment_csv, name="alignment-csv"),
    path("audit/", audit_views.audit_page, name="audit"),
    path("audit/export.<str:fmt>", audit_views.audit_export, name="audit-export"),
]
