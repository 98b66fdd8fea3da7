"""Shared fixtures: a small company with the story's people.

Acme (company)                 admin: Zed (staff)
  Sales (department, head bob)     bob manages alice and erin directly
    Field team (team, head bob)    alice, erin
  Marketing (department, head mia) dave
carol is the HRBP of Sales.
"""

from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import caches
from django.utils import translation
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from org.models import Person, Unit
from tests.factories import HRBPAssignmentFactory, PersonFactory, UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Real hashers cost a third of a second each; tests don't need that."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """A request activates its person's language for the thread and nothing deactivates it
    (Django's LocaleMiddleware leaves it for the next request to replace): each test starts
    in the default language, whatever the previous test's last request spoke."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _viewer_cache_off(settings):
    """Query-count bounds measure each request's own work, the same on every run: the viewer
    kept between requests (on with Redis) would make a test's first request dearer than its
    second. tests/org/test_identity.py turns it on and tests it."""
    settings.KEEL_VIEWER_CACHE = False


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """The token endpoint's rate limit counts in an in-process cache that outlives a test:
    without this, one test's sign-ins would throttle a later test's."""
    caches["throttle"].clear()
    yield
    if "throttle" in settings.CACHES:  # a test may have replaced CACHES
        caches["throttle"].clear()


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by flushing every table, which also removes the rows the data
    migrations created (the cause tags, the default retrospective template). pytest-django
    runs transactional tests last, but `--dist loadfile` keeps a file's tests together, so
    tests may follow one on the same worker: put the reference data back once it is flushed
    (every model org.datatransfer.SEEDED_BY_MIGRATIONS names)."""
    result = yield
    if nextitem is not None and _is_transactional(item):  # None: the test database is gone
        from django.apps import apps

        from retros.models import RetroTemplate
        from tracking.causes import ensure_seeded_cause_tags

        ship_forms = import_module("reviews.migrations.0003_ship_form_templates").ship
        with item.config.stash[blocking_manager_key].unblock():
            ensure_seeded_cause_tags()
            if not RetroTemplate.objects.filter(is_default=True).exists():  # as retros 0003
                RetroTemplate.objects.create(name="Standard", questions={}, is_default=True)
            ship_forms(apps, None)  # get_or_create per form: nothing twice
    return result


@pytest.fixture
def company(db):
    acme = UnitFactory(name="Acme", kind=Unit.Kind.COMPANY)
    sales = UnitFactory(name="Sales", kind=Unit.Kind.DEPARTMENT, parent=acme)
    field = UnitFactory(name="Field team", kind=Unit.Kind.TEAM, parent=sales)
    marketing = UnitFactory(name="Marketing", kind=Unit.Kind.DEPARTMENT, parent=acme)
    hr = UnitFactory(name="HR", kind=Unit.Kind.DEPARTMENT, parent=acme)
    zed = PersonFactory(
        user=UserFactory(username="zed", is_staff=True), unit=acme, level=Person.Level.EXECUTIVE
    )
    bob = PersonFactory(
        user=UserFactory(username="bob"), unit=sales, manager=zed, level=Person.Level.MANAGER
    )
    alice = PersonFactory(user=UserFactory(username="alice"), unit=field, manager=bob)
    erin = PersonFactory(user=UserFactory(username="erin"), unit=field, manager=bob)
    mia = PersonFactory(
        user=UserFactory(username="mia"), unit=marketing, manager=zed, level=Person.Level.MANAGER
    )
    dave = PersonFactory(user=UserFactory(username="dave"), unit=marketing, manager=mia)
    carol = PersonFactory(user=UserFactory(username="carol"), unit=hr, manager=zed, title="HRBP")
    acme.head = zed
    acme.save()
    sales.head = bob
    sales.save()
    field.head = bob
    field.save()
    marketing.head = mia
    marketing.save()
    HRBPAssignmentFactory(person=carol, unit=sales)
    return {
        "acme": acme,
        "sales": sales,
        "field": field,
        "marketing": marketing,
        "hr": hr,
        "zed": zed,
        "bob": bob,
        "alice": alice,
        "erin": erin,
        "mia": mia,
        "dave": dave,
        "carol": carol,
    }


@pytest.fixture
def api():
    """An API client; `api.as_(person)` authenticates as that person."""
    client = APIClient()

    def as_(person):
        # A fresh user object per call, as a real request would load: nothing cached on the
        # previous request's instance leaks into the next.
        user = type(person.user).objects.get(pk=person.user_id) if person else None
        client.force_authenticate(user=user)
        return client

    client.as_ = as_
    return client


@pytest.fixture
def login(client):
    """The Django test client signed in as a person: `login(alice)`."""

    def _login(person):
        client.force_login(person.user)
        return client

    return _login


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Threads that touched the database (the live server of the browser journeys, the real
    Celery worker, the concurrent-approval test) may leave a connection open; on PostgreSQL
    that blocks dropping the test database at the end. Close them before it is dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
