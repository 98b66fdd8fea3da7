"""The main pages every role reads, over the demo organisation (`seed_demo`): shared by the
accessibility run (tests/browser/test_a11y.py) and the Chinese-everywhere check
(tests/test_chinese_everywhere.py)."""

from coordination.models import Comment, Meeting
from goals.models import Goal, SupportRequest
from org.models import Person
from reviews.models import Review, ReviewCycle
from tracking.models import local_today
from tracking.selectors import active_key_results

ROLES = ["employee", "manager", "hrbp", "admin"]

COMMON = [
    "/",
    "/goals/",
    "/goals/cycles/",
    "/goals/new/",
    "/tracking/",
    "/tracking/history/",
    "/tracking/requests/",
    "/tracking/requests/mine/",
    "/incentives/",
    "/incentives/mine/",
    "/retros/",
    "/retros/retrospectives/",
    "/notifications/",
    "/notifications/preferences/",
    "/goals/support/",
    "/coordination/meetings/",
    "/people/",
    "/reviews/",
]

BY_ROLE = {
    "employee": [],
    "manager": ["/dashboard/team/", "/tracking/review/", "/tracking/team/"],
    "hrbp": [
        "/dashboard/units/",
        "/dashboard/alignment/",
        "/dashboard/audit/",
        "/retros/glossary/",
    ],
    "admin": ["/dashboard/company/", "/dashboard/alignment/", "/dashboard/audit/"],
}


def main_pages(username: str) -> list[str]:
    """The common pages, the role's own pages and the page of one of the person's goals."""
    person = Person.objects.get(user__username=username)
    goal = (
        Goal.objects.filter(owner_person=person).order_by("pk").first()
        or Goal.objects.filter(owner_unit=person.unit).order_by("pk").first()
    )
    pages = [*COMMON, *BY_ROLE[username]]
    if goal is not None:
        pages.insert(2, f"/goals/{goal.pk}/")
    # Their latest performance review (released or in progress), and the HRBP's calibration.
    for review in Review.objects.filter(person=person).order_by("-pk")[:2]:
        pages.append(f"/reviews/{review.pk}/")
    if username == "hrbp":
        cycle = ReviewCycle.objects.order_by("-pk").first()
        if cycle is not None:
            pages += [f"/reviews/cycles/{cycle.pk}/", f"/reviews/cycles/{cycle.pk}/edit/"]
        pages.append("/reviews/cycles/new/")
    # Working across units: the demo's support request and the discussion of a check-in.
    support = SupportRequest.objects.order_by("pk").first()
    if support is not None:
        pages += [f"/goals/support/{support.pk}/", f"/goals/{support.goal_id}/"]
    meeting = Meeting.objects.order_by("pk").first()
    if meeting is not None and username != "hrbp":
        pages.append(f"/coordination/meetings/{meeting.pk}/")
    # This week's burn-up of their first key result, on its own page (without JavaScript).
    key_result = active_key_results(person=person, week=local_today(person)).first()
    if key_result is not None:
        pages.append(f"/tracking/key-results/{key_result.pk}/burn-up/")
    comment = Comment.objects.filter(target_kind="check_in").order_by("pk").first()
    if comment is not None and username != "hrbp":
        pages.append(f"/coordination/threads/check_in/{comment.target_id}/")
    return pages
