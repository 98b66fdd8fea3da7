"""Factories for the notifications app."""

import factory

from notifications.models import ChannelConfig, Notification
from tests.factories import PersonFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(PersonFactory)
    kind = "goal.returned"
    text = factory.Sequence(lambda n: f"Notification {n}")
    url = "/goals/"


class ChannelConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelConfig

    name = factory.Sequence(lambda n: f"Bot {n}")
    kind = ChannelConfig.Kind.GENERIC
    url = "https://hooks.example.com/bot"
    enabled = True
