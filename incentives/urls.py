from django.urls import path

from incentives import views

app_name = "incentives"

urlpatterns = [
    path("", views.recognitions, name="recognitions"),
    path("mine/", views.my_awards, name="my-awards"),
    path("people/<int:pk>/", views.person_awards, name="person-awards"),
    path("awards/<int:pk>/", views.award_detail, name="award"),
    path("awards/<int:pk>/approve/", views.award_decide, {"decision": "approve"}, name="approve"),
    path("awards/<int:pk>/publish/", views.award_decide, {"decision": "publish"}, name="publish"),
    path("approvals/", views.approvals, name="approvals"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_edit, name="rule-new"),
    path("rules/tier-row/", views.tier_row, name="tier-row"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule-edit"),
    path("rules/<int:pk>/evaluate/", views.rule_evaluate, name="rule-evaluate"),
    path("fairness/", views.fairness, name="fairness"),
    path("payroll.<str:fmt>", views.payroll_export, name="payroll-export"),
]
