"""REST API for tracking: check-ins, feedback, improvement plans and weekly reviews. Thin over
`tracking.services` and `tracking.selectors`; every list is scoped by `org.permissions`."""

from rest_framework.routers import SimpleRouter

from .checkins import CheckInViewSet
from .feedback import FeedbackViewSet
from .plans import ImprovementPlanViewSet
from .reviews import WeeklyReviewViewSet

router = SimpleRouter()
router.register("check-ins", CheckInViewSet, basename="check-in")
router.register("feedback", FeedbackViewSet, basename="feedback")
router.register("improvement-plans", ImprovementPlanViewSet, basename="improvement-plan")
router.register("weekly-reviews", WeeklyReviewViewSet, basename="weekly-review")

urlpatterns = router.urls
