"""The manager dashboard's monitoring of resources (issue 6, item 5): requests waiting longer
than the configured number of days and budgets at or above the alert ratio, for what the
manager decides and heads; and the resources inbox's own near-limit and waiting lists."""

from django.urls import reverse

from resources.models import ResourceSettings
from tests.dashboard.conftest import section, section_of


def test_manager_dashboard_shows_long_waiting_requests_and_budgets_near_limit(
    login, quarter, resource_world
):
    c = resource_world
    response = section_of(login(c["bob"]), "resources", cycle=quarter.pk)
    assert response.status_code == 200
    page = response.content.decode()
    alerts = section(page, "resource-alerts")
    waiting = alerts[
        alerts.index('id="waiting-requests"') : alerts.index('id="near-limit-budgets"')
    ]
    assert "Requests waiting more than 7 days" in waiting
    assert reverse("resources:resource-detail", args=[c["old"].pk]) in waiting
    assert "Lead list for the north" in waiting and c["erin"].display_name in waiting
    assert "Demo kits" not in waiting  # a day old
    assert "Stock photos" not in waiting  # mia decides it
    assert [r.pk for r in response.context["waiting"]] == [c["old"].pk]
    near = alerts[alerts.index('id="near-limit-budgets"') :]
    assert "Budgets 90% or more committed" in near
    assert [b.pk for b in response.context["near_limit"]] == [c["field_budget"].pk]
    assert f"{reverse('resources:budgets')}?cycle={quarter.pk}" in near
    assert "Field team · Promotion" in near and "95% committed or spent" in near
    assert "Marketing" not in near and "Sales ·" not in near


def test_monitoring_follows_the_configured_days_and_ratio(login, quarter, resource_world):
    c = resource_world
    ResourceSettings.objects.update_or_create(
        pk=1, defaults={"waiting_days": 30, "budget_alert_ratio": 0.15}
    )
    response = section_of(login(c["bob"]), "resources", cycle=quarter.pk)
    assert response.context["waiting"] == []
    assert {b.pk for b in response.context["near_limit"]} == {
        c["field_budget"].pk,
        c["sales_budget"].pk,
    }
    page = response.content.decode()
    assert "Requests waiting more than 30 days" in page
    assert "Budgets 15% or more committed" in page


def test_resources_inbox_shows_budgets_near_limit_and_marks_long_waiting(login, resource_world):
    c = resource_world
    response = login(c["bob"]).get(reverse("resources:resource-inbox"))
    assert response.status_code == 200
    assert [b.pk for b in response.context["near_limit"]] == [c["field_budget"].pk]
    assert response.context["waiting_ids"] == {c["old"].pk}
    page = response.content.decode()
    near = page[page.index("Budgets nearly used up") : page.index("Waiting for your decision")]
    assert "Field team · Promotion" in near and "95% committed or spent" in near
    assert "Marketing" not in near
    old = page[page.index(f'id="request-{c["old"].pk}"') :]
    old = old[: old.index("</article>")]
    fresh = page[page.index(f'id="request-{c["fresh"].pk}"') :]
    fresh = fresh[: fresh.index("</article>")]
    assert "waiting long" in old
    assert "waiting long" not in fresh
    assert "Stock photos" not in page
