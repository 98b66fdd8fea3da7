"""Keel's URLs with the benchmark's floors mounted, as `KEEL_BENCH=1` mounts them."""

from django.urls import path

from config.urls import urlpatterns as keel
from demo.bench import api_floor, empty_page, floor

urlpatterns = [
    path("bench/floor", floor, name="bench-floor"),
    path("bench/page", empty_page, name="bench-page"),
    path("api/v1/bench/floor/", api_floor, name="bench-api-floor"),
    *keel,
]
