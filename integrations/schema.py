"""The outbound webhooks in the OpenAPI document: one entry per event type of
`core.events.EVENT_TYPES` under `x-webhooks` (the document is OpenAPI 3.0, whose root has no
`webhooks` field; the entries have the shape of 3.1 webhooks), with the signed headers and the
body each receiver gets. A postprocessing hook (SPECTACULAR_SETTINGS)."""

from __future__ import annotations

from core.events import EVENT_TYPES

INT = {"type": "integer"}
NINT = {"type": "integer", "nullable": True}
STR = {"type": "string"}
NSTR = {"type": "string", "nullable": True}
_GOAL = {
    "goal": INT,
    "cycle": INT,
    "owner_person": NINT,
    "owner_unit": NINT,
    "title": STR,
    "by": INT,
}
# What `data` holds per event type: ids and plain values (the publishing services').
PAYLOADS: dict[str, dict] = {
    "goal.proposed": _GOAL,
    "goal.agreed": _GOAL,
    "goal.returned": _GOAL,
    "key_result.status_changed": {
        "key_result": INT,
        "goal": INT,
        "status": STR,
        "previous": NSTR,
    },
    "check_in.submitted": {
        "check_in": INT,
        "person": INT,
        "week": {"type": "string", "format": "date"},
        "amended": {"type": "boolean"},
    },
    "adjustment.decided": {
        "adjustment": INT,
        "key_result": INT,
        "goal": INT,
        "state": {"type": "string", "enum": ["approved", "rejected"]},
        "old_target": STR,
        "new_target": STR,
        "by": INT,
    },
    "resource_request.decided": {
        "request": INT,
        "goal": NINT,
        "state": STR,
        "granted_amount": NSTR,
        "by": INT,
    },
    "award.published": {"award": INT, "rule": INT, "person": INT, "kind": STR, "by": INT},
    "review.released": {},
}
# Every `data` also holds `people`: the people the payload names by id (owner_person, person,
# by), with their names; e-mail address and username only for a subscription granted
# personal data.
PEOPLE = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": INT,
            "name": STR,
            "email": {"type": "string", "description": "Only when granted personal data."},
            "username": {"type": "string", "description": "Only when granted personal data."},
        },
    },
}
HEADERS = {
    "webhook-id": "The message id (msg_…), the same on every retry and replay: drop repeats.",
    "webhook-timestamp": "Seconds since the epoch when the message was signed.",
    "webhook-signature": "v1,<base64 HMAC-SHA256> per the Standard Webhooks specification, "
    "keyed with the subscription's secret (whsec_…).",
}


def _component(name: str) -> str:
    return "WebhookEvent" + "".join(p.capitalize() for p in name.replace(".", "_").split("_"))


def document_webhooks(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    hooks = {}
    for name, description in EVENT_TYPES.items():
        data = PAYLOADS.get(name) or {}
        component = _component(name)
        schemas[component] = {
            "type": "object",
            "description": str(description),
            "required": ["type", "timestamp", "data"],
            "properties": {
                "type": {"type": "string", "enum": [name]},
                "timestamp": {"type": "string", "format": "date-time"},
                "data": {
                    "type": "object",
                    "properties": {**data, "people": PEOPLE},
                    "additionalProperties": True,
                },
            },
        }
        hooks[name] = {
            "post": {
                "operationId": f"webhook_{name.replace('.', '_')}",
                "summary": str(description),
                "description": "Sent to every active subscription to this event type, once "
                "(retried with backoff until the receiver answers 2xx).",
                "parameters": [
                    {"name": h, "in": "header", "required": True, "schema": STR, "description": d}
                    for h, d in HEADERS.items()
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{component}"}
                        }
                    },
                },
                "responses": {"200": {"description": "Any 2xx: received."}},
            }
        }
    result["x-webhooks"] = hooks
    return result
