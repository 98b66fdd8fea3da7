"""Login lockout (django-axes): per username + address, on the sign-in page and the API token
endpoint; a successful sign-in clears the count; the cool-off ends it."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-in attempts"


def sign_in(client, username, password, address="10.0.0.1", **extra):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def token(client, username, password, address="10.0.0.1"):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def fail(times, attempt, username="alice"):
    for _ in range(times):
        response = attempt(username, "wrong")
    return response


def test_the_fifth_failure_locks_the_page_with_a_message_and_429(company, client):
    for _ in range(4):
        response = sign_in(client, "alice", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    response = sign_in(client, "alice", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "Try again in 15 minutes" in page
    assert 'name="username"' in page and 'value="alice"' in page  # the form, the name kept
    assert response["Retry-After"] == "900"
    # Locked means locked: the right password is refused too, and nobody is signed in.
    response = sign_in(client, "alice", "pw")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_limit_and_cool_off_come_from_settings(company, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=1)
    assert sign_in(client, "alice", "wrong").status_code == 200
    response = sign_in(client, "alice", "wrong")
    assert response.status_code == 429
    assert "Try again in 1 minute." in response.content.decode()


def test_the_lockout_message_is_translated(company, client):
    fail(5, lambda u, p: sign_in(client, u, p))
    response = sign_in(client, "alice", "pw", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_one_attacker_locks_only_that_username_from_that_address(company, client):
    fail(5, lambda u, p: sign_in(client, u, p))
    # Another person from the same address signs in.
    assert sign_in(client, "erin", "pw").status_code == 302
    client.logout()
    # Alice herself, from her own address, signs in.
    assert sign_in(client, "alice", "pw", address="10.0.0.2").status_code == 302


def test_a_successful_sign_in_clears_the_failures(company, client):
    fail(4, lambda u, p: sign_in(client, u, p))
    assert sign_in(client, "alice", "pw").status_code == 302
    client.logout()
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert sign_in(client, "alice", "wrong").status_code == 200  # counting starts again at one


def test_the_cool_off_ends_the_lockout(company, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        fail(5, lambda u, p: sign_in(client, u, p))
        traveller.shift(dt.timedelta(minutes=14))
        assert sign_in(client, "alice", "pw").status_code == 429
        # A try during the lockout restarts the cool-off: 15 minutes after the last one.
        traveller.shift(dt.timedelta(minutes=16))
        assert sign_in(client, "alice", "pw").status_code == 302


def test_the_admin_sign_in_is_locked_the_same_way(company, client):
    for _ in range(5):
        response = client.post(
            "/admin/login/", {"username": "zed", "password": "wrong"}, REMOTE_ADDR="10.0.0.1"
        )
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_the_token_endpoint_counts_failures_and_locks_out_with_429_json(company, client):
    for _ in range(4):
        response = token(client, "alice", "wrong")
        assert response.status_code == 400
    response = token(client, "alice", "wrong")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert LOCKED in response.json()["detail"]
    assert int(response["Retry-After"]) == 900
    assert token(client, "alice", "pw").status_code == 429  # the right password too
    assert token(client, "erin", "pw").status_code == 200  # others are unaffected
    assert token(client, "alice", "pw", address="10.0.0.2").status_code == 200


def test_page_and_api_failures_add_up(company, client):
    fail(3, lambda u, p: sign_in(client, u, p))
    fail(2, lambda u, p: token(client, u, p))
    assert sign_in(client, "alice", "pw").status_code == 429


def test_a_token_clears_the_failures_and_records_the_sign_in(company, client):
    fail(4, lambda u, p: token(client, u, p))
    response = token(client, "alice", "pw")
    assert response.status_code == 200
    assert not AccessAttempt.objects.filter(username="alice").exists()
    company["alice"].user.refresh_from_db()
    assert company["alice"].user.last_login is not None
    assert token(client, "alice", "wrong").status_code == 400


def test_force_login_still_works_for_tests(company, login):
    assert login(company["alice"]).get("/").status_code == 200


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(company, client):
    for n in range(5):
        sign_in(client, "alice", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert sign_in(client, "alice", "pw", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_address_counts(company, client, settings):
    settings.TRUSTED_PROXIES = 1
    for _ in range(5):
        sign_in(client, "alice", "wrong", address="10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    locked = sign_in(client, "alice", "pw", address="10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code == 429
    # A forged entry on the left changes nothing: the proxy appended the real address.
    forged = sign_in(
        client, "alice", "pw", address="10.9.9.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7"
    )
    assert forged.status_code == 429
    # Alice from another client behind the same proxy is not locked out.
    ok = sign_in(client, "alice", "pw", address="10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert ok.status_code == 302


def test_password_spraying_from_one_address_is_refused_across_usernames(company, client):
    """A few failures on each of many accounts (below each account's own lockout) add up per
    address: past KEEL_SIGNIN_ADDRESS_LIMIT every sign-in from there is refused with 429, on
    the page and the token endpoint, even with a right password; other addresses sign in."""
    from django.conf import settings

    alice = company["alice"].user
    alice.set_password("right-password-1")
    alice.save()
    limit = settings.KEEL_SIGNIN_ADDRESS_LIMIT
    for i in range(limit):
        response = sign_in(client, f"user{i // 2}", "Winter2026!")
        assert response.status_code == 200
    response = sign_in(client, "alice", "right-password-1")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert token(client, "alice", "right-password-1").status_code == 429
    other = sign_in(client, "alice", "right-password-1", address="10.0.0.2")
    assert other.status_code == 302


def test_password_policy_needs_ten_characters_and_refuses_common_ones(company):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = company["alice"].user
    with pytest.raises(ValidationError, match="at least 10"):
        validate_password("k7#pQ2!zx", user)
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password123", user)
    validate_password("k7#pQ2!zxw-long", user)
