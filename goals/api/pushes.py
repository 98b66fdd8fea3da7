"""Measurements for machines: `Idempotency-Key` on the value endpoints and the bulk push.

`POST /measurements/bulk/` takes up to 1,000 values, each by key-result id or by (goal owner's
username, key-result name), and answers each row on its own. Both it and
`POST /key-results/{id}/measurements/` honour `Idempotency-Key`: the same key with the same
request answers the first answer again (header `Idempotent-Replayed: true`); with another
request, 409; a key is kept 24 hours, per user (a person's or a service account's).
"""

from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import Serializer
from goals import services
from goals.models import IdempotencyKey
from goals.models.idempotency import KEPT as IDEMPOTENCY_KEPT
from org.access import ViewerAPIMixin, service_account

from .serializers import MeasurementSerializer

KEPT = IDEMPOTENCY_KEPT
REPLAYED = "Idempotent-Replayed"

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any string up to 255 characters. The same key with the same request answers "
    "the first answer again (with `Idempotent-Replayed: true`); with another request, 409. "
    "Kept 24 hours.",
)
CONFLICT = OpenApiResponse(
    description="This Idempotency-Key was used with a different request in the last 24 hours."
)


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(held: IdempotencyKey, fingerprint: str) -> Response:
    if held.fingerprint != fingerprint:
        return Response(
            {"detail": _("This Idempotency-Key was used with a different request.")},
            status=status.HTTP_409_CONFLICT,
        )
    return Response(held.body, status=held.status, headers={REPLAYED: "true"})


def idempotent(request, respond) -> Response:
    """`respond()` once per Idempotency-Key (per user, for 24 hours): a repeat answers what
    the first request got. The answer and its key commit together with the write."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return respond()
    if len(key) > 255:
        raise ValidationError({"Idempotency-Key": [_("At most 255 characters.")]})
    fingerprint = _fingerprint(request)
    mine = IdempotencyKey.objects.filter(user=request.user, key=key)
    try:
        with transaction.atomic():
            mine.filter(created_at__lt=timezone.now() - KEPT).delete()
            held = mine.first()
            if held is not None:
                return _replay(held, fingerprint)
            response = respond()
            if status.is_success(response.status_code):
                body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
                IdempotencyKey.objects.create(
                    user=request.user,
                    key=key,
                    fingerprint=fingerprint,
                    status=response.status_code,
                    body=body,
                )
            return response
    except IntegrityError:
        # The same key, sent at the same moment: the other request's answer stands (this
        # one's write was rolled back with the key).
        held = mine.first()
        if held is None:
            raise
        return _replay(held, fingerprint)


class BulkRowSerializer(Serializer):
    key_result = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    owner = serializers.CharField(
        required=False, max_length=150, help_text="The goal owner's username (with `metric`)."
    )
    metric = serializers.CharField(
        required=False, max_length=300, help_text="The key result's name or metric (with `owner`)."
    )
    value = serializers.CharField(max_length=50, help_text="A number, e.g. 12 or 12.5")
    effective_at = serializers.DateTimeField(required=False, allow_null=True)
    external_id = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs.get("key_result") is None and not (attrs.get("owner") and attrs.get("metric")):
            raise serializers.ValidationError(
                {"key_result": [_("Give the key result's id, or its owner and metric.")]}
            )
        return attrs


class BulkInputSerializer(Serializer):
    rows = BulkRowSerializer(many=True, max_length=services.MAX_ROWS, allow_empty=False)


class BulkResultSerializer(Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "duplicate", "error"])
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    measurement = MeasurementSerializer(allow_null=True)


class BulkAnswerSerializer(Serializer):
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    errors = serializers.IntegerField()
    rows = BulkResultSerializer(many=True)


class BulkMeasurementViewSet(ViewerAPIMixin, viewsets.ViewSet):
    """Push many values at once (a CRM's or ERP's nightly numbers)."""

    service_scopes = {"POST": "measurements:write"}

    @extend_schema(
        request=BulkInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: BulkAnswerSerializer, 409: CONFLICT},
    )
    def create(self, request):
        """Up to 1,000 rows, each `{"key_result": id}` or `{"owner": username, "metric":
        key-result name}` with `value` and optionally `effective_at`, `external_id`, `note`.
        Each row is answered on its own: created, duplicate (its `external_id` is known: the
        existing measurement, nothing changes) or error (with reasons per field). The valid
        rows are written in one transaction, rollups computed once per chain."""
        return idempotent(request, lambda: self._push(request))

    def _push(self, request) -> Response:
        data = BulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = service_account(request)
        results = services.push_bulk(
            rows=data.validated_data["rows"],
            recorded_by=None if account is not None else self.person,
            account=account,
        )
        counts = {"created": 0, "duplicate": 0, "error": 0}
        for r in results:
            counts[r.status] += 1
        answer = {
            "created": counts["created"],
            "duplicates": counts["duplicate"],
            "errors": counts["error"],
            "rows": [
                {
                    "index": r.index,
                    "status": r.status,
                    "errors": r.errors,
                    "measurement": r.measurement,
                }
                for r in results
            ],
        }
        return Response(BulkAnswerSerializer(answer).data, status=status.HTTP_200_OK)
