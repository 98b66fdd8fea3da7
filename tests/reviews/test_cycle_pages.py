"""The review-cycle page: HRBPs and admins create and edit a review cycle (goal cycle, who is
reviewed, steps, deadlines, forms per level) with the errors in the form, through htmx or a
plain post; nobody else may; the page's queries do not grow with the organisation."""

import datetime as dt

import pytest

from reviews.models import FormTemplate, ReviewCycle
from tests.factories import UnitFactory
from tests.goals.factories import CycleFactory

NEW = "/reviews/cycles/new/"
HX = {"HTTP_HX_REQUEST": "true"}


def body(w, **changes):
    data = {
        "name": "Sales H2 review",
        "goal_cycle": w["cycle"].goal_cycle_id,
        "unit": w["sales"].pk,
        "levels": ["frontline", "manager"],
        "self_assessment": "on",
        "feedback_360": "on",
        "calibration": "on",
        "self_due_on": "2026-10-14",
        "feedback_due_on": "2026-10-16",
        "manager_due_on": "2026-10-20",
        "calibration_due_on": "2026-10-27",
        "top_rating_limit": "20",
        "frontline_form": "",
        "manager_form": FormTemplate.objects.get(key="manager").pk,
        "executive_form": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_the_hrbp_creates_a_cycle_from_the_reviews_page(login, reviews):
    w = reviews
    client = login(w["carol"])
    home = client.get("/reviews/").content.decode()
    assert f'href="{NEW}"' in home
    page = client.get(NEW).content.decode()
    assert "New review cycle" in page and "Frontline review" in page
    # Carol partners Sales: its units are offered, Marketing is not.
    assert f'value="{w["field"].pk}"' in page and f'value="{w["marketing"].pk}"' not in page
    response = client.post(NEW, body(w))
    cycle = ReviewCycle.objects.get(name="Sales H2 review")
    assert response.status_code == 302 and response["Location"] == f"/reviews/cycles/{cycle.pk}/"
    assert cycle.levels == ["frontline", "manager"] and cycle.state == ReviewCycle.State.DRAFT
    assert cycle.manager_form.key == "manager" and cycle.frontline_form is None
    assert (cycle.self_due_on, cycle.created_by) == (dt.date(2026, 10, 14), w["carol"])


@pytest.mark.django_db
def test_errors_come_back_in_the_form_and_nothing_is_saved(login, reviews):
    w = reviews
    client = login(w["carol"])
    response = client.post(NEW, body(w, name="", top_rating_limit="120"))
    page = response.content.decode()
    assert response.status_code == 400 and "<html" in page
    assert "This field is required." in page
    assert "Ensure this value is less than or equal to 100." in page
    # The service's rules too: deadlines in the steps' order, a form of the right level.
    response = client.post(
        NEW,
        body(
            w,
            manager_due_on="2026-10-10",
            frontline_form=FormTemplate.objects.get(key="executive").pk,
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Select a valid choice" in page  # an executive form is not offered for frontline
    response = client.post(NEW, body(w, manager_due_on="2026-10-10"))
    assert response.status_code == 400
    assert "Deadlines follow the steps" in response.content.decode()
    assert not ReviewCycle.objects.filter(name="Sales H2 review").exists()


@pytest.mark.django_db
def test_through_htmx_the_form_alone_comes_back_and_success_redirects(login, reviews):
    w = reviews
    client = login(w["carol"])
    response = client.post(NEW, body(w, manager_due_on="2026-10-10"), **HX)
    page = response.content.decode()
    # htmx swaps only successful answers: the form with its errors, without the page around.
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<form method="post"') and 'id="cycle-form"' in page
    assert "Deadlines follow the steps" in page
    assert "HX-Request" in response["Vary"]
    response = client.post(NEW, body(w), **HX)
    cycle = ReviewCycle.objects.get(name="Sales H2 review")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/reviews/cycles/{cycle.pk}/"


@pytest.mark.django_db
def test_editing_a_draft_and_an_open_cycle(login, reviews):
    w = reviews
    client = login(w["carol"])
    client.post(NEW, body(w))
    draft = ReviewCycle.objects.get(name="Sales H2 review")
    url = f"/reviews/cycles/{draft.pk}/edit/"
    assert "Review cycle settings" in client.get(url).content.decode()
    response = client.post(url, body(w, levels=["frontline"], feedback_360=None))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.levels == ["frontline"] and not draft.feedback_360
    # The open cycle: the deadlines move; who is reviewed and the steps stay (disabled).
    opened = w["cycle"]
    url = f"/reviews/cycles/{opened.pk}/edit/"
    page = client.get(url).content.decode()
    assert "The cycle is open" in page and "disabled" in page
    response = client.post(
        url, body(w, name="Q3 review", levels=["manager"], calibration=None), **HX
    )
    assert response.status_code == 200 and response["HX-Redirect"]
    opened.refresh_from_db()
    assert opened.self_due_on == dt.date(2026, 10, 14)
    assert opened.levels == ["frontline"] and opened.calibration


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "bob", "dave", "mia"])
def test_only_hrbps_and_admins_configure_cycles(login, reviews, who):
    """Employees and managers: 403 on the pages (the cycles themselves are visible to everyone
    signed in, as the API lists them), 404 for a cycle that does not exist; no link."""
    w = reviews
    client = login(w[who])
    assert 'href="/reviews/cycles/new/"' not in client.get("/reviews/").content.decode()
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, body(w)).status_code == 403
    edit = f"/reviews/cycles/{w['cycle'].pk}/edit/"
    assert client.get(edit).status_code == 403
    assert client.post(edit, body(w, name="Hijacked"), **HX).status_code == 403
    assert client.get("/reviews/cycles/999999/edit/").status_code == 404
    assert not ReviewCycle.objects.filter(name__in=["Hijacked", "Sales H2 review"]).exists()


@pytest.mark.django_db
def test_an_hrbp_configures_only_the_units_they_partner(login, reviews):
    w = reviews
    client = login(w["carol"])
    response = client.post(NEW, body(w, unit=w["marketing"].pk))
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    # The admin configures any unit.
    client = login(w["zed"])
    assert client.post(NEW, body(w, unit=w["marketing"].pk)).status_code == 302


@pytest.mark.django_db
def test_cycle_page_queries_bounded(login, reviews, django_assert_max_num_queries):
    w = reviews
    client = login(w["zed"])
    counts = []
    for n in (2, 20):
        for i in range(n):
            UnitFactory(name=f"Team {n}-{i}", parent=w["sales"])
            CycleFactory(
                name=f"Cycle {n}-{i}",
                starts_on=dt.date(2025, 1, 1),
                ends_on=dt.date(2025, 3, 31),
            )
        for url in (NEW, f"/reviews/cycles/{w['cycle'].pk}/edit/"):
            with django_assert_max_num_queries(20) as ctx:
                assert client.get(url).status_code == 200
            counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[2] and counts[1] == counts[3]
