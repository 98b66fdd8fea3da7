from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("", views.goal_list, name="list"),
    path("new/", views.goal_create, name="create"),
    path("smart-check/", views.smart_preview, name="smart-preview"),
    path("parent-options/", views.goal_parent_options, name="parent-options"),
    path("adjustments/", views.adjustment_inbox, name="adjustments"),
    path("adjustments/<int:pk>/decide/", views.adjustment_decide, name="adjustment-decide"),
    path("support/", views.support_inbox, name="support-inbox"),
    path("support/<int:pk>/", views.support_detail, name="support-detail"),
    path("support/<int:pk>/<str:verb>/", views.support_decide, name="support-decide"),
    path("<int:pk>/", views.goal_detail, name="detail"),
    path("<int:pk>/ask-support/", views.support_ask, name="support-ask"),
    path("<int:pk>/edit/", views.goal_edit, name="edit"),
    path("<int:pk>/transition/<str:verb>/", views.goal_transition, name="transition"),
    path("<int:pk>/cascade/", views.goal_cascade, name="cascade"),
    path("<int:pk>/tree/", views.goal_tree, name="tree"),
    path("<int:pk>/adjust/", views.adjustment_request, name="adjust"),
    path("cycles/", views.cycle_list, name="cycles"),
    path("cycles/new/", views.cycle_create, name="cycle-create"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle-edit"),
    path("cycles/<int:pk>/transition/", views.cycle_transition, name="cycle-transition"),
    path("cycles/<int:pk>/scoring/", views.cycle_scoring, name="cycle-scoring"),
    path("cycles/<int:pk>/scoring/<int:goal_pk>/", views.cycle_self_score, name="cycle-self-score"),
    path("cycles/<int:pk>/carry-over/", views.cycle_carry_over, name="cycle-carry-over"),
    path("key-results/<int:pk>/measure/", views.measure, name="measure"),
]
