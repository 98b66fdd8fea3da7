"""The signed-in viewer kept between requests (org/identity.py): fewer queries per request, and
any change to the organisation seen on the very next request."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.identity import viewer_for
from org.models import HRBPAssignment


@pytest.fixture
def cached(settings):
    settings.KEEL_VIEWER_CACHE = True
    cache.clear()
    yield
    cache.clear()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_a_repeated_request_skips_the_identity_queries(company, login, settings):
    client = login(company["bob"])  # a manager and unit head: roles take several queries
    settings.KEEL_VIEWER_CACHE = False
    client.get("/")  # first-request work (settings rows, pace of the day) out of the way
    uncached = _queries(client, "/")
    assert _queries(client, "/") == uncached  # without the cache, the same every time
    settings.KEEL_VIEWER_CACHE = True
    cache.clear()
    _queries(client, "/")  # fills the cache
    assert _queries(client, "/") <= uncached - 3


def test_becoming_an_admin_shows_on_the_next_request(company, login, cached):
    client = login(company["dave"])
    assert client.get("/dashboard/audit/").status_code == 404
    user = company["dave"].user
    user.is_staff = True
    user.save()
    assert client.get("/dashboard/audit/").status_code == 200
    user.is_staff = False
    user.save()
    assert client.get("/dashboard/audit/").status_code == 404


def test_an_hrbp_assignment_and_a_new_head_show_at_once(company, cached):
    dave = company["dave"]
    before = viewer_for(dave.user)
    assert not before.is_hrbp and not before.headed_paths
    from org.identity import remember

    remember(before)
    HRBPAssignment.objects.create(person=dave, unit=company["marketing"])
    marketing = company["marketing"]
    marketing.head = dave
    marketing.save()
    after = viewer_for(type(dave.user).objects.get(pk=dave.user_id))
    assert after.is_hrbp and after.headed_paths == [marketing.path]


def test_a_sign_in_does_not_invalidate_everyone(company, client, cached):
    from org.identity import org_version

    version = org_version()
    client.force_login(company["alice"].user)  # saves last_login only
    assert org_version() == version


def test_the_api_token_user_gets_the_cached_viewer(company, api, cached):
    bob = company["bob"]
    client = api.as_(bob)
    assert client.get("/api/v1/goals/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/goals/").status_code == 200
    assert not any("org_hrbpassignment" in q["sql"] for q in ctx.captured_queries)


# --- the user row from the entry (org.identity.session_user) --------------------------------


@pytest.fixture
def production_sessions(settings, cached):
    """Sessions read through the cache, as with Redis (config/settings.py)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def _signed_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 200


def test_a_warm_signed_in_request_reads_no_user_row(company, login, production_sessions):
    client = login(company["alice"])
    client.get("/")  # fills the entry
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert not any('FROM "auth_user"' in q["sql"] for q in ctx.captured_queries)
    assert not any('FROM "django_session"' in q["sql"] for q in ctx.captured_queries)


def test_a_password_change_ends_the_other_sessions(company, login, production_sessions):
    client = login(company["alice"])
    assert _signed_in(client) and _signed_in(client)
    user = type(company["alice"].user).objects.get(pk=company["alice"].user_id)
    user.set_password("a new long passphrase")
    user.save()
    assert not _signed_in(client)


def test_a_deactivated_user_is_signed_out(company, login, production_sessions):
    client = login(company["alice"])
    assert _signed_in(client) and _signed_in(client)
    user = company["alice"].user
    user.is_active = False
    user.save()
    assert not _signed_in(client)


def test_the_cached_row_is_checked_like_the_database_row(company, login, production_sessions):
    """An entry whose password hash no longer matches the session's (written behind the
    stamp's back) ends the session instead of signing the user in."""
    from org.identity import _key

    client = login(company["alice"])
    assert _signed_in(client) and _signed_in(client)
    key = _key(company["alice"].user_id)
    entry = cache.get(key)
    assert entry["user"].pk == company["alice"].user_id
    entry["user"].password = "pbkdf2_sha256$1$salt$not-the-session-one"
    cache.set(key, entry)
    assert not _signed_in(client)


def test_a_rotated_secret_keeps_the_session_through_the_cached_row(
    company, login, production_sessions, settings
):
    client = login(company["alice"])
    assert _signed_in(client) and _signed_in(client)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-" + "x" * 50
    with CaptureQueriesContext(connection) as ctx:
        assert _signed_in(client)
    assert not any('FROM "auth_user"' in q["sql"] for q in ctx.captured_queries)
    assert _signed_in(client)  # the session moved to the new secret's hash
