"""Writes over threads: post a comment or a reply, edit one's own comment. Mentions (@username,
@[Unit name] or @[Person name]) notify, in each recipient's language, only the people who may
see the object; a reply tells the author of the comment it answers."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import targets
from coordination.models import Comment, Mention, TargetKind
from core.history import records_actor
from goals.services.notices import notify_in_language
from org.models import Person, Unit

MENTION = re.compile(r"@\[([^\]\n]{1,200})\]|@([\w.\-]+[\w])", re.UNICODE)
MAX_MENTIONS = 20


def parse_mentions(text: str) -> tuple[list[Person], list[Unit]]:
    """The people and units a text mentions: `@username` (else a unit of that name), or
    `@[Unit name]` (else a person of that name). Two queries."""
    bare, bracketed = set(), set()
    for match in MENTION.finditer(text or ""):
        if match.group(1):
            bracketed.add(match.group(1).strip())
        else:
            bare.add(match.group(2))
    if not bare and not bracketed:
        return [], []
    names = {n.lower() for n in bare | bracketed}
    people = list(
        Person.objects.filter(
            Q(user__username__in=bare) | Q(display_name__in=bracketed), user__is_active=True
        ).select_related("user")
    )
    found_users = {p.user.username.lower() for p in people}
    unit_names = {n for n in names if n not in found_users}
    units = [
        u for u in Unit.objects.all().only("pk", "name", "head") if u.name.lower() in unit_names
    ]
    if len(people) + len(units) > MAX_MENTIONS:
        raise ValidationError(
            {"text": _("Mention at most %(n)d people or units.") % {"n": MAX_MENTIONS}}
        )
    return people, units


def _unit_people(units: list[Unit]) -> list[Person]:
    if not units:
        return []
    return list(
        Person.objects.filter(
            Q(unit__in=units) | Q(pk__in=[u.head_id for u in units if u.head_id]),
            user__is_active=True,
        )
    )


def _notify_mentions(comment: Comment, obj, people, units, *, already=frozenset()) -> None:
    kind, pk = comment.target_kind, comment.target_id
    recipients = [
        p
        for p in {p.pk: p for p in [*people, *_unit_people(units)]}.values()
        if p.pk != comment.author_id and p.pk not in already and targets.can_see(p, kind, pk)
    ]
    label = TargetKind(kind).label
    notify_in_language(
        recipients=recipients,
        kind="mention",
        text=lambda: (
            _("%(person)s mentioned you on %(what)s “%(title)s”: %(text)s")
            % {
                "person": comment.author.display_name,
                "what": str(label).lower(),
                "title": targets.title(kind, obj),
                "text": comment.text[:200],
            }
        ),
        url=targets.url(kind, obj),
        subject=comment,
    )


def _save_mentions(comment: Comment, people, units) -> None:
    Mention.objects.bulk_create(
        [Mention(comment=comment, person=p) for p in people]
        + [Mention(comment=comment, unit=u) for u in units]
    )


def _clean_text(text) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write something.")})
    return text


@records_actor
@transaction.atomic
def post_comment(
    *, actor: Person, kind: str, target_id, text: str, parent: Comment | None = None
) -> Comment:
    """A comment on an object the actor may see, or a reply to a comment of the same thread."""
    if kind not in targets.TARGETS:
        raise ValidationError({"target_kind": _("Comments are not possible here.")})
    obj = targets.get(actor, kind, target_id)  # Http404 for what the actor may not see
    text = _clean_text(text)
    if parent is not None:
        if parent.target_kind != kind or parent.target_id != obj.pk:
            raise ValidationError({"parent": _("Reply within the same thread.")})
        if parent.parent_id:
            parent = parent.parent
    people, units = parse_mentions(text)
    comment = Comment(target_kind=kind, target_id=obj.pk, parent=parent, author=actor, text=text)
    comment.full_clean()
    comment.save()
    _save_mentions(comment, people, units)
    _notify_mentions(comment, obj, people, units)
    mentioned = {p.pk for p in people}
    if (
        parent is not None
        and parent.author_id != actor.pk
        and parent.author_id not in mentioned
        and targets.can_see(parent.author, kind, obj.pk)
    ):
        notify_in_language(
            recipients=[parent.author],
            kind="reply",
            text=lambda: (
                _("%(person)s replied to your comment: %(text)s")
                % {"person": actor.display_name, "text": text[:200]}
            ),
            url=targets.url(kind, obj),
            subject=comment,
        )
    return comment


@records_actor
@transaction.atomic
def edit_comment(*, actor: Person, comment: Comment, text: str) -> Comment:
    """The author changes their comment; the earlier text stays in its history. People newly
    mentioned are told; those mentioned before are not told again."""
    comment = Comment.objects.select_for_update().select_related("author").get(pk=comment.pk)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("Only its author may change a comment."))
    obj = targets.get(actor, comment.target_kind, comment.target_id)
    text = _clean_text(text)
    if text == comment.text:
        return comment
    before = set(comment.mentions.values_list("person_id", flat=True))
    before_units = set(comment.mentions.values_list("unit_id", flat=True))
    people, units = parse_mentions(text)
    comment.text = text
    comment.edited_at = timezone.now()
    comment.full_clean()
    comment.save()
    new_people = [p for p in people if p.pk not in before]
    new_units = [u for u in units if u.pk not in before_units]
    _save_mentions(comment, new_people, new_units)
    already = {p.pk for p in _unit_people([u for u in units if u.pk in before_units])} | before
    _notify_mentions(comment, obj, new_people, new_units, already=already)
    return comment
