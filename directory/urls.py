from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/errors.csv", views.import_errors, name="import-errors"),
    path("import/template.csv", views.import_template, name="import-template"),
]
