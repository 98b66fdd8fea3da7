"""The search glossary: term pairs the organisation treats as one word in searches."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org.models import Person
from retros import permissions
from retros.models import GlossaryTerm


@transaction.atomic
def add_glossary_term(*, actor: Person, term: str, translation: str) -> GlossaryTerm:
    if not permissions.can_edit_glossary(actor):
        raise PermissionDenied
    term, translation = " ".join((term or "").split()), " ".join((translation or "").split())
    if not term or not translation:
        raise ValidationError(_("Give both the term and its translation."))
    if term.casefold() == translation.casefold():
        raise ValidationError(_("A term and its translation must differ."))
    pair, _created = GlossaryTerm.objects.get_or_create(
        term=term, translation=translation, defaults={"created_by": actor}
    )
    return pair


@transaction.atomic
def delete_glossary_term(*, actor: Person, pair: GlossaryTerm) -> None:
    if not permissions.can_edit_glossary(actor):
        raise PermissionDenied
    pair.delete()
