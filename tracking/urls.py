from django.urls import path  # noqa: F401

app_name = "tracking"

urlpatterns: list = []

from tracking.resources.urls import urlpatterns as resources_urls  # noqa: E402

urlpatterns += resources_urls
