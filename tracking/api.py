"""REST API for tracking: serializers and viewsets, thin over services and selectors."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls

from tracking.resources.api import urlpatterns as resources_api_urls  # noqa: E402

urlpatterns += resources_api_urls
