from django.urls import path

from retros import views

app_name = "retros"

urlpatterns = [
    path("", views.lessons, name="lessons"),
    path("lessons/new/", views.lesson_create, name="lesson-create"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson"),
    path("lessons/<int:pk>/publish/", views.lesson_publish, name="lesson-publish"),
    path("glossary/", views.glossary, name="glossary"),
    path("similar/", views.similar, name="similar"),
    path("retrospectives/", views.retrospective_list, name="list"),
    path("retrospectives/new/", views.retrospective_create, name="create"),
    path("retrospectives/<int:pk>/", views.retrospective_detail, name="detail"),
    path("retrospectives/<int:pk>/sections/", views.retrospective_sections, name="sections"),
    path("retrospectives/<int:pk>/hold/", views.retrospective_hold, name="hold"),
    path("retrospectives/<int:pk>/publish/", views.retrospective_publish, name="publish"),
    path("retrospectives/<int:pk>/improvements/", views.improvement_add, name="improvement-add"),
    path("retrospectives/<int:pk>/five-whys/new/", views.five_why_edit, name="five-why-new"),
    path(
        "retrospectives/<int:pk>/five-whys/<int:analysis_pk>/",
        views.five_why_edit,
        name="five-why-edit",
    ),
    path("five-whys/level/", views.five_why_level, name="five-why-level"),
    path("actions/<int:pk>/follow-through/", views.follow_through, name="follow-through"),
]
