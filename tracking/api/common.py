"""Small helpers shared by the tracking API modules."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as flat field names: {"updates": [{}, {"value": [..]}]} becomes
    {"updates.1.value": [..]}, the same names the services use."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if not prefix else f"{prefix}.{key}"
            if key == "non_field_errors" and prefix:
                name = prefix
            flat.update(flatten_errors(value, name))
    elif isinstance(detail, list) and detail and all(isinstance(d, dict | list) for d in detail):
        for index, value in enumerate(detail):
            flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(detail, list):
        if detail:
            flat[prefix or "non_field_errors"] = [str(d) for d in detail]
    else:
        flat[prefix or "non_field_errors"] = [str(detail)]
    return flat


def validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    if not serializer.is_valid():
        raise serializers.ValidationError(flatten_errors(serializer.errors))
    return serializer.validated_data


def choice_field(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field documented as an inline enum: tracking's several `kind` and status
    choice sets then need no shared, colliding schema components."""
    values = [v for v, _l in choices]
    if kwargs.get("allow_blank") and "" not in values:
        values.append("")
    schema = {"allOf": [{"type": "string", "enum": values}]}
    field_class = extend_schema_field(schema)(
        type("InlineChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices, **kwargs)
