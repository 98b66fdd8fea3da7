"""Every URL pattern is in the matrix or exempt with a reason: a new endpoint or page fails here
until a row says who may use it. Every HTTP method an API view answers has a row too."""

import pytest
from rest_framework.views import APIView

from tests.authz.engine import Clients
from tests.authz.routes import route_key, table_key, walk_patterns
from tests.authz.rows import build_path
from tests.authz.table_audit import TABLE as AUDIT
from tests.authz.table_coordination import TABLE as COORDINATION
from tests.authz.table_cycle_pages import TABLE as CYCLE_PAGES
from tests.authz.table_directory import TABLE as DIRECTORY
from tests.authz.table_goal_pages import TABLE as GOAL_PAGES
from tests.authz.table_goals import TABLE as GOALS
from tests.authz.table_incentives import TABLE as INCENTIVES
from tests.authz.table_integrations import TABLE as INTEGRATIONS
from tests.authz.table_notifications import TABLE as NOTIFICATIONS
from tests.authz.table_resources import TABLE as RESOURCES
from tests.authz.table_retro_pages import TABLE as RETRO_PAGES
from tests.authz.table_retros import TABLE as RETROS
from tests.authz.table_reviews import TABLE as REVIEWS
from tests.authz.table_support import TABLE as SUPPORT
from tests.authz.table_tracking import TABLE as TRACKING
from tests.authz.world import ADMIN, ANON, SIGNED_IN

TABLES = (
    GOALS,
    GOAL_PAGES,
    CYCLE_PAGES,
    TRACKING,
    RESOURCES,
    INCENTIVES,
    RETROS,
    RETRO_PAGES,
    REVIEWS,
    NOTIFICATIONS,
    AUDIT,
    DIRECTORY,
    INTEGRATIONS,
    SUPPORT,
    COORDINATION,
)
ALL = {key: acts for table in TABLES for key, acts in table.items()}

EXEMPT = {
    "healthz": "health check: database and broker status, no data",
    "schema": "the OpenAPI document describes the endpoints; it holds no data",
    "swagger-ui": "API documentation page (renders the schema)",
    "redoc": "API documentation page (renders the schema)",
    "api-token": "login: exchanges the caller's own password for a token (tests/org)",
    "login": "login page",
    "logout": "logout",
    "password_change": "the caller's own password (Django's view; tests/org)",
    "password_change_done": "the caller's own password (Django's view)",
    "set_language": "i18n setlang (Django's)",
    "set-language": "i18n: switches the caller's own language",
    "bench-floor": "benchmark floor, mounted only with KEEL_BENCH",
    "bench-page": "benchmark floor (a signed-in empty page), mounted only with KEEL_BENCH",
    "bench-api-floor": "benchmark floor (a signed-in API call), mounted only with KEEL_BENCH",
    "openid_connect_login": "SSO: starts an identity-provider sign-in (test_sso.py)",
    "openid_connect_callback": "SSO: allauth's callback, checked by state, PKCE and the id token",
    "feishu_login": "SSO: starts a Feishu sign-in (allauth)",
    "feishu_callback": "SSO: allauth's Feishu callback, checked by state",
    "dingtalk_login": "SSO: starts a DingTalk sign-in (allauth)",
    "dingtalk_callback": "SSO: allauth's DingTalk callback, checked by state",
    "scim-service-provider-config": "SCIM: bearer token of a scim service account (test_scim.py)",
    "scim-users": "SCIM: bearer token of a scim service account (tests/directory/test_scim.py)",
    "scim-user": "SCIM: bearer token of a scim service account (tests/directory/test_scim.py)",
    "scim-groups": "SCIM: bearer token of a scim service account (tests/directory/test_scim.py)",
    "scim-group": "SCIM: bearer token of a scim service account (tests/directory/test_scim.py)",
}
ADMIN_PREFIX = "admin/"
STATIC_PREFIX = "^static/"


def _patterns():
    for name, route, callback in walk_patterns():
        if route.startswith(ADMIN_PREFIX):
            continue  # the admin site: test_admin_is_for_staff_only below
        yield name, route, callback


def test_every_url_pattern_is_in_the_matrix_or_exempt():
    missing, unnamed = [], []
    for name, route, _callback in _patterns():
        if name is None:
            if not route.startswith(STATIC_PREFIX):
                unnamed.append(route)
            continue
        key = table_key(name, route)
        if key not in ALL and name not in EXEMPT:
            missing.append(f"{key}  ({route})")
    assert not unnamed, f"URL patterns without a name: {unnamed}"
    assert not missing, "URL patterns missing from tests/authz/table_*.py:\n" + "\n".join(missing)


def test_the_matrix_names_only_existing_patterns():
    known = {table_key(name, route) for name, route, _cb in _patterns() if name}
    stale = sorted(set(ALL) - known)
    assert not stale, f"rows for URL names that no longer exist: {stale}"
    overlap = sorted(set(ALL) & set(EXEMPT))
    assert not overlap, f"both in the matrix and exempt: {overlap}"


def _api_methods(callback) -> set[str]:
    cls = getattr(callback, "cls", None)
    if cls is None or not issubclass(cls, APIView):
        return set()
    allowed = {m.lower() for m in cls.http_method_names} - {"head", "options", "trace"}
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a viewset route: the methods it maps to actions
        return set(actions) & allowed
    return {m for m in allowed if hasattr(cls, m)}


def test_every_api_method_has_a_row():
    gaps = []
    for name, route, callback in _patterns():
        key = name and table_key(name, route)
        if key not in ALL:
            continue
        covered = {act.method for act in ALL[key]}
        for method in sorted(_api_methods(callback) - covered):
            gaps.append(f"{key}: {method.upper()}")
    assert not gaps, "API methods without a row in the matrix:\n" + "\n".join(gaps)


def test_every_row_resolves_to_its_own_pattern(world):
    wrong = []
    for key, acts in ALL.items():
        for act in acts:
            path = build_path(world, act.path)
            if route_key(path) != key:
                wrong.append(f"{key} [{act.action}]: {path} is {route_key(path)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", ["/admin/", "/admin/goals/goal/", "/admin/tracking/checkin/"])
def test_admin_is_for_staff_only(world, path):
    """Non-staff (every relation but the admin, signed in or not) go to the admin login."""
    clients = Clients(world)
    for relation in (*SIGNED_IN, ANON):
        response = clients.pages[relation].get(path)
        if relation == ADMIN:
            # Staff reach the site; a model page also needs that model's permission (403).
            expected = (200,) if path == "/admin/" else (200, 403)
            assert response.status_code in expected, (relation, response.status_code)
        else:
            assert response.status_code == 302, (relation, response.status_code)
            assert response["Location"].startswith("/admin/login/"), response["Location"]
