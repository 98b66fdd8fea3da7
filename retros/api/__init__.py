"""REST API for retros: /api/v1/retrospectives/, /five-whys/, /retro-actions/, /lessons/
(search, similar) and /retro-templates/. Thin over services and selectors."""

from rest_framework.routers import SimpleRouter

from retros.api.views import (
    FiveWhyViewSet,
    LessonViewSet,
    RetroActionViewSet,
    RetrospectiveViewSet,
    RetroTemplateViewSet,
)

router = SimpleRouter()
router.register("retrospectives", RetrospectiveViewSet, basename="retrospective")
router.register("five-whys", FiveWhyViewSet, basename="five-why")
router.register("retro-actions", RetroActionViewSet, basename="retro-action")
router.register("lessons", LessonViewSet, basename="lesson")
router.register("retro-templates", RetroTemplateViewSet, basename="retro-template")

urlpatterns = router.urls
