"""Scopes over incentive rules and awards.

- Rules are the company's published policy: every signed-in person may read them; admins and
  the HRBP of a rule's scope unit may change and evaluate them.
- An award (with its amount) is seen by the recipient, their manager chain, their HRBP and
  admins. Published recognition is public through `recognition_feed`, without the amount.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from incentives.models import Award, IncentiveRule
from org.models import Person, Unit

from .people import (
    _managed_ids,
    _subtree_q,
    hrbp_covers_unit,
    hrbp_paths,
    is_admin,
    is_hrbp,
    manages,
    partners,
)

__all__ = [
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


def can_manage_incentives(viewer: Person | None) -> bool:
    """May define rules at all (admins, HRBPs)."""
    return is_admin(viewer) or is_hrbp(viewer)


def can_manage_rule(viewer: Person | None, rule: IncentiveRule) -> bool:
    return is_admin(viewer) or hrbp_covers_unit(viewer, rule.unit)


def manageable_units(viewer: Person | None) -> QuerySet[Unit]:
    """Units a viewer may scope a rule to."""
    if is_admin(viewer):
        return Unit.objects.all()
    q = _subtree_q(hrbp_paths(viewer), field="path") if viewer else None
    return Unit.objects.filter(q) if q is not None else Unit.objects.none()


def visible_rules(viewer: Person | None) -> QuerySet[IncentiveRule]:
    if viewer is None:
        return IncentiveRule.objects.none()
    return IncentiveRule.objects.select_related("unit", "cycle")


def get_rule_for(viewer: Person | None, pk, *, action: str = "view") -> IncentiveRule:
    try:
        rule = visible_rules(viewer).get(pk=pk)
    except (IncentiveRule.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != "view" and not can_manage_rule(viewer, rule):
        raise PermissionDenied
    return rule


def _award_people_q(viewer: Person) -> Q:
    q = Q(person_id=viewer.pk) | Q(person_id__in=_managed_ids(viewer))
    sub = _subtree_q(hrbp_paths(viewer), field="person__unit__path")
    if sub is not None:
        q |= sub
    return q


def visible_awards(viewer: Person | None) -> QuerySet[Award]:
    if viewer is None:
        return Award.objects.none()
    qs = Award.objects.select_related("rule", "person", "person__unit")
    return qs if is_admin(viewer) else qs.filter(_award_people_q(viewer))


def award_amount_visible(viewer: Person | None, award: Award) -> bool:
    if viewer is None:
        return False
    return (
        viewer.pk == award.person_id
        or is_admin(viewer)
        or manages(viewer, award.person)
        or partners(viewer, award.person)
    )


def get_award_for(viewer: Person | None, pk, *, action: str = "view") -> Award:
    """The award, 404 when not visible. `approve`/`publish`: admins and the HRBP of the
    person's unit, never for their own award (PermissionDenied)."""
    try:
        award = visible_awards(viewer).get(pk=pk)
    except (Award.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action in ("approve", "publish"):
        allowed = is_admin(viewer) or partners(viewer, award.person)
        if not allowed or viewer.pk == award.person_id:
            raise PermissionDenied
    return award


def recognition_feed(viewer: Person | None) -> QuerySet[Award]:
    """Published recognition: public to every signed-in person."""
    if viewer is None:
        return Award.objects.none()
    return (
        Award.objects.filter(state=Award.State.PUBLISHED, kind=IncentiveRule.Kind.RECOGNITION)
        .select_related("rule", "person", "person__unit")
        .order_by("-published_at", "-pk")
    )


def can_see_fairness(viewer: Person | None) -> bool:
    return is_admin(viewer) or is_hrbp(viewer)


def fairness_units(viewer: Person | None) -> QuerySet[Unit]:
    """Units whose awards the fairness report covers for this viewer."""
    return manageable_units(viewer)
