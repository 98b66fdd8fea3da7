"""The admin is for staff only: anyone else signed in is sent to the admin sign-in and reaches
no changelist; staff see what their permissions allow (Django's rule); axes' records are
there for admins."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def changelists() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def test_every_model_of_note_is_in_the_admin():
    urls = changelists()
    assert len(urls) > 10
    assert "/admin/axes/accessattempt/" in urls and "/admin/goals/goal/" in urls


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_non_staff_are_sent_to_the_admin_sign_in_and_reach_no_changelist(company, login, who):
    client = login(company[who])
    index = client.get("/admin/")
    assert index.status_code == 302
    assert index["Location"].startswith("/admin/login/?next=/admin/")
    for url in changelists():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    # The admin's sign-in page does not let them in either: it says they lack access.
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 200
    assert "not authorized to access this page" in page.content.decode()


def test_anonymous_visitors_are_sent_to_the_admin_sign_in(client, db):
    for url in ["/admin/", *changelists()[:5]]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_staff_without_permissions_see_the_index_but_no_changelist(company, login):
    zed = company["zed"]
    assert zed.user.is_staff and not zed.user.is_superuser
    client = login(zed)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/goals/goal/").status_code == 403
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_superusers_see_the_lockout_records(company, login, client):
    client.post("/login/", {"username": "alice", "password": "wrong"})
    zed = company["zed"].user
    zed.is_superuser = True
    zed.save()
    response = login(company["zed"]).get("/admin/axes/accessattempt/")
    assert response.status_code == 200
    assert "alice" in response.content.decode()
