"""Manager feedback on check-ins, and its acknowledgement by the author."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.messages import Message
from notifications.services import notify
from org.models import Person
from tracking import permissions
from tracking.models import CheckIn, Feedback, KeyResultUpdate


@transaction.atomic
def give_feedback(
    *,
    actor: Person,
    check_in: CheckIn,
    kind: str,
    text: str,
    update: KeyResultUpdate | None = None,
) -> Feedback:
    """Praise, a suggestion or a concern on a submitted check-in, or on one of its key result
    updates. Only the author's manager chain and HRBP give feedback; the author is notified."""
    if not permissions.can_give_feedback(actor, check_in.person):
        raise PermissionDenied(_("Only the author's managers and HRBP can give feedback."))
    if not check_in.is_submitted:
        raise ValidationError(_("Feedback can be given once the check-in is submitted."))
    if update is not None and update.check_in_id != check_in.pk:
        raise ValidationError({"update": _("This update belongs to another check-in.")})
    feedback = Feedback(
        check_in=check_in, update=update, author=actor, kind=kind, text=(text or "").strip()
    )
    feedback.full_clean()
    feedback.save()
    person = check_in.person
    message = Message(
        gettext_noop("%(name)s left feedback on your check-in for the week of %(week)s."),
        name=actor.display_name,
        week=check_in.week,
    )
    notify(
        recipients=[person],
        kind="check_in_feedback",
        text=message,
        url=reverse("tracking:check-in", args=[check_in.pk]),
        subject=feedback,
    )
    return feedback


@transaction.atomic
def acknowledge_feedback(*, actor: Person, feedback: Feedback) -> Feedback:
    """The check-in's author acknowledges feedback (once; repeating changes nothing)."""
    feedback = Feedback.objects.select_for_update().select_related("check_in").get(pk=feedback.pk)
    if actor is None or feedback.check_in.person_id != actor.pk:
        raise PermissionDenied(_("Only the author of the check-in acknowledges feedback."))
    if feedback.acknowledged_at is None:
        feedback.acknowledged_at = timezone.now()
        feedback.save(update_fields=["acknowledged_at"])
    return feedback
