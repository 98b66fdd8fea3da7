"""OpenAPI plumbing: the schema class every view uses (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])
and the postprocessing hook that documents the error answers (SPECTACULAR_SETTINGS)."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from core.limits import TEXT_MAX_LENGTH


def _model_field(field):
    """The model field a serializer field reads (`source` on its serializer's model), or None."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    try:
        return model._meta.get_field(field.source) if model else None
    except FieldDoesNotExist:
        return None


def _may_be_blank(field) -> bool:
    """A read-only field is built without `allow_blank`: ask the model."""
    model_field = _model_field(field) if field.read_only else None
    return bool(model_field is not None and model_field.blank)


def _source_may_be_null(field) -> bool:
    """A read-only field reading through a relation (`source="manager.display_name"`) is null
    when that relation is empty: DRF stops at the first None of a dotted source."""
    parts = field.source.split(".") if field.source and field.source != "*" else []
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    for part in parts[:-1]:
        try:
            relation = model._meta.get_field(part)
        except (AttributeError, FieldDoesNotExist):
            return False
        if relation.null:
            return True
        model = relation.related_model
    return False


class AutoSchema(SpectacularAutoSchema):
    """What drf-spectacular infers, made true to what the serializers answer:

    - a read-only field through a nullable relation is nullable;
    - a read-only string field the model lets be blank (`SlugField(blank=True)`) accepts ""
      as well as its pattern (drf-spectacular does that for writable ones);
    - a time rendered `HH:MM` is a string of that pattern (OpenAPI's `time` wants seconds);
    - the cap on free text (core.api.cap_text) is a limit of requests: answers do not promise
      it (text stored before it, or written by the application itself, may be longer).
    """

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response":
            _drop_text_cap(schema)
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not isinstance(schema, dict):
            return schema
        if field.read_only and _source_may_be_null(field):
            schema["nullable"] = True
        if isinstance(field, serializers.TimeField) and getattr(field, "format", None) == "%H:%M":
            schema.pop("format", None)
            schema["pattern"] = r"^\d{2}:\d{2}$"
        return schema

    def _insert_field_validators(self, field, schema):
        result = super()._insert_field_validators(field, schema)
        if isinstance(schema, dict) and "pattern" in schema and _may_be_blank(field):
            schema["pattern"] = f"^$|{schema['pattern']}"
        return result


def _drop_text_cap(schema) -> None:
    if isinstance(schema, dict):
        if schema.get("maxLength") == TEXT_MAX_LENGTH:
            del schema["maxLength"]
        for value in schema.values():
            _drop_text_cap(value)
    elif isinstance(schema, list):
        for value in schema:
            _drop_text_cap(value)


# The error answers every operation may give, documented once for the whole schema
# (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) instead of on each view.
ERROR_COMPONENTS = {
    "Error": {
        "type": "object",
        "description": "A refusal: `detail` says why.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "description": "Field errors (field name to messages, `non_field_errors` for the "
        "whole request), or a list of messages.",
        "oneOf": [{"type": "object", "additionalProperties": {}}, {"type": "array", "items": {}}],
    },
}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_INVALID = {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}}


def document_error_responses(result, generator, request, public):
    """Add the error answers DRF gives to every operation that can give them: 400 for every
    write (a service's business rule) and wherever the request carries a body or query
    parameters, 401 and 403 where it must be authenticated, 404 where it names an object (in
    its path or its body, or a page), 415 where it sends a body. A response a view documents
    itself is left as it is."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_COMPONENTS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "put", "patch", "post", "delete"}:
                continue
            params = {p["in"] for p in operation.get("parameters", [])}
            names = {p["name"] for p in operation.get("parameters", [])}
            writes = method != "get"
            errors = {}
            if writes or "requestBody" in operation or "query" in params:
                errors["400"] = ("Invalid input, or refused by a business rule.", _INVALID)
            if operation.get("security"):
                errors["401"] = ("Not signed in.", _ERROR)
                errors["403"] = ("Not allowed.", _ERROR)
            if "path" in params or "page" in names or (writes and "requestBody" in operation):
                errors["404"] = (
                    "Not found, or not visible to you (also an object named in the request body).",
                    _ERROR,
                )
            if "requestBody" in operation:
                errors["415"] = ("Unsupported media type.", _ERROR)
            responses = operation.setdefault("responses", {})
            for code, (description, content) in errors.items():
                responses.setdefault(code, {"description": description, "content": content})
            for code, response in responses.items():
                # A refusal a view documents with a description only answers as DRF does.
                if code.startswith("4") and "content" not in response:
                    response["content"] = _INVALID if code == "400" else _ERROR
    return result
