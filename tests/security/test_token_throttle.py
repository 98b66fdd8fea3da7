"""The token endpoint's rate limit ("token" rate, 20/min): 429 with Retry-After, counted in its
own in-process cache, so Redis faults never reach it."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

pytestmark = pytest.mark.django_db

RATE = 20  # REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] = "20/min"


def token(client, username="alice", password="pw", address="10.0.0.7"):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_the_rate_is_applied_before_any_password_is_checked(company, client):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(RATE):
            assert token(client).status_code == 200
        response = token(client)
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 60
        assert "detail" in response.json()
        # Per address: another client is unaffected.
        assert token(client, address="10.0.0.8").status_code == 200
        # A minute later the window has moved on.
        traveller.shift(dt.timedelta(seconds=61))
        assert token(client).status_code == 200


def test_signed_in_callers_are_limited_too(company, login):
    client = login(company["alice"])
    for _ in range(RATE):
        token(client)
    assert token(client).status_code == 429


def test_the_forwarded_for_header_does_not_reset_the_count(company, client):
    for n in range(RATE):
        client.post(
            "/api/v1/auth/token/",
            {"username": "alice", "password": "pw"},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "pw"},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="192.0.2.250",
    )
    assert response.status_code == 429


def test_an_unreachable_redis_cache_does_not_break_the_token_endpoint(company, client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        },
    }
    response = token(client)
    assert response.status_code == 200
    assert response.json()["token"]
