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
    page = login(company["bob"]).get("/").content.decode()
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
