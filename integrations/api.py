"""Outbound webhooks over the API: subscriptions (the signing secret is in the answer that
made one, and never again) and the delivery log with replay. For admins and service accounts
with `webhooks:manage`."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api import ModelSerializer
from core.events import EVENT_TYPES
from integrations import permissions, services
from integrations.models import WebhookDelivery, WebhookSubscription

SCOPES = {"*": "webhooks:manage"}


class SubscriptionSerializer(ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(EVENT_TYPES)), allow_empty=False
    )

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "name",
            "url",
            "event_types",
            "is_active",
            "include_personal_data",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class NewSubscriptionSerializer(SubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret (whsec_…); shown this once only."
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


class DeliverySerializer(ModelSerializer):
    event_type = serializers.CharField(source="event.type", read_only=True)
    webhook_id = serializers.CharField(source="event.msg_id", read_only=True)
    data = serializers.JSONField(source="event.payload", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "event_type",
            "webhook_id",
            "data",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class SubscriptionViewSet(viewsets.ModelViewSet):
    """Webhook subscriptions: which event types go to which endpoint."""

    serializer_class = SubscriptionSerializer
    service_scopes = SCOPES
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return permissions.visible_subscriptions(self.request.user).order_by("name", "pk")

    @extend_schema(responses={201: NewSubscriptionSerializer})
    def create(self, request, *args, **kwargs):
        data = SubscriptionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.create_subscription(actor=request.user, **data.validated_data)
        return Response(
            NewSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, *args, **kwargs):
        subscription = self.get_object()
        data = SubscriptionSerializer(subscription, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        subscription = services.update_subscription(
            actor=request.user, subscription=subscription, **data.validated_data
        )
        return Response(SubscriptionSerializer(subscription).data)

    def destroy(self, request, *args, **kwargs):
        services.delete_subscription(actor=request.user, subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryFilter(django_filters.FilterSet):
    subscription = django_filters.NumberFilter(field_name="subscription_id")
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    event_type = django_filters.CharFilter(field_name="event__type")

    class Meta:
        model = WebhookDelivery
        fields = ["subscription", "status", "event_type"]


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log, newest first; replay one (POST …/replay/) to send it again with the
    same webhook-id."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    service_scopes = SCOPES

    def get_queryset(self):
        return permissions.visible_deliveries(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        delivery = services.replay_delivery(actor=request.user, delivery=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


router = SimpleRouter()
router.register("webhooks/subscriptions", SubscriptionViewSet, basename="webhook-subscription")
router.register("webhooks/deliveries", DeliveryViewSet, basename="webhook-delivery")

urlpatterns = router.urls
