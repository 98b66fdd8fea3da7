"""Factories for the org app. Other apps keep theirs in tests/<app>/factories.py."""

import factory
from django.contrib.auth import get_user_model

from org.models import HRBPAssignment, Person, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pw")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = Unit.Kind.TEAM
    parent = None


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    display_name = factory.LazyAttribute(lambda o: o.user.username.title())
    unit = factory.SubFactory(UnitFactory)
    title = "Sales representative"
    level = Person.Level.FRONTLINE
    timezone = "UTC"
    language = "en"


class HRBPAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HRBPAssignment

    person = factory.SubFactory(PersonFactory)
    unit = factory.SubFactory(UnitFactory)
