"""Recording an HRBP goal-alignment review of a unit (with its subtree) for a cycle.

Every review is a new row (the history is kept); the unit head is notified."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from goals.models import AlignmentReview, Cycle
from notifications.messages import Message
from notifications.services import notify
from org import scopes
from org.models import Person, Unit

MAX_COMMENTS = 5000


def can_review_alignment(viewer: Person | None, unit: Unit) -> bool:
    """HRBPs review the units they partner (and their subtrees); admins review any unit."""
    return scopes.is_admin(viewer) or scopes.hrbp_covers_unit(viewer, unit)


def _review_url(unit: Unit, cycle: Cycle) -> str:
    try:
        return f"{reverse('dashboard:alignment')}?unit={unit.pk}&cycle={cycle.pk}"
    except NoReverseMatch:  # the dashboard is not mounted (e.g. an API-only deployment)
        return ""


@transaction.atomic
def record_alignment_review(
    *,
    actor: Person,
    unit: Unit,
    cycle: Cycle,
    outcome: str,
    comments: str = "",
    findings: dict | None = None,
) -> AlignmentReview:
    if not can_review_alignment(actor, unit):
        raise PermissionDenied(_("Only the unit's HRBP or an admin can review its alignment."))
    comments = (comments or "").strip()
    if outcome not in AlignmentReview.Outcome.values:
        raise ValidationError({"outcome": _("Choose approved or changes requested.")})
    if outcome == AlignmentReview.Outcome.CHANGES_REQUESTED and not comments:
        raise ValidationError({"comments": _("Say which changes are needed.")})
    if len(comments) > MAX_COMMENTS:
        raise ValidationError(
            {"comments": _("Keep comments under %(n)s characters.") % {"n": MAX_COMMENTS}}
        )
    review = AlignmentReview.objects.create(
        unit=unit,
        cycle=cycle,
        outcome=outcome,
        comments=comments,
        reviewer=actor,
        findings={k: int(v) for k, v in (findings or {}).items()},
    )
    head = unit.head
    if head is not None and head.pk != actor.pk:
        if outcome == AlignmentReview.Outcome.APPROVED:
            text = gettext_noop("%(who)s approved the goal alignment of %(unit)s for %(cycle)s.")
        else:
            text = gettext_noop(
                "%(who)s requested changes to the goal alignment of %(unit)s for "
                "%(cycle)s: %(comments)s"
            )
        text = Message(
            text, who=actor.display_name, unit=unit.name, cycle=cycle.name, comments=comments
        )
        notify(
            recipients=[head],
            kind="alignment_review",
            text=text,
            url=_review_url(unit, cycle),
            subject=review,
        )
    return review
