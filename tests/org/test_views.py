import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_login_page_and_sign_in(company, client):
    alice = company["alice"]
    alice.user.set_password("pw-for-alice")
    alice.user.save()
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "alice", "password": "pw-for-alice"})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Field team" in home.content.decode()


def test_employee_home_shows_manager_and_unit(company, login):
    page = login(company["alice"]).get("/").content.decode()
    assert "Field team" in page and company["bob"].display_name in page
    assert 'id="my-team"' not in page


def test_manager_home_shows_the_team(company, login):
    client = login(company["bob"])
    assert "/dashboard/team/people/" in client.get("/").content.decode()  # loaded by htmx
    page = client.get("/dashboard/team/people/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="my-team"' in page
    assert company["alice"].display_name in page and company["erin"].display_name in page


def test_hrbp_home_lists_partnered_units(company, login):
    page = login(company["carol"]).get("/").content.decode()
    assert 'id="my-units"' in page and "Sales" in page


def test_navigation_follows_roles(company, login):
    page = login(company["alice"]).get("/").content.decode()
    assert 'href="/people/"' in page


def test_directory_page_search_is_an_htmx_partial(company, login):
    client = login(company["dave"])
    full = client.get("/people/")
    assert full.status_code == 200
    assert "<html" in full.content.decode()
    partial = client.get("/people/?q=ali", HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body
    assert company["alice"].display_name in body
    assert company["erin"].display_name not in body


def test_directory_hides_level_from_peers(company, login):
    page = login(company["dave"]).get("/people/?q=alice", HTTP_HX_REQUEST="true").content.decode()
    assert "Frontline" not in page
    page = login(company["bob"]).get("/people/?q=alice", HTTP_HX_REQUEST="true").content.decode()
    assert "Frontline" in page


def test_org_chart_shows_heads_and_headcounts(company, login):
    page = login(company["alice"]).get("/people/").content.decode()
    assert "Sales" in page and "Marketing" in page
    assert "3 people" in page  # Sales: bob + alice + erin


def test_person_page_and_404(company, login):
    client = login(company["dave"])
    assert client.get(f"/people/{company['alice'].pk}/").status_code == 200
    assert client.get("/people/999999/").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_directory_page_query_count_does_not_grow(company, login):
    client = login(company["bob"])
    for _ in range(3):
        PersonFactory(unit=company["field"], manager=company["bob"])
    few = _queries(client, "/people/")
    for _ in range(30):
        PersonFactory(unit=company["field"], manager=company["bob"])
    many = _queries(client, "/people/")
    assert many == few


def test_language_switch_is_remembered_on_the_person(company, login):
    client = login(company["alice"])
    response = client.post("/language/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    company["alice"].refresh_from_db()
    assert company["alice"].language == "zh-hans"
    page = client.get("/").content.decode()
    assert 'lang="zh-hans"' in page


def test_language_switch_rejects_foreign_redirects(company, login):
    client = login(company["alice"])
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"


def test_org_chart_opens_level_by_level(company, login):
    client = login(company["alice"])
    page = client.get("/people/").content.decode()
    # The company and its departments are there; the Sales teams load on expand.
    field_link = f'?unit={company["field"].pk}"'
    assert f'?unit={company["sales"].pk}"' in page and field_link not in page
    assert f"/units/{company['sales'].pk}/children/" in page
    level = client.get(f"/units/{company['sales'].pk}/children/", HTTP_HX_REQUEST="true")
    body = level.content.decode()
    assert field_link in body and "<html" not in body
    assert "2 people" in body  # alice and erin
    assert client.get("/units/999999/children/").status_code == 404


# --- sign out, password change, navigation by role --------------------------------------------


def _sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_logout_signs_out(company, client):
    alice = company["alice"]
    alice.user.set_password("Tall-Lighthouse-42")
    alice.user.save()
    assert _sign_in(client, "alice", "Tall-Lighthouse-42").status_code == 302
    page = client.get("/").content.decode()
    assert 'action="/logout/"' in page  # the sign-out button in the top bar
    assert client.get("/logout/").status_code == 405  # signing out is a POST (CSRF-protected)
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").url.startswith("/login/")
    assert client.get("/api/v1/goals/").status_code in (401, 403)


def test_password_change_flow_and_the_new_password_works(company, client):
    alice = company["alice"]
    alice.user.set_password("Tall-Lighthouse-42")
    alice.user.save()
    _sign_in(client, "alice", "Tall-Lighthouse-42")
    form = client.get("/password/")
    assert form.status_code == 200 and 'name="old_password"' in form.content.decode()
    wrong = client.post(
        "/password/",
        {
            "old_password": "not-it",
            "new_password1": "Quiet-Harbour-77",
            "new_password2": "Quiet-Harbour-77",
        },
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors["old_password"]
    mismatch = client.post(
        "/password/",
        {
            "old_password": "Tall-Lighthouse-42",
            "new_password1": "Quiet-Harbour-77",
            "new_password2": "Quiet-Harbour-78",
        },
    )
    assert mismatch.status_code == 200 and mismatch.context["form"].errors["new_password2"]
    done = client.post(
        "/password/",
        {
            "old_password": "Tall-Lighthouse-42",
            "new_password1": "Quiet-Harbour-77",
            "new_password2": "Quiet-Harbour-77",
        },
    )
    assert done.status_code == 302 and done.url == "/password/done/"
    assert client.get(done.url).status_code == 200
    assert client.get("/").status_code == 200  # still signed in on this session
    client.post("/logout/")
    old = _sign_in(client, "alice", "Tall-Lighthouse-42")
    assert old.status_code == 200 and "_auth_user_id" not in client.session
    new = _sign_in(client, "alice", "Quiet-Harbour-77")
    assert new.status_code == 302
    assert client.get("/").status_code == 200


def _nav_links(client) -> set[str]:
    page = client.get("/").content.decode()
    nav = page[page.index('<nav class="nav"') : page.index("</nav>")]
    return {part.split('"', 1)[0] for part in nav.split('href="')[1:]}


def test_navigation_by_role_shows_only_what_the_role_may_use(company, login):
    from django.urls import reverse

    team, alignment = reverse("dashboard:manager"), reverse("dashboard:alignment")
    rules, review = reverse("incentives:rules"), reverse("tracking:weekly-review")
    everyone = {reverse("home"), reverse("goals:list"), reverse("tracking:this-week")}
    employee = _nav_links(login(company["alice"]))
    assert everyone <= employee
    assert not {team, alignment, rules, review} & employee
    hrbp = _nav_links(login(company["carol"]))
    assert alignment in hrbp and not {team, review, rules} & hrbp
    manager = _nav_links(login(company["bob"]))
    assert {team, review} <= manager and not {alignment, rules} & manager
    admin = _nav_links(login(company["zed"]))
    assert {team, alignment, reverse("dashboard:company")} <= admin
