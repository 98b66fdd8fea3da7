"""Production mode (DEBUG=0): the security settings as config/settings.py derives them from the
environment, applied to real requests: HTTPS redirect (not /healthz), HSTS, cookie flags,
and `check --deploy` clean. Password validators refuse weak passwords."""

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

pytestmark = pytest.mark.django_db

SECURITY_SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
]


def production_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="keel.example.com,testserver"
    )
    return env


@pytest.fixture(scope="module")
def production_values() -> dict:
    """The security settings exactly as config/settings.py computes them with DEBUG=0."""
    code = (
        "import json, config.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {SECURITY_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production(settings, production_values):
    for name, value in production_values.items():
        setattr(settings, name, value)
    settings.DEBUG = False
    return Client()  # a new client loads the middleware with these settings


def test_production_values_are_the_secure_ones(production_values):
    v = production_values
    assert v["SESSION_COOKIE_SECURE"] and v["CSRF_COOKIE_SECURE"]
    assert v["SESSION_COOKIE_HTTPONLY"] and v["CSRF_COOKIE_HTTPONLY"]
    assert v["SECURE_SSL_REDIRECT"]
    assert v["SECURE_HSTS_SECONDS"] >= 31536000
    assert v["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and v["SECURE_HSTS_PRELOAD"]
    assert v["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert v["SECURE_REFERRER_POLICY"] == "same-origin"
    assert v["X_FRAME_OPTIONS"] == "DENY"
    assert 3600 <= v["SESSION_COOKIE_AGE"] <= 60 * 60 * 24 * 30


def test_http_requests_are_redirected_to_https_except_the_health_check(production):
    response = production.get("/login/?next=/goals/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/?next=/goals/"
    assert production.get("/api/v1/me/").status_code == 301
    health = production.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


def test_behind_the_tls_proxy_requests_are_served(production):
    response = production.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


def test_https_responses_carry_hsts_and_the_other_headers(production):
    response = production.get("/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


def test_cookies_are_secure_and_http_only(company, production, production_values):
    page = production.get("/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    token = csrf.value
    response = production.post(
        "/login/",
        {"username": "alice", "password": "pw", "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_REFERER="https://testserver/login/",
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) == production_values["SESSION_COOKIE_AGE"]


def test_htmx_posts_still_pass_csrf_with_an_http_only_cookie(company, login):
    """The token travels in the page (hx-headers on <body>), not read from the cookie."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(company["alice"].user)
    page = client.get("/").content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    refused = client.post("/notifications/read-all/", HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    accepted = client.post(
        "/notifications/read-all/", HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code in (200, 204, 302)


def test_check_deploy_is_clean_in_production_mode():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env={**production_env(), "ALLOWED_HOSTS": "keel.example.com"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("weak", ["keel", "12345678901", "password123", "alice2026"])
def test_password_validators_refuse_weak_passwords(company, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=company["alice"].user)
    validate_password("correct horse battery staple 42", user=company["alice"].user)


def test_the_password_change_page_refuses_a_weak_password(company, login):
    client = login(company["alice"])
    response = client.post(
        "/password/",
        {"old_password": "pw", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    company["alice"].user.refresh_from_db()
    assert company["alice"].user.check_password("pw")
