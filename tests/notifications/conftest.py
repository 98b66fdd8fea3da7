"""Fixtures for notification tests: Celery runs tasks in-process (eager) unless a test starts
a real worker, and webhooks go to a fake HTTP session, never the network."""

import pytest
import requests

from config.celery import app as celery_app
from notifications import channels


@pytest.fixture(autouse=True)
def eager_celery(request):
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


class FakeResponse:
    def __init__(self, status_code=200, payload=None):
        self.status_code = status_code
        self._payload = payload if payload is not None else {}
        self.text = str(self._payload)

    def json(self):
        return self._payload


class FakeSession:
    """Records posts; `fail` makes every post raise a connection error; `status` and
    `payload` shape the answer."""

    def __init__(self):
        self.posts = []
        self.fail = False
        self.status = 200
        self.payload = {}

    def __call__(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def post(self, url, json=None, timeout=None):
        self.posts.append({"url": url, "json": json, "timeout": timeout})
        if self.fail:
            raise requests.ConnectionError("connection refused")
        return FakeResponse(self.status, self.payload)


@pytest.fixture(autouse=True)
def http(monkeypatch):
    fake = FakeSession()
    monkeypatch.setattr(channels, "session", fake)
    return fake


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
