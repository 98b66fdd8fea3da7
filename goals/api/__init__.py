"""REST API for goals, mounted at /api/v1/: cycles, goals, key-results, adjustments."""

from rest_framework.routers import SimpleRouter

from .goal_views import GoalViewSet
from .pushes import BulkMeasurementViewSet
from .viewsets import AdjustmentViewSet, CycleViewSet, KeyResultViewSet

router = SimpleRouter()
router.register("cycles", CycleViewSet, basename="cycle")
router.register("goals", GoalViewSet, basename="goal")
router.register("key-results", KeyResultViewSet, basename="key-result")
router.register("adjustments", AdjustmentViewSet, basename="adjustment")
router.register("measurements/bulk", BulkMeasurementViewSet, basename="measurement-bulk")

urlpatterns = router.urls
