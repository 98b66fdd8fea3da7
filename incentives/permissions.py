"""Scopes over incentive rules and awards.

- Rules are the company's published policy: every signed-in person may read them; admins and
  the HRBP of a rule's scope unit may change and evaluate them.
- An award (with its amount) is seen by the recipient, their manager chain, their HRBP and
  admins. Published recognition is public through `recognition_feed`, without the amount.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from incentives.models import Award, IncentiveRule
from org.models import Unit
from org.scopes import Viewer, ViewerLike, followed_people_q, may_follow, subtree_q

__all__ = [
    "available_actions",
    "award_amount_visible",
    "can_manage_incentives",
    "can_manage_rule",
    "can_see_fairness",
    "fairness_units",
    "get_award_for",
    "get_rule_for",
    "manageable_units",
    "recognition_feed",
    "visible_awards",
    "visible_rules",
]


def can_manage_incentives(viewer: ViewerLike) -> bool:
    """May define rules at all (admins, HRBPs)."""
    viewer = Viewer.of(viewer)
    return viewer.is_admin or viewer.is_hrbp


def can_manage_rule(viewer: ViewerLike, rule: IncentiveRule) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.is_admin or viewer.covers_unit(rule.unit)


def manageable_units(viewer: ViewerLike) -> QuerySet[Unit]:
    """Units a viewer may scope a rule to."""
    viewer = Viewer.of(viewer)
    if viewer.is_admin:
        return Unit.objects.all()
    q = subtree_q(viewer.hrbp_paths, field="path")
    return Unit.objects.filter(q) if q is not None else Unit.objects.none()


def visible_rules(viewer: ViewerLike) -> QuerySet[IncentiveRule]:
    if Viewer.of(viewer).person is None:
        return IncentiveRule.objects.none()
    return IncentiveRule.objects.select_related("unit", "cycle")


def get_rule_for(viewer: ViewerLike, pk, *, action: str = "view") -> IncentiveRule:
    try:
        rule = visible_rules(viewer).get(pk=pk)
    except (IncentiveRule.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != "view" and not can_manage_rule(viewer, rule):
        raise PermissionDenied
    return rule


def visible_awards(viewer: ViewerLike) -> QuerySet[Award]:
    """Awards of the people the viewer may follow (themselves, below them, their HRBP units;
    all for admins)."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return Award.objects.none()
    qs = Award.objects.select_related("rule", "person", "person__unit")
    return qs.filter(followed_people_q(viewer))


def award_amount_visible(viewer: ViewerLike, award: Award) -> bool:
    return may_follow(viewer, award.person)


def get_award_for(viewer: ViewerLike, pk, *, action: str = "view") -> Award:
    """The award, 404 when not visible. `approve`/`publish`: admins and the HRBP of the
    person's unit, never for their own award (PermissionDenied)."""
    viewer = Viewer.of(viewer)
    try:
        award = visible_awards(viewer).get(pk=pk)
    except (Award.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action in AWARD_ACTIONS and not can_decide_award(viewer, award):
        raise PermissionDenied
    return award


APPROVE, PUBLISH = "approve", "publish"
AWARD_ACTIONS = (APPROVE, PUBLISH)


def can_decide_award(viewer: ViewerLike, award: Award) -> bool:
    """Admins and the HRBP of the person's unit decide an award, never their own."""
    viewer = Viewer.of(viewer)
    if viewer.person is None or viewer.pk == award.person_id:
        return False
    return viewer.is_admin or viewer.partners(award.person)


def available_actions(viewer: ViewerLike, award: Award) -> list[str]:
    """`approve` a proposed award, `publish` an approved one, for those who decide it; the
    services check the same. Reads the award's person and unit (selected with it)."""
    if not can_decide_award(viewer, award):
        return []
    return {Award.State.PROPOSED: [APPROVE], Award.State.APPROVED: [PUBLISH]}.get(award.state, [])


def recognition_feed(viewer: ViewerLike) -> QuerySet[Award]:
    """Published recognition: public to every signed-in person."""
    if Viewer.of(viewer).person is None:
        return Award.objects.none()
    return (
        Award.objects.filter(state=Award.State.PUBLISHED, kind=IncentiveRule.Kind.RECOGNITION)
        .select_related("rule", "person", "person__unit")
        .order_by("-published_at", "-pk")
    )


def can_see_fairness(viewer: ViewerLike) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.is_admin or viewer.is_hrbp


def fairness_units(viewer: ViewerLike) -> QuerySet[Unit]:
    """Units whose awards the fairness report covers for this viewer."""
    return manageable_units(viewer)
