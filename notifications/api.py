"""REST API for notifications: serializers and viewsets, thin over services and selectors."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
