"""Scopes over people and units (the org app's own objects), built on `org.scopes`.

- The directory: every signed-in person sees every active person.
- Sensitive fields (level, hire date): the person, their manager chain, their HRBP, admins.
- Units and people are changed by admins; admins also see (and reactivate) inactive people.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from org.models import Person
from org.scopes import Viewer, ViewerLike, followed_people_q, may_follow

__all__ = [
    "can_see_sensitive",
    "get_person_for",
    "managed_directory",
    "sensitive_people_q",
    "visible_people",
]


def visible_people(viewer: ViewerLike) -> QuerySet[Person]:
    """The company directory: every signed-in person sees every active person."""
    if Viewer.of(viewer).person is None:
        return Person.objects.none()
    return Person.objects.filter(is_active=True)


def managed_directory(viewer: ViewerLike) -> QuerySet[Person]:
    """The people a viewer may look up by id: the directory, and for admins also the people
    who have left (so they can be listed and reactivated)."""
    viewer = Viewer.of(viewer)
    if viewer.is_admin:
        return Person.objects.all()
    return visible_people(viewer)


def get_person_for(viewer: ViewerLike, pk) -> Person:
    try:
        return managed_directory(viewer).select_related("unit", "manager", "user").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_sensitive(viewer: ViewerLike, person: Person) -> bool:
    """Level and hire date: the person, their manager chain, their HRBP and admins."""
    return may_follow(viewer, person)


def sensitive_people_q(viewer: ViewerLike) -> Q:
    """A Q over Person selecting those whose sensitive fields the viewer may read."""
    return followed_people_q(viewer, field="")
